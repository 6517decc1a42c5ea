import type { FloatArray } from './types.ts';

/** The binary operations the broadcasting kernel knows, by code (no closure call per element). */
export const BinaryOp = { Add: 0, Sub: 1, Mul: 2, Div: 3, Maximum: 4, Minimum: 5 } as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/** The comparisons that produce masks. */
export const CompareOp = { Greater: 0, GreaterEqual: 1, Less: 2, LessEqual: 3, Equal: 4, NotEqual: 5 } as const;
export type CompareOp = (typeof CompareOp)[keyof typeof CompareOp];

function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case BinaryOp.Add:
      return x + y;
    case BinaryOp.Sub:
      return x - y;
    case BinaryOp.Mul:
      return x * y;
    case BinaryOp.Div:
      return x / y;
    case BinaryOp.Maximum:
      // NumPy's maximum propagates NaN.
      return x !== x || y !== y ? NaN : x > y ? x : y;
    case BinaryOp.Minimum:
      return x !== x || y !== y ? NaN : x < y ? x : y;
  }
}

function compare(op: CompareOp, x: number, y: number): number {
  switch (op) {
    case CompareOp.Greater:
      return x > y ? 1 : 0;
    case CompareOp.GreaterEqual:
      return x >= y ? 1 : 0;
    case CompareOp.Less:
      return x < y ? 1 : 0;
    case CompareOp.LessEqual:
      return x <= y ? 1 : 0;
    case CompareOp.Equal:
      return x === y ? 1 : 0;
    case CompareOp.NotEqual:
      return x !== y ? 1 : 0;
  }
}

type AnyArray = FloatArray | Uint8Array;

/**
 * Walks every index of `shape` in row-major order, calling `visit(outIndex, aOffset, bOffset)`, where
 * the offsets advance by `aStrides`/`bStrides` (a stride of 0 repeats a broadcast dimension).
 * The innermost dimension is a plain loop; outer dimensions use a counter array (one allocation per
 * call, none per element).
 */
function walkBroadcast(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  inner: (outStart: number, aStart: number, bStart: number, len: number, aStep: number, bStep: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    inner(0, 0, 0, 1, 0, 0);
    return;
  }
  const last = nd - 1;
  const len = shape[last];
  let outer = 1;
  for (let d = 0; d < last; d++) outer *= shape[d];
  if (len === 0 || outer === 0) return;
  const counter = new Array<number>(last).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let o = 0; o < outer; o++) {
    inner(o * len, aOff, bOff, len, aStrides[last], bStrides[last]);
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      aOff += aStrides[d];
      bOff += bStrides[d];
      if (counter[d] < shape[d]) break;
      aOff -= aStrides[d] * shape[d];
      bOff -= bStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** `out = a op b` with broadcasting already resolved into strides (0 on broadcast dimensions). */
export function binaryBroadcast(
  op: BinaryOp,
  a: FloatArray,
  aStrides: readonly number[],
  b: FloatArray,
  bStrides: readonly number[],
  out: FloatArray,
  shape: readonly number[],
): void {
  // The operation chosen once per row, not per element (a switch per element made it ~4× slower).
  walkBroadcast(shape, aStrides, bStrides, (o, ai, bi, len, as, bs) => {
    switch (op) {
      case BinaryOp.Add:
        for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = a[ai] + b[bi];
        return;
      case BinaryOp.Sub:
        for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = a[ai] - b[bi];
        return;
      case BinaryOp.Mul:
        for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = a[ai] * b[bi];
        return;
      case BinaryOp.Div:
        for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = a[ai] / b[bi];
        return;
      default:
        for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = apply(op, a[ai], b[bi]);
    }
  });
}

/** `out = a op b` (1 or 0) with broadcasting resolved into strides. */
export function compareBroadcast(
  op: CompareOp,
  a: FloatArray,
  aStrides: readonly number[],
  b: FloatArray,
  bStrides: readonly number[],
  out: Uint8Array,
  shape: readonly number[],
): void {
  walkBroadcast(shape, aStrides, bStrides, (o, ai, bi, len, as, bs) => {
    for (let j = 0; j < len; j++, ai += as, bi += bs) out[o + j] = compare(op, a[ai], b[bi]);
  });
}

/** `out[i] = value` where `mask` (broadcast by strides) is set, else `x[i]`. */
export function maskedFill(
  x: FloatArray,
  mask: Uint8Array,
  maskStrides: readonly number[],
  value: number,
  out: FloatArray,
  shape: readonly number[],
): void {
  const zero = new Array<number>(shape.length).fill(0);
  walkBroadcast(shape, zero, maskStrides, (o, _ai, mi, len, _as, ms) => {
    for (let j = 0; j < len; j++, mi += ms) out[o + j] = mask[mi] !== 0 ? value : x[o + j];
  });
}

/** Same-shape `out = a op b`, the common case, without stride bookkeeping. */
export function binarySame(op: BinaryOp, a: FloatArray, b: FloatArray, out: FloatArray): void {
  const n = out.length;
  switch (op) {
    case BinaryOp.Add:
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case BinaryOp.Sub:
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case BinaryOp.Mul:
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    default:
      for (let i = 0; i < n; i++) out[i] = apply(op, a[i], b[i]);
  }
}

export function exp(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]);
}

