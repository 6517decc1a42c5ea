import { kernels } from '../kernels/index.ts';
import { classesOf, isDenseTarget, labelIndices, rowsOf, type Labels } from '../functions.ts';
import { reuse } from '../internal/buffers.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Softmax followed by the cross-entropy error: the output layer of the book's networks.
 * `forward(x, t)` returns the loss; `backward(dout = 1)` returns `dx = (y - t) / batchSize * dout`.
 * Targets may be one-hot rows or label indices.
 */
export class SoftmaxWithLoss {
  /** The loss of the last forward. */
  loss: number | undefined;
  /** Softmax output of the last forward. */
  y: Tensor | undefined;
  /** Targets of the last forward: one-hot rows, or label indices. */
  t: Tensor | ArrayLike<number> | undefined;
  private dx: Tensor | undefined;
  private dense = false;

  forward(x: Tensor, t: Labels): number {
    const rows = rowsOf('SoftmaxWithLoss.forward', x);
    const cols = classesOf(x);
    const y = (this.y = reuse(this.y, x.shape, x.dtype));
    kernels.softmaxRows(x.data, rows, cols, y.data);
    this.dense = isDenseTarget(x, t);
    if (this.dense) {
      const tt = t as Tensor;
      if (!sameShape(tt.shape, x.shape)) {
        throw new Error(`SoftmaxWithLoss.forward: targets of shape ${formatShape(tt.shape)} do not match scores of shape ${formatShape(x.shape)}`);
      }
      this.t = tt;
      this.loss = kernels.crossEntropyDense(y.data, tt.data, rows);
    } else {
      const labels = labelIndices('SoftmaxWithLoss.forward', t, rows, cols);
      this.t = labels;
      this.loss = kernels.crossEntropyLabels(y.data, rows, cols, labels);
    }
    return this.loss;
  }

  // dx = (y - t) / batchSize * dout   (the book ignores dout; it is 1 there)
  backward(dout = 1): Tensor {
    const { y, t } = this;
    if (y === undefined || t === undefined) throw new Error('SoftmaxWithLoss.backward: call forward first');
    const rows = rowsOf('SoftmaxWithLoss.backward', y);
    const cols = classesOf(y);
    const dx = (this.dx = reuse(this.dx, y.shape, y.dtype));
    const scale = dout / rows;
    if (this.dense) kernels.softmaxLossBackwardDense(y.data, (t as Tensor).data, scale, dx.data);
    else kernels.softmaxLossBackwardLabels(y.data, rows, cols, t as ArrayLike<number>, scale, dx.data);
    return dx;
  }
}
