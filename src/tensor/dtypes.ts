/**
 * The element types of tensors, and NumPy's rules between them: which dtype an operation on two
 * operands gives (promotion, with NumPy 2's "weak" Python scalars), and how a value becomes an element
 * of a dtype (casting).
 *
 * `DType` is the float types only — what networks, layers, kernels and optimizers work in.
 * `TensorDType` adds the integer and boolean types a tensor may also hold (`[0 1 1]` from a step
 * function, `[False  True]` from a comparison, uint8 labels). Integer and boolean tensors never reach a
 * kernel: elementwise integer arithmetic is in `int-ops.ts`, and ops that need a kernel (dot, exp, …)
 * refuse them with an error naming the op and the dtype.
 */

/** The float element types: what networks, layers and kernels work in. `float64` is the default. */
export type DType = 'float64' | 'float32';
/** The integer element types (NumPy's `int32`, `uint8`). */
export type IntDType = 'int32' | 'uint8';
/** Every element type a tensor can hold: the floats, the integers and `bool` (one byte, 0 or 1). */
export type TensorDType = DType | IntDType | 'bool';

export const DTYPES: readonly DType[] = ['float64', 'float32'];
export const TENSOR_DTYPES: readonly TensorDType[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];

/** The typed array under a tensor of dtype `D` (`bool` is a `Uint8Array` holding 0 and 1). */
export type TensorData<D extends TensorDType = TensorDType> = D extends 'float64'
  ? Float64Array
  : D extends 'float32'
    ? Float32Array
    : D extends 'int32'
      ? Int32Array
      : Uint8Array;

/** Any typed array a tensor may sit on. */
export type AnyTensorData = Float64Array | Float32Array | Int32Array | Uint8Array;

export function isFloatDtype(dtype: TensorDType): dtype is DType {
  return dtype === 'float64' || dtype === 'float32';
}

