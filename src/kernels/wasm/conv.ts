/**
 * Chapter 7's kernels on WASM (assembly/conv.ts): im2col, col2imT, the Convolution forward as a direct
 * convolution (stride 1; it leaves the one-image `col` scratch unwritten), its input gradient as the same
 * direct convolution of dout with the flipped filters, its filter gradient as an implicit im2col, max
 * pooling forward and backward, the channel bias and sums; and ConvReluPool's (layers/conv-relu-pool.ts):
 * the forward pass pooled as it convolves, the parameters' and the input's gradients from the pooled
 * gradient's non-zeros — behind the signatures of `referenceKernels`.
 *
 * Operands must live on the WASM heap (layer buffers and parameters do); anything else — off-heap arrays,
 * mixed dtypes, a stride other than 1 for the direct kernels, a heap without room for the scratch —
 * runs the reference (for the three convolution kernels: the reference's steps, conv-steps.ts, on the
 * active kernels), with the same results. Pooling's `argMax` is a plain Int32Array: it is staged through
 * heap scratch (a memcpy each way).
 *
 * With a free helper thread, the convolutions and the pooling kernels split their images, filters or
 * planes in two: the first half here, the second there, each output computed exactly as on one thread.
 */
import { convBackwardDataSteps, convBackwardFilterSteps, convForwardSteps, convPoolBackwardDataSteps, convPoolBackwardSteps, convReluPoolSteps, type ConvStepKernels, type FloatAllocator } from '../conv-steps.ts';
import { referenceKernels, type Kernels } from '../index.ts';
import type { KernelHelper } from './helper-protocol.ts';
import type { WasmHeap } from './heap.ts';
import type { WasmContext } from './context.ts';

export interface ConvExports {
  im2col_f32(x: number, n: number, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, col: number): void;
  im2col_f64(x: number, n: number, c: number, h: number, w: number, fh: number, fw: number, stride: number, pad: number, col: number): void;
  col2imT_f32(colT: number, n: number, c: number, h: number, w: number, fh: number, fw: number, pad: number, x: number): void;
  col2imT_f64(colT: number, n: number, c: number, h: number, w: number, fh: number, fw: number, pad: number, x: number): void;
  addChannelBias_f32(x: number, n: number, c: number, spatial: number, bias: number, out: number): void;
  addChannelBias_f64(x: number, n: number, c: number, spatial: number, bias: number, out: number): void;
  sumChannels_f32(x: number, n: number, c: number, spatial: number, out: number, cTotal: number): void;
  sumChannels_f64(x: number, n: number, c: number, spatial: number, out: number, cTotal: number): void;
  maxPoolForward_f32(args: number): void;
  maxPoolForward_f64(args: number): void;
  maxPoolBackward_f32(args: number): void;
  maxPoolBackward_f64(args: number): void;
  convScratchBytes(c: number, h: number, w: number, fn: number, fh: number, fw: number, pad: number, sz: number): number;
  convForward_f32(args: number): void;
  convForward_f64(args: number): void;
  convBackwardFilterScratch(c: number, h: number, w: number, fn: number, fh: number, fw: number, pad: number, sz: number): number;
  convBackwardFilter_f32(args: number): void;
  convBackwardFilter_f64(args: number): void;
  convPoolBackwardScratch(c: number, h: number, w: number, fn: number, fh: number, fw: number, pad: number, sz: number): number;
  convPoolBackward_f32(args: number): void;
  convPoolBackward_f64(args: number): void;
  convPoolBackwardDataScratch(c: number, h: number, w: number, fn: number, fh: number, fw: number, pad: number, sz: number): number;
  convPoolBackwardData_f32(args: number): void;
  convPoolBackwardData_f64(args: number): void;
  allFinite_f32(len: number, x: number): number;
  allFinite_f64(len: number, x: number): number;
}

/** The helper-thread task names of these kernels (appended to HELPER_OPS). */
export const CONV_HELPER_OPS = ['convForward_f32', 'convForward_f64', 'convBackwardFilter_f32', 'convBackwardFilter_f64', 'sumChannels_f32', 'sumChannels_f64', 'maxPoolForward_f32', 'maxPoolForward_f64', 'maxPoolBackward_f32', 'maxPoolBackward_f64', 'convPoolBackward_f32', 'convPoolBackward_f64', 'convPoolBackwardData_f32', 'convPoolBackwardData_f64'] as const;

