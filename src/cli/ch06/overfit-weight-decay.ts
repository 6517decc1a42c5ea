/**
 * `scratchnet overfit-weight-decay` — the book's ch06/overfit_weight_decay.py: MultiLayerNet(784,
 * [100 × 6], 10) on only 300 training images, with weight decay λ = 0.1, SGD (lr 0.01), batches of 100,
 * train and test accuracy each epoch for 201 epochs (figure 6-21; `--weight-decay 0` gives figure 6-20).
 */
import type { Command } from 'commander';
import type { MnistSplit } from '../../data/mnist.ts';
import { MultiLayerNet } from '../../nets/multi-layer-net.ts';
import { SGD } from '../../optimizers/index.ts';
import { trainTestAccuracySpec } from '../../plot/ch06-specs.ts';
import { networkAccuracy } from '../../train/evaluate.ts';
import { pyFloat } from '../../train/trainer.ts';
import { nonNegativeNumber, positiveInt, positiveNumber } from '../options.ts';
import { BatchDrawer } from './batches.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags, type RunContext } from './run.ts';

interface Flags extends CommonFlags {
  weightDecay: number;
  epochs: number;
  trainSize: number;
  testSize?: number;
  batchSize: number;
  lr: number;
  hidden: number[];
}

export function registerOverfitWeightDecay(program: Command): void {
  const cmd = program
    .command('overfit-weight-decay')
    .description("the book's ch06/overfit_weight_decay.py: a 7-layer net on 300 images, with weight decay (figure 6-21)")
    .option('--weight-decay <x>', 'weight decay strength λ (the book: 0.1; 0 for no decay, figure 6-20)', nonNegativeNumber, 0.1)
    .option('--epochs <n>', 'epochs (the book: 201)', positiveInt, 201)
    .option('--train-size <n>', 'training images, the first n (the book: 300)', positiveInt, 300)
    .option('--test-size <n>', 'test images, the first n (default: all 10000, as the book)', positiveInt)
    .option('--batch-size <n>', 'images per mini-batch (the book: 100)', positiveInt, 100)
    .option('--lr <x>', "SGD's learning rate (the book: 0.01)", positiveNumber, 0.01)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100,100,100)', sizeList, [100, 100, 100, 100, 100, 100]);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's line each epoch: "epoch:N, train acc:…, test acc:…". Writes overfit-weight-decay.svg/.png
(train and test accuracy per epoch) and history.json to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('overfit-weight-decay', flags, async (ctx) => {
      const { train: allTrain, test: allTest } = ctx.mnist();
      const train = firstImages(allTrain, flags.trainSize, '--train-size');
      const test = flags.testSize === undefined ? allTest : firstImages(allTest, flags.testSize, '--test-size', 'test');
      const network = new MultiLayerNet({ inputSize: train.pixels, hiddenSizeList: flags.hidden, outputSize: 10, weightDecayLambda: flags.weightDecay, rng: ctx.rng });
      const optimizer = new SGD(flags.lr);
      const { trainAcc, testAcc } = await epochLoop(ctx, flags, train, (batches) => optimizer.update(network.params, network.gradient(batches.x, batches.t)), () => [
        networkAccuracy(network, train),
        networkAccuracy(network, test),
      ]);
      ctx.writeJson('history.json', {
        script: 'ch06/overfit_weight_decay.py',
        seed: ctx.seed,
        trainSize: train.count,
        testSize: test.count,
        weightDecayLambda: flags.weightDecay,
        lr: flags.lr,
        batchSize: flags.batchSize,
        hiddenSizeList: flags.hidden,
        trainAcc,
        testAcc,
      });
      ctx.figure('overfit-weight-decay', trainTestAccuracySpec(trainAcc, testAcc, { title: `weight decay λ = ${flags.weightDecay}` }));
    });
  });
}

/**
 * The book's hand-written epoch loop (overfit_weight_decay.py, batch_norm_test.py): step after step on
 * random batches; whenever `i % iterPerEpoch == 0` (a float, as the book's `max(train_size / batch_size, 1)`)
 * measure, print `epoch:N, train acc:…, test acc:…` and stop once `epochs` have been measured.
 */
async function epochLoop(
  ctx: RunContext,
  flags: { epochs: number; batchSize: number },
  train: MnistSplit,
  step: (batches: BatchDrawer) => void,
  measure: () => [number, number],
): Promise<{ trainAcc: number[]; testAcc: number[] }> {
  const batches = new BatchDrawer(train, flags.batchSize, ctx.rng);
  const iterPerEpoch = Math.max(train.count / flags.batchSize, 1);
  const trainAcc: number[] = [];
  const testAcc: number[] = [];
  const bar = ctx.progress(flags.epochs, 'epochs');
  let lastYield = performance.now();
  for (let i = 0; trainAcc.length < flags.epochs && !ctx.stopRequested(); i++) {
    batches.draw();
    step(batches);
    if (i % iterPerEpoch === 0) {
      const [a, b] = measure();
      ctx.print(`epoch:${trainAcc.length}, train acc:${pyFloat(a)}, test acc:${pyFloat(b)}`);
      trainAcc.push(a);
      testAcc.push(b);
      bar.update(trainAcc.length, `train ${a.toFixed(3)}  test ${b.toFixed(4)}`);
    }
    if (performance.now() - lastYield > 100) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  bar.stop();
  return { trainAcc, testAcc };
}
