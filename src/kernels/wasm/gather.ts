/**
 * A training batch gathered on WASM (the reference: `gatherRows` in ../elementwise.ts): rows of image
 * bytes converted to floats in one pass — split between the threads with a free helper, which then has
 * its half of the batch in its own cache for the products — and remembered (`ctx.gathered`) so that the
 * first product of the kept batch can list its non-zeros from the bytes.
 */
import { referenceKernels, type Kernels } from '../index.ts';
import { helperOp, type WasmContext } from './context.ts';

/** bytesToFloat's scale as the byte kernels take it: 255 (pixels to [0, 1]) or 1; 0 for any other scale. */
export const divisorOf = (scale: number): number => (scale === 1 / 255 ? 255 : scale === 1 ? 1 : 0);

export function createGatherKernels(ctx: WasmContext, bytesToFloat: Kernels['bytesToFloat']): Pick<Kernels, 'gatherRows'> {
  const { x, heap, setArgs, forget, gatheredRecord } = ctx;
  // The row indices, copied to the heap for the kernel (a view kept across calls: no allocation per batch).
  let indexView = new Uint32Array(0);
  // Off-heap sources: rows are staged contiguously on the heap (a memcpy each), then converted.
  let staging: Uint8Array | undefined;
  const gatherRows: Kernels['gatherRows'] = (src, rowLen, indices, dst, scale) => {
    forget(dst);
    // The index list is about to be rewritten: no earlier gather can be read back from it.
    if (ctx.kept) ctx.kept.source = undefined;
    ctx.gathered = undefined;
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
      const helper = ctx.freeHelper();
      if (count >= 2 && helper !== undefined) {
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
      ctx.gathered = g;
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
    else bytesToFloat(stage.subarray(0, bytes), dst, scale);
  };

  return { gatherRows };
}
