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
import {
  canCastSameKind,
  isFloatDtype,
  promote,
  promoteScalar,
  scalarValue,
  type AnyTensorData,
  type DType,
  type Promote,
  type PromoteDiv,
  type PromoteScalar,
  type TensorData,
  type TensorDType,
} from './dtypes.ts';
import { intBinary, walk } from './int-ops.ts';
import type { AnyOperand, AnyTensor, Mask, Operand, Tensor } from './tensor.ts';

/** A zeroed result array (allocation errors name the op and the shape, as `allocate` in tensor.ts). */
function allocate(dtype: DType, size: number, op?: string, shape?: readonly number[]): FloatArray;
function allocate<D extends TensorDType>(dtype: D, size: number, op?: string, shape?: readonly number[]): TensorData<D>;
function allocate(dtype: TensorDType, size: number, op = 'allocate', shape: readonly number[] = [size]): AnyTensorData {
  return newTypedArray(dtype, size, op, shape);
}

const SCALAR_SHAPE: Shape = [];

/**
 * Refuses an integer or bool tensor where a float kernel would run:
 * `dot: int32 tensors are not supported (kernels are float); use .astype('float64')`.
 */
export function requireFloat(op: string, x: AnyTensor): asserts x is Tensor {
  if (!isFloatDtype(x.dtype)) {
    throw new Error(`${op}: ${x.dtype} tensors are not supported (kernels are float); use .astype('float64')`);
  }
}

/** A float array for a kernel: a float tensor's own data, an integer/bool tensor's values as `dtype` (exact). */
function floatArray(x: AnyOperand, dtype: DType = 'float64'): FloatArray {
  if (typeof x === 'number') return Float64Array.of(x);
  if (isFloatDtype(x.dtype)) return x.data as FloatArray;
  const out = allocate(dtype, x.size);
  out.set(x.data);
  return out;
}

function shapeOf(x: AnyOperand): Shape {
  return typeof x === 'number' ? SCALAR_SHAPE : x.shape;
}

/** NumPy's promotion for float operands: float64 wins; a plain number takes the tensor's dtype. */
export function resultDtype(a: Operand, b: Operand): DType {
  if (typeof a === 'number') return typeof b === 'number' ? 'float64' : b.dtype;
  if (typeof b === 'number') return a.dtype;
  return a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
}

const UFUNC: Record<BinaryOp, string> = {
  [BinaryOp.Add]: 'add',
  [BinaryOp.Sub]: 'subtract',
  [BinaryOp.Mul]: 'multiply',
  [BinaryOp.Div]: 'divide',
  [BinaryOp.Maximum]: 'maximum',
  [BinaryOp.Minimum]: 'minimum',
};

/**
 * The dtype of `a op b` by NumPy's rules (see dtypes.ts for the table and the weak-scalar rule): true
 * division of integers gives float64; `bool - bool` is NumPy's TypeError.
 */
export function binaryDtype(name: string, op: BinaryOp, a: AnyOperand, b: AnyOperand): TensorDType {
  let dtype: TensorDType;
  if (typeof a === 'number' && typeof b === 'number') return 'float64';
  if (op === BinaryOp.Div && (typeof a === 'number' || typeof b === 'number')) {
    // np.true_divide: an integer or bool array with any Python number gives float64 (no range check)
    const t = (typeof a === 'number' ? b : a) as AnyTensor;
    return isFloatDtype(t.dtype) ? t.dtype : 'float64';
  }
  if (typeof a === 'number') dtype = promoteScalar(name, (b as AnyTensor).dtype, a);
  else if (typeof b === 'number') dtype = promoteScalar(name, a.dtype, b);
  else dtype = promote(a.dtype, b.dtype);
  if (op === BinaryOp.Div && !isFloatDtype(dtype)) return 'float64';
  if (op === BinaryOp.Sub && dtype === 'bool') {
    throw new Error(
      `${name}: numpy boolean subtract, the \`-\` operator, is not supported, use the bitwise_xor, the \`^\` operator, or the logical_xor function instead`,
    );
  }
  return dtype;
}

