/**
 * The state the WASM kernel wrappers share — the module's exports, the heap, the helper thread, scratch
 * slots, the kept rows and the last gather — as one small object, with the steps every wrapper takes:
 * reserve scratch (or throw `HeapFull` before anything is written), pass arrays by address (copying
 * those off the heap), hand half of the work to a free helper thread, forget kept rows an output
 * overwrites. The wrappers live beside it, one file per family, as `src/kernels/*.ts`: table.ts (the
 * one-call kernels), gemm.ts (products, kept rows), gather.ts (batches), predict.ts, conv.ts.
 */
import { allFinite } from '../finite.ts';
import type { FloatArray } from '../types.ts';
import type { ConvExports } from './conv.ts';
import type { WasmHeap } from './heap.ts';
import { HELPER_OPS, type KernelHelper } from './helper-protocol.ts';

/** The module's exports the wrappers outside the table call (table.ts looks its kernels up by name). */
export interface Exports extends ConvExports {
  heapBase(): number;
  allFinite_f32(len: number, x: number): number;
  allFinite_f64(len: number, x: number): number;
  allFiniteTo_f32(len: number, x: number, out: number): void;
  allFiniteTo_f64(len: number, x: number, out: number): void;
  gemmNN_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number): void;
  gemmNN_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number): void;
  gemmTN_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number): void;
  gemmTN_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number): void;
  gemmNNScratch(k: number, sz: number): number;
  keptRowsBytes(rows: number, cols: number, h: number, sz: number): number;
  keptSyncBytes(rows: number): number;
  keptTNScratch(len: number, k: number, sz: number): number;
  keptFirst_f32(m: number, n: number, k: number, a: number, b: number, c: number, flags: number, cache: number, idx: number, div: number, h: number, sync: number): void;
  keptFirst_f64(m: number, n: number, k: number, a: number, b: number, c: number, flags: number, cache: number, idx: number, div: number, h: number, sync: number): void;
  keptSecond_f32(m: number, n: number, k: number, a: number, b: number, c: number, flags: number, cache: number, idx: number, div: number, h: number, sync: number): void;
  keptSecond_f64(m: number, n: number, k: number, a: number, b: number, c: number, flags: number, cache: number, idx: number, div: number, h: number, sync: number): void;
  keptTN_f32(m: number, n: number, k: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number, cache: number, h: number): void;
  keptTN_f64(m: number, n: number, k: number, b: number, c: number, acc: number, scratch: number, i0: number, i1: number, cache: number, h: number): void;
  predictScratch(pixels: number, hidden: number, classes: number, sz: number): number;
  predictTwoLayer_f32(count: number, pixels: number, hidden: number, classes: number, src: number, div: number, w1: number, b1: number, w2: number, b2: number, out: number, scratch: number): void;
  predictTwoLayer_f64(count: number, pixels: number, hidden: number, classes: number, src: number, div: number, w1: number, b1: number, w2: number, b2: number, out: number, scratch: number): void;
  gemmTNScratch(len: number, k: number, sz: number): number;
  gemmPanelsScratch(m: number, k: number, sz: number): number;
  gemmPanels_f32(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, j0: number, j1: number): void;
  gemmPanels_f64(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, scratch: number, j0: number, j1: number): void;
  gemmBlocked_f32(transA: number, m: number, n: number, k: number, a: number, b: number, c: number, acc: number, i0: number, i1: number): void;
  gemmBlocked_f64(transA: number, m: number, n: number, k: number, a: number, b: number, c: number, acc: number, i0: number, i1: number): void;
  nonZeros_f32(len: number, x: number): number;
  nonZeros_f64(len: number, x: number): number;
  bytesToFloat_f32(len: number, src: number, dst: number, scale: number): void;
  bytesToFloat_f64(len: number, src: number, dst: number, scale: number): void;
  gatherRows_f32(count: number, rowLen: number, src: number, idx: number, dst: number, div: number): number;
  gatherRows_f64(count: number, rowLen: number, src: number, idx: number, dst: number, div: number): number;
  transpose_f32(rows: number, cols: number, src: number, dst: number): void;
  transpose_f64(rows: number, cols: number, src: number, dst: number): void;
}