export function log(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.log(x[i]);
}

/** Logistic sigmoid that never overflows: `exp` only ever sees a non-positive argument. */
export function sigmoid(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v >= 0) {
      out[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      out[i] = e / (1 + e);
    }
  }
}

/** ReLU forward: `out = max(0, x)` and `mask = (x <= 0)`, as the book's `Relu` keeps it. */
export function reluForward(x: FloatArray, out: FloatArray, mask: Uint8Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v <= 0) {
      mask[i] = 1;
      out[i] = 0;
    } else {
      mask[i] = 0;
      out[i] = v;
    }
  }
}

/** ReLU backward: `dx = dout` where the mask is clear, else 0. Writes `dx`, never `dout`. */
export function reluBackward(dout: FloatArray, mask: Uint8Array, dx: FloatArray): void {
  for (let i = 0; i < dout.length; i++) dx[i] = mask[i] !== 0 ? 0 : dout[i];
}

/** Sigmoid backward: `dx = dout * (1 - y) * y`. */
export function sigmoidBackward(dout: FloatArray, y: FloatArray, dx: FloatArray): void {
  for (let i = 0; i < dout.length; i++) dx[i] = dout[i] * (1 - y[i]) * y[i];
}

/**
 * `y += alpha * x` (BLAS axpy): the in-place SGD update. On float32 arrays in float32 arithmetic
 * (alpha and the product rounded to float32, then the sum by the store), as NumPy's
 * `params[key] -= lr * grads[key]` and the WASM kernel compute it: float32 SGD equals NumPy's, bit for bit.
 */
export function axpy(alpha: number, x: FloatArray, y: FloatArray): void {
  if (y instanceof Float32Array) {
    const a = Math.fround(alpha);
    for (let i = 0; i < y.length; i++) y[i] += Math.fround(a * x[i]);
    return;
  }
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

/** `out = x * alpha`. */
export function scale(x: FloatArray, alpha: number, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * alpha;
}

/** True when every element is finite (no NaN, no ±Infinity). */
export function allFinite(x: AnyArray): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) return false;
  }
  return true;
}

/** `dst[i] = src[i] * scale` for the first `src.length` elements: bytes (pixels) to floats. */
export function bytesToFloat(src: Uint8Array, dst: FloatArray, scale: number): void {
  for (let i = 0; i < src.length; i++) dst[i] = src[i] * scale;
}

/**
 * Row `r` of `dst` = row `indices[r]` of `src` (rows of `rowLen` bytes) times `scale`: a mini-batch of
 * images gathered and converted in one pass.
 */
export function gatherRows(src: Uint8Array, rowLen: number, indices: ArrayLike<number>, dst: FloatArray, scale: number): void {
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * rowLen;
    const to = r * rowLen;
    for (let j = 0; j < rowLen; j++) dst[to + j] = src[from + j] * scale;
  }
}
