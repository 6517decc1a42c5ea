import { kernels } from '../kernels/index.ts';
import { reuse, reuseMatrix } from '../internal/buffers.ts';
import { resultDtype } from '../tensor/ops.ts';
import { formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { ParamLayer } from './layer.ts';

/**
 * Affine (fully connected) layer: `out = x·W + b`.
 *
 * Accepts N-D input (e.g. images of shape N×1×28×28): it is flattened to N×(rest) in forward and `dx`
 * gets the original shape back in backward, as the book's tensor-ready `Affine` does.
 * `W` and `b` are held by reference (see `Layer`): in-place updates of them reach this layer.
 */
export class Affine implements ParamLayer {
  readonly W: Tensor;
  readonly b: Tensor;
  /** The input of the last forward, flattened to 2-D. */
  x: Tensor | undefined;
  /** The shape the last input had before flattening. */
  originalXShape: readonly number[] | undefined;
  dW: Tensor | undefined;
  db: Tensor | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  /** The parameters by the book's attribute names (see `ParamLayer`). */
  readonly paramKeys = ['W', 'b'] as const;

  param(key: string): Tensor {
    if (key === 'W') return this.W;
    if (key === 'b') return this.b;
    throw new Error(`Affine: no parameter '${key}' (it has W, b)`);
  }

  grad(key: string): Tensor | undefined {
    if (key === 'W') return this.dW;
    if (key === 'b') return this.db;
    throw new Error(`Affine: no parameter '${key}' (it has W, b)`);
  }

  constructor(W: Tensor, b: Tensor) {
    if (W.ndim !== 2) throw new Error(`Affine: W must be 2-D, got shape ${formatShape(W.shape)}`);
    if (b.ndim !== 1 || b.shape[0] !== W.shape[1]) {
      throw new Error(`Affine: b of shape ${formatShape(b.shape)} does not match W of shape ${formatShape(W.shape)} (expected (${W.shape[1]},))`);
    }
    this.W = W;
    this.b = b;
  }

  forward(x: Tensor): Tensor {
    const [inSize, outSize] = this.W.shape;
    if (x.ndim < 1) throw new Error('Affine.forward: input must have at least 1 dimension');
    const n = x.ndim === 1 ? 1 : x.shape[0];
    // Features per row from the shape, not size / n: an empty batch (0, 784) has 784 (as np.dot gives (0, n)).
    let cols = 1;
    for (let d = x.ndim === 1 ? 0 : 1; d < x.ndim; d++) cols *= x.shape[d];
    if (cols !== inSize) {
      throw new Error(`Affine.forward: input of shape ${formatShape(x.shape)} does not fit W of shape ${formatShape(this.W.shape)}: ${cols} features != ${inSize}`);
    }
    this.originalXShape = x.shape;
    const x2 = (this.x = x.ndim === 2 ? x : new Tensor(x.data, [n, inSize]));
    // A 1-D input gives a 1-D output, of b's shape.
    const dtype = resultDtype(x, this.W);
    const out = (this.out = x.ndim === 1 ? reuse(this.out, this.b.shape, dtype) : reuseMatrix(this.out, n, outSize, dtype));
    // out = x·W + b, the bias added in place on the product.
    kernels.gemm(false, false, n, outSize, inSize, x2.data, this.W.data, out.data);
    kernels.addRowVector(out.data, this.b.data, n, outSize, out.data);
    return out;
  }

  /** Computes `dW` and `db` and returns `dx` (in the shape the input had). */
  backward(dout: Tensor): Tensor {
    const x = this.backwardParams(dout);
    const [inSize, outSize] = this.W.shape;
    const n = x.shape[0];
    const dx = (this.dx = reuse(this.dx, this.originalXShape ?? x.shape, resultDtype(dout, this.W)));
    // dx = dout·Wᵀ
    kernels.gemm(false, true, n, inSize, outSize, dout.data, this.W.data, dx.data);
    return dx;
  }

  /**
   * Computes only `dW` and `db`, skipping `dx`. A network calls this on its first layer, whose input
   * gradient (the gradient with respect to the images) nobody uses; it returns the cached 2-D input.
   */
  backwardParams(dout: Tensor): Tensor {
    const x = this.x;
    if (x === undefined) throw new Error('Affine.backward: call forward first');
    const [inSize, outSize] = this.W.shape;
    const n = x.shape[0];
    if (dout.size !== n * outSize || (dout.ndim !== 2 && !(dout.ndim === 1 && n === 1))) {
      throw new Error(`Affine.backward: dout of shape ${formatShape(dout.shape)} does not match the output shape (${n},${outSize})`);
    }
    const dW = (this.dW = reuse(this.dW, this.W.shape, this.W.dtype));
    const db = (this.db = reuse(this.db, this.b.shape, this.b.dtype));
    // dW = xᵀ·dout, db = Σ_rows dout
    kernels.gemm(true, false, inSize, outSize, n, x.data, dout.data, dW.data);
    kernels.sumRows(dout.data, n, outSize, db.data);
    return x;
  }
}
