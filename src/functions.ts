/**
 * The book's activation and loss functions (`common/functions.py`), on numbers and tensors.
 */
import { kernels } from './kernels/index.ts';
import { formatShape, sameShape } from './tensor/shape.ts';
import { allocate, Tensor } from './tensor/tensor.ts';

/** Class labels: a tensor of label indices or one-hot rows, or a plain array of label indices. */
export type Labels = Tensor | ArrayLike<number>;

/** `y = x`. */
export function identityFunction<T extends Tensor | number>(x: T): T {
  return x;
}

function map(x: Tensor, f: (v: number) => number): Tensor {
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  for (let i = 0; i < x.size; i++) out.data[i] = f(x.data[i]);
  return out;
}

/**
 * The book's `step_function` (ch03/step_function.py): 1 where `x > 0`, else 0 — as integers, as the
 * book's `np.array(x > 0, dtype=np.int)` gives them, so `String(stepFunction(tensor([-1, 1, 2])))` is
 * `[0 1 1]`. (`np.int` was removed in NumPy 1.24: the book's line now fails with "module 'numpy' has no
 * attribute 'int'" — write `dtype=int` or `astype(np.int64)` there. Here the integers are int32.)
 *
 * @example
 * stepFunction(tensor([-1.0, 1.0, 2.0])).toString(); // '[0 1 1]'
 * stepFunction(0.5);                                 // 1
 */
export function stepFunction(x: number): number;
export function stepFunction(x: Tensor): Tensor<'int32'>;
export function stepFunction(x: Tensor | number): Tensor<'int32'> | number {
  if (typeof x === 'number') return x > 0 ? 1 : 0;
  return x.gt(0).astype('int32');
}

/** `1 / (1 + e^-x)`, computed so that large |x| never overflows (`exp` sees only x ≤ 0). */
export function sigmoid(x: number): number;
export function sigmoid(x: Tensor): Tensor;
export function sigmoid(x: Tensor | number): Tensor | number {
  if (typeof x === 'number') {
    const out = Float64Array.of(x);
    kernels.sigmoid(out, out);
    return out[0];
  }
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  kernels.sigmoid(x.data, out.data);
  return out;
}

/** `max(0, x)`, as NumPy's `np.maximum(0, x)`: NaN stays NaN (like the `Relu` layer). */
export function relu(x: number): number;
export function relu(x: Tensor): Tensor;
export function relu(x: Tensor | number): Tensor | number {
  return typeof x === 'number' ? Math.max(0, x) : map(x, (v) => (v <= 0 ? 0 : v));
}

/**
 * Softmax over the last axis. The row maximum is subtracted first so `exp` cannot overflow
 * (the book's `# オーバーフロー対策`).
 */
export function softmax(x: Tensor): Tensor {
  if (x.ndim === 0) throw new Error('softmax: needs at least 1 dimension, got a 0-d tensor');
  const cols = x.shape[x.ndim - 1];
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  kernels.softmaxRows(x.data, cols === 0 ? 0 : x.size / cols, cols, out.data);
  return out;
}

/**
 * Reads class labels as integer indices, checking each is an integer in [0, classes).
 * One-hot rows (a tensor of the same size as `y`) are turned into indices, as the book does.
 */
export function labelIndices(op: string, t: Labels, rows: number, classes: number): ArrayLike<number> {
  if (t instanceof Tensor && t.ndim === 2) {
    if (t.shape[0] !== rows || t.shape[1] !== classes) {
      throw new Error(`${op}: one-hot targets of shape ${formatShape(t.shape)} do not match predictions of shape (${rows},${classes})`);
    }
    const idx = new Float64Array(rows);
    kernels.argmaxAxis(t.data, rows, classes, 1, idx);
    return idx;
  }
  if (t instanceof Tensor && t.ndim > 2) {
    throw new Error(`${op}: targets must be label indices (1-D) or one-hot rows (2-D), got shape ${formatShape(t.shape)}`);
  }
  const labels = t instanceof Tensor ? t.data : t;
  if (labels.length !== rows) {
    throw new Error(`${op}: ${labels.length} labels for ${rows} predictions`);
  }
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`${op}: label ${v} at index ${i} is out of range for ${classes} classes (expected an integer 0–${classes - 1})`);
    }
  }
  return labels;
}

