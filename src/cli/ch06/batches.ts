/** Mini-batches drawn as the book's scripts draw them: `np.random.choice(train_size, batch_size)`, with replacement. */
import type { MnistSplit } from '../../data/mnist.ts';
import { bufferTensor } from '../../internal/buffers.ts';
import { kernels } from '../../kernels/index.ts';
import type { Random } from '../../tensor/random.ts';
import type { DType, Tensor } from '../../tensor/tensor.ts';

export class BatchDrawer {
  /** The batch's images, rows of pixels in [0, 1] (a long-lived buffer, rewritten by each `draw`). */
  readonly x: Tensor;
  /** The batch's labels. */
  readonly t: Float64Array;
  /** The last batch's image indices. */
  readonly mask: Uint32Array;

  /** `rng` draws the batches (`draw`); without one, batches are only taken by their indices (`take`). */
  constructor(
    private readonly split: MnistSplit,
    readonly batchSize: number,
    private readonly rng: Random | undefined,
    dtype: DType = 'float64',
  ) {
    this.x = bufferTensor([batchSize, split.pixels], dtype, 'BatchDrawer');
    this.t = new Float64Array(batchSize);
    this.mask = new Uint32Array(batchSize);
  }

  /** Draws the next batch into `x` and `t`. */
  draw(): void {
    if (!this.rng) throw new Error('BatchDrawer.draw: this drawer has no generator (it only takes batches by their indices)');
    this.rng.choice(this.split.count, this.batchSize, this.mask);
    this.take(this.mask);
  }

  /** Puts the images and labels at `indices` (batchSize of them) into `x` and `t`. */
  take(indices: Uint32Array): void {
    if (indices.length !== this.batchSize) throw new Error(`BatchDrawer.take: ${indices.length} indices for a batch of ${this.batchSize}`);
    if (indices !== this.mask) this.mask.set(indices);
    this.split.gatherImages(this.mask, this.x.data);
    this.split.gatherLabels(this.mask, this.t);
    // The batch is read by several products and not written until the next draw (see kernels.keepRows).
    kernels.keepRows(this.x.data, this.batchSize, this.split.pixels);
  }
}
