/**
 * The one gradient-check helper every layer and network test goes through: backprop gradients must
 * match central-difference numerical gradients (float64) to a small relative error.
 */
import assert from 'node:assert/strict';
import { mul, numericalGradient, sum, type Layer, type Tensor } from '../../src/index.ts';
import { hasParams } from '../../src/layers/layer.ts';

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

/**
 * The whole check of one layer at `x`: `dx` and every parameter gradient the layer lists (`paramKeys`)
 * against numerical gradients of `Σ forward(x, trainFlg) · dout`, and `backward` leaving `dout` alone.
 * `trainFlg` is passed to every forward (BatchNormalization in training mode normalizes with the batch's
 * own statistics, so `x` enters them too). A layer whose training forward is random (Dropout) must be
 * checked with its randomness fixed instead.
 */
export function expectLayerGradientsClose(layer: Layer, x: Tensor, dout: Tensor, trainFlg = false, tolerance = GRAD_TOLERANCE): void {
  layer.forward(x, trainFlg);
  const doutBefore = Array.from(dout.data);
  const dx = layer.backward(dout).copy();
  assert.deepEqual(Array.from(dout.data), doutBefore, 'backward must not mutate dout');
  const wrt: [string, Tensor, Tensor][] = [['dx', x, dx]];
  if (hasParams(layer)) {
    for (const key of layer.paramKeys) {
      const g = layer.grad(key);
      assert.ok(g !== undefined, `${key}: no gradient after backward`);
      wrt.push([`d${key}`, layer.param(key), g.copy()]);
    }
  }
  expectGradientsClose(() => sum(mul(layer.forward(x, trainFlg), dout)), wrt, tolerance);
}
