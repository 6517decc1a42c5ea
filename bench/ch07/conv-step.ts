/**
 * The benchmark's conv-net training step, shared by scratchnet_step.ts (timing) and profile.ts (where the
 * time goes): a batch of 100 drawn with replacement (seeded), `net.gradient(x, t)`, an Adam update (lr
 * 0.001), the loss after the update (in training mode, as the book's Trainer) — the book's
 * `Trainer.train_step` without its evaluation.
 */
import type { MnistSplit } from '../../src/data/mnist.ts';
import { bufferTensor } from '../../src/internal/buffers.ts';
import { kernels } from '../../src/kernels/index.ts';
import { DeepConvNet } from '../../src/nets/deep-conv-net.ts';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.ts';
import { Adam } from '../../src/optimizers/adam.ts';
import { Random } from '../../src/tensor/random.ts';
import type { DType } from '../../src/tensor/tensor.ts';

export const CONV_STEP_BATCH = 100;

/**
 * The net (`simple` or `deep`, weights from `seed`) and its step on `train` (batches from `seed + 1000`: two
 * steps of one seed draw the same batches). `fuseConvReluPool: false` builds the net with its layers run one by one.
 */
export function convStep(netName: 'simple' | 'deep', dtype: DType, seed: number, train: MnistSplit, fuseConvReluPool = true): { net: SimpleConvNet | DeepConvNet; step: () => number } {
  const net = netName === 'simple' ? new SimpleConvNet({ dtype, seed, fuseConvReluPool }) : new DeepConvNet({ dtype, seed, fuseConvReluPool });
  const opt = new Adam(0.001);
  const rng = new Random(seed + 1000);
  const batch = CONV_STEP_BATCH;
  const mask = new Uint32Array(batch);
  const x = bufferTensor([batch, ...net.inputShape], dtype);
  const t = new Float64Array(batch);
  const step = (): number => {
    rng.choice(train.count, batch, mask);
    train.gatherImages(mask, x.data);
    train.gatherLabels(mask, t);
    kernels.keepRows(x.data, batch, x.size / batch);
    const grads = net.gradient(x, t);
    opt.update(net.params, grads);
    return net.loss(x, t, true);
  };
  return { net, step };
}
