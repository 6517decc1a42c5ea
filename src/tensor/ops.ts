/**
 * Tensor ops: validate shapes, choose an output buffer, call a kernel. No element loops here beyond
 * trivial bookkeeping — the loops live in `kernels/`.
 */
import { BinaryOp, CompareOp, kernels } from '../kernels/index.ts';
import type { FloatArray } from '../kernels/types.ts';
import {
  broadcastShapes,
  broadcastStrides,
  formatShape,
  normalizeAxis,
  sameShape,
  shapeSize,
  type Shape,
} from './shape.ts';
import { newTypedArray } from '../kernels/allocation.ts';
import { newMask, newTensor } from './classes.ts';
import type { DType, Mask, Operand, Tensor } from './tensor.ts';

/** A zeroed result array (allocation errors name the op and the shape, as `allocate` in tensor.ts). */
function allocate(dtype: DType, size: number, op = 'allocate', shape: readonly number[] = [size]): FloatArray {
  return newTypedArray(dtype, size, op, shape);
}

const SCALAR_SHAPE: Shape = [];

function asArray(x: Operand): FloatArray {
  return typeof x === 'number' ? Float64Array.of(x) : x.data;
}

function shapeOf(x: Operand): Shape {
  return typeof x === 'number' ? SCALAR_SHAPE : x.shape;
}

/** NumPy's promotion for our two float types: float64 wins; a plain number takes the tensor's dtype. */
export function resultDtype(a: Operand, b: Operand): DType {
  if (typeof a === 'number') return typeof b === 'number' ? 'float64' : b.dtype;
  if (typeof b === 'number') return a.dtype;
  return a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
}

function binary(name: string, op: BinaryOp, a: Operand, b: Operand): Tensor {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  if (sameShape(sa, sb)) {
    const res = newTensor(allocate(resultDtype(a, b), shapeSize(sa)), sa);
    kernels.binarySame(op, asArray(a), asArray(b), res.data);
    return res;
  }
  const shape = broadcastShapes(name, sa, sb);
  const res = newTensor(allocate(resultDtype(a, b), shapeSize(shape)), shape);
  kernels.binaryBroadcast(op, asArray(a), broadcastStrides(sa, shape), asArray(b), broadcastStrides(sb, shape), res.data, shape);
  return res;
}

/** `a + b` with broadcasting (`np.add`). */
export const add = (a: Operand, b: Operand): Tensor => binary('add', BinaryOp.Add, a, b);
/** `a - b` with broadcasting. */
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', BinaryOp.Sub, a, b);
/** `a * b` elementwise with broadcasting. */
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', BinaryOp.Mul, a, b);
/** `a / b` elementwise with broadcasting. */
export const div = (a: Operand, b: Operand): Tensor => binary('div', BinaryOp.Div, a, b);
/** Elementwise maximum (`np.maximum`); `maximum(0, x)` is ReLU. */
export const maximum = (a: Operand, b: Operand): Tensor => binary('maximum', BinaryOp.Maximum, a, b);
/** Elementwise minimum (`np.minimum`). */
export const minimum = (a: Operand, b: Operand): Tensor => binary('minimum', BinaryOp.Minimum, a, b);

const assignOps = { sub: BinaryOp.Sub, add: BinaryOp.Add, mul: BinaryOp.Mul } as const;

/**
 * `target op= other` in place: `other` must broadcast to `target`'s shape (the target never grows).
 * `'right'` copies `other` into `target`.
 */
export function assignBinary(name: string, target: Tensor, other: Operand, op: keyof typeof assignOps | 'right'): void {
  const so = shapeOf(other);
  const shape = broadcastShapes(name, target.shape, so);
  if (!sameShape(shape, target.shape)) {
    throw new Error(`${name}: operand of shape ${formatShape(so)} does not broadcast to the target shape ${formatShape(target.shape)}`);
  }
  if (op === 'right') {
    if (sameShape(so, target.shape)) target.data.set(asArray(other));
    else kernels.binaryBroadcast(BinaryOp.Add, new Float64Array(1), target.shape.map(() => 0), asArray(other), broadcastStrides(so, shape), target.data, shape);
    return;
  }
  if (sameShape(so, target.shape)) {
    kernels.binarySame(assignOps[op], target.data, asArray(other), target.data);
  } else {
    kernels.binaryBroadcast(assignOps[op], target.data, broadcastStrides(target.shape, shape), asArray(other), broadcastStrides(so, shape), target.data, shape);
  }
}

function compare(name: string, op: CompareOp, a: Operand, b: Operand): Mask {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  const shape = broadcastShapes(name, sa, sb);
  const out = new Uint8Array(shapeSize(shape));
  kernels.compareBroadcast(op, asArray(a), broadcastStrides(sa, shape), asArray(b), broadcastStrides(sb, shape), out, shape);
  return newMask(out, shape);
}