function binary(name: string, op: BinaryOp, a: AnyOperand, b: AnyOperand): AnyTensor {
  const dtype = binaryDtype(name, op, a, b);
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  const shape = sameShape(sa, sb) ? sa : broadcastShapes(name, sa, sb);
  const out = allocate(dtype, shapeSize(shape), name, shape);
  if (isFloatDtype(dtype)) {
    // Integer operands become floats of the result dtype, exactly (int32 only ever meets float64 here).
    const x = floatArray(a, dtype);
    const y = floatArray(b, dtype);
    if (sameShape(sa, sb)) kernels.binarySame(op, x, y, out as FloatArray);
    else kernels.binaryBroadcast(op, x, broadcastStrides(sa, shape), y, broadcastStrides(sb, shape), out as FloatArray, shape);
  } else {
    const x = typeof a === 'number' ? [a] : a.data;
    const y = typeof b === 'number' ? [b] : b.data;
    intBinary(op, dtype, x, broadcastStrides(sa, shape), y, broadcastStrides(sb, shape), out as Int32Array | Uint8Array, shape);
  }
  return newTensor(out, shape, dtype);
}

/** The elementwise ops' types: NumPy's promotion (a float tensor with anything stays float). */
export interface BinaryFn {
  (a: Operand, b: Operand): Tensor;
  (a: Tensor, b: AnyOperand): Tensor;
  (a: AnyOperand, b: Tensor): Tensor;
  <A extends TensorDType, B extends TensorDType>(a: Tensor<A>, b: Tensor<B>): Tensor<Promote<A, B>>;
  <A extends TensorDType>(a: Tensor<A>, b: number): Tensor<PromoteScalar<A>>;
  <B extends TensorDType>(a: number, b: Tensor<B>): Tensor<PromoteScalar<B>>;
  (a: AnyOperand, b: AnyOperand): AnyTensor;
}

/** True division's types: integer and bool operands give float64. */
export interface DivFn {
  (a: Operand, b: Operand): Tensor;
  (a: Tensor, b: AnyOperand): Tensor;
  (a: AnyOperand, b: Tensor): Tensor;
  <A extends TensorDType, B extends TensorDType>(a: Tensor<A>, b: Tensor<B>): Tensor<PromoteDiv<A, B>>;
  (a: AnyOperand, b: AnyOperand): Tensor;
}

/** `a + b` with broadcasting (`np.add`); bool + bool is logical or, as in NumPy. */
export const add: BinaryFn = (a: AnyOperand, b: AnyOperand) => binary('add', BinaryOp.Add, a, b) as never;
/** `a - b` with broadcasting. */
export const sub: BinaryFn = (a: AnyOperand, b: AnyOperand) => binary('sub', BinaryOp.Sub, a, b) as never;
/** `a * b` elementwise with broadcasting; bool * bool is logical and. */
export const mul: BinaryFn = (a: AnyOperand, b: AnyOperand) => binary('mul', BinaryOp.Mul, a, b) as never;
/** `a / b` elementwise with broadcasting (true division: integers give float64). */
export const div: DivFn = (a: AnyOperand, b: AnyOperand) => binary('div', BinaryOp.Div, a, b) as never;
/** Elementwise maximum (`np.maximum`); `maximum(0, x)` is ReLU. */
export const maximum: BinaryFn = (a: AnyOperand, b: AnyOperand) => binary('maximum', BinaryOp.Maximum, a, b) as never;
/** Elementwise minimum (`np.minimum`). */
export const minimum: BinaryFn = (a: AnyOperand, b: AnyOperand) => binary('minimum', BinaryOp.Minimum, a, b) as never;

const assignOps = { sub: BinaryOp.Sub, add: BinaryOp.Add, mul: BinaryOp.Mul } as const;

/**
 * `target op= other` in place: `other` must broadcast to `target`'s shape (the target never grows).
 * `'right'` copies `other` into `target` (cast to the target's dtype as `astype` casts). The result of
 * `op` must cast to the target's dtype by NumPy's `same_kind` rule: `int32 += 0.5` is an error, as in NumPy.
 */
