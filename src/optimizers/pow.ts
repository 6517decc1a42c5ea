/**
 * `base ** n` for an integer `n ≥ 0`, correctly rounded: binary exponentiation in double-double
 * arithmetic (about 100 bits, with a separate power-of-two exponent so nothing under- or overflows on
 * the way), then one rounding. Exceptions: results within ~2⁻⁹⁰ relative of a rounding midpoint (none
 * known), and subnormal results (below 2⁻¹⁰²²), which are rounded twice.
 *
 * Adam needs `beta ** iter` as Python computes it, with C's `pow`. V8's `Math.pow` is off by one ulp for
 * many such pairs (0.9 ** 4 gives 0.6561000000000001), and that ulp would reach every parameter through
 * the step's rate. glibc's `pow` is correctly rounded nearly always (the fixtures list the rare
 * (beta, n) where it is an ulp off; none within Adam's first thousands of steps for the book's betas).
 */
export function powInt(base: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`powInt: exponent must be an integer >= 0, got ${n}`);
  if (!Number.isFinite(base) || base === 0) return Math.pow(base, n);
  let r = { hi: 1, lo: 0, exp: 0 };
  let b = normalize({ hi: base, lo: 0, exp: 0 });
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) r = normalize(mulDD(r, b));
    if (k > 1) b = normalize(mulDD(b, b));
  }
  return scale(r.hi + r.lo, r.exp);
}

/** A double-double `(hi + lo) · 2^exp`, |hi| kept within [2⁻²⁵⁰, 2²⁵⁰] so Dekker's products stay exact. */
interface DD {
  hi: number;
  lo: number;
  exp: number;
}

const SPLITTER = 134217729; // 2^27 + 1: Dekker's split of a double into two 26-bit halves
const BIG = 2 ** 250;
const SMALL = 2 ** -250;

function normalize(x: DD): DD {
  while (Math.abs(x.hi) < SMALL) x = { hi: x.hi * BIG, lo: x.lo * BIG, exp: x.exp - 250 };
  while (Math.abs(x.hi) > BIG) x = { hi: x.hi * SMALL, lo: x.lo * SMALL, exp: x.exp + 250 };
  return x;
}

/** a · b as a double-double (Dekker's exact product of the high parts, plus the cross terms). */
function mulDD(a: DD, b: DD): DD {
  const p = a.hi * b.hi;
  let t = SPLITTER * a.hi;
  const ah = t - (t - a.hi);
  const al = a.hi - ah;
  t = SPLITTER * b.hi;
  const bh = t - (t - b.hi);
  const bl = b.hi - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl + (a.hi * b.lo + a.lo * b.hi);
  const hi = p + e;
  return { hi, lo: e - (hi - p), exp: a.exp + b.exp };
}

/** v · 2^e with one rounding (v is within [2⁻²⁵¹, 2²⁵¹]; the steps of 2^±500 before the last are exact). */
function scale(v: number, e: number): number {
  while (e <= -1000 && v !== 0) {
    v *= 2 ** -500;
    e += 500;
  }
  while (e >= 1000 && Number.isFinite(v)) {
    v *= 2 ** 500;
    e -= 500;
  }
  return v * 2 ** e;
}
