import { convBackwardDataSteps, convBackwardFilterSteps, convForwardSteps, convPoolBackwardDataSteps, convPoolBackwardSteps, convReluPoolSteps, type ConvStepKernels } from './conv-steps.ts';
import { reluForward } from './elementwise.ts';
import { gemm } from './matmul.ts';
import type { FloatArray } from './types.ts';

/**
 * The loops of chapter 7 (`common/util.py`'s `im2col`/`col2im`, `common/layers.py`'s `Convolution` and
 * `Pooling`) on NCHW data in row-major typed arrays. Like every kernel they check nothing and allocate
 * nothing: callers (`util/im2col.ts`, `layers/convolution.ts`, `layers/pooling.ts`) check shapes and own
 * the buffers. Output sizes are the book's `(H + 2·pad − filterH) // stride + 1`, which callers compute
 * (and check to be ≥ 1) before calling.
 *
 * Padding is the book's `np.pad(…, 'constant')`: zeros around each image, never stored.
 */

/** `(size + 2·pad − filter) // stride + 1`, as the book's `im2col` computes out_h and out_w. */
function convOutputSize(size: number, filter: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - filter) / stride) + 1;
}

/**
 * The book's `im2col`: `col` (n·outH·outW) × (c·filterH·filterW) from images `x` (n, c, h, w). Row
 * `(i, oy, ox)` holds the window whose top-left corner is `(oy·stride − pad, ox·stride − pad)` of image i,
 * its columns in the order `(channel, ky, kx)` — exactly the book's
 * `col.transpose(0, 4, 5, 1, 2, 3).reshape(N*out_h*out_w, -1)`. Positions in the padding are 0.
 */
export function im2col(
  x: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  col: FloatArray,
): void {
  const outH = convOutputSize(h, filterH, stride, pad);
  const outW = convOutputSize(w, filterW, stride, pad);
  const rowLen = c * filterH * filterW;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const img = i * c * h * w;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        let q = r * rowLen;
        for (let ch = 0; ch < c; ch++) {
          const plane = img + ch * h * w;
          for (let ky = 0; ky < filterH; ky++) {
            const y = y0 + ky;
            if (y < 0 || y >= h) {
              for (let kx = 0; kx < filterW; kx++) col[q++] = 0;
              continue;
            }
            const line = plane + y * w;
            for (let kx = 0; kx < filterW; kx++) {
              const xx = x0 + kx;
              col[q++] = xx >= 0 && xx < w ? x[line + xx] : 0;
            }
          }
        }
        r++;
      }
    }
  }
}

/**
 * The book's `col2im`: the adjoint of `im2col`. Overwrites `x` (n, c, h, w) with the sum, for each pixel,
 * of every entry of `col` that `im2col` would have copied from it (entries that fall in the padding are
 * dropped). Each pixel's terms are added in the book's order — filter row `ky`, then column `kx`,
 * starting from 0 — so in float64 the result is bit for bit what the book's NumPy loop gives.
 */
export function col2im(
  col: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  x: FloatArray,
): void {
  col2imStrided(col, c * filterH * filterW, 1, n, c, h, w, filterH, filterW, stride, pad, x);
}

/**
 * col2im over a col read as `col[q·rowStride + p·colStride]` (row q = output position, column p =
 * (channel, ky, kx)): `col2im` (rows of c·filterH·filterW) and `col2imT` (its transpose) in one loop.
 */
function col2imStrided(
  col: FloatArray,
  rowStride: number,
  colStride: number,
  n: number,
  c: number,
  h: number,
  w: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  x: FloatArray,
): void {
  const outH = convOutputSize(h, filterH, stride, pad);
  const outW = convOutputSize(w, filterW, stride, pad);
  const window = filterH * filterW;
  x.fill(0, 0, n * c * h * w);
  for (let ky = 0; ky < filterH; ky++) {
    for (let kx = 0; kx < filterW; kx++) {
      const k = ky * filterW + kx;
      for (let i = 0; i < n; i++) {
        const img = i * c * h * w;
        for (let oy = 0; oy < outH; oy++) {
          const y = oy * stride - pad + ky;
          if (y < 0 || y >= h) continue;
          const rowBase = (i * outH + oy) * outW;
          for (let ox = 0; ox < outW; ox++) {
            const xx = ox * stride - pad + kx;
            if (xx < 0 || xx >= w) continue;
            const q = (rowBase + ox) * rowStride + k * colStride;
            const p = img + y * w + xx;
            for (let ch = 0; ch < c; ch++) x[p + ch * h * w] += col[q + ch * window * colStride];
          }
        }
      }
    }
  }
}