/** `a > b` as a mask. */
export const greater = (a: Operand, b: Operand): Mask => compare('greater', CompareOp.Greater, a, b);
/** `a >= b` as a mask. */
export const greaterEqual = (a: Operand, b: Operand): Mask => compare('greaterEqual', CompareOp.GreaterEqual, a, b);
/** `a < b` as a mask. */
export const less = (a: Operand, b: Operand): Mask => compare('less', CompareOp.Less, a, b);
/** `a <= b` as a mask (the book's `x <= 0` in `Relu`). */
export const lessEqual = (a: Operand, b: Operand): Mask => compare('lessEqual', CompareOp.LessEqual, a, b);
/** `a == b` as a mask. */
export const equal = (a: Operand, b: Operand): Mask => compare('equal', CompareOp.Equal, a, b);
/** `a != b` as a mask. */
export const notEqual = (a: Operand, b: Operand): Mask => compare('notEqual', CompareOp.NotEqual, a, b);

/**
 * A copy of `x` with `value` where `mask` is true — NumPy's `out = x.copy(); out[mask] = value`.
 * The mask broadcasts to `x`'s shape.
 */
export function maskedFill(x: Tensor, mask: Mask, value: number): Tensor {
  const out = newTensor(allocate(x.dtype, x.size), x.shape);
  maskedAssign(out, mask, value, x);
  return out;
}

/** In place: `x[mask] = value` (reading from `source`, default `x` itself). */
export function maskedAssign(x: Tensor, mask: Mask, value: number, source: Tensor = x): void {
  const shape = broadcastShapes('maskedAssign', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new Error(`maskedAssign: mask of shape ${formatShape(mask.shape)} does not broadcast to ${formatShape(x.shape)}`);
  }
  kernels.maskedFill(source.data, mask.data, broadcastStrides(mask.shape, shape), value, x.data, shape);
}

/** `np.where(mask, a, b)` for a number `a` and tensor `b`, i.e. a masked fill. */
export const where = (mask: Mask, value: number, x: Tensor): Tensor => maskedFill(x, mask, value);

function unary(x: Tensor, kernel: (x: FloatArray, out: FloatArray) => void): Tensor {
  const out = newTensor(allocate(x.dtype, x.size), x.shape);
  kernel(x.data, out.data);
  return out;
}

/** Elementwise `e^x`. */
export const exp = (x: Tensor): Tensor => unary(x, kernels.exp);
/** Elementwise natural logarithm. */
export const log = (x: Tensor): Tensor => unary(x, kernels.log);

export interface DotOptions {
  /** Use the transpose of the first (2-D) operand, without copying it. */
  transA?: boolean;
  /** Use the transpose of the second (2-D) operand, without copying it. */
  transB?: boolean;
  /** Write the result here (it must have the result's shape); no allocation. */
  out?: Tensor;
}

/**
 * `np.dot` for 1-D and 2-D operands, with transpose flags instead of transposed copies:
 * `dot(dout, W, { transB: true })` is the book's `np.dot(dout, W.T)`.
 *
 * @example
 * dot(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).toArray(); // [[17], [39]]
 */
