/**
 * The products on WASM (the reference: ../matmul.ts): C = A·B, Aᵀ·B, A·Bᵀ in float32 and float64, split
 * by rows between the threads when large enough (each row computed exactly as on one thread), with the
 * kept rows' lists of non-zeros (keepRows: the training batch, listed once for the step's products).
 *
 * The products that skip zeros of A check B once per call and leave a B holding NaN or ±Infinity to the
 * reference, which then multiplies densely: 0·Inf is NaN, as in NumPy.
 */
import { referenceKernels, type Kernels } from '../index.ts';
import { HeapFull, SPLIT_MIN, helperOp, is32, is64, type WasmContext } from './context.ts';

/** Kept rows of this many columns or more are listed in two segments, one per thread. */
const KEPT_SEGMENTS_MIN = 64;

/** Products below this many multiply-adds keep the row passes (the density count would not pay). */
const BLOCKED_MIN = 100_000;

export type GemmKernels = Pick<Kernels, 'gemm' | 'keepRows'>;

export function createGemmKernels(ctx: WasmContext): GemmKernels {
  const { x, heap, scratch, scratchFor, splitScratch, tnRows, finite, withPointers, setArgs, forget, onHeap, keptRecord } = ctx;
  // The whole heap as i32 (its memory never grows: the view stays valid), for the kept rows' sync block.
  const heapI32 = new Int32Array(heap.buffer);

  const keepRows: Kernels['keepRows'] = (data, rows, cols) => {
    ctx.kept = undefined;
    if (!heap.owns(data) || data.length < rows * cols || rows <= 0 || cols <= 0) return;
    const f32 = data instanceof Float32Array;
    const k = keptRecord;
    k.ptr = data.byteOffset;
    k.bytes = rows * cols * data.BYTES_PER_ELEMENT;
    k.rows = rows;
    k.cols = cols;
    k.f32 = f32;
    k.listedFor = 0;
    k.source = ctx.gathered && ctx.gathered.dst === k.ptr && ctx.gathered.count === rows && ctx.gathered.rowLen === cols && ctx.gathered.f32 === f32 ? ctx.gathered : undefined;
    ctx.kept = k;
  };
  /**
   * A·B or Aᵀ·B where A is the kept matrix: true when done (from or into its lists). Its rows are listed
   * in two segments, columns [0, h) and [h, k) (see the kept rows in assembly/kernels.ts): with a free
   * helper, A·B runs the first segments there and the second here, row by row, and Aᵀ·B gives each
   * thread C's rows of its segment; B's rows [0, h) are then the helper's (`ctx.owned`), for the update.
   */
  const gemmKept = (f32: boolean, transA: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): boolean => {
    const kept = ctx.kept;
    if (!kept || kept.ptr !== pa || kept.f32 !== f32) return false;
    const sz = f32 ? 4 : 8;
    const helper = ctx.freeHelper();
    const split = m * n * k >= SPLIT_MIN && helper !== undefined;
    if (!transA && m === kept.rows && k === kept.cols) {
      // Two segments from 64 columns (MNIST's 784 pixels: rows 0–13 and 14–27 of the image).
      const h = kept.listedFor > 0 ? kept.h : k >= KEPT_SEGMENTS_MIN ? k >> 1 : k;
      let cache: number;
      let sync = 0;
      try {
        cache = scratchFor(x.keptRowsBytes(m, k, h, sz), 4);
        if (split && h < k) sync = scratchFor(x.keptSyncBytes(m), 5);
      } catch (e) {
        // No room for the lists: the rows are not kept, and the products compress them each time.
        if (!(e instanceof HeapFull)) throw e;
        ctx.kept = undefined;
        return false;
      }
      kept.h = h;
      // The lists hold offsets into B's rows: listed again for a B of another width.
      const build = kept.listedFor === n ? 0 : 1;
      // Rows gatherRows just wrote are listed from the image bytes they were converted from: the same
      // lists, from an eighth of the bytes (a quarter in float32).
      const source = build ? kept.source : undefined;
      kept.source = undefined;
      const flags = acc | ((source ? 2 : build) << 1);
      const a = source ? source.src : pa;
      const idx = source ? source.idx : 0;
      const div = source ? source.div : 1;
      const first = f32 ? x.keptFirst_f32 : x.keptFirst_f64;
      const second = f32 ? x.keptSecond_f32 : x.keptSecond_f64;
      if (sync) {
        // The next row to claim, the failure flag and the rows' done flags start at 0.
        heapI32.fill(0, sync >> 2, (sync + x.keptSyncBytes(m)) >> 2);
        helper!.start(helperOp('keptFirst', f32), setArgs(m, n, k, a, pb, pc, flags, cache, idx, div, h, sync));
        try {
          second(m, n, k, a, pb, pc, flags, cache, idx, div, h, sync);
        } finally {
          helper!.join();
        }
        const o = ctx.ownedRecord;
        o.ptr = pb;
        o.bytes = k * n * sz;
        o.split = h * n * sz;
        ctx.owned = o;
      } else {
        first(m, n, k, a, pb, pc, flags, cache, idx, div, h, 0);
        if (h < k) second(m, n, k, a, pb, pc, flags, cache, idx, div, h, 0);
      }
      kept.listedFor = n;
      return true;
    }
    if (transA && kept.listedFor > 0 && k === kept.rows && m === kept.cols) {
      const { h } = kept;
      const cache = scratchFor(x.keptRowsBytes(k, m, h, sz), 4);
      const TN = f32 ? x.keptTN_f32 : x.keptTN_f64;
      // Every block is reserved before the helper starts: a full heap then changes nothing.
      if (split && h < m && splitScratch(x.keptTNScratch(m - h, k, sz), x.keptTNScratch(h, k, sz))) {
        // C's rows [0, h) on the helper (from its segment's lists), [h, m) here.
        helper.start(helperOp('keptTN', f32), setArgs(m, n, k, pb, pc, acc, scratch[1].ptr, 0, h, cache, h));
        try {
          TN(m, n, k, pb, pc, acc, scratch[0].ptr, h, m, cache, h);
        } finally {
          helper.join();
        }
      } else {
        // Each segment's rows on this thread, in as few chunks as the heap has scratch for.
        for (let s0 = 0; s0 < m; s0 = s0 < h ? h : m) {
          const s1 = s0 < h ? h : m;
          const len = tnRows(true, s1 - s0, k, sz);
          for (let i0 = s0; i0 < s1; i0 += len) TN(m, n, k, pb, pc, acc, scratch[0].ptr, i0, Math.min(s1, i0 + len), cache, h);
        }
      }
      return true;
    }
    return false;
  };

  /**
   * C = A·Bᵀ from packed panels of B (gemmPanels: B's rows of a strip of C's columns transposed into a
   * panel that stays in L1, then the row passes over A's non-zeros), C's columns split between the threads
   * when large enough. It replaced B transposed whole and the tiled dot products (gemmNT) from k = 32,
   * one thread, interleaved in one process (`node --import tsx bench/gemm-nt.ts`), A half zeros (dout after
   * a ReLU): SimpleConvNet's Affine 4320→100 dx 6.3 → 3.9 ms (float64, B transposed whole) and 2.8 → 1.4 ms
   * (float32, dot products); DeepConvNet's 1024→50 1.1 → 0.46 ms and 0.49 → 0.17 ms. Below k = 32 (chapter
   * 5's dout·W2ᵀ, k = 10) B is transposed whole: a strip's row pass over a list of ≤ 10 non-zeros costs more
   * in loads and stores of its accumulators than it saves.
   */
  const panelsAt = (f32: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): void => {
    const run = f32 ? x.gemmPanels_f32 : x.gemmPanels_f64;
    const bytes = x.gemmPanelsScratch(m, k, f32 ? 4 : 8);
    const width = f32 ? 52 : 26; // a panel's columns (13 vectors)
    const helper = ctx.freeHelper();
    if (n > width && m * n * k >= SPLIT_MIN && helper !== undefined && splitScratch(bytes, bytes)) {
      // C's columns [0, h) here, [h, n) there (whole strips): each value computed as on one thread.
      const h = width * Math.ceil(n / width / 2);
      helper.start(helperOp('gemmPanels', f32), setArgs(m, n, k, pa, pb, pc, acc, scratch[1].ptr, h, n));
      try {
        run(m, n, k, pa, pb, pc, acc, scratch[0].ptr, 0, h);
      } finally {
        helper.join();
      }
    } else run(m, n, k, pa, pb, pc, acc, scratchFor(bytes), 0, n);
  };

  /**
   * Whether op(A) (m×k at pa) goes to the register-blocked kernel (gemmBlocked): in float32 on the relaxed
   * build only, in a product large enough for the count of A's non-zeros (one pass over A) to be noise,
   * and only where A is dense enough — the blocked kernel skips no zero of A, the row passes skip them all.
   * Measured one thread, both paths interleaved in one process (`node --import tsx bench/gemm-paths.ts`):
   * float32 relaxed, the blocked kernel runs at 43–50 GFLOP/s whatever A holds; the row passes' A·B (a 1×13
   * tile, as efficient per multiply-add) overtake it below ~90 % non-zeros, their Aᵀ·B (which first
   * regroups A's non-zeros by column) below ~60 %. In float64, without fused multiply-adds, the 3×3 tile
   * reached 11.5 GFLOP/s against the row passes' 17–18 on dense A: float64 keeps the row passes (its results
   * are the same bits either way).
   */
  const blocked = (f32: boolean, transA: boolean, m: number, n: number, k: number, pa: number): boolean =>
    f32 && ctx.relaxed && n >= 8 && m * n * k >= BLOCKED_MIN && x.nonZeros_f32(m * k, pa) >= (transA ? 0.6 : 0.9) * m * k;

  /** op(A)·B with the register-blocked kernel, C's rows split between the threads when large enough. */
  const blockedAt = (f32: boolean, transA: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): void => {
    const run = f32 ? x.gemmBlocked_f32 : x.gemmBlocked_f64;
    const helper = ctx.freeHelper();
    const ta = transA ? 1 : 0;
    if (m >= 6 && m * n * k >= SPLIT_MIN && helper !== undefined) {
      // Rows [0, h) here, [h, m) there (h a multiple of 3: the same tiles as on one thread).
      const h = 3 * Math.floor(m / 6);
      helper.start(helperOp('gemmBlocked', f32), setArgs(ta, m, n, k, pa, pb, pc, acc, h, m));
      try {
        run(ta, m, n, k, pa, pb, pc, acc, 0, h);
      } finally {
        helper.join();
      }
    } else run(ta, m, n, k, pa, pb, pc, acc, 0, m);
  };

  /** C = A·B on heap addresses, split by rows between the threads when it is large enough. */
  const gemmNNAt = (f32: boolean, m: number, n: number, k: number, pa: number, pb: number, pc: number, acc: number): void => {
    const sz = f32 ? 4 : 8;
    if (blocked(f32, false, m, n, k, pa)) {
      blockedAt(f32, false, m, n, k, pa, pb, pc, acc);
      return;
    }
    const NN = f32 ? x.gemmNN_f32 : x.gemmNN_f64;
    const helper = ctx.freeHelper();
    const split = m >= 2 && m * n * k >= SPLIT_MIN && helper !== undefined;
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
    const helper = ctx.freeHelper();
    const split = m >= 2 && m * n * k >= SPLIT_MIN && helper !== undefined;
    if (!transA && !transB) gemmNNAt(f32, m, n, k, pa, pb, pc, acc);
    else if (transA && blocked(f32, true, k, n, m, pa)) blockedAt(f32, true, m, n, k, pa, pb, pc, acc);
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
    } else if (k < 32) {
      // Bᵀ (k×n) in slot 6, reserved (HeapFull) before anything is written; then A·(Bᵀ).
      const s = scratchFor(n * k * sz, 6);
      (f32 ? x.transpose_f32 : x.transpose_f64)(n, k, pb, s);
      gemmNNAt(f32, m, n, k, pa, s, pc, acc);
    } else panelsAt(f32, m, n, k, pa, pb, pc, acc);
  };

  const gemm: Kernels['gemm'] = (transA, transB, m, n, k, a, b, c, accumulate = false) => {
    const f32 = is32(a, b, c);
    if ((!f32 && !is64(a, b, c)) || (transA && transB) || m === 0 || n === 0) {
      referenceKernels.gemm(transA, transB, m, n, k, a, b, c, accumulate);
      return;
    }
    forget(c);
    // Every path skips zeros of A: exact only for a finite B.
    if (!finite(b, k * n)) {
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


  return { gemm, keepRows };
}
