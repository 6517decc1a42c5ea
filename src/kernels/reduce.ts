import type { FloatArray } from './types.ts';

/*
 * Reductions over one axis. The tensor is viewed as (outer, len, inner): the reduced axis has `len`
 * elements, `inner` is the product of the dimensions after it. The output is (outer, inner).
 */

export function sumAxis(x: FloatArray, outer: number, len: number, inner: number, out: FloatArray): void {
  out.fill(0, 0, outer * inner);
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    const ob = o * inner;
    for (let l = 0; l < len; l++) {
      const row = base + l * inner;
      for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
    }
  }
}

/** Max over the axis; NaN propagates as in NumPy. */
export function maxAxis(x: FloatArray, outer: number, len: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let l = 0; l < len; l++) {
        const v = x[base + l * inner + i];
        if (v > m || v !== v) {
          m = v;
          if (v !== v) break;
        }
      }
      out[o * inner + i] = m;
    }
  }
}

/** Index of the first maximum over the axis (NumPy's argmax: the first NaN wins). */
export function argmaxAxis(x: FloatArray, outer: number, len: number, inner: number, out: FloatArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let i = 0; i < inner; i++) {
      let m = x[base + i];
      let best = 0;
      if (m === m) {
        for (let l = 1; l < len; l++) {
          const v = x[base + l * inner + i];
          if (v > m || v !== v) {
            m = v;
            best = l;
            if (v !== v) break;
          }
        }
      }
      out[o * inner + i] = best;
    }
  }
}

/**
 * Softmax over the last axis of a rows×cols matrix, with the max subtracted first (overflow guard,
 * the book's `# オーバーフロー対策`). `out` may be `x`.
 */
export function softmaxRows(x: FloatArray, rows: number, cols: number, out: FloatArray): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) if (x[base + j] > m) m = x[base + j];
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[base + j] - m);
      out[base + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < cols; j++) out[base + j] *= inv;
  }
}

/**
 * The book's cross-entropy error with label indices: `-Σ log(y[i, t[i]] + 1e-7) / rows`.
 * Labels must already be validated.
 */
export function crossEntropyLabels(y: FloatArray, rows: number, cols: number, labels: ArrayLike<number>): number {
  let s = 0;
  for (let r = 0; r < rows; r++) s += Math.log(y[r * cols + labels[r]] + 1e-7);
  return -s / rows;
}

/** Cross-entropy with one-hot (or soft) targets: `-Σ t * log(y + 1e-7) / rows`. */
export function crossEntropyDense(y: FloatArray, t: FloatArray, rows: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) if (t[i] !== 0) s += t[i] * Math.log(y[i] + 1e-7);
  return -s / rows;
}

/** Softmax-with-loss backward for label indices: `dx = (y - onehot(t)) * scale`. */
export function softmaxLossBackwardLabels(
  y: FloatArray,
  rows: number,
  cols: number,
  labels: ArrayLike<number>,
  scale: number,
  dx: FloatArray,
): void {
  for (let i = 0; i < rows * cols; i++) dx[i] = y[i] * scale;
  for (let r = 0; r < rows; r++) dx[r * cols + labels[r]] -= scale;
}

/** Softmax-with-loss backward for dense targets: `dx = (y - t) * scale`. */
export function softmaxLossBackwardDense(y: FloatArray, t: FloatArray, scale: number, dx: FloatArray): void {
  for (let i = 0; i < y.length; i++) dx[i] = (y[i] - t[i]) * scale;
}

/** `Σ x²` (weight decay's `np.sum(W**2)`), accumulated in float64. */
export function sumSquares(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}
