/**
 * IEEE 754 half precision (binary16) as NumPy's `astype(np.float16)` gives it: a double rounded once,
 * to the nearest half (ties to even), with half's subnormals (multiples of 2^-24 below 2^-14), overflow to
 * ±Infinity from 65520 on (the midpoint between 65504, the largest half, and 2^16), signed zeros and NaN
 * kept. Browser-safe; no `Math.f16round` needed (Node 20 has none).
 */

const MIN_NORMAL = 2 ** -14;
const SUBNORMAL_QUANTUM = 2 ** -24;
const OVERFLOW = 65520;

/** `n` rounded to a whole number, ties to the even one (exact for |n| < 2^52). */
function roundHalfEven(n: number): number {
  const f = Math.floor(n);
  const d = n - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** `x` rounded to the nearest float16 value, returned as a double (exactly representable in float16). */
export function roundToFloat16(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === Infinity || a >= OVERFLOW) return x > 0 ? Infinity : -Infinity;
  if (a === 0) return x;
  let quantum: number;
  if (a < MIN_NORMAL) {
    quantum = SUBNORMAL_QUANTUM;
  } else {
    // The exponent of a: 2^e <= a < 2^(e+1) (log2 may be off by one near powers of two).
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    quantum = 2 ** (e - 10);
  }
  // Scaling by a power of two is exact; so is the rounding of the scaled value.
  const r = roundHalfEven(a / quantum) * quantum;
  if (r >= 65536) return x > 0 ? Infinity : -Infinity;
  return x < 0 ? -r : r;
}

/** Rounds every value of `data` to float16, in place (as `param[...] = param.astype(np.float16)`). */
export function roundArrayToFloat16(data: { length: number; [i: number]: number }): void {
  for (let i = 0; i < data.length; i++) data[i] = roundToFloat16(data[i]);
}