export interface ConvKernelDeps {
  exports: ConvExports;
  heap: WasmHeap;
  /** The helper thread when it is free to take half of a kernel now, else undefined. */
  freeHelper: () => KernelHelper | undefined;
  /** The helper's task code of `name` (without its _f32/_f64 suffix) for the dtype. */
  helperOp: (name: string, f32: boolean) => number;
  /** The helper's argument list, reused (no array per call: WasmContext.setArgs). */
  setArgs: WasmContext['setArgs'];
  /** The active gemm (for the convolutions' fallback steps). */
  gemm: Kernels['gemm'];
  /** The WASM reluForward (convReluPoolForward's steps when it cannot pool as it convolves). */
  reluForward: Kernels['reluForward'];
  /** Called with every array a kernel writes (the kept rows of the gemm are forgotten when overwritten). */
  forget: (out: ArrayBufferView) => void;
  /** True when all two or three arrays live on the heap. */
  onHeap: (a: ArrayBufferView, b: ArrayBufferView, c?: ArrayBufferView) => boolean;
}

export type ConvKernels = Pick<
  Kernels,
  'im2col' | 'col2im' | 'col2imT' | 'addChannelBias' | 'sumChannels' | 'maxPoolForward' | 'maxPoolBackward' | 'convForward' | 'convReluPoolForward' | 'convPoolBackwardParams' | 'convPoolBackwardData' | 'convBackwardFilter' | 'convBackwardData'
>;

/** Images (or planes) below this many multiply-adds (or values) stay on one thread. */
const CONV_SPLIT_MIN = 200_000;
const POOL_SPLIT_MIN = 100_000;

