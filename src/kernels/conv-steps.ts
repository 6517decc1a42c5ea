/**
 * The Convolution layer's kernels as steps over one image at a time — im2col, a product, col2imT, the
 * bias — written once, run with whichever kernels are given: the TypeScript references (src/kernels/conv.ts
 * defines `convForward`, `convBackwardFilter` and `convBackwardData` this way) or a faster set's, for the
 * calls its direct kernels do not take (other strides, operands off its heap, no room for scratch).
 * Not part of `referenceKernels` (src/kernels/index.ts spreads conv.ts's exports only).
 */
import type { FloatArray } from './types.ts';

/** The kernels the steps are made of (signatures of the references in conv.ts and matmul.ts). */
export interface ConvStepKernels {
  im2col(x: FloatArray, n: number, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, col: FloatArray): void;
  col2imT(colT: FloatArray, n: number, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, x: FloatArray): void;
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray, accumulate?: boolean): void;
  addChannelBias(x: FloatArray, n: number, c: number, spatial: number, bias: FloatArray, out: FloatArray): void;
}

const outSize = (size: number, filter: number, stride: number, pad: number): number => Math.floor((size + 2 * pad - filter) / stride) + 1;

/** Where the step functions below grow their kept buffers: `length` zeroed floats of the dtype asked for. */
export type FloatAllocator = (f32: boolean, length: number) => FloatArray;

/** Plain typed arrays (the reference's buffers). */
const plainFloats: FloatAllocator = (f32, length) => (f32 ? new Float32Array(length) : new Float64Array(length));

/**
 * A float buffer kept from call to call: at least `length` values of the dtype asked for (grown by
 * `allocate`), returned as exactly `length` of them.
 */
function keptBuffer(allocate: FloatAllocator): (f32: boolean, length: number) => FloatArray {
  let buffer: FloatArray = new Float64Array(0);
  return (f32, length) => {
    if (buffer.length < length || buffer instanceof Float32Array !== f32) buffer = allocate(f32, length);
    return buffer.length === length ? buffer : buffer.subarray(0, length);
  };
}

/** The kernels convReluPoolForward is made of (signatures of the references in conv.ts and elementwise.ts). */
export interface ConvReluPoolKernels {
  convForward(x: FloatArray, n: number, c: number, h: number, w: number, W: FloatArray, fn: number, fh: number, fw: number, stride: number, pad: number, b: FloatArray, col: FloatArray, out: FloatArray): void;
  reluForward(x: FloatArray, out: FloatArray, mask: Uint8Array): void;
  maxPoolForward(x: FloatArray, n: number, c: number, h: number, w: number, poolH: number, poolW: number, stride: number, pad: number, out: FloatArray, argMax: Int32Array): void;
}

/**
 * convReluPoolForward made of `k`'s three kernels in turn: the convolution into a buffer of its output, ReLU
 * on it in place (its mask then dropped), max pooling into `out` and `argMax`. The buffer and the mask are
 * kept from call to call, grown by `allocate` and `allocateBytes` (by default plain arrays, as the reference's; the
 * heap for the WASM kernels).
 */
export function convReluPoolSteps(
  k: ConvReluPoolKernels,
  allocate: FloatAllocator = plainFloats,
  allocateBytes: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): (
  x: FloatArray, n: number, c: number, h: number, w: number, W: FloatArray, fn: number, fh: number, fw: number, stride: number, pad: number, b: FloatArray, col: FloatArray,
  poolH: number, poolW: number, poolStride: number, poolPad: number, out: FloatArray, argMax: Int32Array,
) => void {
  const conv = keptBuffer(allocate);
  let mask: Uint8Array = new Uint8Array(0);
  return (x, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, poolH, poolW, poolStride, poolPad, out, argMax) => {
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const len = n * fn * outH * outW;
    if (mask.length < len) mask = allocateBytes(len);
    const y = conv(out instanceof Float32Array, len);
    k.convForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, y);
    k.reluForward(y, y, mask.length === len ? mask : mask.subarray(0, len));
    k.maxPoolForward(y, n, fn, outH, outW, poolH, poolW, poolStride, poolPad, out, argMax);
  };
}

/** convForward's steps: per image, `col = im2col(x_i)`, `out_i = W · colᵀ`; then the bias. */
export function convForwardSteps(
  k: ConvStepKernels, x: FloatArray, n: number, c: number, h: number, w: number, W: FloatArray, fn: number, fh: number, fw: number, stride: number, pad: number, b: FloatArray, col: FloatArray, out: FloatArray,
): void {
  const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
  const taps = c * fh * fw;
  const img = c * h * w;
  for (let i = 0; i < n; i++) {
    k.im2col(x.subarray(i * img, (i + 1) * img), 1, c, h, w, fh, fw, stride, pad, col);
    k.gemm(false, true, fn, spatial, taps, W, col, out.subarray(i * fn * spatial, (i + 1) * fn * spatial));
  }
  k.addChannelBias(out, n, fn, spatial, b, out);
}