/** `out[i, ch, s] = x[i, ch, s] + bias[ch]` over n images of c channels of `spatial` values (out may be x). */
export function addChannelBias(x: FloatArray, n: number, c: number, spatial: number, bias: FloatArray, out: FloatArray): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * spatial;
      const b = bias[ch];
      for (let s = 0; s < spatial; s++) out[base + s] = x[base + s] + b;
    }
  }
}

/** `out[ch] = Σ_i Σ_s x[i, ch, s]`: a convolution's `db` from its NCHW `dout`. */
export function sumChannels(x: FloatArray, n: number, c: number, spatial: number, out: FloatArray): void {
  out.fill(0, 0, c);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * spatial;
      let s = 0;
      for (let j = 0; j < spatial; j++) s += x[base + j];
      out[ch] += s;
    }
  }
}

/**
 * `col2im` of the transposed columns: `colT` is `col`ᵀ, (c·filterH·filterW) × (n·outH·outW) — what
 * `Wᵀ · dout_i` gives without a transposition. The result is `col2im(colTᵀ)` bit for bit: the same sums
 * in the book's order (filter position (ky, kx) ascending, each adding its column to the image). The
 * Convolution layer's backward pass uses it: in this layout a filter position's values for consecutive
 * output positions are consecutive, as are the image's, so faster backends add whole vectors.
 */
export function col2imT(
  colT: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  x: FloatArray,
): void {
  const rows = n * convOutputSize(h, filterH, stride, pad) * convOutputSize(w, filterW, stride, pad);
  col2imStrided(colT, 1, rows, n, c, h, w, filterH, filterW, stride, pad, x);
}

/**
 * Max pooling as the book's `Pooling.forward` (im2col, then max over each window): `out` (n, c, outH,
 * outW) and `argMax` (same layout) = the position `ky·poolW + kx` of the maximum in its window, the first
 * one on ties (as `np.argmax`). Padding counts as 0, as the book's zero-padded `im2col` makes it; a NaN
 * in a window is its maximum (as `np.max`).
 */
export function maxPoolForward(
  x: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  poolH: number,
  poolW: number,
  stride: number,
  pad: number,
  out: FloatArray,
  argMax: Int32Array,
): void {
  const outH = convOutputSize(h, poolH, stride, pad);
  const outW = convOutputSize(w, poolW, stride, pad);
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        let best = -Infinity;
        let arg = -1;
        search: for (let ky = 0; ky < poolH; ky++) {
          const y = y0 + ky;
          for (let kx = 0; kx < poolW; kx++) {
            const xx = x0 + kx;
            const v = y >= 0 && y < h && xx >= 0 && xx < w ? x[base + y * w + xx] : 0;
            if (v > best || arg < 0) {
              best = v;
              arg = ky * poolW + kx;
            }
            if (v !== v) {
              best = v;
              arg = ky * poolW + kx;
              break search;
            }
          }
        }
        out[o] = best;
        argMax[o] = arg;
        o++;
      }
    }
  }
}

/**
 * The book's `Pooling.backward`: each `dout` entry goes to the input position its window's maximum
 * came from (`argMax` of `maxPoolForward`); overlapping windows add up, in the book's `col2im` order
 * (window position `ky`, `kx`), and gradients that land in the padding are dropped. Overwrites `dx`
 * (n, c, h, w).
 */
export function maxPoolBackward(
  dout: FloatArray,
  argMax: Int32Array,
  n: number,
  c: number,
  h: number,
  w: number,
  poolH: number,
  poolW: number,
  stride: number,
  pad: number,
  dx: FloatArray,
): void {
  const outH = convOutputSize(h, poolH, stride, pad);
  const outW = convOutputSize(w, poolW, stride, pad);
  dx.fill(0, 0, n * c * h * w);
  const overlapping = stride < poolH || stride < poolW;
  if (!overlapping) {
    // Each input pixel is in at most one window: one pass, no order to keep.
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++, o++) {
          const k = argMax[o];
          const y = oy * stride - pad + Math.floor(k / poolW);
          const xx = ox * stride - pad + (k % poolW);
          if (y >= 0 && y < h && xx >= 0 && xx < w) dx[base + y * w + xx] += dout[o];
        }
      }
    }
    return;
  }
  for (let ky = 0; ky < poolH; ky++) {
    for (let kx = 0; kx < poolW; kx++) {
      const k = ky * poolW + kx;
      let o = 0;
      for (let plane = 0; plane < n * c; plane++) {
        const base = plane * h * w;
        for (let oy = 0; oy < outH; oy++) {
          const y = oy * stride - pad + ky;
          for (let ox = 0; ox < outW; ox++, o++) {
            if (argMax[o] !== k || y < 0 || y >= h) continue;
            const xx = ox * stride - pad + kx;
            if (xx >= 0 && xx < w) dx[base + y * w + xx] += dout[o];
          }
        }
      }
    }
  }
}