export function createConvKernels(d: ConvKernelDeps): ConvKernels {
  const { exports: x, heap, freeHelper, helperOp, setArgs, forget, onHeap } = d;
  const outSize = (size: number, filter: number, stride: number, pad: number) => Math.floor((size + 2 * pad - filter) / stride) + 1;
  const width = (a: ArrayBufferView): number => (a instanceof Float32Array ? 4 : a instanceof Float64Array ? 8 : 0);
  /** True when the `len` values of `a` are all finite (the skipped zeros of the direct kernels are exact only then). */
  const finite = (sz: number, len: number, a: ArrayBufferView): boolean => (sz === 4 ? x.allFinite_f32 : x.allFinite_f64)(len, a.byteOffset) === 1;
  /**
   * True for the book's pooling (2×2, stride 2, no padding) after a stride-1 convolution of output outH × outW:
   * what ConvReluPool's direct kernels take (convReluPoolForward, convPoolBackwardParams, convPoolBackwardData).
   */
  const bookPooling = (stride: number, ph: number, pw: number, poolStride: number, poolPad: number, outH: number, outW: number): boolean =>
    stride === 1 && ph === 2 && pw === 2 && poolStride === 2 && poolPad === 0 && outH >= 2 && outW >= 2;
  /** The step functions' kept buffers: on the heap when it has room (the kernels then take them directly). */
  const heapFloats: FloatAllocator = (f32, length) => heap.allocate(f32, length) ?? (f32 ? new Float32Array(length) : new Float64Array(length));

  // Own scratch blocks (grown, never shrunk): 0 argument blocks, 1 this thread's conv scratch, 2 the
  // helper's, 3 pooling's argMax staging, 4 the flipped filters and zero bias of convBackwardData.
  const blocks = [0, 1, 2, 3, 4].map(() => ({ ptr: -1, bytes: 0 }));
  const block = (slot: number, bytes: number): number => {
    const s = blocks[slot];
    if (s.bytes >= bytes) return s.ptr;
    if (s.ptr >= 0) heap.release(s.ptr);
    s.ptr = -1;
    s.bytes = 0;
    const ptr = heap.alloc(bytes);
    if (ptr < 0) return -1;
    s.ptr = ptr;
    s.bytes = bytes;
    return ptr;
  };
  /** Two argument blocks of 16 i32 (here, there), as a cached view. */
  let argsView = new Int32Array(0);
  const argBlocks = (): number => {
    const ptr = block(0, 128);
    if (ptr < 0) return -1;
    if (argsView.byteOffset !== ptr || argsView.buffer !== heap.buffer || argsView.length !== 32) argsView = new Int32Array(heap.buffer, ptr, 32);
    return ptr;
  };
  /**
   * Runs an argument-block kernel in two halves: the helper thread `name` (its _f32/_f64 task) on the
   * second block (argsView[16…], which the caller has filled), this thread `run` on the first; then joins.
   */
  const bothHalves = (helper: KernelHelper, name: string, f32: boolean, run: (args: number) => void): void => {
    const base = argsView.byteOffset;
    helper.start(helperOp(name, f32), setArgs(base + 64, 0, 0, 0, 0, 0, 0, 0));
    try {
      run(base);
    } finally {
      helper.join();
    }
  };
  /** The flipped filters' block as a typed array, cached (no allocation per call at a fixed shape). */
  let flippedCache: Float32Array | Float64Array = new Float64Array(0);
  const flippedView = (sz: number, ptr: number, len: number): Float32Array | Float64Array => {
    const f = flippedCache;
    if (f.byteOffset !== ptr || f.length !== len || f.BYTES_PER_ELEMENT !== sz || f.buffer !== heap.buffer) {
      flippedCache = sz === 4 ? new Float32Array(heap.buffer, ptr, len) : new Float64Array(heap.buffer, ptr, len);
    }
    return flippedCache;
  };
  let argMaxView = new Int32Array(0);
  /** An argMax the kernels read and write where it is (the Pooling layer's, allocated on the heap). */
  const inPlace = (argMax: Int32Array): boolean => heap.owns(argMax) && (argMax.byteOffset & 3) === 0;
  /** A heap copy of an argMax that is not on the heap. */
  const argMaxStage = (len: number): Int32Array | undefined => {
    const ptr = block(3, len * 4);
    if (ptr < 0) return undefined;
    if (argMaxView.byteOffset !== ptr || argMaxView.length !== len) argMaxView = new Int32Array(heap.buffer, ptr, len);
    return argMaxView;
  };

  const im2col: Kernels['im2col'] = (xs, n, c, h, w, fh, fw, stride, pad, col) => {
    forget(col);
    const sz = width(xs);
    const rows = n * outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
    if (sz === 0 || width(col) !== sz || !onHeap(xs, col) || xs.length < n * c * h * w || col.length < rows * c * fh * fw) {
      return referenceKernels.im2col(xs, n, c, h, w, fh, fw, stride, pad, col);
    }
    (sz === 4 ? x.im2col_f32 : x.im2col_f64)(xs.byteOffset, n, c, h, w, fh, fw, stride, pad, col.byteOffset);
  };

  const col2imT: Kernels['col2imT'] = (colT, n, c, h, w, fh, fw, stride, pad, xs) => {
    forget(xs);
    const sz = width(colT);
    const rows = n * outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
    if (stride !== 1 || sz === 0 || width(xs) !== sz || !onHeap(xs, colT) || xs.length < n * c * h * w || colT.length < rows * c * fh * fw) {
      return referenceKernels.col2imT(colT, n, c, h, w, fh, fw, stride, pad, xs);
    }
    (sz === 4 ? x.col2imT_f32 : x.col2imT_f64)(colT.byteOffset, n, c, h, w, fh, fw, pad, xs.byteOffset);
  };

  const addChannelBias: Kernels['addChannelBias'] = (xs, n, c, spatial, bias, out) => {
    forget(out);
    const sz = width(xs);
    const len = n * c * spatial;
    if (sz === 0 || width(bias) !== sz || width(out) !== sz || !onHeap(xs, bias, out) || xs.length < len || out.length < len || bias.length < c) {
      return referenceKernels.addChannelBias(xs, n, c, spatial, bias, out);
    }
    (sz === 4 ? x.addChannelBias_f32 : x.addChannelBias_f64)(xs.byteOffset, n, c, spatial, bias.byteOffset, out.byteOffset);
  };

  const sumChannels: Kernels['sumChannels'] = (xs, n, c, spatial, out) => {
    forget(out);
    const sz = width(xs);
    if (sz === 0 || width(out) !== sz || !onHeap(xs, out) || xs.length < n * c * spatial || out.length < c) {
      return referenceKernels.sumChannels(xs, n, c, spatial, out);
    }
    const run = sz === 4 ? x.sumChannels_f32 : x.sumChannels_f64;
    const helper = c >= 2 && n * c * spatial >= POOL_SPLIT_MIN ? freeHelper() : undefined;
    if (!helper) {
      run(xs.byteOffset, n, c, spatial, out.byteOffset, c);
      return;
    }
    // Channels [0, h) here, [h, c) there: each channel's sum in the same order as on one thread.
    const h = c >> 1;
    helper.start(helperOp('sumChannels', sz === 4), setArgs(xs.byteOffset + h * spatial * sz, n, c - h, spatial, out.byteOffset + h * sz, c, 0, 0));
    try {
      run(xs.byteOffset, n, h, spatial, out.byteOffset, c);
    } finally {
      helper.join();
    }
  };

  /** Runs a pooling kernel on planes [0, planes), split with the helper when it pays; `a` = the argument block here. */
  const poolRun = (name: 'maxPoolForward' | 'maxPoolBackward', f32: boolean, planes: number, perPlaneIn: number, perPlaneOut: number, sz: number, p0: number, p1: number, p2: number): void => {
    const run = name === 'maxPoolForward' ? (f32 ? x.maxPoolForward_f32 : x.maxPoolForward_f64) : f32 ? x.maxPoolBackward_f32 : x.maxPoolBackward_f64;
    const base = argsView.byteOffset;
    const helper = planes >= 2 && planes * perPlaneIn >= POOL_SPLIT_MIN ? freeHelper() : undefined;
    if (!helper) {
      argsView[0] = planes;
      run(base);
      return;
    }
    const h = planes >> 1;
    for (let j = 1; j < 7; j++) argsView[16 + j] = argsView[j];
    argsView[16] = planes - h;
    if (name === 'maxPoolForward') {
      // x (planes of perPlaneIn), out (perPlaneOut), argMax (perPlaneOut i32)
      argsView[16 + 7] = p0 + h * perPlaneIn * sz;
      argsView[16 + 8] = p1 + h * perPlaneOut * sz;
      argsView[16 + 9] = p2 + h * perPlaneOut * 4;
    } else {
      // dout (perPlaneOut), argMax (perPlaneOut i32), dx (perPlaneIn)
      argsView[16 + 7] = p0 + h * perPlaneOut * sz;
      argsView[16 + 8] = p1 + h * perPlaneOut * 4;
      argsView[16 + 9] = p2 + h * perPlaneIn * sz;
    }
    argsView[0] = h;
    bothHalves(helper, name, f32, run);
  };

  const maxPoolForward: Kernels['maxPoolForward'] = (xs, n, c, h, w, ph, pw, stride, pad, out, argMax) => {
    forget(out);
    const sz = width(xs);
    const outH = outSize(h, ph, stride, pad);
    const outW = outSize(w, pw, stride, pad);
    const len = n * c * outH * outW;
    const ok = sz > 0 && width(out) === sz && onHeap(xs, out) && xs.length >= n * c * h * w && out.length >= len && argMax.length >= len && len > 0;
    forget(argMax);
    const stage = ok && argBlocks() >= 0 ? (inPlace(argMax) ? argMax : argMaxStage(len)) : undefined;
    if (!stage) return referenceKernels.maxPoolForward(xs, n, c, h, w, ph, pw, stride, pad, out, argMax);
    const a = argsView;
    a[1] = h;
    a[2] = w;
    a[3] = ph;
    a[4] = pw;
    a[5] = stride;
    a[6] = pad;
    a[7] = xs.byteOffset;
    a[8] = out.byteOffset;
    a[9] = stage.byteOffset;
    poolRun('maxPoolForward', sz === 4, n * c, h * w, outH * outW, sz, xs.byteOffset, out.byteOffset, stage.byteOffset);
    if (stage !== argMax) argMax.set(stage.subarray(0, len));
  };

  const maxPoolBackward: Kernels['maxPoolBackward'] = (dout, argMax, n, c, h, w, ph, pw, stride, pad, dx) => {
    forget(dx);
    const sz = width(dout);
    const outH = outSize(h, ph, stride, pad);
    const outW = outSize(w, pw, stride, pad);
    const len = n * c * outH * outW;
    const ok = sz > 0 && width(dx) === sz && onHeap(dout, dx) && dout.length >= len && argMax.length >= len && dx.length >= n * c * h * w && len > 0;
    const stage = ok && argBlocks() >= 0 ? (inPlace(argMax) ? argMax : argMaxStage(len)) : undefined;
    if (!stage) return referenceKernels.maxPoolBackward(dout, argMax, n, c, h, w, ph, pw, stride, pad, dx);
    if (stage !== argMax) stage.set(len === argMax.length ? argMax : argMax.subarray(0, len));
    const a = argsView;
    a[1] = h;
    a[2] = w;
    a[3] = ph;
    a[4] = pw;
    a[5] = stride;
    a[6] = pad;
    a[7] = dout.byteOffset;
    a[8] = stage.byteOffset;
    a[9] = dx.byteOffset;
    poolRun('maxPoolBackward', sz === 4, n * c, h * w, outH * outW, sz, dout.byteOffset, stage.byteOffset, dx.byteOffset);
  };

  /** The calls the direct kernels do not take run the reference's steps on these kernels (conv-steps.ts). */
  const steps: ConvStepKernels = { im2col, col2imT, gemm: d.gemm, addChannelBias };

  /**
   * The direct convolution (stride 1) on heap addresses, split by images with a free helper; `dense`
   * turns its zero-run skipping off. False when there is no room for its scratch (nothing written).
   */
  const directForward = (sz: number, xp: number, n: number, c: number, h: number, w: number, Wp: number, fn: number, fh: number, fw: number, pad: number, bp: number, outp: number, dense: boolean, argMaxp = 0): boolean => {
    const outH = outSize(h, fh, 1, pad);
    const outW = outSize(w, fw, 1, pad);
    const spatial = outH * outW;
    // Per image and filter, the values written to out: the convolution's, or (argMaxp) its 2×2 pooling's.
    const outPlane = argMaxp ? (outH >> 1) * (outW >> 1) : spatial;
    const k = c * fh * fw;
    const need = x.convScratchBytes(c, h, w, fn, fh, fw, pad, sz);
    const helper = n >= 2 && n * spatial * k * fn >= CONV_SPLIT_MIN ? freeHelper() : undefined;
    const here = argBlocks() >= 0 ? block(1, need) : -1;
    const there = here >= 0 && helper ? block(2, need) : -1;
    if (here < 0) return false;
    const a = argsView;
    a[0] = xp;
    a[1] = n;
    a[2] = c;
    a[3] = h;
    a[4] = w;
    a[5] = Wp;
    a[6] = fn;
    a[7] = fh;
    a[8] = fw;
    a[9] = pad;
    a[10] = bp;
    a[11] = outp;
    a[12] = here;
    a[13] = 0; // no col: the layer recomputes one image's im2col in its backward pass
    a[14] = dense ? 1 : 0;
    a[15] = argMaxp;
    const run = sz === 4 ? x.convForward_f32 : x.convForward_f64;
    if (!helper || there < 0) {
      run(a.byteOffset);
      return true;
    }
    const half = n >> 1;
    for (let j = 0; j < 16; j++) a[16 + j] = a[j];
    a[1] = half;
    a[16] = xp + half * c * h * w * sz;
    a[17] = n - half;
    a[16 + 11] = outp + half * fn * outPlane * sz;
    a[16 + 12] = there;
    if (argMaxp) a[16 + 15] = argMaxp + half * fn * outPlane * 4;
    bothHalves(helper, 'convForward', sz === 4, run);
    return true;
  };

  const convForward: Kernels['convForward'] = (xs, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, out) => {
    forget(col);
    forget(out);
    const sz = width(xs);
    const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
    const k = c * fh * fw;
    const ok =
      stride === 1 && n > 0 && sz > 0 && width(W) === sz && width(b) === sz && width(out) === sz &&
      onHeap(xs, W, b) && heap.owns(out) && xs.length >= n * c * h * w && W.length >= fn * k && b.length >= fn &&
      out.length >= n * fn * spatial;
    if (ok && directForward(sz, xs.byteOffset, n, c, h, w, W.byteOffset, fn, fh, fw, pad, b.byteOffset, out.byteOffset, false)) return;
    convForwardSteps(steps, xs, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, out);
  };

  // convReluPoolForward by the three kernels, through a convolution output on the heap when it has room.
  const reluPoolSteps = convReluPoolSteps(
    { convForward, reluForward: d.reluForward, maxPoolForward },
    heapFloats,
    (length) => (heap.allocateKind('uint8', length) as Uint8Array | undefined) ?? new Uint8Array(length),
  );
  const convReluPoolForward: Kernels['convReluPoolForward'] = (xs, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, ph, pw, poolStride, poolPad, out, argMax) => {
    forget(col);
    forget(out);
    forget(argMax);
    const sz = width(xs);
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const pooled = n * fn * (outH >> 1) * (outW >> 1);
    // The book's pooling (2×2, stride 2) after a stride-1 convolution: pooled as the direct kernel computes.
    const direct =
      bookPooling(stride, ph, pw, poolStride, poolPad, outH, outW) && n > 0 && sz > 0 &&
      width(W) === sz && width(b) === sz && width(out) === sz && onHeap(xs, W, b) && heap.owns(out) && inPlace(argMax) &&
      xs.length >= n * c * h * w && W.length >= fn * c * fh * fw && b.length >= fn && out.length >= pooled && argMax.length >= pooled;
    if (direct && directForward(sz, xs.byteOffset, n, c, h, w, W.byteOffset, fn, fh, fw, pad, b.byteOffset, out.byteOffset, false, argMax.byteOffset)) return;
    reluPoolSteps(xs, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, ph, pw, poolStride, poolPad, out, argMax);
  };

  const convBackwardFilter: Kernels['convBackwardFilter'] = (xs, n, c, h, w, dout, fn, fh, fw, stride, pad, col, dW) => {
    forget(col);
    forget(dW);
    const sz = width(xs);
    const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
    const k = c * fh * fw;
    const ok =
      stride === 1 && n > 0 && fn > 0 && sz > 0 && width(dout) === sz && width(dW) === sz && onHeap(xs, dout, dW) &&
      xs.length >= n * c * h * w && dout.length >= n * fn * spatial && dW.length >= fn * k &&
      // A wide position past a row's end multiplies a zero of dout by an input value: exact only when finite.
      finite(sz, n * c * h * w, xs);
    const need = ok ? x.convBackwardFilterScratch(c, h, w, fn, fh, fw, pad, sz) : 0;
    const helper = ok && fn >= 2 && n * spatial * k * fn >= CONV_SPLIT_MIN ? freeHelper() : undefined;
    const here = ok && argBlocks() >= 0 ? block(1, need) : -1;
    const there = here >= 0 && helper ? block(2, need) : -1;
    if (here < 0) {
      convBackwardFilterSteps(steps, xs, n, c, h, w, dout, fn, fh, fw, stride, pad, col, dW);
      return;
    }
    const a = argsView;
    a[0] = xs.byteOffset;
    a[1] = n;
    a[2] = c;
    a[3] = h;
    a[4] = w;
    a[5] = dout.byteOffset;
    a[6] = fn;
    a[7] = fh;
    a[8] = fw;
    a[9] = pad;
    a[10] = dW.byteOffset;
    a[11] = here;
    a[12] = 0;
    a[13] = fn;
    const run = sz === 4 ? x.convBackwardFilter_f32 : x.convBackwardFilter_f64;
    if (!helper || there < 0) {
      run(a.byteOffset);
      return;
    }
    // Filters [0, half) here, [half, fn) there: each filter's sums exactly as on one thread.
    const half = fn >> 1;
    for (let j = 0; j < 14; j++) a[16 + j] = a[j];
    a[13] = half;
    a[16 + 11] = there;
    a[16 + 12] = half;
    bothHalves(helper, 'convBackwardFilter', sz === 4, run);
  };

  // convPoolBackwardParams by the three kernels, through a convolution gradient on the heap when it has room.
  const poolBackwardSteps = convPoolBackwardSteps(
    { maxPoolBackward, convBackwardFilter, sumChannels },
    heapFloats,
  );
  const convPoolBackwardParams: Kernels['convPoolBackwardParams'] = (xs, n, c, h, w, dpool, argMax, fn, fh, fw, stride, pad, ph, pw, poolStride, poolPad, col, dW, db) => {
    forget(col);
    forget(dW);
    forget(db);
    const sz = width(xs);
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const pooled = n * fn * (outH >> 1) * (outW >> 1);
    // The book's pooling (2×2, stride 2) after a stride-1 convolution, filter rows of at most 3 vectors.
    const ok =
      bookPooling(stride, ph, pw, poolStride, poolPad, outH, outW) && n > 0 && fn > 0 && sz > 0 &&
      fw <= 3 * (16 / sz) && width(dpool) === sz && width(dW) === sz && width(db) === sz && onHeap(xs, dpool, dW) && heap.owns(db) && inPlace(argMax) &&
      xs.length >= n * c * h * w && dpool.length >= pooled && argMax.length >= pooled && dW.length >= fn * c * fh * fw && db.length >= fn &&
      // A skipped zero of the gradient stands for a product ±0: exact only when the input is finite.
      finite(sz, n * c * h * w, xs);
    const need = ok ? x.convPoolBackwardScratch(c, h, w, fn, fh, fw, pad, sz) : 0;
    const helper = ok && fn >= 2 && n * fn * outH * outW * c * fh * fw >= 4 * CONV_SPLIT_MIN ? freeHelper() : undefined;
    const here = ok && argBlocks() >= 0 ? block(1, need) : -1;
    const there = here >= 0 && helper ? block(2, need) : -1;
    if (here < 0) {
      poolBackwardSteps(xs, n, c, h, w, dpool, argMax, fn, fh, fw, stride, pad, ph, pw, poolStride, poolPad, col, dW, db);
      return;
    }
    const a = argsView;
    a[0] = xs.byteOffset;
    a[1] = n;
    a[2] = c;
    a[3] = h;
    a[4] = w;
    a[5] = dpool.byteOffset;
    a[6] = argMax.byteOffset;
    a[7] = fn;
    a[8] = fh;
    a[9] = fw;
    a[10] = pad;
    a[11] = dW.byteOffset;
    a[12] = db.byteOffset;
    a[13] = here;
    a[14] = 0;
    a[15] = fn;
    const run = sz === 4 ? x.convPoolBackward_f32 : x.convPoolBackward_f64;
    if (!helper || there < 0) {
      run(a.byteOffset);
      return;
    }
    // Filters [0, half) here, [half, fn) there: each filter's sums exactly as on one thread.
    const half = fn >> 1;
    for (let j = 0; j < 16; j++) a[16 + j] = a[j];
    a[15] = half;
    a[16 + 13] = there;
    a[16 + 14] = half;
    bothHalves(helper, 'convPoolBackward', sz === 4, run);
  };

  // convPoolBackwardData by the two kernels, through a convolution gradient on the heap when it has room.
  const poolBackwardDataSteps = convPoolBackwardDataSteps(
    { maxPoolBackward, convBackwardData: (...a) => convBackwardData(...a) },
    heapFloats,
  );
  const convPoolBackwardData: Kernels['convPoolBackwardData'] = (dpool, argMax, n, fn, W, c, h, w, fh, fw, stride, pad, ph, pw, poolStride, poolPad, dcolT, dx) => {
    forget(dcolT);
    forget(dx);
    const sz = width(dpool);
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const pooled = n * fn * (outH >> 1) * (outW >> 1);
    // Where convBackwardData runs as a direct convolution (square filters, pad < filter): the same sums.
    const ok =
      bookPooling(stride, ph, pw, poolStride, poolPad, outH, outW) && n > 0 && fn > 0 && sz > 0 &&
      fh === fw && pad <= fh - 1 && width(W) === sz && width(dx) === sz && onHeap(dpool, W, dx) && inPlace(argMax) &&
      dpool.length >= pooled && argMax.length >= pooled && W.length >= fn * c * fh * fw && dx.length >= n * c * h * w &&
      // A skipped zero of the gradient stands for products ±0 with the weights: exact only when they are finite.
      finite(sz, fn * c * fh * fw, W);
    const need = ok ? x.convPoolBackwardDataScratch(c, h, w, fn, fh, fw, pad, sz) : 0;
    const helper = ok && n >= 2 && n * fn * outH * outW * c * fh * fw >= 4 * CONV_SPLIT_MIN ? freeHelper() : undefined;
    const here = ok && argBlocks() >= 0 ? block(1, need) : -1;
    const there = here >= 0 && helper ? block(2, need) : -1;
    if (here < 0) {
      poolBackwardDataSteps(dpool, argMax, n, fn, W, c, h, w, fh, fw, stride, pad, ph, pw, poolStride, poolPad, dcolT, dx);
      return;
    }
    const a = argsView;
    a[0] = dpool.byteOffset;
    a[1] = argMax.byteOffset;
    a[2] = n;
    a[3] = fn;
    a[4] = W.byteOffset;
    a[5] = c;
    a[6] = h;
    a[7] = w;
    a[8] = fh;
    a[9] = fw;
    a[10] = pad;
    a[11] = dx.byteOffset;
    a[12] = here;
    const run = sz === 4 ? x.convPoolBackwardData_f32 : x.convPoolBackwardData_f64;
    if (!helper || there < 0) {
      run(a.byteOffset);
      return;
    }
    // Images [0, half) here, [half, n) there: each image's dx exactly as on one thread.
    const half = n >> 1;
    const cells = (outH >> 1) * (outW >> 1);
    for (let j = 0; j < 13; j++) a[16 + j] = a[j];
    a[2] = half;
    a[16] = dpool.byteOffset + half * fn * cells * sz;
    a[16 + 1] = argMax.byteOffset + half * fn * cells * 4;
    a[16 + 2] = n - half;
    a[16 + 11] = dx.byteOffset + half * c * h * w * sz;
    a[16 + 12] = there;
    bothHalves(helper, 'convPoolBackwardData', sz === 4, run);
  };

  const convBackwardData: Kernels['convBackwardData'] = (dout, n, fn, W, c, h, w, fh, fw, stride, pad, dcolT, dx) => {
    forget(dcolT);
    forget(dx);
    const sz = width(dout);
    const outH = outSize(h, fh, stride, pad);
    const outW = outSize(w, fw, stride, pad);
    const k = c * fh * fw;
    // The full convolution of dout with the flipped filters: a forward convolution (stride 1) padded by
    // fh − 1 − pad, which must be the same on both axes and not negative.
    const fullPad = fh - 1 - pad;
    const ok =
      stride === 1 && n > 0 && sz > 0 && fh === fw && fullPad >= 0 && width(W) === sz && width(dx) === sz && onHeap(dout, W, dx) &&
      dout.length >= n * fn * outH * outW && W.length >= fn * k && dx.length >= n * c * h * w &&
      // The full convolution also multiplies the filters by dout's zero padding, which the reference never
      // does: the same only while W is finite (0·∞ is NaN).
      finite(sz, fn * k, W);
    const flipped = ok ? block(4, (c * fn * fh * fw + c) * sz) : -1;
    if (flipped >= 0) {
      // W' (c, fn, fh, fw) with W'[ch, f, ky, kx] = W[f, ch, fh−1−ky, fw−1−kx], then c zeros (the bias).
      const Wf = flippedView(sz, flipped, c * fn * fh * fw + c);
      const taps = fh * fw;
      for (let ch = 0; ch < c; ch++) {
        for (let f = 0; f < fn; f++) {
          const to = (ch * fn + f) * taps;
          const from = (f * c + ch) * taps + taps - 1;
          for (let t = 0; t < taps; t++) Wf[to + t] = W[from - t];
        }
      }
      Wf.fill(0, c * fn * taps);
      if (directForward(sz, dout.byteOffset, n, fn, outH, outW, flipped, c, fh, fw, fullPad, flipped + c * fn * taps * sz, dx.byteOffset, true)) return;
    }
    convBackwardDataSteps(steps, dout, n, fn, W, c, h, w, fh, fw, stride, pad, dcolT, dx);
  };

  // col2im stays the reference: a WASM twin of its loop measured slower than the TypeScript one (0.88
  // against 0.68 ms per DeepConvNet image of 32×16×16, 3×3), and the Convolution layer's backward pass
  // goes through col2imT, whose layout lets WASM add whole vectors.
  return { im2col, col2im: referenceKernels.col2im, col2imT, addChannelBias, sumChannels, maxPoolForward, maxPoolBackward, convForward, convReluPoolForward, convPoolBackwardParams, convPoolBackwardData, convBackwardFilter, convBackwardData };
}