/** The helper's task codes, by kernel name: [float32, float64] (looked up once; no string per call). */
const HELPER_CODES = new Map<string, [number, number]>();
HELPER_OPS.forEach((op, code) => {
  const [name, type] = op.split('_');
  const codes = HELPER_CODES.get(name) ?? [-1, -1];
  codes[type === 'f32' ? 0 : 1] = code;
  HELPER_CODES.set(name, codes);
});
export const helperOp = (name: string, f32: boolean): number => HELPER_CODES.get(name)![f32 ? 0 : 1];

/**
 * Thrown (and caught by the kernel wrappers, which then run the reference kernel) when the heap cannot
 * give a kernel its scratch. Always thrown before the kernel writes anything or starts the helper thread.
 */
export class HeapFull extends Error {}

/** Large products are split between two threads; below this many multiply-adds it does not pay. */
export const SPLIT_MIN = 200_000;

/** The rows the last gatherRows wrote on the heap (at `dst`) and where it read them: rows idx[r] of the bytes at `src`, divided by `div`. */
export interface Gathered {
  dst: number;
  count: number;
  rowLen: number;
  f32: boolean;
  src: number;
  srcBytes: number;
  idx: number;
  div: number;
}

/**
 * The rows the caller promised not to change (`keepRows`: the training batch). Their non-zeros are
 * listed by the first product that reads them (x·W1) and reused by x·W1 after the update and xᵀ·dout.
 * Any kernel writing over them forgets them.
 * `listedFor`: the width of the B the lists' offsets were computed for (0: not listed yet).
 * `source`: the image bytes gatherRows converted into these rows, while they may still be read instead
 * of the floats (only by the first listing: the window is one gather, keepRows and x·W1).
 */
export interface Kept {
  ptr: number;
  bytes: number;
  rows: number;
  cols: number;
  f32: boolean;
  listedFor: number;
  source: Gathered | undefined;
  /** Where the rows' lists are cut in two segments (columns [0, h) and [h, cols); h = cols: one). */
  h: number;
}

/**
 * A matrix whose rows the two threads own (the B of the kept rows' products, W1): the helper thread
 * reads and writes its first `split` bytes, this thread the rest. The split kernels that update it
 * (axpy, the optimizers) cut it at the same element, so that each half stays in its core's cache.
 */
export interface Owned {
  ptr: number;
  bytes: number;
  split: number;
}