export function checkTensorDtype(op: string, dtype: unknown): TensorDType {
  if (!(TENSOR_DTYPES as readonly unknown[]).includes(dtype)) {
    throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)} (allowed: 'float64', 'float32') — or 'int32', 'uint8', 'bool' for integer and boolean tensors`);
  }
  return dtype as TensorDType;
}

/** The dtype of a typed array when nothing says otherwise (a `Uint8Array` is `uint8`, never `bool`). */
export function dtypeOfArray(data: AnyTensorData): TensorDType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error(`Tensor: data must be a Float64Array, Float32Array, Int32Array or Uint8Array, got ${Object.prototype.toString.call(data)}`);
}

/** Whether `data` is the typed array a tensor of `dtype` sits on. */
export function arrayFits(data: AnyTensorData, dtype: TensorDType): boolean {
  const own = dtypeOfArray(data);
  return own === dtype || (dtype === 'bool' && own === 'uint8');
}

// --- Promotion ---

/**
 * `np.result_type(a, b)` for two arrays, as NumPy 2.4 gives it for `+ - * maximum minimum` (observed
 * with numpy on the machine that wrote this; see test/int-tensors.test.ts). Symmetric.
 *
 * |          | float64 | float32 | int32   | uint8   | bool    |
 * |----------|---------|---------|---------|---------|---------|
 * | float64  | float64 | float64 | float64 | float64 | float64 |
 * | float32  | float64 | float32 | float64 | float32 | float32 |
 * | int32    | float64 | float64 | int32   | int32   | int32   |
 * | uint8    | float64 | float32 | int32   | uint8   | uint8   |
 * | bool     | float64 | float32 | int32   | uint8   | bool    |
 *
 * True division (`div`) gives the same, except that an integer or bool result becomes float64.
 */
export const PROMOTION: { readonly [A in TensorDType]: { readonly [B in TensorDType]: TensorDType } } = {
  float64: { float64: 'float64', float32: 'float64', int32: 'float64', uint8: 'float64', bool: 'float64' },
  float32: { float64: 'float64', float32: 'float32', int32: 'float64', uint8: 'float32', bool: 'float32' },
  int32: { float64: 'float64', float32: 'float64', int32: 'int32', uint8: 'int32', bool: 'int32' },
  uint8: { float64: 'float64', float32: 'float32', int32: 'int32', uint8: 'uint8', bool: 'uint8' },
  bool: { float64: 'float64', float32: 'float32', int32: 'int32', uint8: 'uint8', bool: 'bool' },
};

/** The promotion table as a type, so `int32 + float32` is typed `Tensor<'float64'>`. */
export type Promote<A extends TensorDType, B extends TensorDType> = {
  float64: { float64: 'float64'; float32: 'float64'; int32: 'float64'; uint8: 'float64'; bool: 'float64' };
  float32: { float64: 'float64'; float32: 'float32'; int32: 'float64'; uint8: 'float32'; bool: 'float32' };
  int32: { float64: 'float64'; float32: 'float64'; int32: 'int32'; uint8: 'int32'; bool: 'int32' };
  uint8: { float64: 'float64'; float32: 'float32'; int32: 'int32'; uint8: 'uint8'; bool: 'uint8' };
  bool: { float64: 'float64'; float32: 'float32'; int32: 'int32'; uint8: 'uint8'; bool: 'bool' };
}[A][B];

/**
 * The dtype of a tensor of dtype `A` with a plain number, as a type: a float tensor keeps its dtype; an
 * integer one keeps it for an integer and becomes float64 for a fraction; bool becomes int32 or float64.
 */
export type PromoteScalar<A extends TensorDType> = A extends DType ? A : A extends 'bool' ? 'int32' | 'float64' : A | 'float64';

/** True division's result type: floats as `Promote`, anything integer or bool becomes float64. */
export type PromoteDiv<A extends TensorDType, B extends TensorDType> = Promote<A, B> extends infer R
  ? R extends DType
    ? R
    : 'float64'
  : never;

export function promote(a: TensorDType, b: TensorDType): TensorDType {
  return PROMOTION[a][b];
}

/** The range of each integer dtype (bool: 0 and 1). */
const RANGE: Record<IntDType, [number, number]> = { int32: [-2147483648, 2147483647], uint8: [0, 255] };

/**
 * NumPy 2's rule for a plain number meeting a tensor of dtype `dtype` (NEP 50, "weak" scalars). A JS
 * number has no int/float distinction, so an integer-valued number (`2`, `-0`) counts as a Python int and
 * anything else (`0.5`, `NaN`, `Infinity`) as a Python float:
 * - float tensor: its dtype;
 * - int32/uint8 tensor: its dtype for an int — which must fit, or NumPy's OverflowError
 *   (`Python integer 300 out of bounds for uint8`) — and float64 for a float;
 * - bool tensor: int32 for an int (NumPy's default int is int64; ours is int32), float64 for a float.
 */
export function promoteScalar(op: string, dtype: TensorDType, value: number): TensorDType {
  if (isFloatDtype(dtype)) return dtype;
  if (!Number.isInteger(value)) return 'float64';
  const target: IntDType = dtype === 'bool' ? 'int32' : dtype;
  checkIntRange(op, target, value);
  return target;
}

function checkIntRange(op: string, dtype: IntDType, value: number): void {
  const [lo, hi] = RANGE[dtype];
  if (value < lo || value > hi) throw new Error(`${op}: Python integer ${value} out of bounds for ${dtype}`);
}

/**
 * Whether NumPy's `same_kind` casting allows writing a `from` result into a `to` array (in-place ops
 * `a += b`): floats take anything; int32 takes int32, uint8 and bool; uint8 takes uint8 and bool; bool
 * only bool.
 */
export function canCastSameKind(from: TensorDType, to: TensorDType): boolean {
  if (from === to || isFloatDtype(to)) return true;
  if (isFloatDtype(from)) return false;
  if (to === 'int32') return true;
  if (to === 'uint8') return from === 'bool';
  return false;
}

// --- Casting ---

/**
 * A float cast to int32 as NumPy's `astype(np.int32)` does on x86-64: truncated toward zero; NaN, ±inf
 * and values outside the int32 range become -2147483648 (the processor's "integer indefinite"; NumPy
 * warns `invalid value encountered in cast`).
 */
export function floatToInt32(x: number): number {
  const t = Math.trunc(x);
  return t >= -2147483648 && t <= 2147483647 ? t : -2147483648;
}

/**
 * `value` as an element of `dtype`, by NumPy's `astype` (unsafe casting) from a float64 or any other
 * dtype: to int32 see `floatToInt32`; to uint8 the int32 value's low byte (so 300.7 → 44, -1.5 → 255,
 * NaN → 0, as NumPy on x86-64); to bool nonzero (NaN too) is true. Floats: the typed array rounds.
 */
export function castValue(dtype: TensorDType, value: number): number {
  switch (dtype) {
    case 'float64':
    case 'float32':
      return value;
    case 'int32':
      return floatToInt32(value);
    case 'uint8':
      return floatToInt32(value) & 255;
    case 'bool':
      return value !== 0 ? 1 : 0;
  }
}

/**
 * A JS number stored into an array of `dtype` as NumPy stores a Python scalar (`np.array([v], dtype)`,
 * `a.fill(v)`, `a[i] = v`): for an integer dtype, Python's `int(v)` — truncation toward zero — which must
 * fit (`Python integer 300 out of bounds for uint8`), and NaN or ±inf are refused
 * (`cannot convert float NaN to integer`); for bool, nonzero is true; floats are stored as they are.
 */
export function scalarValue(op: string, dtype: TensorDType, value: number | boolean): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (dtype === 'float64' || dtype === 'float32') return value;
  if (dtype === 'bool') return value !== 0 ? 1 : 0;
  if (Number.isNaN(value)) throw new Error(`${op}: cannot convert float NaN to integer`);
  if (!Number.isFinite(value)) throw new Error(`${op}: cannot convert float infinity to integer`);
  const t = Math.trunc(value) + 0; // -0 → 0
  checkIntRange(op, dtype, t);
  return t;
}
