/**
 * The one gradient-check helper every layer and network test goes through: backprop gradients must
 * match central-difference numerical gradients (float64) to a small relative error.
 */
import assert from 'node:assert/strict';
import { numericalGradient, type Tensor } from '../../src/index.ts';

/** ‖a − b‖ / max(‖a‖ + ‖b‖, tiny): scale-free, and 0 only when they agree. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'gradient sizes differ');
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-12);
}

/** Mean absolute difference, as the book's gradient_check.py prints it. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Default tolerance: central differences with h = 1e-4 in float64 agree to ~1e-9 on smooth functions. */
export const GRAD_TOLERANCE = 1e-7;

/**
 * For each `[name, tensor, analytic]`, computes the numerical gradient of `f` with respect to `tensor`
 * (which `f` must read) and asserts it matches `analytic`.
 */
export function expectGradientsClose(
  f: () => number,
  wrt: ReadonlyArray<readonly [name: string, x: Tensor, analytic: Tensor]>,
  tolerance = GRAD_TOLERANCE,
): void {
  for (const [name, x, analytic] of wrt) {
    assert.deepEqual([...analytic.shape], [...x.shape], `${name}: gradient shape`);
    const numeric = numericalGradient(() => f(), x);
    const err = relativeError(analytic.data, numeric.data);
    assert.ok(err < tolerance, `${name}: relative error ${err.toExponential(2)} >= ${tolerance}`);
  }
}