/** convBackwardFilter's steps: `dW = 0`, then per image `col = im2col(x_i)`, `dW += dout_i · col`. */
export function convBackwardFilterSteps(
  k: ConvStepKernels, x: FloatArray, n: number, c: number, h: number, w: number, dout: FloatArray, fn: number, fh: number, fw: number, stride: number, pad: number, col: FloatArray, dW: FloatArray,
): void {
  const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
  const taps = c * fh * fw;
  const img = c * h * w;
  dW.fill(0, 0, fn * taps);
  for (let i = 0; i < n; i++) {
    k.im2col(x.subarray(i * img, (i + 1) * img), 1, c, h, w, fh, fw, stride, pad, col);
    k.gemm(false, false, fn, taps, spatial, dout.subarray(i * fn * spatial, (i + 1) * fn * spatial), col, dW, true);
  }
}

/** convBackwardData's steps: per image, `dcolT = Wᵀ · dout_i`, `dx_i = col2imT(dcolT)`. */
export function convBackwardDataSteps(
  k: ConvStepKernels, dout: FloatArray, n: number, fn: number, W: FloatArray, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, dcolT: FloatArray, dx: FloatArray,
): void {
  const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
  const taps = c * fh * fw;
  const img = c * h * w;
  for (let i = 0; i < n; i++) {
    k.gemm(true, false, taps, spatial, fn, W, dout.subarray(i * fn * spatial, (i + 1) * fn * spatial), dcolT);
    k.col2imT(dcolT, 1, c, h, w, fh, fw, stride, pad, dx.subarray(i * img, (i + 1) * img));
  }
}

/** The kernels convPoolBackwardParams is made of (signatures of the references in conv.ts). */
export interface ConvPoolBackwardKernels {
  maxPoolBackward(dout: FloatArray, argMax: Int32Array, n: number, c: number, h: number, w: number, poolH: number, poolW: number, stride: number, pad: number, dx: FloatArray): void;
  convBackwardFilter(x: FloatArray, n: number, c: number, h: number, w: number, dout: FloatArray, fn: number, fh: number, fw: number, stride: number, pad: number, col: FloatArray, dW: FloatArray): void;
  sumChannels(x: FloatArray, n: number, c: number, spatial: number, out: FloatArray): void;
}

/**
 * convPoolBackwardParams made of `k`'s three kernels in turn: the pooling's backward pass into a kept buffer
 * of the convolution's gradient (grown by `allocate`), then its filter gradient and its channel sums.
 */
export function convPoolBackwardSteps(
  k: ConvPoolBackwardKernels,
  allocate: FloatAllocator = plainFloats,
): (
  x: FloatArray, n: number, c: number, h: number, w: number, dpool: FloatArray, argMax: Int32Array, fn: number, fh: number, fw: number, stride: number, pad: number,
  poolH: number, poolW: number, poolStride: number, poolPad: number, col: FloatArray, dW: FloatArray, db: FloatArray,
) => void {
  const dconv = keptBuffer(allocate);
  return (x, n, c, h, w, dpool, argMax, fn, fh, fw, stride, pad, poolH, poolW, poolStride, poolPad, col, dW, db) => {
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const d = dconv(dpool instanceof Float32Array, n * fn * outH * outW);
    k.maxPoolBackward(dpool, argMax, n, fn, outH, outW, poolH, poolW, poolStride, poolPad, d);
    k.convBackwardFilter(x, n, c, h, w, d, fn, fh, fw, stride, pad, col, dW);
    k.sumChannels(d, n, fn, outH * outW, db);
  };
}

/** The kernels convPoolBackwardData is made of (signatures of the references in conv.ts). */
export interface ConvPoolBackwardDataKernels {
  maxPoolBackward(dout: FloatArray, argMax: Int32Array, n: number, c: number, h: number, w: number, poolH: number, poolW: number, stride: number, pad: number, dx: FloatArray): void;
  convBackwardData(dout: FloatArray, n: number, fn: number, W: FloatArray, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, dcolT: FloatArray, dx: FloatArray): void;
}

/**
 * convPoolBackwardData made of `k`'s two kernels in turn: the pooling's backward pass into a kept buffer of
 * the convolution's gradient (grown by `allocate`), then the convolution's input gradient of it.
 */
export function convPoolBackwardDataSteps(
  k: ConvPoolBackwardDataKernels,
  allocate: FloatAllocator = plainFloats,
): (
  dpool: FloatArray, argMax: Int32Array, n: number, fn: number, W: FloatArray, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number,
  poolH: number, poolW: number, poolStride: number, poolPad: number, dcolT: FloatArray, dx: FloatArray,
) => void {
  const dconv = keptBuffer(allocate);
  return (dpool, argMax, n, fn, W, c, h, w, fh, fw, stride, pad, poolH, poolW, poolStride, poolPad, dcolT, dx) => {
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const d = dconv(dpool instanceof Float32Array, n * fn * outH * outW);
    k.maxPoolBackward(dpool, argMax, n, fn, outH, outW, poolH, poolW, poolStride, poolPad, d);
    k.convBackwardData(d, n, fn, W, c, h, w, fh, fw, stride, pad, dcolT, dx);
  };
}
