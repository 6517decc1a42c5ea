import { installDevtoolsFormatter, numpyFormatter } from './devtools.ts';
import { newTypedArray } from '../kernels/allocation.ts';
import type { FloatArray } from '../kernels/types.ts';
import { checkShape, formatShape, resolveReshape, shapeSize, type Shape } from './shape.ts';
import * as ops from './ops.ts';
import { registerTensorClasses } from './classes.ts';
import { arrayRepr, arrayStr } from './format.ts';

/** Node's `util.inspect.custom`, by its registered name (no Node import: the core stays browser-safe). */
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** The element types a tensor can hold. `float64` is the default (gradient checks need it). */
export type DType = 'float64' | 'float32';
export const DTYPES: readonly DType[] = ['float64', 'float32'];

/** Nested arrays as `toArray()` returns them and `tensor()` accepts them. */
export type NestedArray = number | NestedArray[];

/** Anything that can stand where a tensor operand is expected: a tensor or a plain number. */
export type Operand = Tensor | number;

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
export function allocate(dtype: DType, size: number, op = 'allocate', shape: readonly number[] = [size]): FloatArray {
  return newTypedArray(dtype, size, op, shape);
}

function nestedToArray(data: FloatArray, shape: Shape, dim: number, offset: number): NestedArray {
  if (dim === shape.length) return data[offset];
  const n = shape[dim];
  let stride = 1;
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
  const out: NestedArray[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = nestedToArray(data, shape, dim + 1, offset + i * stride);
  return out;
}

/**
 * A contiguous, row-major n-dimensional array over a typed array — the NumPy `ndarray` of the book,
 * cut down to what chapter 5 needs.
 *
 * `data` is the typed array itself: writing to it changes the tensor, and every tensor made by
 * `reshape` shares it. The shape never changes; `reshape` returns a new view.
 *
 * @example
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * x.shape;            // [2, 3]
 * x.sum({ axis: 0 }).toArray(); // [5, 7, 9]
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: FloatArray;

  /** Wraps `data` (not copied) as a tensor of `shape`. Prefer `tensor()` to build one from values. */
  constructor(data: FloatArray, shape: Shape) {
    checkShape('Tensor', shape);
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Tensor: data of length ${data.length} does not fit shape ${formatShape(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float32Array ? 'float32' : 'float64';
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Back to nested arrays (a plain number for a 0-d tensor), like NumPy's `tolist()`. */
  toArray(): NestedArray {
    return nestedToArray(this.data, this.shape, 0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** The element at a full index, e.g. `x.get(1, 2)`; negative indices count from the end. */
  get(...index: number[]): number {
    return this.data[this.offsetOf('get', index)];
  }

  /** Sets the element at a full index: `x.set(value, 1, 2)`. */
  set(value: number, ...index: number[]): void {
    this.data[this.offsetOf('set', index)] = value;
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
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    const requested = (Array.isArray(shape[0]) ? shape[0] : shape) as readonly number[];
    return new Tensor(this.data, resolveReshape(this.size, requested));
  }

  /** A deep copy, optionally converted to another dtype. */
  copy(dtype: DType = this.dtype): Tensor {
    const data = allocate(checkDtype('copy', dtype), this.size);
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** The same values as another dtype (a copy, or this tensor when the dtype already matches). */
  astype(dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.copy(dtype);
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

  add(other: Operand): Tensor {
    return ops.add(this, other);
  }
  sub(other: Operand): Tensor {
    return ops.sub(this, other);
  }
  mul(other: Operand): Tensor {
    return ops.mul(this, other);
  }
  div(other: Operand): Tensor {
    return ops.div(this, other);
  }
  dot(other: Tensor, options?: ops.DotOptions): Tensor {
    return ops.dot(this, other, options);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  /** The 2-D transpose, as a copy (`dot` takes transpose flags instead, with no copy). */
  transpose(): Tensor {
    return ops.transpose(this);
  }
  sum(): number;
  sum(options: ops.AxisOptions): Tensor;
  sum(options?: ops.AxisOptions): number | Tensor {
    return options === undefined ? ops.sum(this) : ops.sum(this, options);
  }
  max(): number;
  max(options: ops.AxisOptions): Tensor;
  max(options?: ops.AxisOptions): number | Tensor {
    return options === undefined ? ops.max(this) : ops.max(this, options);
  }
  argmax(): number;
  argmax(options: ops.AxisOptions): Tensor;
  argmax(options?: ops.AxisOptions): number | Tensor {
    return options === undefined ? ops.argmax(this) : ops.argmax(this, options);
  }

  // --- In place, as Python's augmented assignment (`W -= lr * dW`) ---

  /** `this -= other` in place (other broadcast to this shape); returns this. */
  isub(other: Operand): this {
    ops.assignBinary('isub', this, other, 'sub');
    return this;
  }
  /** `this += other` in place; returns this. */
  iadd(other: Operand): this {
    ops.assignBinary('iadd', this, other, 'add');
    return this;
  }
  /** `this *= other` in place; returns this. */
  imul(other: Operand): this {
    ops.assignBinary('imul', this, other, 'mul');
    return this;
  }
  /** Copies the values of a same-shape tensor into this one, in place; returns this. */
  assign(other: Tensor): this {
    ops.assignBinary('assign', this, other, 'right');
    return this;
  }
  /** Sets every element to `value`; returns this. */
  fill(value: number): this {
    this.data.fill(value);
    return this;
  }
}

/**
 * A boolean array, the result of a comparison (`x <= 0` in NumPy): one byte per element, 1 = true.
 * Used with `maskedFill` as the book's `Relu` uses `out[mask] = 0`.
 */
export class Mask {
  readonly shape: readonly number[];
  readonly data: Uint8Array;

  constructor(data: Uint8Array, shape: Shape) {
    if (data.length !== shapeSize(shape)) {
      throw new Error(`Mask: data of length ${data.length} does not fit shape ${formatShape(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get size(): number {
    return this.data.length;
  }

  /** How many elements are true (`np.sum(mask)`). */
  count(): number {
    let n = 0;
    for (let i = 0; i < this.data.length; i++) n += this.data[i];
    return n;
  }

  /** Always `'bool'`: how the printer sees a mask. */
  get dtype(): 'bool' {
    return 'bool';
  }

  /** What NumPy's `print(mask)` prints: `[[False  True]\n [ True False]]`. */
  toString(): string {
    return arrayStr(this);
  }

  /** What NumPy's `repr(mask)` prints: `array([False,  True])`. */
  repr(): string {
    return arrayRepr(this);
  }

  /** `console.log(mask)` prints the mask as NumPy's `print(mask)` does. */
  [INSPECT](): string {
    return arrayStr(this);
  }

  toArray(): boolean | unknown[] {
    const t = new Tensor(Float64Array.from(this.data), this.shape).toArray();
    const toBool = (v: NestedArray): boolean | unknown[] => (Array.isArray(v) ? v.map(toBool) : v !== 0);
    return toBool(t);
  }
}

export interface TensorOptions {
  /** The shape; required for flat typed arrays of more than one dimension, checked otherwise. */
  shape?: readonly number[];
  /** `'float64'` (default) or `'float32'`; a `Float32Array` input defaults to `'float32'`. */
  dtype?: DType;
}

function inferShape(value: unknown, shape: number[], depth: number): void {
  if (Array.isArray(value)) {
    shape.push(value.length);
    if (value.length > 0) inferShape(value[0], shape, depth + 1);
  }
}

function flatten(value: unknown, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof value !== 'number') {
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
 * @example
 * tensor([[1.0, -0.5], [0.0, 3.0]]);                       // shape [2, 2], float64
 * tensor(new Float32Array(6), { shape: [2, 3] });         // float32, shares nothing: data is copied
 * tensor([1, 2, 3], { dtype: 'float32' });
 */
export function tensor(
  data: NestedArray | ArrayLike<number> | Tensor,
  options: TensorOptions = {},
): Tensor {
  let dtype: DType;
  let values: ArrayLike<number>;
  let shape: number[];
  if (data instanceof Tensor) {
    dtype = options.dtype ?? data.dtype;
    values = data.data;
    shape = [...data.shape];
  } else if (typeof data === 'number') {
    dtype = options.dtype ?? 'float64';
    values = [data];
    shape = [];
  } else if (ArrayBuffer.isView(data)) {
    dtype = options.dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
    values = data as ArrayLike<number>;
    shape = [values.length];
  } else if (Array.isArray(data)) {
    dtype = options.dtype ?? 'float64';
    shape = [];
    inferShape(data, shape, 0);
    const flat: number[] = [];
    flatten(data, shape, 0, flat);
    values = flat;
  } else {
    throw new Error(`tensor: cannot build a tensor from ${typeof data}`);
  }
  checkDtype('tensor', dtype);
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    if (shapeSize(options.shape) !== values.length) {
      throw new Error(`tensor: ${values.length} values do not fit shape ${formatShape(options.shape)}`);
    }
    shape = [...options.shape];
  }
  const out = allocate(dtype, values.length);
  out.set(values);
  return new Tensor(out, shape);
}

export interface CreateOptions {
  dtype?: DType;
}

/** A tensor of zeros (`np.zeros`). */
export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return created('zeros', shape, options);
}

/** A zeroed tensor for `op` (its name in the errors). */
function created(op: string, shape: readonly number[], options: CreateOptions): Tensor {
  checkShape(op, shape);
  return new Tensor(allocate(checkDtype(op, options.dtype ?? 'float64'), shapeSize(shape), op, shape), shape);
}

/** A tensor of ones (`np.ones`). */
export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return created('ones', shape, options).fill(1);
}

/** A tensor filled with `value` (`np.full`). */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  return created('full', shape, options).fill(value);
}

/** Zeros of the same shape and dtype as `x` (`np.zeros_like`). */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, { dtype: x.dtype });
}

/** Ones of the same shape and dtype as `x` (`np.ones_like`). */
export function onesLike(x: Tensor): Tensor {
  return ones(x.shape, { dtype: x.dtype });
}

/** Evenly spaced values in [start, stop) (`np.arange`). */
export function arange(start: number, stop: number, step = 1, options: CreateOptions = {}): Tensor {
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const t = zeros([n], options);
  // As NumPy fills it: start, start + step, then start + i * delta with delta = (start + step) - start,
  // so the values agree to the last bit (np.arange(-3, 3, 0.01)[300] is -8.9e-15, not 0).
  const delta = start + step - start;
  for (let i = 0; i < n; i++) t.data[i] = i === 1 ? start + step : start + i * delta;
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