export interface WasmContext {
  readonly x: Exports;
  readonly heap: WasmHeap;
  readonly helper: KernelHelper | undefined;
  /** True for the relaxed-SIMD build (fused float32 multiply-adds in the products). */
  readonly relaxed: boolean;
  /** Set once the helper is stopped: nothing is split any more. */
  helperStopped: boolean;
  /** True while the helper runs work of its own (predictTwoLayerAsync): products are then not split. */
  helperBusy: boolean;
  /** The kept rows (`keptRecord`, refilled by every keepRows: no allocation per step), or undefined. */
  kept: Kept | undefined;
  readonly keptRecord: Kept;
  /** The matrix the threads last split by ownership (`ownedRecord`), or undefined. A hint for speed only: any split of an elementwise kernel gives the same bits. */
  owned: Owned | undefined;
  readonly ownedRecord: Owned;
  /** For a split kernel writing `bytes` bytes at `ptr`: the element at which the owned matrix is cut (the helper's part first), or -1. */
  ownedSplit(ptr: number, bytes: number, sz: number): number;
  /** The last gather (`gatheredRecord`, refilled by every gather), or undefined. */
  gathered: Gathered | undefined;
  readonly gatheredRecord: Gathered;
  /**
   * Scratch slots (0: this thread, 1: the helper, 2: outputs, 3: the helper's own work's outputs, 4: the
   * lists of the kept rows, 5: the kept rows' sync block, 6: a transposed B, 7: the result of the helper's
   * half of a check). A slot holds a block of `bytes` at `ptr`, or none (ptr -1, bytes 0): never a size
   * without a block.
   */
  readonly scratch: { ptr: number; bytes: number }[];
  /** The helper thread when it is free to take half of a kernel now, else undefined. */
  freeHelper(): KernelHelper | undefined;
  /** The slot's block, grown to `bytes` if needed; throws HeapFull (the slot then empty) when the heap is full. */
  scratchFor(bytes: number, slot?: number): number;
  /** scratchFor, or -1 when the heap is full. */
  tryScratch(bytes: number, slot: number): number;
  /** Gives back a slot's block (after a failed reservation, so that its space can serve another). */
  dropScratch(slot: number): void;
  /** The two halves' scratch blocks (slot 0 here, slot 1 on the helper), or false (both slots empty) when the heap cannot give both. */
  splitScratch(hereBytes: number, thereBytes: number): boolean;
  /**
   * gemmTN's (or keptTN's) scratch, in slot 0, for as many of C's m rows as the heap has room for —
   * all of them unless it is nearly full, else half, a quarter, …: returns that number of rows. Throws
   * HeapFull when not even one row fits. Computing C a chunk of rows at a time gives the same bits.
   */
  tnRows(keptLists: boolean, m: number, k: number, sz: number): number;
  /** True when the first `len` values of b are finite (zero-skipping products need it). */
  finite(b: FloatArray, len: number): boolean;
  /**
   * Runs `fn` with heap addresses for `arrays`: arrays on the heap are used in place, the others are
   * copied into temporary blocks (and outputs, listed in `written`, copied back). False when the heap
   * has no room for a copy (nothing was run).
   */
  withPointers(arrays: (FloatArray | Uint8Array)[], written: boolean[], fn: (ptrs: number[]) => void): boolean;
  /** The helper's argument list, reused (no array per call). */
  setArgs(a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8?: number, a9?: number, a10?: number, a11?: number): number[];
  /** Called with every array a kernel writes: written-over kept rows (or the images they came from) are forgotten. */
  forget(out: ArrayBufferView): void;
  /** True when all two or three arrays live on the heap (fixed arity: it runs on every call). */
  onHeap(a: ArrayBufferView, b: ArrayBufferView, c?: ArrayBufferView): boolean;
}

// Fixed-arity checks: these run on every kernel call, so no rest arrays or closures.
export const is32 = (a: FloatArray, b: FloatArray, c: FloatArray = a): boolean => a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
export const is64 = (a: FloatArray, b: FloatArray, c: FloatArray = a): boolean => a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array;

const overlaps = (out: ArrayBufferView, ptr: number, bytes: number): boolean => out.byteOffset < ptr + bytes && ptr < out.byteOffset + out.byteLength;

