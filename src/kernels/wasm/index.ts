/**
 * WASM SIMD kernels behind the signatures of the TypeScript ones (`referenceKernels`). Browser-safe:
 * the module is embedded (`binary.ts`), so no file or fetch is needed.
 *
 * Arrays living on the WASM heap are passed by address (zero-copy); others are copied through scratch
 * memory, so every call is correct, and the hot paths — layer buffers, parameters, batches and the MNIST
 * bytes, which `useWasmKernels()` moves onto the heap — cost no copies. Mixed dtypes fall back to
 * TypeScript. With a helper thread (Node), large products, batch gathers and predictions are split by
 * rows between the threads — each row computed exactly as on one thread — and whole evaluations can run
 * on the helper while the caller trains (`predictTwoLayerAsync`).
 *
 * Nothing lost, nothing poisoned: a kernel that cannot get the heap memory it needs (scratch, index
 * lists, copies) runs the TypeScript reference kernel instead — the same results, slower — and a failed
 * allocation or kernel call leaves the heap and every scratch slot as usable as before. The products that
 * skip zeros of A check B once per call and leave a B holding NaN or ±Infinity to the reference, which
 * then multiplies densely: 0·Inf is NaN, as in NumPy.
 */
import { referenceKernels, setBufferAllocator, useKernels, type Kernels } from '../index.ts';
import { allFinite } from '../finite.ts';
import type { FloatArray } from '../types.ts';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './binary.ts';
import { HELPER_OPS, type KernelHelper } from './helper-protocol.ts';
import { WasmHeap } from './heap.ts';
import { createConvKernels, type ConvExports } from './conv.ts';
import { bindTable } from './table.ts';

interface Exports extends ConvExports {
  heapBase(): number;
  allFinite_f32(len: number, x: number): number;
  allFinite_f64(len: number, x: number): number;
  gemmNN_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number): void;
  gemmNN_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number): void;
  gemmTN_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number): void;
  gemmTN_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number): void;
  gemmNNScratch(k: number, sz: number): number;
  keptRowsBytes(rows: number, cols: number, sz: number): number;
  gemmTNKeptScratch(len: number, k: number, sz: number): number;
  gemmNNKept_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, cache: number, rows: number, row0: number, build: number): void;
  gemmNNKept_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, cache: number, rows: number, row0: number, build: number): void;
  gemmNNKeptBytes_f32(m: number, n: number, k: number, src: number, idx: number, div: number, b: number, c: number, acc: number, cache: number, rows: number, row0: number): void;
  gemmNNKeptBytes_f64(m: number, n: number, k: number, src: number, idx: number, div: number, b: number, c: number, acc: number, cache: number, rows: number, row0: number): void;
  gemmTNKept_f32(m: number, n: number, k: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number, cache: number): void;
  gemmTNKept_f64(m: number, n: number, k: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number, cache: number): void;
  predictScratch(pixels: number, hidden: number, classes: number, sz: number): number;
  predictTwoLayer_f32(count: number, pixels: number, hidden: number, classes: number, src: number, div: number, w1: number, b1: number, w2: number, b2: number, out: number, scratch: number): void;
  predictTwoLayer_f64(count: number, pixels: number, hidden: number, classes: number, src: number, div: number, w1: number, b1: number, w2: number, b2: number, out: number, scratch: number): void;
  gemmTNScratch(len: number, k: number, sz: number): number;
  gemmNT_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
  gemmNT_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
  bytesToFloat_f32(len: number, src: number, dst: number, scale: number): void;
  bytesToFloat_f64(len: number, src: number, dst: number, scale: number): void;
  gatherRows_f32(count: number, rowLen: number, src: number, idx: number, dst: number, div: number): number;
  gatherRows_f64(count: number, rowLen: number, src: number, idx: number, dst: number, div: number): number;
  transpose_f32(rows: number, cols: number, src: number, dst: number): void;
  transpose_f64(rows: number, cols: number, src: number, dst: number): void;
}

/**
 * 64 KiB pages: 4096 = 256 MiB of address space, committed only as it is touched. The shared-memory
 * build declares the same maximum (scripts/build-wasm.ts: --maximumMemory 4096): change both together.
 */
const PAGES = 4096;

export function wasmBytes(shared = false): Uint8Array {
  const bin = atob(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** True when this JavaScript engine can run WASM SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes() as BufferSource);
  } catch {
    return false;
  }
}

