import { kernels, type FloatArray } from '../kernels/index.ts';
import { reuse } from '../internal/buffers.ts';
import { resultDtype } from '../tensor/ops.ts';
import { formatShape } from '../tensor/shape.ts';
import { allocate, Tensor } from '../tensor/tensor.ts';
import { windowShape } from '../util/im2col.ts';
import type { ParamLayer, SkipsInputGradient } from './layer.ts';
import type { Pooling } from './pooling.ts';

/** A forward pass's sizes (see `Convolution.forwardShape`). */
export interface ConvForwardShape {
  n: number;
  c: number;
  h: number;
  w: number;
  fn: number;
  fh: number;
  fw: number;
  outH: number;
  outW: number;
  dtype: Tensor['dtype'];
  /** The one-image im2col scratch the kernels take (the reference fills it). */
  col: FloatArray;
}

/**
 * The book's `Convolution` layer (`common/layers.py`): NCHW input `x` (N, C, H, W), filters `W`
 * (FN, C, FH, FW), bias `b` (FN,), output (N, FN, outH, outW) with `outH = (H + 2·pad − FH) // stride + 1`.
 *
 * The book's im2col formulation, one image at a time: with `col_i = im2col(x_i)` (outH·outW, C·FH·FW) and
 * `W` read as the (FN, C·FH·FW) matrix the book transposes into `col_W`, every product is a GEMM read with
 * transpose flags instead of transposed copies:
 *
 * - forward: `out_i = W · col_iᵀ + b` lands directly in NCHW (the book computes `col · col_W` and transposes);
 * - backward: `dW = Σ_i dout_i · col_i`, `db = Σ dout` over images and positions, and
 *   `dx_i = col2im(dout_iᵀ · W)`, computed as `col2imT(Wᵀ · dout_i)` (the same values, transposed: see
 *   `col2imT`).
 *
 * Unlike the book, the layer does not keep the batch's `col` (N·outH·outW, C·FH·FW) between forward and
 * backward: it keeps `x` and recomputes `col_i` into a one-image scratch in the backward pass (a copy, cheap
 * next to the products) — the book's `col` for DeepConvNet's second layer alone is 90 MB in float64. The
 * book's attribute is still there: `col` computes it on request.
 *
 * `W` and `b` are held by reference (see `Layer`). Buffers are reused: no allocation per step at a fixed
 * batch size.
 */
export class Convolution implements ParamLayer, SkipsInputGradient {
  readonly W: Tensor;
  readonly b: Tensor;
  readonly stride: number;
  readonly pad: number;
  /** The input of the last forward. */
  x: Tensor | undefined;
  /** The book's `col` when it was last asked for; fresh until the next forward. */
  private colFull: Tensor | undefined;
  private colFresh = false;
  /** One image's `col` (outH·outW, C·FH·FW), the scratch of forward (reference kernels) and backward. */
  private colImg: FloatArray | undefined;
  dW: Tensor | undefined;
  db: Tensor | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;
  /** One image's `dcol`, transposed: (C·FH·FW, outH·outW). */
  private dcol: FloatArray | undefined;
  private outH = 0;
  private outW = 0;

  readonly paramKeys = ['W', 'b'] as const;

