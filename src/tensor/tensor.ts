import { installDevtoolsFormatter, numpyFormatter } from './devtools.ts';
import { newTypedArray } from '../kernels/allocation.ts';
import type { FloatArray } from '../kernels/types.ts';
import { newTensor, registerTensorClasses } from './classes.ts';
import { checkShape, formatShape, resolveReshape, shapeSize, type Shape } from './shape.ts';
import * as ops from './ops.ts';
import { arrayRepr, arrayStr } from './format.ts';

/** Node's `util.inspect.custom`, by its registered name (no Node import: the core stays browser-safe). */
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

import {
  arrayFits,
  castValue,
  checkTensorDtype,
  dtypeOfArray,
  isFloatDtype,
  scalarValue,
  type AnyTensorData,
  type DType,
  type Promote,
  type PromoteDiv,
  type PromoteScalar,
  type TensorData,
  type TensorDType,
} from './dtypes.ts';

export { DTYPES, TENSOR_DTYPES, type DType, type IntDType, type TensorData, type TensorDType, type Promote, type PromoteScalar, type PromoteDiv } from './dtypes.ts';

/** Nested arrays as `toArray()` returns them and `tensor()` accepts them. */
export type NestedArray = number | NestedArray[];
/** Nested booleans, as `toArray()` returns a bool tensor (NumPy's `tolist()` gives Python bools). */
export type NestedBoolArray = boolean | NestedBoolArray[];
/** What `toArray()` returns for a tensor of dtype `D`. */
export type NestedOf<D extends TensorDType> = D extends 'bool' ? NestedBoolArray : NestedArray;
/** One element as `get()` and `item()` return it: a boolean for bool tensors, else a number. */
export type ElementOf<D extends TensorDType> = D extends 'bool' ? boolean : number;

/** A tensor of any dtype (`Tensor` alone is a float tensor). */
export type AnyTensor = Tensor<TensorDType>;

/** Anything that can stand where a float tensor operand is expected: a float tensor or a plain number. */
export type Operand = Tensor | number;
/** A tensor of any dtype, or a plain number. */
export type AnyOperand = AnyTensor | number;

