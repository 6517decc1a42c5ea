/**
 * The fused two-layer inference on WASM (the reference: ../predict.ts): relu((images·scale)·W1 + b1)·W2 + b2
 * and its argmax straight from the image bytes, split by images between the threads — or run whole on
 * the helper while the caller trains on (`predictTwoLayerAsync`).
 */
import { referenceKernels, type Kernels } from '../index.ts';
import type { FloatArray } from '../types.ts';
import { HeapFull, SPLIT_MIN, helperOp, is32, is64, type WasmContext } from './context.ts';
import { divisorOf } from './gather.ts';

export function createPredictKernels(ctx: WasmContext): Pick<Kernels, 'predictTwoLayer' | 'predictTwoLayerAsync'> {
  const { x, heap, scratchFor, finite, setArgs, forget, onHeap } = ctx;
  /** Whether the predict kernels run these operands in place: their dtype (true: float32), or undefined. */
  const predictDtype = (images: Uint8Array, count: number, scale: number, W1: FloatArray, b1: FloatArray, W2: FloatArray, b2: FloatArray): boolean | undefined => {
    const f32 = is32(W1, b1) && is32(W2, b2);
    const ok = (f32 || (is64(W1, b1) && is64(W2, b2))) && divisorOf(scale) > 0 && onHeap(images, W1, b1) && onHeap(W2, b2) && count > 0;
    return ok ? f32 : undefined;
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
    const helper = ctx.freeHelper();
    const split = count >= 2 && count * pixels * hidden >= SPLIT_MIN && helper !== undefined;
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
    if (split) {
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
    const helper = ctx.freeHelper();
    // No free helper, non-finite weights, or no heap for the scratch: undefined, and the caller runs predictTwoLayer.
    if (f32 === undefined || helper === undefined || !finite(W1, pixels * hidden) || !finite(W2, hidden * classes)) return undefined;
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
    ctx.helperBusy = true;
    let finished = false;
    const finish = () => {
      out.set(new Int32Array(heap.buffer, pOut, count));
      finished = true;
      ctx.helperBusy = false;
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


  return { predictTwoLayer, predictTwoLayerAsync };
}