export function assignBinary(name: string, target: AnyTensor, other: AnyOperand, op: keyof typeof assignOps | 'right'): void {
  const so = shapeOf(other);
  const shape = broadcastShapes(name, target.shape, so);
  if (!sameShape(shape, target.shape)) {
    throw new Error(`${name}: operand of shape ${formatShape(so)} does not broadcast to the target shape ${formatShape(target.shape)}`);
  }
  const tdata = target.data as AnyTensorData;
  if (op === 'right') {
    if (typeof other !== 'number' && other.dtype !== target.dtype && (!isFloatDtype(target.dtype) || !isFloatDtype(other.dtype))) {
      // across kinds: cast each value as astype does
      const cast = typeof other === 'number' ? other : other.copy(target.dtype);
      assignBinary(name, target, cast, 'right');
      return;
    }
    const src = typeof other === 'number' ? [scalarValue(name, target.dtype, other)] : (other.data as AnyTensorData);
    if (sameShape(so, target.shape)) tdata.set(src);
    else if (isFloatDtype(target.dtype) && typeof other !== 'number') {
      kernels.binaryBroadcast(BinaryOp.Add, new Float64Array(1), target.shape.map(() => 0), src as FloatArray, broadcastStrides(so, shape), tdata as FloatArray, shape);
    } else walk(shape, target.shape.map(() => 0), broadcastStrides(so, shape), (o, _, bi) => (tdata[o] = src[bi]));
    return;
  }
  const bop = assignOps[op];
  const dtype = binaryDtype(name, bop, target, other);
  if (!canCastSameKind(dtype, target.dtype)) {
    throw new Error(`${name}: Cannot cast ufunc '${UFUNC[bop]}' output from dtype('${dtype}') to dtype('${target.dtype}') with casting rule 'same_kind'`);
  }
  if (isFloatDtype(target.dtype)) {
    const t = target as Tensor;
    const y = floatArray(other, 'float64');
    if (sameShape(so, target.shape)) {
      kernels.binarySame(bop, t.data, y, t.data);
    } else {
      kernels.binaryBroadcast(bop, t.data, broadcastStrides(target.shape, shape), y, broadcastStrides(so, shape), t.data, shape);
    }
  } else {
    const y = typeof other === 'number' ? [other] : other.data;
    intBinary(bop, target.dtype, tdata, broadcastStrides(target.shape, shape), y, broadcastStrides(so, shape), tdata as Int32Array | Uint8Array, shape);
  }
}

function compare(name: string, op: CompareOp, a: AnyOperand, b: AnyOperand): Mask {
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  const shape = broadcastShapes(name, sa, sb);
  const out = new Uint8Array(shapeSize(shape));
  // Integer values compare exactly as float64 (NumPy compares an integer array with a float in float64,
  // and with an out-of-range Python int correctly too).
  kernels.compareBroadcast(op, floatArray(a), broadcastStrides(sa, shape), floatArray(b), broadcastStrides(sb, shape), out, shape);
  return newMask(out, shape);
}

/** `a > b` as a bool tensor (a `Mask`). */
export const greater = (a: AnyOperand, b: AnyOperand): Mask => compare('greater', CompareOp.Greater, a, b);
/** `a >= b` as a bool tensor. */
export const greaterEqual = (a: AnyOperand, b: AnyOperand): Mask => compare('greaterEqual', CompareOp.GreaterEqual, a, b);
/** `a < b` as a bool tensor. */
export const less = (a: AnyOperand, b: AnyOperand): Mask => compare('less', CompareOp.Less, a, b);
/** `a <= b` as a bool tensor (the book's `x <= 0` in `Relu`). */
export const lessEqual = (a: AnyOperand, b: AnyOperand): Mask => compare('lessEqual', CompareOp.LessEqual, a, b);
/** `a == b` as a bool tensor. */
export const equal = (a: AnyOperand, b: AnyOperand): Mask => compare('equal', CompareOp.Equal, a, b);
/** `a != b` as a bool tensor. */
export const notEqual = (a: AnyOperand, b: AnyOperand): Mask => compare('notEqual', CompareOp.NotEqual, a, b);

function checkMask(name: string, mask: AnyTensor): void {
  if (mask.dtype !== 'bool') throw new Error(`${name}: the mask must be a bool tensor, got ${mask.dtype}`);
}

/**
 * A copy of `x` with `value` where `mask` is true — NumPy's `out = x.copy(); out[mask] = value`.
 * The mask broadcasts to `x`'s shape.
 */