/** Rows of predictions viewed as rows × classes (a 1-D vector is one row, as the book's reshape(1, size)). */
export function rowsOf(op: string, y: Tensor): number {
  if (y.ndim === 1) return 1;
  if (y.ndim === 2) return y.shape[0];
  throw new Error(`${op}: predictions must be 1-D or 2-D, got shape ${formatShape(y.shape)}`);
}

/** Classes (the last dimension) of 1-D or 2-D predictions. */
export function classesOf(y: Tensor): number {
  return y.shape[y.ndim - 1];
}

/**
 * True when `t` holds dense (one-hot) targets for `y` rather than label indices: the book's
 * `t.size == y.size` test, also requiring the same rank so a mis-shaped target is reported, not guessed.
 */
export function isDenseTarget(y: Tensor, t: Labels): t is Tensor {
  return t instanceof Tensor && t.ndim === y.ndim && t.size === y.size;
}

/**
 * Cross-entropy error, averaged over the batch, with the book's `+ 1e-7` inside the log.
 * `y`: predictions (1-D or rows × classes); `t`: one-hot rows or label indices.
 *
 * @example
 * crossEntropyError(tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]), [2]); // 0.5108…
 */
export function crossEntropyError(y: Tensor, t: Labels): number {
  const rows = rowsOf('crossEntropyError', y);
  const classes = classesOf(y);
  if (isDenseTarget(y, t)) {
    if (!sameShape(t.shape, y.shape)) {
      throw new Error(`crossEntropyError: targets of shape ${formatShape(t.shape)} do not match predictions of shape ${formatShape(y.shape)}`);
    }
    return kernels.crossEntropyDense(y.data, t.data, rows);
  }
  const labels = labelIndices('crossEntropyError', t, rows, classes);
  return kernels.crossEntropyLabels(y.data, rows, classes, labels);
}

/** `0.5 * Σ (y - t)²`. */
export function sumSquaredError(y: Tensor, t: Tensor): number {
  if (!sameShape(y.shape, t.shape)) {
    throw new Error(`sumSquaredError: shapes ${formatShape(y.shape)} and ${formatShape(t.shape)} differ`);
  }
  let s = 0;
  for (let i = 0; i < y.size; i++) {
    const d = y.data[i] - t.data[i];
    s += d * d;
  }
  return 0.5 * s;
}

/**
 * The book's `sigmoid_grad(x)` (common/functions.py): the derivative of the sigmoid,
 * `(1 − sigmoid(x)) · sigmoid(x)`, element by element (chapter 4's `TwoLayerNet.gradient` uses it).
 *
 * @example
 * sigmoidGrad(tensor([0])).toArray(); // [0.25]
 */
export function sigmoidGrad(x: Tensor): Tensor {
  const s = sigmoid(x);
  for (let i = 0; i < s.size; i++) s.data[i] = (1.0 - s.data[i]) * s.data[i];
  return s;
}

/**
 * The book's `relu_grad(x)` (common/functions.py): 1 where `x >= 0`, else 0 (the book counts 0 as
 * positive here; the `Relu` layer's backward passes nothing at 0).
 *
 * @example
 * reluGrad(tensor([-1, 0, 2])).toArray(); // [0, 1, 1]
 */
export function reluGrad(x: Tensor): Tensor {
  return map(x, (v) => (v >= 0 ? 1 : 0));
}

/**
 * The book's `softmax_loss(X, t)` (common/functions.py): `crossEntropyError(softmax(X), t)`.
 *
 * @example
 * softmaxLoss(tensor([[0.3, 2.9, 4.0]]), [2]); // 0.3…
 */
export function softmaxLoss(X: Tensor, t: Labels): number {
  return crossEntropyError(softmax(X), t);
}