/**
 * The Convolution layer's forward pass in one kernel, per image i: `col = im2col(x_i)` into the scratch
 * `col` (one image's outH·outW × c·filterH·filterW, reused image after image), then `out_i (fn × outH·outW)
 * = W (fn × c·filterH·filterW) · colᵀ`, then the bias per channel — the book's `col · col_W + b`, landing in
 * NCHW. The book keeps the whole batch's `col` for the backward pass; the layer recomputes one image's
 * `col` there instead (DeepConvNet's would be ~220 MB in float64). Faster backends compute it as a direct
 * convolution with each output's products added in the same order (over `(channel, ky, kx)` from 0, then
 * the bias), leaving `col` unwritten.
 */
export function convForward(
  x: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  W: FloatArray,
  fn: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  b: FloatArray,
  col: FloatArray,
  out: FloatArray,
): void {
  convForwardSteps(REFERENCE_STEPS, x, n, c, h, w, W, fn, filterH, filterW, stride, pad, b, col, out);
}

/**
 * The Convolution layer's filter gradient in one kernel: `dW (fn × c·filterH·filterW) = Σ_i dout_i (fn ×
 * outH·outW) · col_i`, `col_i = im2col(x_i)` recomputed into the one-image scratch `col` — the book's
 * `dW = col.T · dout` (its `dout` reshaped to (N·outH·outW, FN)), transposed to W's layout. Overwrites
 * `dW`. Faster backends compute it as a direct correlation of the padded images with `dout`, without
 * `col` and in another order of the same sums (equal within rounding).
 */
export function convBackwardFilter(
  x: FloatArray,
  n: number,
  c: number,
  h: number,
  w: number,
  dout: FloatArray,
  fn: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  col: FloatArray,
  dW: FloatArray,
): void {
  convBackwardFilterSteps(REFERENCE_STEPS, x, n, c, h, w, dout, fn, filterH, filterW, stride, pad, col, dW);
}

/**
 * The Convolution layer's input gradient in one kernel, per image i: `dcolT = Wᵀ · dout_i` (c·filterH·filterW
 * × outH·outW, into the one-image scratch `dcolT`), then `dx_i = col2imT(dcolT)` — the book's
 * `col2im(dout · col_Wᵀ)`, transposed (each value the same sum over the filters). Overwrites `dx`. Faster
 * backends compute it as the full convolution of `dout` with the flipped filters (stride 1), in another
 * order of the same sums (equal within rounding).
 */
export function convBackwardData(
  dout: FloatArray,
  n: number,
  fn: number,
  W: FloatArray,
  c: number,
  h: number,
  w: number,
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
  dcolT: FloatArray,
  dx: FloatArray,
): void {
  convBackwardDataSteps(REFERENCE_STEPS, dout, n, fn, W, c, h, w, filterH, filterW, stride, pad, dcolT, dx);
}

/** The reference kernels the three convolution kernels above are made of (function declarations: hoisted). */
const REFERENCE_STEPS: ConvStepKernels = { im2col, col2imT, gemm, addChannelBias };

/**
 * Convolution → ReLU → max pooling in one kernel (the book's `Conv → Relu → Pooling` run by a net, see
 * layers/conv-relu-pool.ts): `out` and `argMax` are maxPoolForward's of reluForward's of convForward's output,
 * bit for bit. Here the three in turn through a kept buffer of the convolution's output; faster backends
 * pool each block of the convolution as it is computed and never write that output (~7 MB a SimpleConvNet
 * batch in float32, written and read three times over by the three kernels).
 */
export const convReluPoolForward = convReluPoolSteps({ convForward, reluForward, maxPoolForward });

/**
 * The backward pass of convReluPoolForward's convolution, for its parameters: `dW` and `db` (overwritten)
 * from `dpool`, the gradient of the pooled output after ReLU's backward pass, and the pooling's `argMax` —
 * convBackwardFilter's and sumChannels' of what maxPoolBackward makes of them, bit for bit. Here the three
 * in turn through a kept buffer of the convolution's gradient; faster backends take only the pooled values
 * that are not zero (with 2×2 windows, a quarter of that gradient at most) and never write the rest.
 */
export const convPoolBackwardParams = convPoolBackwardSteps({ maxPoolBackward, convBackwardFilter, sumChannels });

/**
 * The backward pass of convReluPoolForward's convolution, for its input: `dx` from `dpool` (the pooled
 * output's gradient after ReLU's backward pass) and the pooling's `argMax` — convBackwardData's of what
 * maxPoolBackward makes of them, bit for bit. Here the two in turn through a kept buffer of the convolution's
 * gradient; faster backends take only the pooled values that are not zero.
 */
export const convPoolBackwardData = convPoolBackwardDataSteps({ maxPoolBackward, convBackwardData });
