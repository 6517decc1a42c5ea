/**
 * Elementwise loops for integer and boolean results. The kernels (`kernels/`) are float-only, as the
 * networks are; the few integer ops the book prints (`x + 1` on a step function's output, `y == t`
 * counts, labels) run here, in plain TypeScript, with NumPy's wrapping arithmetic:
 * int32 wraps modulo 2^32, uint8 modulo 2^8, and bool `+`/`*` are logical or/and.
 */
import { BinaryOp } from '../kernels/index.ts';
import type { TensorDType } from './dtypes.ts';

type Values = ArrayLike<number>;
type Out = Int32Array | Uint8Array;

/** One element of `a op b` for a result of `dtype` (int32, uint8 or bool). */
export function intApply(op: BinaryOp, dtype: TensorDType, x: number, y: number): number {
  if (dtype === 'bool') {
    switch (op) {
      case BinaryOp.Add:
      case BinaryOp.Maximum:
        return x | y;
      case BinaryOp.Mul:
      case BinaryOp.Minimum:
        return x & y;
      default:
        throw new Error('intApply: unsupported bool op');
    }
  }
  switch (op) {
    case BinaryOp.Add:
      return x + y; // exact in doubles; the Int32Array/Uint8Array store wraps
    case BinaryOp.Sub:
      return x - y;
    case BinaryOp.Mul:
      return Math.imul(x, y); // the low 32 bits, which is also right modulo 2^8
    case BinaryOp.Maximum:
      return x > y ? x : y;
    case BinaryOp.Minimum:
      return x < y ? x : y;
    default:
      throw new Error('intApply: unsupported integer op');
  }
}

/**
 * Walks every index of `shape` in row-major order with broadcast strides (0 on broadcast dimensions),
 * calling `visit(outIndex, aOffset, bOffset)`.
 */
export function walk(
  shape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  visit: (o: number, ai: number, bi: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (nd === 0) {
    visit(0, 0, 0);
    return;
  }
  const counter = new Array<number>(nd).fill(0);
  let ai = 0;
  let bi = 0;
  for (let o = 0; o < total; o++) {
    visit(o, ai, bi);
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      ai += aStrides[d];
      bi += bStrides[d];
      if (counter[d] < shape[d]) break;
      ai -= aStrides[d] * shape[d];
      bi -= bStrides[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** `out = a op b` for an integer or bool result, broadcasting by strides. */
export function intBinary(
  op: BinaryOp,
  dtype: TensorDType,
  a: Values,
  aStrides: readonly number[],
  b: Values,
  bStrides: readonly number[],
  out: Out,
  shape: readonly number[],
): void {
  walk(shape, aStrides, bStrides, (o, ai, bi) => {
    out[o] = intApply(op, dtype, a[ai], b[bi]);
  });
}