export function createContext(x: Exports, heap: WasmHeap, helper: KernelHelper | undefined, relaxed = false): WasmContext {
  const helperArgs = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  // The whole heap as i32 (its memory never grows: the view stays valid), for the helper's check results.
  const heapI32 = new Int32Array(heap.buffer);
  const ctx: WasmContext = {
    x,
    heap,
    helper,
    relaxed,
    helperStopped: false,
    helperBusy: false,
    kept: undefined,
    keptRecord: { ptr: 0, bytes: 0, rows: 0, cols: 0, f32: false, listedFor: 0, source: undefined, h: 0 },
    owned: undefined,
    ownedRecord: { ptr: 0, bytes: 0, split: 0 },
    ownedSplit: (ptr, bytes, sz) => {
      const o = ctx.owned;
      // Whole vectors on both sides (16 elements: a multiple of either lane count).
      return o !== undefined && o.ptr === ptr && o.bytes === bytes && (o.split / sz) % 16 === 0 ? o.split / sz : -1;
    },
    gathered: undefined,
    gatheredRecord: { dst: 0, count: 0, rowLen: 0, f32: false, src: 0, srcBytes: 0, idx: 0, div: 1 },
    scratch: [0, 1, 2, 3, 4, 5, 6, 7].map(() => ({ ptr: -1, bytes: 0 })),
    freeHelper: () => (helper !== undefined && !ctx.helperStopped && !ctx.helperBusy && helper.ready() ? helper : undefined),
    scratchFor: (bytes, slot = 0) => {
      const s = ctx.scratch[slot];
      if (s.bytes < bytes) {
        // The smaller block goes first, so that it can be part of the larger one.
        if (s.ptr >= 0) heap.release(s.ptr);
        s.ptr = -1;
        s.bytes = 0;
        // The kept rows' lists live in slot 4: a new block holds none yet.
        if (slot === 4 && ctx.kept) ctx.kept.listedFor = 0;
        const ptr = heap.alloc(bytes);
        if (ptr < 0) throw new HeapFull(`WASM heap full: cannot reserve ${bytes} bytes of scratch`);
        s.ptr = ptr;
        s.bytes = bytes;
      }
      return s.ptr;
    },
    tryScratch: (bytes, slot) => {
      try {
        return ctx.scratchFor(bytes, slot);
      } catch (e) {
        if (!(e instanceof HeapFull)) throw e;
        return -1;
      }
    },
    dropScratch: (slot) => {
      const s = ctx.scratch[slot];
      if (s.ptr >= 0) heap.release(s.ptr);
      s.ptr = -1;
      s.bytes = 0;
    },
    splitScratch: (hereBytes, thereBytes) => {
      try {
        ctx.scratchFor(thereBytes, 1);
        ctx.scratchFor(hereBytes);
        return true;
      } catch (e) {
        if (!(e instanceof HeapFull)) throw e;
        ctx.dropScratch(1);
        ctx.dropScratch(0);
        return false;
      }
    },
    tnRows: (keptLists, m, k, sz) => {
      for (let len = m; ; len = Math.ceil(len / 2)) {
        try {
          ctx.scratchFor(keptLists ? x.keptTNScratch(len, k, sz) : x.gemmTNScratch(len, k, sz));
          return len;
        } catch (e) {
          if (!(e instanceof HeapFull) || len === 1) throw e;
        }
      }
    },
    finite: (b, len) => {
      if (!heap.owns(b)) return allFinite(b, len);
      const f32 = b instanceof Float32Array;
      const sz = f32 ? 4 : 8;
      const at = b.byteOffset;
      const owned = ctx.ownedSplit(at, len * sz, sz);
      const free = owned > 0 ? ctx.freeHelper() : undefined;
      const out = free !== undefined ? ctx.tryScratch(16, 7) : -1;
      if (out < 0) return (f32 ? x.allFinite_f32 : x.allFinite_f64)(len, at) === 1;
      // An owned matrix (W1) is checked where each half lives: reading the helper's half here would pull
      // it into this core's cache, and the helper's next write of it would have to take it back.
      free!.start(helperOp('allFiniteTo', f32), ctx.setArgs(owned, at, out, 0, 0, 0, 0, 0));
      let ok: boolean;
      try {
        ok = (f32 ? x.allFinite_f32 : x.allFinite_f64)(len - owned, at + owned * sz) === 1;
      } finally {
        free!.join();
      }
      return ok && heapI32[out >> 2] === 1;
    },
    withPointers: (arrays, written, fn) => {
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
    },
    setArgs: (a0, a1, a2, a3, a4, a5, a6, a7, a8 = 0, a9 = 0, a10 = 0, a11 = 0) => {
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
    },
    onHeap: (a, b, c = a) => heap.owns(a) && heap.owns(b) && heap.owns(c),
    forget: (out) => {
      if (!heap.owns(out)) return;
      const { kept, gathered } = ctx;
      if (kept && overlaps(out, kept.ptr, kept.bytes)) ctx.kept = undefined;
      if (gathered && (overlaps(out, gathered.dst, gathered.count * gathered.rowLen * (gathered.f32 ? 4 : 8)) || overlaps(out, gathered.src, gathered.srcBytes))) {
        if (ctx.kept?.source === gathered) ctx.kept.source = undefined;
        ctx.gathered = undefined;
      }
    },
  };
  return ctx;
}