/** Checks a float dtype (networks, layers, kernels): `'float64'` or `'float32'`. */
export function checkDtype(op: string, dtype: unknown): DType {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)} (allowed: 'float64', 'float32')`);
  }
  return dtype;
}

/**
 * A zeroed array of `size` elements. When it cannot be allocated, the error names `op`, the `shape` it
 * was for, the dtype and the bytes (`zeros: cannot allocate a float64 tensor of shape (10000000000,): 80 GB`).
 */
export function allocate(dtype: DType, size: number, op?: string, shape?: readonly number[]): FloatArray;
export function allocate<D extends TensorDType>(dtype: D, size: number, op?: string, shape?: readonly number[]): TensorData<D>;
export function allocate(dtype: TensorDType, size: number, op = 'allocate', shape: readonly number[] = [size]): AnyTensorData {
  return newTypedArray(dtype, size, op, shape);
}

function nestedToArray(data: AnyTensorData, bool: boolean, shape: Shape, dim: number, offset: number): NestedArray | NestedBoolArray {
  if (dim === shape.length) return bool ? data[offset] !== 0 : data[offset];
  const n = shape[dim];
  let stride = 1;
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
  const out: (NestedArray | NestedBoolArray)[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nestedToArray(data, bool, shape, dim + 1, offset + i * stride);
  return out as NestedArray | NestedBoolArray;
}

/** `count` values of `dtype` read from `source`, cast as NumPy's `astype` casts (see `castValue`). */
function castArray<D extends TensorDType>(source: ArrayLike<number>, from: TensorDType, dtype: D, op: string, shape: readonly number[]): TensorData<D> {
  const out = allocate(dtype, source.length, op, shape) as AnyTensorData;
  if (isFloatDtype(dtype) || (!isFloatDtype(from) && dtype !== 'bool')) {
    // The typed array's own conversion is NumPy's here: floats round, integers wrap modulo 2^32 / 2^8.
    out.set(source);
  } else {
    for (let i = 0; i < source.length; i++) out[i] = castValue(dtype, source[i]);
  }
  return out as TensorData<D>;
}

/**
 * A contiguous, row-major n-dimensional array over a typed array — the NumPy `ndarray` of the book,
 * cut down to what chapter 5 needs.
 *
 * `data` is the typed array itself: writing to it changes the tensor, and every tensor made by
 * `reshape` shares it. The shape never changes; `reshape` returns a new view.
 *
 * The type parameter is the dtype. Plain `Tensor` means a float tensor (`Tensor<'float64' | 'float32'>`,
 * its `data` a `Float64Array | Float32Array`): what networks, layers and kernels take. Integer and bool
 * tensors are `Tensor<'int32'>`, `Tensor<'uint8'>`, `Tensor<'bool'>` (a `Mask`), `AnyTensor` any of them.
 *
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * x.shape;            // [2, 3]
 * x.sum({ axis: 0 }).toArray(); // [5, 7, 9]
 * tensor([1, 2, 3], { dtype: 'int32' }).add(1).repr(); // 'array([2, 3, 4], dtype=int32)'
 */
export class Tensor<D extends TensorDType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly data: TensorData<D>;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`. The dtype is the typed array's (a `Uint8Array` is
   * `uint8`), or `dtype` — `'bool'` for a `Uint8Array` of 0s and 1s. Prefer `tensor()` to build one from values.
   */
  constructor(data: TensorData<D>, shape: Shape, dtype?: D) {
    checkShape('Tensor', shape);
    const own = dtypeOfArray(data as AnyTensorData);
    const dt = dtype ?? own;
    if (dtype !== undefined) checkTensorDtype('Tensor', dtype);
    if (!arrayFits(data as AnyTensorData, dt)) {
      throw new Error(`Tensor: a ${data.constructor.name} cannot hold ${dt} values`);
    }
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Tensor: data of length ${data.length} does not fit shape ${formatShape(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dt as D;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Back to nested arrays (a plain value for a 0-d tensor), like NumPy's `tolist()`: booleans for bool. */
  toArray(): NestedOf<D> {
    return nestedToArray(this.data as AnyTensorData, this.dtype === 'bool', this.shape, 0, 0) as NestedOf<D>;
  }

  /** The single value of a one-element tensor. */
  item(): ElementOf<D> {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return this.element(0);
  }

  /** The element at a full index, e.g. `x.get(1, 2)`; negative indices count from the end. */
  get(...index: number[]): ElementOf<D> {
    return this.element(this.offsetOf('get', index));
  }

  private element(offset: number): ElementOf<D> {
    const v = this.data[offset];
    return (this.dtype === 'bool' ? v !== 0 : v) as ElementOf<D>;
  }

  /**
   * Sets the element at a full index: `x.set(value, 1, 2)`. Into an integer tensor the value goes as
   * NumPy stores a Python number (`a[i] = 3.9` stores 3; 300 into uint8 is an error); into bool, nonzero is true.
   */
  set(value: number | boolean, ...index: number[]): void {
    this.data[this.offsetOf('set', index)] = scalarValue('set', this.dtype, value);
  }

  private offsetOf(op: string, index: number[]): number {
    if (index.length !== this.ndim) {
      throw new Error(`${op}: index has ${index.length} entries, tensor of shape ${formatShape(this.shape)} needs ${this.ndim}`);
    }
    let offset = 0;
    for (let d = 0; d < index.length; d++) {
      const n = this.shape[d];
      let i = index[d];
      if (!Number.isInteger(i) || i < -n || i >= n) {
        throw new Error(`${op}: index ${i} is out of bounds for axis ${d} with size ${n}`);
      }
      if (i < 0) i += n;
      offset = offset * n + i;
    }
    return offset;
  }

  /** A view with another shape over the same data (one dimension may be -1). */
  reshape(...shape: number[] | [readonly number[]]): Tensor<D> {
    const requested = (Array.isArray(shape[0]) ? shape[0] : shape) as readonly number[];
    return newTensor(this.data, resolveReshape(this.size, requested), this.dtype);
  }

  /**
   * A deep copy, optionally converted to another dtype by NumPy's casting (see `astype`).
   */
  copy<T extends TensorDType = D>(dtype?: T): Tensor<T> {
    const dt = checkTensorDtype('copy', dtype ?? this.dtype) as T;
    return newTensor(castArray(this.data, this.dtype, dt, 'copy', this.shape), this.shape, dt);
  }

  /**
   * The same values as another dtype (a copy, or this tensor when the dtype already matches), cast as
   * NumPy's `astype` casts on x86-64: float → int32 truncates toward zero, and NaN, ±inf and values out of
   * the int32 range become -2147483648; float → uint8 takes the low byte of that int32 (300.7 → 44,
   * -1.5 → 255); int32 → uint8 wraps modulo 256; anything → bool is `!= 0` (NaN is true); integers →
   * float32 round to nearest.
   */
  astype<T extends TensorDType>(dtype: T): Tensor<T> {
    return (dtype === (this.dtype as TensorDType) ? this : this.copy(dtype)) as Tensor<T>;
  }

  /** What NumPy's `print(a)` prints for the same array: `[[ 1.  -0.5]\n [ 0.   3. ]]` (see `setPrintOptions`). */
  toString(): string {
    return arrayStr(this);
  }

  /** What NumPy's `repr(a)` prints: `array([[ 1. , -0.5],\n       [ 0. ,  3. ]])`, `dtype=float32` where NumPy shows it. */
  repr(): string {
    return arrayRepr(this);
  }

  /** `console.log(t)` and Node's REPL print the tensor as NumPy's `print(a)` does. */
  [INSPECT](): string {
    return arrayStr(this);
  }

  // --- NumPy-style sugar; each delegates to the op of the same name ---
  // Result dtypes follow NumPy's promotion (see dtypes.ts): a float tensor with anything stays float.

  add<O extends TensorDType>(other: Tensor<O>): Tensor<Promote<D, O>>;
  add(other: number): Tensor<PromoteScalar<D>>;
  add<O extends TensorDType>(other: Tensor<O> | number): Tensor<Promote<D, O> | PromoteScalar<D>>;
  add(other: AnyOperand): AnyTensor {
    return ops.add(this as AnyTensor, other);
  }
  sub<O extends TensorDType>(other: Tensor<O>): Tensor<Promote<D, O>>;
  sub(other: number): Tensor<PromoteScalar<D>>;
  sub<O extends TensorDType>(other: Tensor<O> | number): Tensor<Promote<D, O> | PromoteScalar<D>>;
  sub(other: AnyOperand): AnyTensor {
    return ops.sub(this as AnyTensor, other);
  }
  mul<O extends TensorDType>(other: Tensor<O>): Tensor<Promote<D, O>>;
  mul(other: number): Tensor<PromoteScalar<D>>;
  mul<O extends TensorDType>(other: Tensor<O> | number): Tensor<Promote<D, O> | PromoteScalar<D>>;
  mul(other: AnyOperand): AnyTensor {
    return ops.mul(this as AnyTensor, other);
  }
  /** True division: integer and bool operands give float64, as NumPy's `/`. */
  div<O extends TensorDType>(other: Tensor<O>): Tensor<PromoteDiv<D, O>>;
  div(other: number): Tensor<D extends DType ? D : 'float64'>;
  div<O extends TensorDType>(other: Tensor<O> | number): Tensor<PromoteDiv<D, O> | (D extends DType ? D : 'float64')>;
  div(other: AnyOperand): AnyTensor {
    return ops.div(this as AnyTensor, other);
  }
  /** `this > other` as a bool tensor (a `Mask`). */
  gt(other: AnyOperand): Mask {
    return ops.greater(this as AnyTensor, other);
  }
  /** `this >= other` as a bool tensor. */
  ge(other: AnyOperand): Mask {
    return ops.greaterEqual(this as AnyTensor, other);
  }
  /** `this < other` as a bool tensor. */
  lt(other: AnyOperand): Mask {
    return ops.less(this as AnyTensor, other);
  }
  /** `this <= other` as a bool tensor. */
  le(other: AnyOperand): Mask {
    return ops.lessEqual(this as AnyTensor, other);
  }
  /** `this == other` as a bool tensor. */
  eq(other: AnyOperand): Mask {
    return ops.equal(this as AnyTensor, other);
  }
  /** `this != other` as a bool tensor. */
  ne(other: AnyOperand): Mask {
    return ops.notEqual(this as AnyTensor, other);
  }
  dot(other: Tensor, options?: ops.DotOptions): Tensor {
    return ops.dot(this as unknown as Tensor, other, options);
  }
  exp(): Tensor {
    return ops.exp(this as unknown as Tensor);
  }
  log(): Tensor {
    return ops.log(this as unknown as Tensor);
  }
  /** The 2-D transpose, as a copy (`dot` takes transpose flags instead, with no copy). */
  transpose(): Tensor<D> {
    return ops.transpose(this);
  }
  /** The sum of all elements (a number), or over one axis (integer and bool tensors sum to int32). */
  sum(): number;
  sum(options: ops.AxisOptions): Tensor<ops.SumDType<D>>;
  sum(options?: ops.AxisOptions): number | AnyTensor {
    return options === undefined ? ops.sum(this as AnyTensor) : ops.sum(this as AnyTensor, options);
  }
  max(): number;
  max(options: ops.AxisOptions): Tensor<D>;
  max(options?: ops.AxisOptions): number | AnyTensor {
    return options === undefined ? ops.max(this as AnyTensor) : ops.max(this as AnyTensor, options);
  }
  /** The index of the first maximum (a number), or the indices over one axis as an int32 tensor. */
  argmax(): number;
  argmax(options: ops.AxisOptions): Tensor<'int32'>;
  argmax(options?: ops.AxisOptions): number | Tensor<'int32'> {
    return options === undefined ? ops.argmax(this as AnyTensor) : ops.argmax(this as AnyTensor, options);
  }

  // --- In place, as Python's augmented assignment (`W -= lr * dW`) ---
  // NumPy's `same_kind` rule: an int tensor cannot take a float result (`x += 0.5` is an error).

  /** `this -= other` in place (other broadcast to this shape); returns this. */
  isub(other: AnyOperand): this {
    ops.assignBinary('isub', this as AnyTensor, other, 'sub');
    return this;
  }
  /** `this += other` in place; returns this. */
  iadd(other: AnyOperand): this {
    ops.assignBinary('iadd', this as AnyTensor, other, 'add');
    return this;
  }
  /** `this *= other` in place; returns this. */
  imul(other: AnyOperand): this {
    ops.assignBinary('imul', this as AnyTensor, other, 'mul');
    return this;
  }
  /** Copies the values of a same-shape (or broadcastable) tensor into this one, cast to this dtype; returns this. */
  assign(other: AnyTensor): this {
    ops.assignBinary('assign', this as AnyTensor, other, 'right');
    return this;
  }
  /** Sets every element to `value` (stored as `set` stores it); returns this. */
  fill(value: number | boolean): this {
    (this.data as AnyTensorData).fill(scalarValue('fill', this.dtype, value));
    return this;
  }
}

/**
 * The bool tensor: what comparisons return (`x <= 0` in NumPy), one byte per element, 1 = true. Every
 * bool tensor the library makes is a `Mask` (`astype('bool')`, `tensor(…, { dtype: 'bool' })`, …).
 * Used with `maskedFill` as the book's `Relu` uses `out[mask] = 0`.
 */
export class Mask extends Tensor<'bool'> {
  constructor(data: Uint8Array, shape: Shape) {
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Mask: data of length ${data.length} does not fit shape ${formatShape(shape)}`);
    }
    super(data, shape, 'bool');
  }

  /** How many elements are true (`np.sum(mask)`, `np.count_nonzero(mask)`). */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.data.length; i++) n += this.data[i] !== 0 ? 1 : 0;
    return n;
  }
}

export interface TensorOptions<D extends TensorDType = DType> {
  /** The shape; required for flat typed arrays of more than one dimension, checked otherwise. */
  shape?: readonly number[];
  /**
   * `'float64'` (default; a `Float32Array` input defaults to `'float32'`, nested booleans to `'bool'`,
   * a tensor to its own dtype), `'float32'`, `'int32'`, `'uint8'` or `'bool'`.
   */
  dtype?: D;
}

function inferShape(value: unknown, shape: number[], depth: number): void {
  if (Array.isArray(value)) {
    shape.push(value.length);
    if (value.length > 0) inferShape(value[0], shape, depth + 1);
  }
}

function flatten(value: unknown, shape: number[], depth: number, out: (number | boolean)[]): void {
  if (depth === shape.length) {
    if (typeof value !== 'number' && typeof value !== 'boolean') {
      throw new Error(`tensor: expected a number at depth ${depth}, got ${Array.isArray(value) ? 'an array' : typeof value} (ragged nested array?)`);
    }
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[depth]) {
    throw new Error(
      `tensor: ragged nested array: expected ${shape[depth]} elements at depth ${depth}, got ${Array.isArray(value) ? value.length : typeof value}`,
    );
  }
  for (const v of value) flatten(v, shape, depth + 1, out);
}

/**
 * Builds a tensor, like `np.array`: from nested arrays, a number, a flat array or typed array with a
 * `shape`, or another tensor (copied).
 *
 * Numbers stored into an integer dtype go as NumPy stores Python numbers: truncated toward zero
 * (`tensor([1.5, -2.7], { dtype: 'int32' })` is `[ 1 -2]`), and a value out of the dtype's range, NaN or
 * ±inf is an error (`Python integer 300 out of bounds for uint8`); into bool, nonzero is true. A tensor
 * converted to another dtype is cast as `astype` casts.
 *
 * @example
 * tensor([[1.0, -0.5], [0.0, 3.0]]);                       // shape [2, 2], float64
 * tensor(new Float32Array(6), { shape: [2, 3] });         // float32, shares nothing: data is copied
 * tensor([1, 2, 3], { dtype: 'float32' });
 * tensor([0, 1, 1], { dtype: 'int32' });                  // [0 1 1]
 * tensor([false, true]);                                  // [False  True], a Mask
 */
export function tensor<D extends TensorDType>(data: Tensor<D>, options?: { shape?: readonly number[] }): Tensor<D>;
export function tensor<D extends TensorDType = DType>(data: NestedArray | ArrayLike<number>, options?: TensorOptions<D>): Tensor<D>;
export function tensor<D extends TensorDType = 'bool'>(data: NestedBoolArray, options?: TensorOptions<D>): Tensor<D>;
export function tensor<D extends TensorDType = DType>(data: NestedArray | NestedBoolArray | ArrayLike<number> | AnyTensor, options?: TensorOptions<D>): Tensor<D>;
export function tensor(
  data: NestedArray | NestedBoolArray | ArrayLike<number> | AnyTensor,
  options: TensorOptions<TensorDType> = {},
): AnyTensor {
  let dtype: TensorDType;
  let values: ArrayLike<number | boolean>;
  let shape: number[];
  let from: TensorDType | undefined;
  if (data instanceof Tensor) {
    dtype = options.dtype ?? data.dtype;
    values = data.data;
    from = data.dtype;
    shape = [...data.shape];
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    dtype = options.dtype ?? (typeof data === 'boolean' ? 'bool' : 'float64');
    values = [data];
    shape = [];
  } else if (ArrayBuffer.isView(data)) {
    dtype = options.dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
    values = data as ArrayLike<number>;
    shape = [values.length];
  } else if (Array.isArray(data)) {
    shape = [];
    inferShape(data, shape, 0);
    const flat: (number | boolean)[] = [];
    flatten(data, shape, 0, flat);
    dtype = options.dtype ?? (flat.length > 0 && flat.every((v) => typeof v === 'boolean') ? 'bool' : 'float64');
    values = flat;
  } else {
    throw new Error(`tensor: cannot build a tensor from ${typeof data}`);
  }
  checkTensorDtype('tensor', dtype);
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    if (shapeSize(options.shape) !== values.length) {
      throw new Error(`tensor: ${values.length} values do not fit shape ${formatShape(options.shape)}`);
    }
    shape = [...options.shape];
  }
  if (from !== undefined) return newTensor(castArray(values as ArrayLike<number>, from, dtype, 'tensor', shape), shape, dtype);
  const out = allocate(dtype, values.length, 'tensor', shape);
  if (isFloatDtype(dtype) && !Array.prototype.some.call(values, (v) => typeof v === 'boolean')) {
    out.set(values as ArrayLike<number>);
  } else {
    for (let i = 0; i < values.length; i++) out[i] = scalarValue('tensor', dtype, values[i]);
  }
  return newTensor(out, shape, dtype);
}

export interface CreateOptions<D extends TensorDType = DType> {
  /** `'float64'` (default), `'float32'`, or `'int32'`, `'uint8'`, `'bool'`. */
  dtype?: D;
}

/** A tensor of zeros (`np.zeros`). */
export function zeros<D extends TensorDType = DType>(shape: readonly number[], options: CreateOptions<D> = {}): Tensor<D> {
  return created('zeros', shape, options);
}

/** A zeroed tensor for `op` (its name in the errors). */
function created<D extends TensorDType>(op: string, shape: readonly number[], options: CreateOptions<D>): Tensor<D> {
  checkShape(op, shape);
  const dtype = checkTensorDtype(op, options.dtype ?? 'float64') as D;
  return newTensor(allocate(dtype, shapeSize(shape), op, shape), shape, dtype);
}

/** A tensor of ones (`np.ones`). */
export function ones<D extends TensorDType = DType>(shape: readonly number[], options: CreateOptions<D> = {}): Tensor<D> {
  return created('ones', shape, options).fill(1);
}

/** A tensor filled with `value` (`np.full`; into an integer dtype `value` must fit, as `fill`). */
export function full<D extends TensorDType = DType>(shape: readonly number[], value: number | boolean, options: CreateOptions<D> = {}): Tensor<D> {
  const t = created('full', shape, options);
  (t.data as AnyTensorData).fill(scalarValue('full', t.dtype, value));
  return t;
}

/** Zeros of the same shape and dtype as `x` (`np.zeros_like`). */
export function zerosLike<D extends TensorDType>(x: Tensor<D>): Tensor<D> {
  return zeros(x.shape, { dtype: x.dtype });
}

/** Ones of the same shape and dtype as `x` (`np.ones_like`). */
export function onesLike<D extends TensorDType>(x: Tensor<D>): Tensor<D> {
  return ones(x.shape, { dtype: x.dtype });
}

/**
 * Evenly spaced values in [start, stop) (`np.arange`). The default dtype stays float64 (NumPy would give
 * int64 for integer arguments); pass `{ dtype: 'int32' }` for integers, filled as NumPy fills them: the
 * first two values `int(start)` and `int(start + step)`, then steps of their difference, wrapping.
 */
export function arange<D extends TensorDType = DType>(start: number, stop: number, step = 1, options: CreateOptions<D> = {}): Tensor<D> {
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  if (options.dtype === 'bool') throw new Error('arange: no fill-function for data-type bool (NumPy neither)');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const t = zeros([n], options);
  const data = t.data as AnyTensorData;
  if (isFloatDtype(t.dtype)) {
    // As NumPy fills it: start, start + step, then start + i * delta with delta = (start + step) - start,
    // so the values agree to the last bit (np.arange(-3, 3, 0.01)[300] is -8.9e-15, not 0).
    const delta = start + step - start;
    for (let i = 0; i < n; i++) data[i] = i === 1 ? start + step : start + i * delta;
  } else if (n > 0) {
    const first = scalarValue('arange', t.dtype, start);
    const second = n > 1 ? scalarValue('arange', t.dtype, start + step) : first;
    const delta = second - first;
    for (let i = 0; i < n; i++) data[i] = first + i * delta; // the typed array wraps
  }
  return t;
}

// ops.ts builds its results through these (see classes.ts: no import cycle between the two files).
registerTensorClasses({ Tensor, Mask });

/** Browser consoles print tensors and masks as NumPy does too (see devtools.ts). */
export const TENSOR_DEVTOOLS_FORMATTER = numpyFormatter([Tensor, Mask]);
// Only in a page or a worker: Node prints through util.inspect and its globalThis is left alone.
if (typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
  installDevtoolsFormatter(TENSOR_DEVTOOLS_FORMATTER);
}