export interface WasmKernels {
  heap: WasmHeap;
  /** True when a helper thread exists and is taking half of the large products. */
  helperReady: () => boolean;
  /** Stops the helper thread (resolves once it is gone); products are then computed here, with the same arithmetic. */
  stopHelper: () => Promise<void>;
  /** The kernels, with the signatures of `referenceKernels`. */
  kernels: Pick<
    Kernels,
    | 'gemm' | 'axpy' | 'bytesToFloat' | 'gatherRows' | 'reluForward' | 'reluBackward' | 'addRowVector' | 'sumRows' | 'softmaxRows' | 'predictTwoLayer' | 'predictTwoLayerAsync' | 'keepRows'
    | 'momentumUpdate' | 'nesterovUpdate' | 'adaGradUpdate' | 'rmspropUpdate' | 'adamUpdate'
    | 'batchNormForwardTrain' | 'batchNormForwardTest' | 'batchNormBackwardTrain' | 'batchNormBackwardTest' | 'applyMask'
    | 'im2col' | 'col2im' | 'col2imT' | 'addChannelBias' | 'sumChannels' | 'maxPoolForward' | 'maxPoolBackward' | 'convForward'
  >;
}

export interface WasmKernelOptions {
  /**
   * Starts a second thread on the (then shared) memory that computes half of each large gemm
   * (Node: `createNodeHelper`). Results do not depend on whether or when the thread is ready.
   */
  helper?: (memory: WebAssembly.Memory) => KernelHelper;
}

/** The helper's task codes, by kernel name: [float32, float64] (looked up once; no string per call). */
const HELPER_CODES = new Map<string, [number, number]>();
HELPER_OPS.forEach((op, code) => {
  const [name, type] = op.split('_');
  const codes = HELPER_CODES.get(name) ?? [-1, -1];
  codes[type === 'f32' ? 0 : 1] = code;
  HELPER_CODES.set(name, codes);
});
const helperOp = (name: string, f32: boolean): number => HELPER_CODES.get(name)![f32 ? 0 : 1];

/**
 * Thrown (and caught by the kernel wrappers, which then run the reference kernel) when the heap cannot
 * give a kernel its scratch. Always thrown before the kernel writes anything or starts the helper thread.
 */
class HeapFull extends Error {}

/** Large products are split between two threads; below this many multiply-adds it does not pay. */
const SPLIT_MIN = 200_000;

/** The kernels' memory and the module instantiated on it. */
interface Prepared {
  memory: WebAssembly.Memory;
  instance: WebAssembly.Instance;
}

function newMemory(shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared } as WebAssembly.MemoryDescriptor);
}

const imports = (memory: WebAssembly.Memory) => ({ env: { memory, abort: () => { throw new Error('wasm kernel aborted'); } } });

/** Compiles and instantiates the module synchronously (Node, Workers: it is ~30 KB). */
function prepare(shared: boolean): Prepared {
  const memory = newMemory(shared);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(shared) as BufferSource), imports(memory));
  return { memory, instance };
}

/**
 * Instantiates the module (synchronously unless `prepared` was compiled asynchronously — a browser's
 * main thread allows only that) and builds kernel wrappers around it.
 */
