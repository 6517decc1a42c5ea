import { allFinite } from './finite.ts';
import type { FloatArray } from './types.ts';

/**
 * Row-major GEMM: `c (m×n) = op(a) · op(b)` (or `c += …` when `accumulate`), where `op(a)` is
 * `a` (m×k) or, with `transA`, the transpose of the k×m matrix `a`; likewise `op(b)` is `b` (k×n) or,
 * with `transB`, the transpose of the n×k matrix `b`. Transposes are read in place, never copied.
 *
 * Loop orders keep the innermost loop contiguous. The two orders that scale a row of `b` by one
 * element of `a` skip zero elements: MNIST images are ~80 % zero pixels, so `x·W` and `xᵀ·dout`
 * do a fifth of the work. Skipping is exact only while B is finite: 0·Inf and 0·NaN are NaN (as in NumPy's
 * `dot`), so a B holding a NaN or an infinity (checked once per call) is multiplied densely.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  accumulate = false,
): void {
  if (!transB) {
    if (!accumulate) c.fill(0, 0, m * n);
    const skipZeros = allFinite(b, k * n);
    if (!transA) {
      for (let i = 0; i < m; i++) {
        const cRow = i * n;
        const aRow = i * k;
        for (let p = 0; p < k; p++) {
          const av = a[aRow + p];
          if (av === 0 && skipZeros) continue;
          const bRow = p * n;
          for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    } else {
      for (let p = 0; p < k; p++) {
        const aRow = p * m;
        const bRow = p * n;
        for (let i = 0; i < m; i++) {
          const av = a[aRow + i];
          if (av === 0 && skipZeros) continue;
          const cRow = i * n;
          for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
        }
      }
    }
    return;
  }
  // op(b) = bᵀ with b n×k: every output element is a dot product of two contiguous rows (or, with
  // transA as well, of a strided column of a).
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let s = 0;
      if (!transA) {
        const aRow = i * k;
        for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
      } else {
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[bRow + p];
      }
      c[cRow + j] = accumulate ? c[cRow + j] + s : s;
    }
  }
}

/** `out[i, j] = x[i, j] + bias[j]` for an m×n matrix (out may be x). */
export function addRowVector(x: FloatArray, bias: FloatArray, m: number, n: number, out: FloatArray): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[row + j] = x[row + j] + bias[j];
  }
}

/** `out[j] = Σ_i x[i, j]`: the column sums of an m×n matrix (Affine's `db`). */
export function sumRows(x: FloatArray, m: number, n: number, out: FloatArray): void {
  out.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] += x[row + j];
  }
}

/**
 * A promise from the caller: `data` (rows×cols) will be read by several products and not written until
 * it is written by a kernel again (the training batch: x·W1, xᵀ·dout, x·W1 after the update). A faster
 * backend may then list its non-zeros once and reuse the lists; writing it by other means (a JS loop) in
 * between breaks the promise. Here, in the reference, nothing is kept.
 */
export function keepRows(_data: FloatArray, _rows: number, _cols: number): void {}
