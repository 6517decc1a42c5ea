import { Tensor } from './tensor/tensor.ts';

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

/**
 * The book's `numerical_diff(f, x)` (ch04/gradient_1d.py): the central difference `(f(x+h) − f(x−h)) / 2h`
 * with `h = 1e-4` — not `1e-50`, which the book shows rounding to 0 in float32.
 *
 * @example
 * numericalDiff(function1, 5);  // 0.1999999999990898 (the book's line; the true value is 0.2)
 * numericalDiff(function1, 10); // 0.2999999999986347
 */
export function numericalDiff(f: (x: number) => number, x: number, h = 1e-4): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/** The book's `function_1(x) = 0.01x² + 0.1x` (ch04/gradient_1d.py). */
export function function1(x: number): number {
  return 0.01 * (x * x) + 0.1 * x;
}

/**
 * The book's `function_2(x) = x₀² + x₁²` (ch04/gradient_2d.py), for a 1-D point of any length: `Σ xᵢ²`.
 *
 * @example
 * function2(tensor([3, 4])); // 25
 */
export function function2(x: Tensor): number {
  if (x.ndim !== 1) throw new Error(`function2: takes one point (a 1-D tensor), got shape (${x.shape.join(', ')}); use numericalGradientRows for a batch of points`);
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i] * x.data[i];
  return s;
}

/**
 * The book's `numerical_gradient(f, X)` of ch04/gradient_2d.py: for a 1-D `X` the gradient of `f` at that
 * point; for a 2-D `X` one point per row, each row's gradient of `f` (which receives the row as a 1-D
 * tensor) — what the book draws as the gradient field. (`numericalGradient` differentiates one scalar
 * function of a whole tensor of any shape, the book's `common/gradient.py`.)
 *
 * @example
 * numericalGradientRows(function2, tensor([3.0, 4.0])).toArray();              // [6.00000000000378, 7.999999999999119]
 * numericalGradientRows(function2, tensor([[3.0, 4.0], [0.0, 2.0]])).toArray(); // one gradient per row
 */
export function numericalGradientRows(f: (x: Tensor) => number, X: Tensor, h = 1e-4): Tensor {
  if (X.ndim === 1) return numericalGradient(f, X, h);
  if (X.ndim !== 2) throw new Error(`numericalGradientRows: X must be 1-D (a point) or 2-D (a point per row), got shape (${X.shape.join(', ')})`);
  const [rows, cols] = X.shape;
  const grad = X.copy();
  for (let r = 0; r < rows; r++) {
    // A view of the row: f sees the perturbed element, and X is restored as numericalGradient restores it.
    const row = new Tensor(X.data.subarray(r * cols, (r + 1) * cols), [cols]);
    grad.data.set(numericalGradient(f, row, h).data, r * cols);
  }
  return grad;
}

/**
 * The book's `gradient_descent(f, init_x, lr=0.01, step_num=100)` (ch04/gradient_method.py): `stepNum`
 * times `x −= lr · ∇f(x)` by numerical gradients. Returns the end point and the history — the point before
 * each step (`stepNum` rows), as the book's `x_history`. Unlike the book's, `initX` is not changed (the
 * book's `x = init_x` makes `x -= …` write through to the caller's array).
 *
 * @example
 * const { x } = gradientDescent(function2, [-3.0, 4.0], { lr: 0.1, stepNum: 100 });
 * x.toArray(); // [-6.1e-10, 8.1e-10] (almost): the minimum (0, 0)
 */
export function gradientDescent(f: (x: Tensor) => number, initX: Tensor | readonly number[], options: { lr?: number; stepNum?: number } = {}): { x: Tensor; history: Tensor } {
  const lr = options.lr ?? 0.01;
  const stepNum = options.stepNum ?? 100;
  if (!Number.isInteger(stepNum) || stepNum < 0) throw new Error(`gradientDescent: stepNum must be a whole number >= 0, got ${stepNum}`);
  const x = initX instanceof Tensor ? initX.copy() : new Tensor(Float64Array.from(initX), [initX.length]);
  const n = x.size;
  const history = new Tensor(new Float64Array(stepNum * n), [stepNum, ...x.shape]);
  for (let i = 0; i < stepNum; i++) {
    history.data.set(x.data, i * n);
    const grad = numericalGradient(f, x);
    for (let k = 0; k < n; k++) x.data[k] -= lr * grad.data[k];
  }
  return { x, history };
}