export function createWasmKernels(options: WasmKernelOptions = {}, prepared?: Prepared): WasmKernels {
  const { memory, instance } = prepared ?? prepare(options.helper !== undefined);
  const x = instance.exports as unknown as Exports;
  const heap = new WasmHeap(memory, x.heapBase());
  const helper = options.helper?.(memory);
  let helperStopped = false;
  /** True while the helper runs work of its own (predictTwoLayerAsync): products are then not split. */
  let helperBusy = false;
  const helperFree = (h: KernelHelper | undefined): h is KernelHelper => h !== undefined && !helperStopped && !helperBusy && h.ready();

  // Scratch slots (0: this thread, 1: the helper, 2: outputs, 3: the helper's own work's outputs, 4: the
  // lists of the kept rows, 5: BatchNorm's staged statistics, 6: a transposed B) for the kernels' lists of
  // non-zeros, transposed copies and predictions.
  // A slot holds a block of `bytes` at `ptr`, or none (ptr -1, bytes 0): never a size without a block.
  const scratch = [0, 1, 2, 3, 4, 5, 6].map(() => ({ ptr: -1, bytes: 0 }));
  /** The slot's block, grown to `bytes` if needed; throws HeapFull (the slot then empty) when the heap is full. */
  const scratchFor = (bytes: number, slot = 0): number => {
    const s = scratch[slot];
    if (s.bytes < bytes) {
      // The smaller block goes first, so that it can be part of the larger one.
      if (s.ptr >= 0) heap.release(s.ptr);
      s.ptr = -1;
      s.bytes = 0;
      // The kept rows' lists live in slot 4: a new block holds none yet.
      if (slot === 4 && kept) kept.listedFor = 0;
      const ptr = heap.alloc(bytes);
      if (ptr < 0) throw new HeapFull(`WASM heap full: cannot reserve ${bytes} bytes of scratch`);
      s.ptr = ptr;
      s.bytes = bytes;
    }
    return s.ptr;
  };
  /** Gives back a slot's block (after a failed reservation, so that its space can serve another). */
  const dropScratch = (slot: number): void => {
    const s = scratch[slot];
    if (s.ptr >= 0) heap.release(s.ptr);
    s.ptr = -1;
    s.bytes = 0;
  };
  /**
   * gemmTN's (or gemmTNKept's) scratch, in slot 0, for as many of C's m rows as the heap has room for —
   * all of them unless it is nearly full, else half, a quarter, …: returns that number of rows. Throws
   * HeapFull when not even one row fits. Computing C a chunk of rows at a time gives the same bits.
   */
  const tnRows = (keptLists: boolean, m: number, k: number, sz: number): number => {
    for (let len = m; ; len = Math.ceil(len / 2)) {
      try {
        scratchFor(keptLists ? x.gemmTNKeptScratch(len, k, sz) : x.gemmTNScratch(len, k, sz));
        return len;
      } catch (e) {
        if (!(e instanceof HeapFull) || len === 1) throw e;
      }
    }
  };
  /** The two halves' scratch blocks (slot 0 here, slot 1 on the helper), or false (both slots empty) when the heap cannot give both. */
  const splitScratch = (hereBytes: number, thereBytes: number): boolean => {
    try {
      scratchFor(thereBytes, 1);
      scratchFor(hereBytes);
      return true;
    } catch (e) {
      if (!(e instanceof HeapFull)) throw e;
      dropScratch(1);
      dropScratch(0);
      return false;
    }
  };
  /** True when the first `len` values of b are finite (see the header: zero-skipping needs it). */
  const finite = (b: FloatArray, len: number): boolean => {
    if (!heap.owns(b)) return allFinite(b, len);
    return (b instanceof Float32Array ? x.allFinite_f32 : x.allFinite_f64)(len, b.byteOffset) === 1;
  };

  /**
   * Runs `fn` with heap addresses for `arrays`: arrays on the heap are used in place, the others are
   * copied into temporary blocks (and outputs, listed in `written`, copied back).
   */
  const withPointers = (arrays: (FloatArray | Uint8Array)[], written: boolean[], fn: (ptrs: number[]) => void): boolean => {
    const temps: number[] = [];
    const ptrs: number[] = [];
    try {
      for (const arr of arrays) {
        if (heap.owns(arr)) {
          ptrs.push(arr.byteOffset);
          continue;
        }
        const ptr = heap.alloc(arr.byteLength);
        if (ptr < 0) return false;
        temps.push(ptr);
        new Uint8Array(heap.buffer, ptr, arr.byteLength).set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
        ptrs.push(ptr);
      }
      fn(ptrs);
      arrays.forEach((arr, i) => {
        if (written[i] && !heap.owns(arr)) new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(new Uint8Array(heap.buffer, ptrs[i], arr.byteLength));
      });
      return true;
    } finally {
      for (const t of temps) heap.release(t);
    }
  };

  // Fixed-arity checks: these run on every kernel call, so no rest arrays or closures.
  const is32 = (a: FloatArray, b: FloatArray, c: FloatArray = a) => a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
  const is64 = (a: FloatArray, b: FloatArray, c: FloatArray = a) => a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array;
  const onHeap = (a: ArrayBufferView, b: ArrayBufferView, c: ArrayBufferView = a) => heap.owns(a) && heap.owns(b) && heap.owns(c);
  /** bytesToFloat's scale as the byte kernels take it: 255 (pixels to [0, 1]) or 1; 0 for any other scale. */
  const divisorOf = (scale: number): number => (scale === 1 / 255 ? 255 : scale === 1 ? 1 : 0);
  /** Whether the predict kernels run these operands in place: their dtype (true: float32), or undefined. */
  const predictDtype = (images: Uint8Array, count: number, scale: number, W1: FloatArray, b1: FloatArray, W2: FloatArray, b2: FloatArray): boolean | undefined => {
    const f32 = is32(W1, b1) && is32(W2, b2);
    const ok = (f32 || (is64(W1, b1) && is64(W2, b2))) && divisorOf(scale) > 0 && onHeap(images, W1, b1) && onHeap(W2, b2) && count > 0;
    return ok ? f32 : undefined;
  };

  // Argument lists for the helper thread, reused (no array per call).
  const helperArgs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const setArgs = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8 = 0, a9 = 0, a10 = 0, a11 = 0) => {
    helperArgs[0] = a0;
    helperArgs[1] = a1;
    helperArgs[2] = a2;
    helperArgs[3] = a3;
    helperArgs[4] = a4;
    helperArgs[5] = a5;
    helperArgs[6] = a6;
    helperArgs[7] = a7;
    helperArgs[8] = a8;
    helperArgs[9] = a9;
    helperArgs[10] = a10;
    helperArgs[11] = a11;
    return helperArgs;
  };

  /** The rows the last gatherRows wrote on the heap (at `dst`) and where it read them: rows idx[r] of the bytes at `src`, divided by `div`. */
  type Gathered = { dst: number; count: number; rowLen: number; f32: boolean; src: number; srcBytes: number; idx: number; div: number };
  // One record, refilled by every gather (no allocation per training step); `gathered` is it or undefined.
  const gatheredRecord: Gathered = { dst: 0, count: 0, rowLen: 0, f32: false, src: 0, srcBytes: 0, idx: 0, div: 1 };
  let gathered: Gathered | undefined;

  /**
   * The rows the caller promised not to change (`keepRows`: the training batch). Their non-zeros are
   * listed by the first product that reads them (x·W1) and reused by x·W1 after the update and xᵀ·dout.
   * Any kernel writing over them forgets them.
   */
  // `listedFor`: the width of the B the lists' offsets were computed for (0: not listed yet).
  // `source`: the image bytes gatherRows converted into these rows, while they may still be read instead
  // of the floats (only by the first listing: the window is one gather, keepRows and x·W1).
  // One record, refilled by every keepRows (no allocation per training step); `kept` is it or undefined.
  type Kept = { ptr: number; bytes: number; rows: number; cols: number; f32: boolean; listedFor: number; source: Gathered | undefined };
  const keptRecord: Kept = { ptr: 0, bytes: 0, rows: 0, cols: 0, f32: false, listedFor: 0, source: undefined };
  let kept: Kept | undefined;
  const keepRows: Kernels['keepRows'] = (data, rows, cols) => {
    kept = undefined;
    if (!heap.owns(data) || data.length < rows * cols || rows <= 0 || cols <= 0) return;
    const f32 = data instanceof Float32Array;
    const k = keptRecord;
    k.ptr = data.byteOffset;
    k.bytes = rows * cols * data.BYTES_PER_ELEMENT;
    k.rows = rows;
    k.cols = cols;
    k.f32 = f32;
    k.listedFor = 0;
    k.source = gathered && gathered.dst === k.ptr && gathered.count === rows && gathered.rowLen === cols && gathered.f32 === f32 ? gathered : undefined;
    kept = k;
  };
  const overlaps = (out: ArrayBufferView, ptr: number, bytes: number): boolean => out.byteOffset < ptr + bytes && ptr < out.byteOffset + out.byteLength;
  /** Called with every array a kernel writes: written-over kept rows (or the images they came from) are forgotten. */
  const forget = (out: ArrayBufferView): void => {
    if (!heap.owns(out)) return;
    if (kept && overlaps(out, kept.ptr, kept.bytes)) kept = undefined;
    if (gathered && (overlaps(out, gathered.dst, gathered.count * gathered.rowLen * (gathered.f32 ? 4 : 8)) || overlaps(out, gathered.src, gathered.srcBytes))) {
      if (kept?.source === gathered) kept.source = undefined;
      gathered = undefined;
    }
  };

  /** A·B or Aᵀ·B where A is the kept matrix: true when done (from or into its lists). */
  const gemmKept = (f32: boolean, transA: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): boolean => {
    if (!kept || kept.ptr !== pa || kept.f32 !== f32) return false;
    const sz = f32 ? 4 : 8;
    const split = m >= 2 && m * n * k >= SPLIT_MIN && helperFree(helper);
    if (!transA && m === kept.rows && k === kept.cols) {
      let cache: number;
      try {
        cache = scratchFor(x.keptRowsBytes(m, k, sz), 4);
      } catch (e) {
        // No room for the lists: the rows are not kept, and the products compress them each time.
        if (!(e instanceof HeapFull)) throw e;
        kept = undefined;
        return false;
      }
      // The lists hold offsets into B's rows: listed again for a B of another width.
      const build = kept.listedFor === n ? 0 : 1;
      // Rows gatherRows just wrote are listed from the image bytes they were converted from: the same
      // lists, from an eighth of the bytes (a quarter in float32).
      const source = build ? kept.source : undefined;
      kept.source = undefined;
      // Rows [0, h) here, [h, m) on the helper when split.
      const h = split ? m >> 1 : m;
      if (split) {
        helper.start(
          helperOp(source ? 'gemmNNKeptBytes' : 'gemmNNKept', f32),
          source
            ? setArgs(m - h, n, k, source.src, source.idx + h * 4, source.div, pb, pc + h * n * sz, acc, cache, m, h)
            : setArgs(m - h, n, k, pa + h * k * sz, pb, pc + h * n * sz, acc, cache, m, h, build),
        );
      }
      try {
        if (source) (f32 ? x.gemmNNKeptBytes_f32 : x.gemmNNKeptBytes_f64)(h, n, k, source.src, source.idx, source.div, pb, pc, acc, cache, m, 0);
        else (f32 ? x.gemmNNKept_f32 : x.gemmNNKept_f64)(h, n, k, pa, pb, pc, acc, cache, m, 0, build);
      } finally {
        if (split) helper.join();
      }
      kept.listedFor = n;
      return true;
    }
    if (transA && kept.listedFor > 0 && k === kept.rows && m === kept.cols) {
      const cache = scratchFor(x.keptRowsBytes(k, m, sz), 4);
      const TN = f32 ? x.gemmTNKept_f32 : x.gemmTNKept_f64;
      const h = m >> 1;
      // Every block is reserved before the helper starts: a full heap then changes nothing.
      if (split && splitScratch(x.gemmTNKeptScratch(h, k, sz), x.gemmTNKeptScratch(m - h, k, sz))) {
        helper.start(helperOp('gemmTNKept', f32), setArgs(m, n, k, pb, pc, acc, scratch[1].ptr, h, m, cache));
        try {
          TN(m, n, k, pb, pc, acc, scratch[0].ptr, 0, h, cache);
        } finally {
          helper.join();
        }
      } else {
        const len = tnRows(true, m, k, sz);
        for (let i0 = 0; i0 < m; i0 += len) TN(m, n, k, pb, pc, acc, scratch[0].ptr, i0, Math.min(m, i0 + len), cache);
      }
      return true;
    }
    return false;
  };

  /**
   * Whether A·Bᵀ runs as A·(Bᵀ): B (n×k) transposed once into scratch, then A's rows streamed through the
   * row passes as in A·B. Without accumulation that adds every C element's products in the reference's
   * order (p ascending, from zero) — the same bits in float64 — skipping the zeros of A (dout after a
   * ReLU). With a short k it always pays (dot products of length k vectorize badly); with a long k and a
   * few rows of A, the transposition would cost more than the dot products (gemmNT).
   */
  const transposesB = (m: number, k: number, acc: number): boolean => k <= 64 || (acc === 0 && m >= 4);

  /** C = A·B on heap addresses, split by rows between the threads when it is large enough. */
  const gemmNNAt = (f32: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): void => {
    const sz = f32 ? 4 : 8;
    const NN = f32 ? x.gemmNN_f32 : x.gemmNN_f64;
    const split = m >= 2 && m * n * k >= SPLIT_MIN && helperFree(helper);
    const nnScratch = x.gemmNNScratch(k, sz);
    if (split && splitScratch(nnScratch, nnScratch)) {
      // Rows [0, h) here, [h, m) on the helper: each row is computed exactly as unsplit.
      const h = m >> 1;
      helper.start(helperOp('gemmNN', f32), setArgs(m - h, n, k, pa + h * k * sz, pb, pc + h * n * sz, acc, scratch[1].ptr));
      try {
        NN(h, n, k, pa, pb, pc, acc, scratch[0].ptr);
      } finally {
        helper.join();
      }
    } else NN(m, n, k, pa, pb, pc, acc, scratchFor(nnScratch));
  };

  /** The product on heap addresses (what both the direct and the copying paths run). */
  const gemmAt = (f32: boolean, transA: boolean, transB: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): void => {
    const sz = f32 ? 4 : 8;
    const TN = f32 ? x.gemmTN_f32 : x.gemmTN_f64;
    const split = m >= 2 && m * n * k >= SPLIT_MIN && helperFree(helper);
    if (!transA && !transB) gemmNNAt(f32, m, n, k, pa, pb, pc, acc);
    else if (transA) {
      const h = m >> 1;
      if (split && splitScratch(x.gemmTNScratch(h, k, sz), x.gemmTNScratch(m - h, k, sz))) {
        // Rows of C [0, h) here, [h, m) on the helper: again each row exactly as unsplit.
        helper.start(helperOp('gemmTN', f32), setArgs(m, n, k, pa, pb, pc, acc, scratch[1].ptr, h, m));
        try {
          TN(m, n, k, pa, pb, pc, acc, scratch[0].ptr, 0, h);
        } finally {
          helper.join();
        }
      } else {
        // On this thread, in as few chunks of C's rows as the heap has scratch for (one, unless it is full).
        const len = tnRows(false, m, k, sz);
        for (let i0 = 0; i0 < m; i0 += len) TN(m, n, k, pa, pb, pc, acc, scratch[0].ptr, i0, Math.min(m, i0 + len));
      }
    } else if (transposesB(m, k, acc)) {
      // Bᵀ (k×n) in slot 6, reserved (HeapFull) before anything is written; then A·(Bᵀ).
      const s = scratchFor(n * k * sz, 6);
      (f32 ? x.transpose_f32 : x.transpose_f64)(n, k, pb, s);
      gemmNNAt(f32, m, n, k, pa, s, pc, acc);
    } else (f32 ? x.gemmNT_f32 : x.gemmNT_f64)(m, n, k, pa, pb, pc, acc);
  };

  const gemm: Kernels['gemm'] = (transA, transB, m, n, k, a, b, c, accumulate = false) => {
    const f32 = is32(a, b, c);
    if ((!f32 && !is64(a, b, c)) || (transA && transB) || m === 0 || n === 0) {
      referenceKernels.gemm(transA, transB, m, n, k, a, b, c, accumulate);
      return;
    }
    forget(c);
    // Every path but the dot products (gemmNT) skips zeros of A: exact only for a finite B.
    if ((!transB || transposesB(m, k, accumulate ? 1 : 0)) && !finite(b, k * n)) {
      referenceKernels.gemm(transA, transB, m, n, k, a, b, c, accumulate);
      return;
    }
    const acc = accumulate ? 1 : 0;
    try {
      if (onHeap(a, b, c)) {
        if (!transB && gemmKept(f32, transA, m, n, k, a.byteOffset, b.byteOffset, c.byteOffset, acc)) return;
        gemmAt(f32, transA, transB, m, n, k, a.byteOffset, b.byteOffset, c.byteOffset, acc);
        return;
      }
      // Views may be longer than the matrices they hold: copy exactly the used prefix.
      const ok = withPointers([a.subarray(0, m * k), b.subarray(0, k * n), c.subarray(0, m * n)], [false, false, true], ([pa, pb, pc]) =>
        gemmAt(f32, transA, transB, m, n, k, pa, pb, pc, acc),
      );
      if (!ok) referenceKernels.gemm(transA, transB, m, n, k, a, b, c, accumulate);
    } catch (e) {
      // No scratch: nothing was written yet (HeapFull comes first), so the reference computes it all.
      if (!(e instanceof HeapFull)) throw e;
      referenceKernels.gemm(transA, transB, m, n, k, a, b, c, accumulate);
    }
  };

  // ---- The kernels that are one export call each: a table of descriptors (table.ts) ----
  const table = bindTable({ exports: x as unknown as Record<string, unknown>, heap, forget, reference: referenceKernels });

  // The row indices, copied to the heap for the kernel (a view kept across calls: no allocation per batch).
  let indexView = new Uint32Array(0);
  // Off-heap sources: rows are staged contiguously on the heap (a memcpy each), then converted.
  let staging: Uint8Array | undefined;
  const gatherRows: Kernels['gatherRows'] = (src, rowLen, indices, dst, scale) => {
    forget(dst);
    // The index list is about to be rewritten: no earlier gather can be read back from it.
    if (kept) kept.source = undefined;
    gathered = undefined;
    const count = indices.length;
    const f32 = dst instanceof Float32Array;
    const div = divisorOf(scale);
    if (div > 0 && heap.owns(src) && heap.owns(dst) && dst.length >= count * rowLen) {
      // The images live on the heap (loadMnist reads them there): converted in place by one call — two
      // with the helper thread, which then has its half of the batch in its own cache for the products.
      if (indexView.length < count) {
        // The old list goes first (it may be part of the new one); on a full heap no list is left.
        if (indexView.length > 0) heap.release(indexView.byteOffset);
        indexView = new Uint32Array(0);
        const ptr = heap.alloc(count * 4);
        if (ptr < 0) {
          referenceKernels.gatherRows(src, rowLen, indices, dst, scale);
          return;
        }
        indexView = new Uint32Array(heap.buffer, ptr, count);
      }
      for (let r = 0; r < count; r++) indexView[r] = indices[r];
      const run = f32 ? x.gatherRows_f32 : x.gatherRows_f64;
      const [pIdx, pDst, rowBytes] = [indexView.byteOffset, dst.byteOffset, rowLen * (f32 ? 4 : 8)];
      if (count >= 2 && helperFree(helper)) {
        // Rows [0, h) here, [h, count) there: the same split as the products' (gemmAt).
        const h = count >> 1;
        helper.start(helperOp('gatherRows', f32), setArgs(count - h, rowLen, src.byteOffset, pIdx + h * 4, pDst + h * rowBytes, div, 0, 0));
        try {
          run(h, rowLen, src.byteOffset, pIdx, pDst, div);
        } finally {
          helper.join();
        }
      } else run(count, rowLen, src.byteOffset, pIdx, pDst, div);
      const g = gatheredRecord;
      g.dst = pDst;
      g.count = count;
      g.rowLen = rowLen;
      g.f32 = f32;
      g.src = src.byteOffset;
      g.srcBytes = src.byteLength;
      g.idx = pIdx;
      g.div = div;
      gathered = g;
      return;
    }
    const bytes = count * rowLen;
    if (!staging || staging.length < bytes) {
      const ptr = heap.alloc(bytes);
      if (ptr < 0) {
        referenceKernels.gatherRows(src, rowLen, indices, dst, scale);
        return;
      }
      if (staging) heap.release(staging.byteOffset);
      staging = new Uint8Array(heap.buffer, ptr, bytes);
    }
    // Node's Buffer.copy is a memcpy that needs no view object (no allocation per row, per step);
    // elsewhere a subarray view per row it is (a byte loop would be ~3× slower).
    const stage = staging;
    const bufferCopy = (src as { copy?: (target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number }).copy;
    for (let r = 0; r < count; r++) {
      const from = indices[r] * rowLen;
      if (bufferCopy) bufferCopy.call(src, stage, r * rowLen, from, from + rowLen);
      else stage.set(src.subarray(from, from + rowLen), r * rowLen);
    }
    if (heap.owns(dst)) (f32 ? x.bytesToFloat_f32 : x.bytesToFloat_f64)(bytes, stage.byteOffset, dst.byteOffset, scale);
    else table.bytesToFloat(stage.subarray(0, bytes), dst, scale);
  };

  const predictTwoLayer: Kernels['predictTwoLayer'] = (images, count, pixels, scale, W1, b1, W2, b2, hidden, classes, out) => {
    forget(out);
    const f32 = predictDtype(images, count, scale, W1, b1, W2, b2);
    if (f32 === undefined || !finite(W1, pixels * hidden) || !finite(W2, hidden * classes)) {
      referenceKernels.predictTwoLayer(images, count, pixels, scale, W1, b1, W2, b2, hidden, classes, out);
      return;
    }
    const div = divisorOf(scale);
    const sz = f32 ? 4 : 8;
    const run = f32 ? x.predictTwoLayer_f32 : x.predictTwoLayer_f64;
    const need = x.predictScratch(pixels, hidden, classes, sz);
    const src = images.byteOffset;
    const split = count >= 2 && count * pixels * hidden >= SPLIT_MIN && helperFree(helper);
    let pOut: number;
    let here: number;
    let there = 0;
    try {
      // Every block is reserved before anything runs: a full heap leaves it all to the reference.
      pOut = heap.owns(out) ? out.byteOffset : scratchFor(count * 4, 2);
      here = scratchFor(need);
      if (split) there = scratchFor(need, 1);
    } catch (e) {
      if (!(e instanceof HeapFull)) throw e;
      referenceKernels.predictTwoLayer(images, count, pixels, scale, W1, b1, W2, b2, hidden, classes, out);
      return;
    }
    if (split && helper) {
      // Images [0, h) here, [h, count) on the helper: each prediction is independent of the split.
      const h = count >> 1;
      helper.start(helperOp('predictTwoLayer', f32), setArgs(count - h, pixels, hidden, classes, src + h * pixels, div, W1.byteOffset, b1.byteOffset, W2.byteOffset, b2.byteOffset, pOut + h * 4, there));
      try {
        run(h, pixels, hidden, classes, src, div, W1.byteOffset, b1.byteOffset, W2.byteOffset, b2.byteOffset, pOut, here);
      } finally {
        helper.join();
      }
    } else run(count, pixels, hidden, classes, src, div, W1.byteOffset, b1.byteOffset, W2.byteOffset, b2.byteOffset, pOut, here);
    if (!heap.owns(out)) out.set(new Int32Array(heap.buffer, pOut, count));
  };

  const predictTwoLayerAsync: Kernels['predictTwoLayerAsync'] = (images, count, pixels, scale, W1, b1, W2, b2, hidden, classes, out) => {
    forget(out);
    const f32 = predictDtype(images, count, scale, W1, b1, W2, b2);
    // Non-finite weights, or no heap for the scratch: undefined, and the caller runs predictTwoLayer.
    if (f32 === undefined || !helperFree(helper) || !finite(W1, pixels * hidden) || !finite(W2, hidden * classes)) return undefined;
    const div = divisorOf(scale);
    let pOut: number;
    let there: number;
    try {
      pOut = scratchFor(count * 4, 3);
      there = scratchFor(x.predictScratch(pixels, hidden, classes, f32 ? 4 : 8), 1);
    } catch (e) {
      if (!(e instanceof HeapFull)) throw e;
      return undefined;
    }
    helper.start(helperOp('predictTwoLayer', f32), setArgs(count, pixels, hidden, classes, images.byteOffset, div, W1.byteOffset, b1.byteOffset, W2.byteOffset, b2.byteOffset, pOut, there));
    helperBusy = true;
    let finished = false;
    const finish = () => {
      out.set(new Int32Array(heap.buffer, pOut, count));
      finished = true;
      helperBusy = false;
    };
    return {
      done: () => {
        if (!finished && helper.done()) finish();
        return finished;
      },
      wait: () => {
        if (finished) return;
        helper.join();
        finish();
      },
    };
  };

  // ---- Chapter 7: convolution and pooling (src/kernels/wasm/conv.ts) ----
  const conv = createConvKernels({ exports: x, heap, freeHelper: () => (helperFree(helper) ? helper : undefined), helperOp, gemm, forget });

  return {
    heap,
    helperReady: () => !helperStopped && (helper?.ready() ?? false),
    stopHelper: () => {
      const closed = helper && !helperStopped ? helper.close() : Promise.resolve();
      helperStopped = true;
      return closed;
    },
    kernels: { gemm, gatherRows, predictTwoLayer, predictTwoLayerAsync, keepRows, ...table, ...conv },
  };
}

