/**
 * The book's `common/util.py` helpers that are not convolution (`im2col` is in `util/im2col.ts`):
 * `smoothCurve` (`smooth_curve`) and `shuffleDataset` (`shuffle_dataset`), with NumPy's `kaiser` window and a
 * seeded permutation. Browser-safe.
 */
import type { Random } from '../tensor/random.ts';
import { Mask, Tensor, type AnyTensor } from '../tensor/tensor.ts';

/** The modified Bessel function I₀ by its power series (converges fast for the small arguments used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/** NumPy's `np.kaiser(m, beta)`: the Kaiser window of `m` points. */
export function kaiser(m: number, beta: number): Float64Array {
  const w = new Float64Array(m);
  if (m === 1) {
    w[0] = 1;
    return w;
  }
  const denom = besselI0(beta);
  for (let n = 0; n < m; n++) {
    const r = (2 * n) / (m - 1) - 1;
    w[n] = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / denom;
  }
  return w;
}

/**
 * The book's `smooth_curve` (common/util.py), which the chapter-6 figures draw losses with: the series reflected at both ends by 10 points, convolved with a normalised
 * 11-point Kaiser window (β = 2), cut back to the series' length. Series shorter than the window
 * (where the book's slicing breaks down) are returned as they are.
 */
export function smoothCurve(x: ArrayLike<number>): number[] {
  const windowLen = 11;
  const n = x.length;
  if (n < windowLen) return Array.from(x);
  const w = kaiser(windowLen, 2);
  let total = 0;
  for (const v of w) total += v;
  const half = (windowLen - 1) / 2;
  // As the book's np.r_: the start mirrored without x[0] (x[10], …, x[1]), the end with x[n−1]
  // (x[n−1], …, x[n−10]). The window is symmetric, so convolution and correlation agree.
  const at = (i: number) => x[i < 0 ? -i : i >= n ? 2 * n - 1 - i : i];
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < windowLen; j++) s += (w[j] / total) * at(i - half + j);
    out[i] = s;
  }
  return out;
}

/** A random permutation of 0…n−1 (Fisher–Yates), as `np.random.permutation(n)`. */
export function permutation(n: number, rng: Random): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * The book's `shuffle_dataset(x, t)`: one random permutation (from `rng`, so a seed repeats it) applied to
 * the first axis of both — rows of `x` (any rank: flat rows or N×C×H×W images) and entries of `t` (labels or
 * one-hot rows). New tensors; the inputs are left as they are.
 *
 * @example
 * const { x, t } = shuffleDataset(xTrain, tTrain, new Random(1));
 */
export function shuffleDataset<X extends AnyTensor, T extends AnyTensor>(x: X, t: T, rng: Random): { x: X; t: T } {
  const n = x.shape[0];
  if (x.ndim === 0 || t.ndim === 0 || t.shape[0] !== n) {
    throw new Error(`shuffleDataset: x of shape (${x.shape.join(', ')}) and t of shape (${t.shape.join(', ')}) do not have the same number of rows`);
  }
  const order = permutation(n, rng);
  const take = <A extends AnyTensor>(a: A): A => {
    const per = n === 0 ? 0 : a.size / n;
    const src = a.data;
    const out = new (src.constructor as new (length: number) => typeof src)(src.length);
    for (let i = 0; i < n; i++) out.set(src.subarray(order[i] * per, (order[i] + 1) * per), i * per);
    return (a.dtype === 'bool' ? new Mask(out as Uint8Array, a.shape) : new Tensor(out as never, a.shape, a.dtype as never)) as unknown as A;
  };
  return { x: take(x), t: take(t) };
}

/**
 * NumPy's `np.histogram(a, bins, range=[lo, hi])` counts: equal bins over [lo, hi], the last closed;
 * values outside the range are not counted.
 */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[v === hi ? bins - 1 : Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return counts;
}
