import type { FloatArray } from './types.ts';

/**
 * True when the first `len` values of `x` are all finite (no NaN, no ±Infinity). The zero-skipping
 * products ask this of their B once per call: 0·Inf and 0·NaN are NaN (IEEE 754, and so NumPy's `dot`),
 * so skipping a zero of A is exact only when B is finite. `v - v` is 0 for finite values, NaN otherwise.
 */
export function allFinite(x: FloatArray, len: number): boolean {
  for (let i = 0; i < len; i++) {
    const v = x[i];
    if (v - v !== 0) return false;
  }
  return true;
}