export function maskedFill<D extends TensorDType>(x: Tensor<D>, mask: Tensor<'bool'>, value: number): Tensor<D> {
  const out = newTensor(allocate(x.dtype, x.size), x.shape, x.dtype);
  maskedAssign(out, mask, value, x);
  return out;
}

/** In place: `x[mask] = value` (reading from `source`, default `x` itself). */
export function maskedAssign<D extends TensorDType>(x: Tensor<D>, mask: Tensor<'bool'>, value: number, source: Tensor<D> = x): void {
  checkMask('maskedAssign', mask);
  const shape = broadcastShapes('maskedAssign', x.shape, mask.shape);
  if (!sameShape(shape, x.shape)) {
    throw new Error(`maskedAssign: mask of shape ${formatShape(mask.shape)} does not broadcast to ${formatShape(x.shape)}`);
  }
  if (isFloatDtype(x.dtype)) {
    kernels.maskedFill(source.data as FloatArray, mask.data, broadcastStrides(mask.shape, shape), value, x.data as FloatArray, shape);
    return;
  }
  const v = scalarValue('maskedAssign', x.dtype, value);
  const src = source.data as AnyTensorData;
  const dst = x.data as AnyTensorData;
  const m = mask.data;
  walk(shape, broadcastStrides(mask.shape, shape), broadcastStrides(mask.shape, shape), (o, mi) => {
    dst[o] = m[mi] !== 0 ? v : src[o];
  });
}

/** `np.where(mask, a, b)` for a number `a` and tensor `b`, i.e. a masked fill. */
export const where = <D extends TensorDType>(mask: Tensor<'bool'>, value: number, x: Tensor<D>): Tensor<D> => maskedFill(x, mask, value);

function unary(name: string, x: Tensor, kernel: (x: FloatArray, out: FloatArray) => void): Tensor {
  requireFloat(name, x);
  const out = newTensor(allocate(x.dtype, x.size), x.shape);
  kernel(x.data, out.data);
  return out;
}

/** Elementwise `e^x`. */
export const exp = (x: Tensor): Tensor => unary('exp', x, kernels.exp);
/** Elementwise natural logarithm. */
export const log = (x: Tensor): Tensor => unary('log', x, kernels.log);

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
  requireFloat('dot', a);
  requireFloat('dot', b);
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
export function transpose<D extends TensorDType>(x: Tensor<D>): Tensor<D> {
  if (x.ndim === 1) return x.copy();
  if (x.ndim !== 2) throw new Error(`transpose: only 1-D and 2-D tensors are supported, got shape ${formatShape(x.shape)}`);
  const [r, c] = x.shape;
  const out = allocate(x.dtype, x.size) as AnyTensorData;
  const src = x.data as AnyTensorData;
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j];
  return newTensor(out as TensorData<D>, [c, r], x.dtype);
}

export interface AxisOptions {
  /** The axis to reduce (negative counts from the end). */
  axis: number;
  /** Keep the reduced axis with length 1 (`keepdims=True`). */
  keepdims?: boolean;
}

type ReduceKernel = (x: FloatArray, outer: number, len: number, inner: number, out: FloatArray) => void;

/** The dtype of `sum` over an axis: a float tensor's own; int32 for integers and bool (NumPy: int64). */
export type SumDType<D extends TensorDType> = D extends DType ? D : 'int32';

/**
 * Reduces `x` over one axis (or all of it, to a number). Integer and bool tensors are read as float64 —
 * exact for every int32 value — so the float kernels do the work; `resultDtype` is the dtype of the
 * axis result, its values written back exactly (a sum that leaves int32 is an error, not a wrap).
 */