let active: { restore: () => void; heap: WasmHeap; stopHelper: () => Promise<void>; helperReady: () => boolean } | undefined;

/**
 * Switches ScratchNet to the WASM SIMD kernels and puts long-lived buffers (layer outputs, parameters,
 * batches) on the WASM heap. Returns false (and changes nothing) where WASM SIMD is unavailable.
 * Call it before creating networks so their parameters live on the heap too. In Node, pass
 * `{ helper: createNodeHelper }` to use a second thread for large products.
 */
export function useWasmKernels(options: WasmKernelOptions = {}): boolean {
  if (active) return true;
  if (!wasmSimdSupported()) return false;
  activate(createWasmKernels(options));
  return true;
}

/**
 * `useWasmKernels` for a browser's main thread, which may not compile a module of this size
 * synchronously: compiles it asynchronously, then switches. Resolves to the backend in use.
 *
 * @example
 * import { initKernels, SimpleConvNet } from 'scratchnet/browser';
 * await initKernels(); // 'wasm-simd' (or 'typescript' where WASM SIMD is missing)
 * const net = new SimpleConvNet({ seed: 1 }); // its buffers on the WASM heap
 */
export async function initKernels(): Promise<'wasm-simd' | 'typescript'> {
  if (active || !wasmSimdSupported()) return kernelBackend();
  const memory = newMemory(false);
  const { instance } = await WebAssembly.instantiate(wasmBytes(false) as BufferSource, imports(memory));
  // Another call may have switched while this one compiled.
  if (!active) activate(createWasmKernels({}, { memory, instance }));
  return kernelBackend();
}

