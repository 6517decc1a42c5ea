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
  private readonly mask: Uint32Array;

  constructor(
    private readonly split: MnistSplit,
    readonly batchSize: number,
    private readonly rng: Random,
    dtype: DType = 'float64',
  ) {
    this.x = bufferTensor([batchSize, split.pixels], dtype, 'BatchDrawer');
    this.t = new Float64Array(batchSize);
    this.mask = new Uint32Array(batchSize);
  }

  /** Draws the next batch into `x` and `t`. */
  draw(): void {
    this.rng.choice(this.split.count, this.batchSize, this.mask);
    this.split.gatherImages(this.mask, this.x.data);
    this.split.gatherLabels(this.mask, this.t);
    // The batch is read by several products and not written until the next draw (see kernels.keepRows).
    kernels.keepRows(this.x.data, this.batchSize, this.split.pixels);
  }
}