function reduce(name: string, kernel: ReduceKernel, x: AnyTensor, options: AxisOptions | undefined, resultDtype: TensorDType = x.dtype): number | AnyTensor {
  const data = floatArray(x);
  if (options === undefined) {
    if (x.size === 0 && name !== 'sum') throw new Error(`${name}: zero-size array has no ${name}`);
    const out = allocate('float64', 1);
    kernel(data, 1, x.size, 1, out);
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
  if (isFloatDtype(resultDtype) && resultDtype === x.dtype) {
    const out = newTensor(allocate(resultDtype, outer * inner), shape);
    kernel(data, outer, len, inner, out.data);
    return out;
  }
  const tmp = allocate('float64', outer * inner);
  kernel(data, outer, len, inner, tmp);
  const out = allocate(resultDtype, outer * inner, name, shape);
  if (resultDtype === 'int32') {
    for (let i = 0; i < tmp.length; i++) {
      if (tmp[i] < -2147483648 || tmp[i] > 2147483647) {
        throw new Error(`${name}: the result ${tmp[i]} overflows int32 (NumPy would use int64); use .astype('float64') first`);
      }
    }
  }
  out.set(tmp);
  return newTensor(out, shape, resultDtype);
}

/** Sum of all elements (a number), or over one axis (a tensor: int32 for integer and bool tensors). */
export function sum(x: AnyTensor): number;
export function sum<D extends TensorDType>(x: Tensor<D>, options: AxisOptions): Tensor<SumDType<D>>;
export function sum(x: AnyTensor, options?: AxisOptions): number | AnyTensor {
  return reduce('sum', kernels.sumAxis, x, options, isFloatDtype(x.dtype) ? x.dtype : 'int32');
}

/** Maximum of all elements, or over one axis (of the tensor's dtype). */
export function max(x: AnyTensor): number;
export function max<D extends TensorDType>(x: Tensor<D>, options: AxisOptions): Tensor<D>;
export function max(x: AnyTensor, options?: AxisOptions): number | AnyTensor {
  return reduce('max', kernels.maxAxis, x, options);
}

/** Index of the maximum in the flattened tensor (a number), or the indices over one axis (an int32 tensor). */
export function argmax(x: AnyTensor): number;
export function argmax(x: AnyTensor, options: AxisOptions): Tensor<'int32'>;
export function argmax(x: AnyTensor, options?: AxisOptions): number | Tensor<'int32'> {
  return reduce('argmax', kernels.argmaxAxis, x, options, 'int32') as number | Tensor<'int32'>;
}

/** Mean of all elements, or over one axis (float64 for integer and bool tensors). */
export function mean(x: AnyTensor): number;
export function mean<D extends TensorDType>(x: Tensor<D>, options: AxisOptions): Tensor<D extends DType ? D : 'float64'>;
export function mean(x: AnyTensor, options?: AxisOptions): number | AnyTensor {
  if (options === undefined) return sum(x) / x.size;
  const s = reduce('mean', kernels.sumAxis, x, options, isFloatDtype(x.dtype) ? x.dtype : 'float64') as Tensor;
  kernels.scale(s.data, 1 / x.shape[normalizeAxis('mean', options.axis, x.ndim)], s.data);
  return s;
}

/** A view of `x` with a new shape (`np.reshape`); one dimension may be -1. */
export function reshape<D extends TensorDType>(x: Tensor<D>, shape: readonly number[]): Tensor<D> {
  return x.reshape(shape);
}

/** A deep copy (`np.copy`). */
export function copy<D extends TensorDType>(x: Tensor<D>): Tensor<D> {
  return x.copy();
}

/**
 * The rows of `x` at `indices` (NumPy's `x[batch_mask]`, i.e. `np.take(x, indices, axis=0)`), as a new
 * tensor — or written into `out` when given, so a training loop need not allocate.
 *
 * @example
 * take(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]).toArray(); // [[5, 6], [1, 2]]
 */
export function take<D extends TensorDType>(x: Tensor<D>, indices: ArrayLike<number>, out?: Tensor<D>): Tensor<D> {
  if (x.ndim === 0) throw new Error('take: cannot index a 0-d tensor');
  const n = x.shape[0];
  const row = n === 0 ? 0 : x.size / n;
  const shape = [indices.length, ...x.shape.slice(1)];
  if (out) {
    if (!sameShape(out.shape, shape) || out.dtype !== x.dtype) {
      throw new Error(`take: out has shape ${formatShape(out.shape)} ${out.dtype}, the result is ${formatShape(shape)} ${x.dtype}`);
    }
  } else {
    out = newTensor(allocate(x.dtype, indices.length * row), shape, x.dtype);
  }
  const src = x.data as AnyTensorData;
  const dst = out.data as AnyTensorData;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < -n || i >= n) throw new Error(`take: index ${i} is out of bounds for axis 0 with size ${n}`);
    const from = (i < 0 ? i + n : i) * row;
    dst.set(src.subarray(from, from + row), r * row);
  }
  return out;
}
