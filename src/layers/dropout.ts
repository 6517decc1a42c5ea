import { kernels } from '../kernels/index.ts';
import { reuse, reuseBytes } from '../internal/buffers.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import { Mask, type Tensor } from '../tensor/tensor.ts';
import type { Layer } from './layer.ts';

export interface DropoutOptions {
  /** Draw the masks from this generator (its state advances; e.g. the network's). */
  rng?: Random;
  /** Seed for the layer's own generator; a random one is chosen (and kept in `seed`) when omitted. */
  seed?: number;
}

/**
 * Dropout (Srivastava, Hinton et al., http://arxiv.org/abs/1207.0580), with the book's semantics
 * (`common/layers.py`) — not "inverted" dropout:
 *
 * - training (`trainFlg = true`): each unit is kept when a uniform draw in [0, 1) exceeds
 *   `dropoutRatio` — `mask = rand(shape) > dropoutRatio`, `out = x · mask`;
 * - test (`trainFlg = false`): every unit is kept and scaled by the keep probability,
 *   `out = x · (1 − dropoutRatio)`, so its expected magnitude matches training;
 * - backward: `dx = dout · mask` (the mask of the last training forward). After a test-mode forward it
 *   is the derivative of that forward, `dx = dout · (1 − dropoutRatio)` (the book would reuse the last
 *   training mask), as `BatchNormalization` also differentiates the forward that ran.
 *
 * The book's `forward` defaults to training (`train_flg=True`); the layer contract here defaults every
 * layer to inference, so pass `true` while training (the networks do).
 *
 * Masks come from a seeded generator, so a run repeats exactly: `new Dropout(0.5, { seed: 1 })` draws
 * the same masks every time.
 *
 * @example
 * const drop = new Dropout(0.5, { seed: 1 });
 * drop.forward(ones([2, 4]), true).toArray(); // about half the entries 0, the rest 1
 * drop.forward(ones([2, 4])).toArray();       // all 0.5
 */
export class Dropout implements Layer {
  readonly dropoutRatio: number;
  /** The seed of the layer's own generator (undefined when an `rng` was passed). */
  readonly seed: number | undefined;
  /** Kept units (1) of the last training forward. */
  mask: Mask | undefined;
  private readonly rng: Random;
  private lastTrain = false;
  private lastShape: readonly number[] | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(dropoutRatio = 0.5, options: DropoutOptions = {}) {
    if (!Number.isFinite(dropoutRatio) || dropoutRatio < 0 || dropoutRatio >= 1) {
      throw new Error(`Dropout: dropoutRatio must be in [0, 1), got ${dropoutRatio}`);
    }
    this.dropoutRatio = dropoutRatio;
    this.seed = options.rng ? undefined : (options.seed ?? randomSeed());
    this.rng = options.rng ?? new Random(this.seed as number);
  }

  forward(x: Tensor, trainFlg = false): Tensor {
    const out = (this.out = reuse(this.out, x.shape, x.dtype));
    this.lastTrain = trainFlg;
    this.lastShape = x.shape;
    if (!trainFlg) {
      kernels.scale(x.data, 1.0 - this.dropoutRatio, out.data);
      return out;
    }
    const maskData = reuseBytes(this.mask?.data, x.size);
    if (this.mask === undefined || this.mask.data !== maskData || !sameShape(this.mask.shape, x.shape)) {
      this.mask = new Mask(maskData, x.shape);
    }
    const ratio = this.dropoutRatio;
    for (let i = 0; i < maskData.length; i++) maskData[i] = this.rng.random() > ratio ? 1 : 0;
    kernels.applyMask(x.data, maskData, out.data);
    return out;
  }

  // dx = dout · mask (training), dout · (1 − dropoutRatio) (test)
  backward(dout: Tensor): Tensor {
    const shape = this.lastShape;
    if (shape === undefined) throw new Error('Dropout.backward: call forward first');
    if (!sameShape(dout.shape, shape)) {
      throw new Error(`Dropout.backward: dout of shape ${formatShape(dout.shape)} does not match the forward input ${formatShape(shape)}`);
    }
    const dx = (this.dx = reuse(this.dx, dout.shape, dout.dtype));
    if (this.lastTrain) kernels.applyMask(dout.data, (this.mask as Mask).data, dx.data);
    else kernels.scale(dout.data, 1.0 - this.dropoutRatio, dx.data);
    return dx;
  }
}
