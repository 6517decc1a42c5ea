import { bytesToFloat, reluForward } from './elementwise.ts';
import { addRowVector, gemm } from './matmul.ts';
import { argmaxAxis } from './reduce.ts';
import type { FloatArray, PendingWork } from './types.ts';

/** Rows per chunk of the reference `predictTwoLayer`. */
const CHUNK = 100;

/**
 * Inference of the book's two-layer net (Affine → ReLU → Affine) on images given as bytes, as one
 * kernel: `out[r]` = the index of the highest score (first maximum; NumPy's argmax) of
 * `relu((images[r] · scale)·W1 + b1)·W2 + b2`, for `count` images of `pixels` bytes. W1 is pixels×hidden,
 * W2 hidden×classes.
 *
 * This reference runs exactly the kernels `TwoLayerNet.predict` runs layer by layer (bytesToFloat,
 * gemm, addRowVector, reluForward, gemm, addRowVector, argmaxAxis), a chunk of rows at a time. As one
 * call, a faster backend can keep every intermediate row in cache, read the pixels as bytes, and split
 * the images between threads — evaluation of all 70 000 MNIST images is this call.
 */
export function predictTwoLayer(
  images: Uint8Array,
  count: number,
  pixels: number,
  scale: number,
  W1: FloatArray,
  b1: FloatArray,
  W2: FloatArray,
  b2: FloatArray,
  hidden: number,
  classes: number,
  out: Int32Array,
): void {
  const Float = W1 instanceof Float32Array ? Float32Array : Float64Array;
  const rows = Math.min(CHUNK, count);
  const x = new Float(rows * pixels);
  const h = new Float(rows * hidden);
  const mask = new Uint8Array(rows * hidden);
  const s = new Float(rows * classes);
  const best = new Float64Array(rows);
  for (let start = 0; start < count; start += rows) {
    const n = Math.min(rows, count - start);
    bytesToFloat(images.subarray(start * pixels, (start + n) * pixels), x, scale);
    gemm(false, false, n, hidden, pixels, x, W1, h);
    addRowVector(h, b1, n, hidden, h);
    reluForward(h.subarray(0, n * hidden), h, mask);
    gemm(false, false, n, classes, hidden, h, W2, s);
    addRowVector(s, b2, n, classes, s);
    argmaxAxis(s, n, classes, 1, best);
    for (let r = 0; r < n; r++) out[start + r] = best[r];
  }
}

/**
 * `predictTwoLayer` started on another thread, so the caller can go on (training) meanwhile: returns the
 * pending work, whose `done()`/`wait()` write the predictions to `out`; or undefined where no thread is
 * free — as here, in the reference: then call `predictTwoLayer`. The weights must not change until done.
 */
export function predictTwoLayerAsync(
  _images: Uint8Array,
  _count: number,
  _pixels: number,
  _scale: number,
  _W1: FloatArray,
  _b1: FloatArray,
  _W2: FloatArray,
  _b2: FloatArray,
  _hidden: number,
  _classes: number,
  _out: Int32Array,
): PendingWork | undefined {
  return undefined;
}
