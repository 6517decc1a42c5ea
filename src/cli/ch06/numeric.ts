/**
 * The small numerical helpers the chapter-6 scripts lean on: `shuffle_dataset` for MNIST splits kept as
 * bytes (the book's `smooth_curve` and tensor `shuffle_dataset` are the library's, `util/book-util.ts`), NumPy's `logspace` (with 10^y correctly rounded, as glibc's `pow`
 * gives it: V8's `Math.pow(10, -0.8)` is one ulp off and would change a printed title) and `histogram`.
 * Browser-safe.
 */
import { MnistSplit } from '../../data/mnist.ts';
import type { Random } from '../../tensor/random.ts';

export { kaiser, smoothCurve, permutation } from '../../util/book-util.ts';
import { permutation } from '../../util/book-util.ts';

// --- 10^y correctly rounded, in double-double arithmetic ------------------------------------------

type DD = [hi: number, lo: number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function split(a: number): DD {
  const c = 134217729 * a; // 2^27 + 1
  const hi = c - (c - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  return twoSum(s, e + a[1] + b[1]);
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

const LN10: DD = [2.302585092994046, -2.1707562233822494e-16];
const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];

/**
 * `10 ** y` rounded once from ~100 bits (exact powers of ten for whole `y`), as C's `pow` gives it and
 * NumPy's `logspace` with it.
 */
export function pow10(y: number): number {
  if (Number.isInteger(y) && Math.abs(y) <= 22) return y >= 0 ? 10 ** y : 1 / 10 ** -y;
  if (!Number.isFinite(y) || Math.abs(y) > 300) return Math.pow(10, y);
  // z = y·ln 10 = k·ln 2 + r, |r| <= ln2/2; e^r by its Taylor series; then scale by 2^k (exact).
  const z = ddMul([y, 0], LN10);
  const k = Math.round(z[0] / LN2[0]);
  const r = ddAdd(z, ddMul([-k, 0], LN2));
  let sum: DD = [1, 0];
  let term: DD = [1, 0];
  for (let i = 1; i < 40; i++) {
    term = ddMul(term, r);
    // Division by a small integer: the high part's rounding error goes into the low part.
    const q = term[0] / i;
    const [p, e] = twoProd(q, i);
    term = twoSum(q, (term[0] - p - e + term[1]) / i);
    sum = ddAdd(sum, term);
    if (Math.abs(term[0]) < 1e-34) break;
  }
  return (sum[0] + sum[1]) * 2 ** k;
}

/** NumPy's `np.logspace(start, stop, num)`: 10 to the powers of `linspace(start, stop, num)`. */
export function logspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = div > 0 ? (stop - start) / div : 0;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(pow10(div > 0 && i === div ? stop : i * step + start));
  return out;
}

/** The book's `shuffle_dataset` for images kept as bytes: a new split with the images and labels in a random order. */
export function shuffleDataset(split: MnistSplit, rng: Random): MnistSplit {
  const order = permutation(split.count, rng);
  const p = split.pixels;
  const images = new Uint8Array(split.count * p);
  const labels = new Uint8Array(split.count);
  for (let i = 0; i < split.count; i++) {
    images.set(split.images.subarray(order[i] * p, (order[i] + 1) * p), i * p);
    labels[i] = split.labels[order[i]];
  }
  return new MnistSplit(images, labels, split.rows, split.cols);
}