  constructor(W: Tensor, b: Tensor, stride = 1, pad = 0) {
    if (W.ndim !== 4) throw new Error(`Convolution: W must be 4-D (FN, C, FH, FW), got shape ${formatShape(W.shape)}`);
    if (b.ndim !== 1 || b.shape[0] !== W.shape[0]) {
      throw new Error(`Convolution: b of shape ${formatShape(b.shape)} does not match W of shape ${formatShape(W.shape)} (expected (${W.shape[0]},))`);
    }
    if (!Number.isInteger(stride) || stride < 1) throw new Error(`Convolution: stride must be an integer >= 1, got ${stride}`);
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`Convolution: pad must be an integer >= 0, got ${pad}`);
    this.W = W;
    this.b = b;
    this.stride = stride;
    this.pad = pad;
  }

  param(key: string): Tensor {
    if (key === 'W') return this.W;
    if (key === 'b') return this.b;
    throw new Error(`Convolution: no parameter '${key}' (it has W, b)`);
  }

  grad(key: string): Tensor | undefined {
    if (key === 'W') return this.dW;
    if (key === 'b') return this.db;
    throw new Error(`Convolution: no parameter '${key}' (it has W, b)`);
  }

  /**
   * The book's `col`: `im2col(x)` of the last forward's input, (N·outH·outW, C·FH·FW); undefined before a
   * forward. Computed on the first request after each forward (the layer itself does not need it).
   */
  get col(): Tensor | undefined {
    const x = this.x;
    if (x === undefined) return undefined;
    if (!this.colFresh) {
      const [, c, fh, fw] = this.W.shape;
      const [n, , h, w] = x.shape;
      const col = (this.colFull = reuse(this.colFull, [n * this.outH * this.outW, c * fh * fw], resultDtype(x, this.W), 'Convolution.col'));
      kernels.im2col(x.data, n, c, h, w, fh, fw, this.stride, this.pad, col.data);
      this.colFresh = true;
    }
    return this.colFull;
  }

  /** The one-image `col` scratch for this dtype and size. */
  private colScratch(size: number, dtype: Tensor['dtype']): FloatArray {
    const c = this.colImg;
    if (c !== undefined && c.length === size && (c instanceof Float32Array) === (dtype === 'float32')) return c;
    return (this.colImg = reuse(undefined, [size], dtype, 'Convolution').data);
  }

  /** The book's `col_W`: `W.reshape(FN, -1).T`, (C·FH·FW, FN). A copy made on request (the layer reads `W` in place). */
  get colW(): Tensor {
    const fn = this.W.shape[0];
    const k = this.W.size / fn;
    const t = new Tensor(allocate(this.W.dtype, this.W.size), [k, fn]);
    for (let f = 0; f < fn; f++) for (let p = 0; p < k; p++) t.data[p * fn + f] = this.W.data[f * k + p];
    return t;
  }

  forward(x: Tensor): Tensor {
    const s = this.forwardShape(x, 'Convolution.forward');
    const out = (this.out = reuse(this.out, [s.n, s.fn, s.outH, s.outW], s.dtype, 'Convolution.forward'));
    // out_i (FN × outH·outW) = W (FN × k) · col_iᵀ + b, col_i = im2col(x_i) being (outH·outW × k)
    kernels.convForward(x.data, s.n, s.c, s.h, s.w, this.W.data, s.fn, s.fh, s.fw, this.stride, this.pad, this.b.data, s.col, out.data);
    this.record(x, s.outH, s.outW);
    return out;
  }

  /**
   * forward's checks of `x` and its sizes, with the one-image im2col scratch — for a pass whose output is
   * computed elsewhere (ConvReluPool: the convolution, ReLU and pooling in one kernel), then `record`ed.
   */
  forwardShape(x: Tensor, op: string): ConvForwardShape {
    const [fn, fc, fh, fw] = this.W.shape;
    const [n, c, h, w, outH, outW] = windowShape(op, x.shape, fh, fw, this.stride, this.pad);
    if (c !== fc) {
      throw new Error(`${op}: input of shape ${formatShape(x.shape)} has ${c} channels, W of shape ${formatShape(this.W.shape)} expects ${fc}`);
    }
    const dtype = resultDtype(x, this.W);
    return { n, c, h, w, fn, fh, fw, outH, outW, dtype, col: this.colScratch(outH * outW * c * fh * fw, dtype) };
  }

  /** Keeps what the backward pass needs of a forward pass over `x` (called once its output is computed). */
  record(x: Tensor, outH: number, outW: number): void {
    this.x = x;
    this.colFresh = false;
    this.outH = outH;
    this.outW = outW;
  }

  /** Computes `dW`, `db` and returns `dx` (the input's shape). */
  backward(dout: Tensor): Tensor {
    return this.backwardInput(dout, this.backwardParams(dout));
  }

  /** `dx` of `dout` (the output's gradient) for the input `x` of the last forward pass (checked by the caller). */
  private backwardInput(dout: Tensor, x: Tensor): Tensor {
    const [fn, c, fh, fw] = this.W.shape;
    const [n, , h, w] = x.shape;
    const { dx, dcol } = this.inputGradientBuffers(x, resultDtype(dout, this.W));
    // dx_i = col2im(dout_i · col_Wᵀ), computed as col2imT(Wᵀ · dout_i) (the same values, transposed).
    kernels.convBackwardData(dout.data, n, fn, this.W.data, c, h, w, fh, fw, this.stride, this.pad, dcol, dx.data);
    return dx;
  }

  /** dx (x's shape) and the one-image dcol scratch of an input gradient in `dtype`, kept from call to call. */
  private inputGradientBuffers(x: Tensor, dtype: Tensor['dtype']): { dx: Tensor; dcol: FloatArray } {
    const [, c, fh, fw] = this.W.shape;
    const spatial = this.outH * this.outW;
    const k = c * fh * fw;
    const dx = (this.dx = reuse(this.dx, x.shape, dtype, 'Convolution.backward'));
    let dcol = this.dcol;
    if (dcol === undefined || dcol.length !== spatial * k || (dcol instanceof Float32Array) !== (dtype === 'float32')) {
      dcol = this.dcol = reuse(undefined, [k, spatial], dtype, 'Convolution.backward').data;
    }
    return { dx, dcol };
  }

  /**
   * Computes only `dW` and `db`, skipping `dx` (a network calls this on its first layer, whose input
   * gradient nobody uses). Returns the cached input.
   */
  backwardParams(dout: Tensor): Tensor {
    const x = this.x;
    if (x === undefined) throw new Error('Convolution.backward: call forward first');
    const [fn, c, fh, fw] = this.W.shape;
    const [n, , h, w] = x.shape;
    const spatial = this.outH * this.outW;
    if (dout.ndim !== 4 || dout.shape[0] !== n || dout.shape[1] !== fn || dout.shape[2] !== this.outH || dout.shape[3] !== this.outW) {
      throw new Error(`Convolution.backward: dout of shape ${formatShape(dout.shape)} does not match the output shape (${n},${fn},${this.outH},${this.outW})`);
    }
    const { dW, db, col } = this.paramGradientBuffers(x);
    // dW (FN × k) = Σ_i dout_i (FN × outH·outW) · col_i (outH·outW × k), col_i = im2col(x_i) recomputed
    kernels.convBackwardFilter(x.data, n, c, h, w, dout.data, fn, fh, fw, this.stride, this.pad, col, dW.data);
    kernels.sumChannels(dout.data, n, fn, spatial, db.data);
    return x;
  }

  /** dW, db and the one-image im2col scratch of a filter gradient over the input `x`, kept from call to call. */
  private paramGradientBuffers(x: Tensor): { dW: Tensor; db: Tensor; col: FloatArray } {
    const [, c, fh, fw] = this.W.shape;
    const dW = (this.dW = reuse(this.dW, this.W.shape, this.W.dtype, 'Convolution.backward'));
    const db = (this.db = reuse(this.db, this.b.shape, this.b.dtype, 'Convolution.backward'));
    return { dW, db, col: this.colScratch(this.outH * this.outW * c * fh * fw, resultDtype(x, this.W)) };
  }

  /**
   * `dW` and `db` of a forward pass whose output went through ReLU and `pool` (ConvReluPool), from `dpool`:
   * the gradient of the pooled output after ReLU's backward pass. The same values, bit for bit, as
   * `backwardParams(pool.backward(dpool))`, computed by one kernel (`kernels.convPoolBackwardParams`) that
   * reads only the pooled gradient's non-zeros where it can. Returns the cached input.
   */
  backwardParamsPooled(dpool: Tensor, pool: Pooling): Tensor {
    return this.paramsPooled(dpool, pool).x;
  }

  /**
   * `dW`, `db` and `dx` of such a pass, from `dpool` as for `backwardParamsPooled`: the same values, bit for
   * bit, as `backward(pool.backward(dpool))`, with `dx` by one more kernel (`kernels.convPoolBackwardData`)
   * that reads only the pooled gradient's non-zeros where it can.
   */
  backwardPooled(dpool: Tensor, pool: Pooling): Tensor {
    const { x, argMax } = this.paramsPooled(dpool, pool);
    const [fn, c, fh, fw] = this.W.shape;
    const [n, , h, w] = x.shape;
    const { dx, dcol } = this.inputGradientBuffers(x, resultDtype(dpool, this.W));
    kernels.convPoolBackwardData(
      dpool.data, argMax, n, fn, this.W.data, c, h, w, fh, fw, this.stride, this.pad, pool.poolH, pool.poolW, pool.stride, pool.pad, dcol, dx.data,
    );
    return dx;
  }

  /**
   * Checks that `pool` pooled this layer's last output and that `dpool` fits it, then computes dW and db
   * (convPoolBackwardParams); returns the last forward pass's input and the pooling's argMax.
   */
  private paramsPooled(dpool: Tensor, pool: Pooling): { x: Tensor; argMax: Int32Array } {
    const x = this.x;
    if (x === undefined) throw new Error('ConvReluPool.backward: call forward first');
    const { shape, argMax } = pool.backwardOf(dpool, 'ConvReluPool.backward');
    const [fn, c, fh, fw] = this.W.shape;
    const [n, , h, w] = x.shape;
    if (shape[0] !== n || shape[1] !== fn || shape[2] !== this.outH || shape[3] !== this.outW) {
      throw new Error(`ConvReluPool.backward: the pooling's input of shape ${formatShape(shape)} is not the convolution's output (${n},${fn},${this.outH},${this.outW})`);
    }
    const { dW, db, col } = this.paramGradientBuffers(x);
    kernels.convPoolBackwardParams(
      x.data, n, c, h, w, dpool.data, argMax, fn, fh, fw, this.stride, this.pad, pool.poolH, pool.poolW, pool.stride, pool.pad, col, dW.data, db.data,
    );
    return { x, argMax };
  }
}
