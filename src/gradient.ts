import type { Tensor } from './tensor/tensor.ts';

/**
 * The numerical gradient of `f` at `x` by central differences, `(f(x + h) - f(x - h)) / 2h` with the
 * book's `h = 1e-4`, one element at a time. Works for any shape. `x` is perturbed in place while `f` is
 * evaluated and restored afterwards, so it is left exactly as it was found — which also means `f` must
 * read `x` (e.g. a network loss that reads `params.W1`).
 *
 * Use float64: in float32, `h = 1e-4` differences drown in rounding.
 *
 * @example
 * const x = tensor([3, 4]);
 * numericalGradient((v) => v.get(0) ** 2 + v.get(1) ** 2, x).toArray(); // ≈ [6, 8]
 */
export function numericalGradient(f: (x: Tensor) => number, x: Tensor, h = 1e-4): Tensor {
  const grad = x.copy();
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    const tmp = data[i];
    try {
      data[i] = tmp + h;
      const fxh1 = f(x);
      data[i] = tmp - h;
      const fxh2 = f(x);
      grad.data[i] = (fxh1 - fxh2) / (2 * h);
    } finally {
      data[i] = tmp;
    }
  }
  return grad;
}
