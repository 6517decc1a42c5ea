import { allocateInt32, kernels } from '../kernels/index.ts';
import { reuse } from '../internal/buffers.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { windowShape } from '../util/im2col.ts';
import type { Layer } from './layer.ts';

/**
 * The book's max-pooling layer (`common/layers.py`'s `Pooling`): NCHW input (N, C, H, W) → (N, C, outH,
 * outW), each output the maximum of a `poolH × poolW` window, windows `stride` apart.
 *
 * Computed directly (no `im2col` copy) with the book's semantics: ties go to the first maximum (as
 * `np.argmax`), and with `pad > 0` the padding counts as zeros, as the book's zero-padded `im2col` makes
 * it. (The book's `forward` computes its output size without `pad` and so fails for `pad > 0`; here the
 * output size is `im2col`'s, `(H + 2·pad − poolH) // stride + 1`.)
 *
 * `argMax` keeps, for each output element (in the output's NCHW order), the position `ky·poolW + kx` of its
 * maximum in the window — the book's `arg_max`, whose values are the same in (N, outH, outW, C) order.
 * `backward` sends each gradient there (adding where windows overlap).
 */
export class Pooling implements Layer {
  readonly poolH: number;
  readonly poolW: number;
  readonly stride: number;
  readonly pad: number;
  /** The input of the last forward (undefined after ConvReluPool's, which never materialises it). */
  x: Tensor | undefined;
  private inShape: readonly number[] | undefined;
  /** The window position of each output's maximum (see the class comment). */
  argMax: Int32Array | undefined;
  private argMaxBlock: Int32Array | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(poolH: number, poolW: number, stride = 2, pad = 0) {
    for (const [name, v, min] of [['poolH', poolH, 1], ['poolW', poolW, 1], ['stride', stride, 1], ['pad', pad, 0]] as const) {
      if (!Number.isInteger(v) || v < min) throw new Error(`Pooling: ${name} must be an integer >= ${min}, got ${v}`);
    }
    this.poolH = poolH;
    this.poolW = poolW;
    this.stride = stride;
    this.pad = pad;
  }

  forward(x: Tensor): Tensor {
    const { out, argMax } = this.outputFor(x.shape, x.dtype, 'Pooling.forward');
    const [n, c, h, w] = x.shape;
    kernels.maxPoolForward(x.data, n, c, h, w, this.poolH, this.poolW, this.stride, this.pad, out.data, argMax);
    this.record(x, x.shape);
    return out;
  }

  /**
   * The output and argMax buffers of a forward pass over an input of `shape` (checked) — for a pass
   * computed elsewhere too (ConvReluPool, whose input is never materialised), then `record`ed.
   */
  outputFor(shape: readonly number[], dtype: Tensor['dtype'], op: string): { out: Tensor; argMax: Int32Array } {
    const [n, c, , , outH, outW] = windowShape(op, shape, this.poolH, this.poolW, this.stride, this.pad);
    const out = (this.out = reuse(this.out, [n, c, outH, outW], dtype, op));
    if (this.argMax === undefined || this.argMax.length !== out.size) {
      // On the kernels' heap (written in place, not copied out), one block for every batch size up to its
      // length: training and evaluation batches alternate. The block is held here (a view does not keep it).
      if (this.argMaxBlock === undefined || this.argMaxBlock.length < out.size) this.argMaxBlock = allocateInt32(out.size, op);
      this.argMax = this.argMaxBlock.length === out.size ? this.argMaxBlock : this.argMaxBlock.subarray(0, out.size);
    }
    return { out, argMax: this.argMax };
  }

  /** Keeps what the backward pass needs: the input's shape, and the input itself when there is one (`x`). */
  record(x: Tensor | undefined, shape: readonly number[]): void {
    this.x = x;
    this.inShape = shape;
  }

  backward(dout: Tensor): Tensor {
    const { shape, argMax } = this.backwardOf(dout, 'Pooling.backward');
    const [n, c, h, w] = shape;
    const dx = (this.dx = reuse(this.dx, shape, dout.dtype, 'Pooling.backward'));
    kernels.maxPoolBackward(dout.data, argMax, n, c, h, w, this.poolH, this.poolW, this.stride, this.pad, dx.data);
    return dx;
  }

  /**
   * What a backward pass of `dout` reads — the input's shape and `argMax` of the last forward pass — after
   * checking `dout` against that pass's output (for ConvReluPool's too, which computes the pooling's
   * backward pass with the convolution's).
   */
  backwardOf(dout: Tensor, op: string): { shape: readonly number[]; argMax: Int32Array } {
    const shape = this.inShape;
    const out = this.out;
    if (shape === undefined || out === undefined || this.argMax === undefined) throw new Error(`${op}: call forward first`);
    if (dout.ndim !== 4 || dout.shape.some((d, i) => d !== out.shape[i])) {
      throw new Error(`${op}: dout of shape ${formatShape(dout.shape)} does not match the output shape ${formatShape(out.shape)}`);
    }
    return { shape, argMax: this.argMax };
  }
}
