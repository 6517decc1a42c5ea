import { Tensor } from './tensor.ts';

/** NumPy's `power_of_ten`: exact table up to 1e8, then repeated multiplication by 10. */
function powerOfTen(n: number): number {
  if (n < 9) return [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8][n];
  let r = 1e9;
  for (let i = 9; i < n; i++) r *= 10;
  return r;
}

/** Round half to even, keeping the sign of zero (C's `rint`, NumPy's `np.rint`). */
export function rint(v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 52) return v;
  const f = Math.floor(v);
  const diff = v - f; // exact for |v| < 2^52
  const r = diff < 0.5 ? f : diff > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r;
}

/**
 * `np.round(x, decimals)`, computed as NumPy computes it: multiply by 10**decimals, round half to even,
 * divide (for negative decimals: divide, round, multiply), in the tensor's own precision. So
 * `round(tensor([0.125, 0.375, 2.675]), 2)` is `[0.12 0.38 2.67]`, as in NumPy (2.675 is stored as
 * 2.67499999…).
 *
 * @example
 * round(arange(-3, 3, 0.01), 2);   // [-3.   -2.99 -2.98 ...  2.97  2.98  2.99]
 */
export function round(x: Tensor, decimals = 0): Tensor {
  if (!Number.isInteger(decimals)) throw new Error(`round: decimals must be an integer, got ${decimals}`);
  const out = x.dtype === 'float32' ? new Float32Array(x.size) : new Float64Array(x.size);
  const cast = x.dtype === 'float32' ? Math.fround : (v: number): number => v;
  const f = cast(powerOfTen(Math.abs(decimals)));
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    out[i] = decimals >= 0 ? cast(rint(cast(data[i] * f)) / f) : cast(rint(cast(data[i] / f)) * f);
  }
  return new Tensor(out, x.shape);
}