function activate({ heap, kernels, stopHelper, helperReady }: WasmKernels): void {
  const restoreKernels = useKernels(kernels);
  const restoreAllocator = setBufferAllocator((kind, length) => heap.allocateKind(kind, length));
  active = {
    heap,
    stopHelper,
    helperReady,
    restore: () => {
      void stopHelper();
      restoreKernels();
      restoreAllocator();
    },
  };
}

/** True once the active backend's helper thread (if any) has started and takes work. */
export function kernelThreadReady(): boolean {
  return active?.helperReady() ?? false;
}

/** Stops the active backend's helper thread, if any (e.g. when the heavy work is done); resolves once it is gone. */
export function stopKernelThreads(): Promise<void> {
  return active?.stopHelper() ?? Promise.resolve();
}

/**
 * Back to the TypeScript kernels. Existing heap buffers stay valid while referenced; once nothing
 * references them (nor a helper thread the memory), the whole WASM memory — with the MNIST images
 * `loadMnist` read into it — is garbage and returned to the system.
 */
export function useTypeScriptKernels(): void {
  active?.restore();
  active = undefined;
}

/** The heap of the active WASM backend, if any. */
export function activeWasmHeap(): WasmHeap | undefined {
  return active?.heap;
}

/** Which kernels are in use. */
export function kernelBackend(): 'wasm-simd' | 'typescript' {
  return active ? 'wasm-simd' : 'typescript';
}
