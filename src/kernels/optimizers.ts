/**
 * The update loops of the optimizers of chapter 6 (the book's `common/optimizer.py`), one fused
 * pass per parameter over its typed arrays: parameter `p`, gradient `g` and the optimizer's state
 * (`v`, `h`, `m`), all updated in place, nothing allocated. (SGD's update is `axpy`, in elementwise.ts,
 * which the WASM backend already replaces.)
 *
 * Each loop repeats the book's NumPy expression in NumPy's order of operations, so the results are
 * the ones NumPy computes, bit for bit:
 * - float64: JavaScript numbers are float64, so writing the expression in the same order is enough.
 * - float32: NumPy 2 casts a Python-float hyperparameter to float32 (NEP 50: Python scalars are
 *   "weak") and rounds every intermediate array to float32. Here each intermediate is rounded with
 *   `Math.fround`; a float32 `+ − × ÷ √` computed in float64 and rounded once is the correctly
 *   rounded float32 result (float64 has more than 2·24 + 2 bits), so this equals NumPy's float32 loops.
 *
 * The hyperparameters arrive as the float64 numbers Python holds (`(1 + momentum) * lr` and the like
 * are computed by the caller, in Python's order) and are rounded to float32 here where NumPy would.
 */
import type { FloatArray } from './types.ts';

/** `1e-7`, the book's guard against dividing by zero in AdaGrad, RMSprop and Adam. */
const EPS = 1e-7;
const EPS32 = Math.fround(EPS);
const f = Math.fround;

/** Momentum: `v = momentum * v - lr * g; p += v`. */
export function momentumUpdate(lr: number, momentum: number, v: FloatArray, g: FloatArray, p: FloatArray): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const lr32 = f(lr);
    const mo32 = f(momentum);
    for (let i = 0; i < n; i++) {
      const vi = f(f(mo32 * v[i]) - f(lr32 * g[i]));
      v[i] = vi;
      p[i] = f(p[i] + vi);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const vi = momentum * v[i] - lr * g[i];
    v[i] = vi;
    p[i] = p[i] + vi;
  }
}

/**
 * Nesterov, as the book's current code (after its "Fix Nesterov update function" commit):
 * `p += momentum² * v; p -= (1 + momentum) * lr * g; v *= momentum; v -= lr * g` — the parameter moves
 * with the old `v`, then `v` is updated. `momentumSquared = momentum * momentum` and
 * `stepScale = (1 + momentum) * lr` are the Python-float products the book forms before touching arrays.
 */
export function nesterovUpdate(
  lr: number,
  momentum: number,
  momentumSquared: number,
  stepScale: number,
  v: FloatArray,
  g: FloatArray,
  p: FloatArray,
): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const lr32 = f(lr);
    const mo32 = f(momentum);
    const mm32 = f(momentumSquared);
    const s32 = f(stepScale);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const vi = v[i];
      const pi = f(p[i] + f(mm32 * vi));
      p[i] = f(pi - f(s32 * gi));
      v[i] = f(f(vi * mo32) - f(lr32 * gi));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const vi = v[i];
    const pi = p[i] + momentumSquared * vi;
    p[i] = pi - stepScale * gi;
    v[i] = vi * momentum - lr * gi;
  }
}

/** AdaGrad: `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)`. */
export function adaGradUpdate(lr: number, h: FloatArray, g: FloatArray, p: FloatArray): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const lr32 = f(lr);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const hi = f(h[i] + f(gi * gi));
      h[i] = hi;
      p[i] = f(p[i] - f(f(lr32 * gi) / f(f(Math.sqrt(hi)) + EPS32)));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const hi = h[i] + gi * gi;
    h[i] = hi;
    p[i] = p[i] - (lr * gi) / (Math.sqrt(hi) + EPS);
  }
}

/**
 * RMSprop: `h *= decayRate; h += (1 - decayRate) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
 * `oneMinusDecay` is the Python float `1 - decayRate`.
 */
export function rmspropUpdate(lr: number, decayRate: number, oneMinusDecay: number, h: FloatArray, g: FloatArray, p: FloatArray): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const lr32 = f(lr);
    const d32 = f(decayRate);
    const a32 = f(oneMinusDecay);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const hi = f(f(h[i] * d32) + f(f(a32 * gi) * gi));
      h[i] = hi;
      p[i] = f(p[i] - f(f(lr32 * gi) / f(f(Math.sqrt(hi)) + EPS32)));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const hi = h[i] * decayRate + oneMinusDecay * gi * gi;
    h[i] = hi;
    p[i] = p[i] - (lr * gi) / (Math.sqrt(hi) + EPS);
  }
}

/**
 * Adam, in the book's in-place form: `m += (1 - beta1) * (g - m); v += (1 - beta2) * (g² - v);
 * p -= lrT * m / (sqrt(v) + 1e-7)`, where `lrT` is the step's bias-corrected rate and `oneMinusBeta1`,
 * `oneMinusBeta2` the Python floats `1 - beta1`, `1 - beta2`.
 *
 * float32: `lrT` is a NumPy float64 scalar in the book (it comes from `np.sqrt`), and NumPy scalars are
 * not weak, so `lrT * m / (…)` and the subtraction from `p` run in float64 with one final rounding.
 */
export function adamUpdate(
  lrT: number,
  oneMinusBeta1: number,
  oneMinusBeta2: number,
  m: FloatArray,
  v: FloatArray,
  g: FloatArray,
  p: FloatArray,
): void {
  const n = p.length;
  if (p instanceof Float32Array) {
    const a1 = f(oneMinusBeta1);
    const a2 = f(oneMinusBeta2);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = f(m[i] + f(a1 * f(gi - m[i])));
      const vi = f(v[i] + f(a2 * f(f(gi * gi) - v[i])));
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] - (lrT * mi) / f(f(Math.sqrt(vi)) + EPS32);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = m[i] + oneMinusBeta1 * (gi - m[i]);
    const vi = v[i] + oneMinusBeta2 * (gi * gi - v[i]);
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] - (lrT * mi) / (Math.sqrt(vi) + EPS);
  }
}