export function dot(a: Tensor, b: Tensor, options: DotOptions = {}): Tensor {
  const { transA = false, transB = false } = options;
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new Error(`dot: only 1-D and 2-D operands are supported, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  // View 1-D operands as a row (left) or a column (right); transposing a 1-D array is a no-op.
  const [m, ka] = a.ndim === 1 ? [1, a.shape[0]] : transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kb, n] = b.ndim === 1 ? [b.shape[0], 1] : transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (ka !== kb) {
    const flags = [transA && a.ndim === 2 ? 'transA' : '', transB && b.ndim === 2 ? 'transB' : ''].filter(Boolean);
    const dimA = a.ndim === 1 ? 0 : transA ? 0 : 1;
    const dimB = b.ndim === 1 ? 0 : transB ? 1 : 0;
    throw new Error(
      `dot: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} not aligned: ${ka} (dim ${dimA}) != ${kb} (dim ${dimB})` +
        (flags.length ? ` (with ${flags.join(', ')})` : ''),
    );
  }
  const shape = a.ndim === 1 ? (b.ndim === 1 ? [] : [n]) : b.ndim === 1 ? [m] : [m, n];
  const dtype = resultDtype(a, b);
  let out = options.out;
  if (out) {
    if (!sameShape(out.shape, shape) || out.dtype !== dtype) {
      throw new Error(`dot: out has shape ${formatShape(out.shape)} ${out.dtype}, the result is ${formatShape(shape)} ${dtype}`);
    }
  } else {
    out = newTensor(allocate(dtype, m * n), shape);
  }
  kernels.gemm(a.ndim === 2 && transA, b.ndim === 2 && transB, m, n, ka, a.data, b.data, out.data);
  return out;
}

/** `np.matmul` for the 1-D/2-D cases: the same as `dot`. */
export const matmul = dot;

/** The 2-D transpose as a new contiguous tensor (1-D tensors are returned copied, as they are). */
export function transpose(x: Tensor): Tensor {
  if (x.ndim === 1) return x.copy();
  if (x.ndim !== 2) throw new Error(`transpose: only 1-D and 2-D tensors are supported, got shape ${formatShape(x.shape)}`);
  const [r, c] = x.shape;
  const out = newTensor(allocate(x.dtype, x.size), [c, r]);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[j * r + i] = x.data[i * c + j];
  return out;
}

export interface AxisOptions {
  /** The axis to reduce (negative counts from the end). */
  axis: number;
  /** Keep the reduced axis with length 1 (`keepdims=True`). */
  keepdims?: boolean;
}

type ReduceKernel = (x: FloatArray, outer: number, len: number, inner: number, out: FloatArray) => void;

function reduce(name: string, kernel: ReduceKernel, x: Tensor, options: AxisOptions | undefined): number | Tensor {
  if (options === undefined) {
    if (x.size === 0 && name !== 'sum') throw new Error(`${name}: zero-size array has no ${name}`);
    const out = allocate('float64', 1);
    kernel(x.data, 1, x.size, 1, out);
    return out[0];
  }
  const axis = normalizeAxis(name, options.axis, x.ndim);
  const len = x.shape[axis];
  if (len === 0 && name !== 'sum') throw new Error(`${name}: axis ${axis} has length 0`);
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d];
  let inner = 1;
  for (let d = axis + 1; d < x.ndim; d++) inner *= x.shape[d];
  const shape = options.keepdims
    ? x.shape.map((d, i) => (i === axis ? 1 : d))
    : x.shape.filter((_, i) => i !== axis);
  const out = newTensor(allocate(x.dtype, outer * inner), shape);
  kernel(x.data, outer, len, inner, out.data);
  return out;
}

/** Sum of all elements (a number), or over one axis (a tensor). */
export function sum(x: Tensor): number;
export function sum(x: Tensor, options: AxisOptions): Tensor;
export function sum(x: Tensor, options?: AxisOptions): number | Tensor {
  return reduce('sum', kernels.sumAxis, x, options);
}

/** Maximum of all elements, or over one axis. */
export function max(x: Tensor): number;
export function max(x: Tensor, options: AxisOptions): Tensor;
export function max(x: Tensor, options?: AxisOptions): number | Tensor {
  return reduce('max', kernels.maxAxis, x, options);
}

/** Index of the maximum in the flattened tensor, or indices over one axis (as float values). */
export function argmax(x: Tensor): number;
export function argmax(x: Tensor, options: AxisOptions): Tensor;
export function argmax(x: Tensor, options?: AxisOptions): number | Tensor {
  return reduce('argmax', kernels.argmaxAxis, x, options);
}

/** Mean of all elements, or over one axis. */
export function mean(x: Tensor): number;
export function mean(x: Tensor, options: AxisOptions): Tensor;
export function mean(x: Tensor, options?: AxisOptions): number | Tensor {
  if (options === undefined) return sum(x) / x.size;
  const s = sum(x, options);
  kernels.scale(s.data, 1 / x.shape[normalizeAxis('mean', options.axis, x.ndim)], s.data);
  return s;
}

/** A view of `x` with a new shape (`np.reshape`); one dimension may be -1. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return x.reshape(shape);
}

/** A deep copy (`np.copy`). */
export function copy(x: Tensor): Tensor {
  return x.copy();
}

/**
 * The rows of `x` at `indices` (NumPy's `x[batch_mask]`, i.e. `np.take(x, indices, axis=0)`), as a new
 * tensor — or written into `out` when given, so a training loop need not allocate.
 *
 * @example
 * take(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]).toArray(); // [[5, 6], [1, 2]]
 */
export function take(x: Tensor, indices: ArrayLike<number>, out?: Tensor): Tensor {
  if (x.ndim === 0) throw new Error('take: cannot index a 0-d tensor');
  const n = x.shape[0];
  const row = n === 0 ? 0 : x.size / n;
  const shape = [indices.length, ...x.shape.slice(1)];
  if (out) {
    if (!sameShape(out.shape, shape) || out.dtype !== x.dtype) {
      throw new Error(`take: out has shape ${formatShape(out.shape)} ${out.dtype}, the result is ${formatShape(shape)} ${x.dtype}`);
    }
  } else {
    out = newTensor(allocate(x.dtype, indices.length * row), shape);
  }
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < -n || i >= n) throw new Error(`take: index ${i} is out of bounds for axis 0 with size ${n}`);
    const src = (i < 0 ? i + n : i) * row;
    out.data.set(x.data.subarray(src, src + row), r * row);
  }
  return out;
}
