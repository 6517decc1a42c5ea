/**
 * Typed-array allocation that fails with a message naming what was being allocated. A plain
 * `new Float64Array(1e10)` throws a bare `RangeError: Invalid typed array length`; here it is
 * `zeros: cannot allocate a float64 tensor of shape (10000000000,): 80 GB`.
 */

/** Element types of the buffers ScratchNet allocates. */
export type ElementKind = 'float32' | 'float64' | 'uint8' | 'int32' | 'bool';

const WIDTH: Record<ElementKind, number> = { float32: 4, float64: 8, uint8: 1, int32: 4, bool: 1 };

/** Bytes in decimal units, 3 significant digits: 80 GB, 1.57 MB, 512 bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} bytes`;
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let u = 0;
  let v = bytes;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${Number(v.toPrecision(3))} ${units[u]}`;
}

/** The error for a buffer that could not be allocated: the op, the shape, the dtype and the bytes. */
export function allocationError(op: string, shape: readonly number[], kind: ElementKind, cause?: unknown): Error {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
  let size = 1;
  for (const d of shape) size *= d;
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new Error(`${op}: cannot allocate a ${kind} tensor of shape ${shapeText}: ${formatBytes(size * WIDTH[kind])}${reason}`, { cause });
}

/**
 * `new Float32Array(length)` / `Float64Array` / `Int32Array` / `Uint8Array` (for `uint8` and `bool`),
 * zeroed; a length the engine cannot allocate throws `allocationError(op, shape, kind)` instead of a bare
 * RangeError.
 */
export function newTypedArray(kind: 'float32' | 'float64', length: number, op: string, shape: readonly number[]): Float32Array | Float64Array;
export function newTypedArray(kind: 'uint8' | 'bool', length: number, op: string, shape: readonly number[]): Uint8Array;
export function newTypedArray(kind: 'int32', length: number, op: string, shape: readonly number[]): Int32Array;
export function newTypedArray(kind: ElementKind, length: number, op: string, shape: readonly number[]): Float32Array | Float64Array | Int32Array | Uint8Array;
export function newTypedArray(kind: ElementKind, length: number, op: string, shape: readonly number[]): Float32Array | Float64Array | Int32Array | Uint8Array {
  try {
    return kind === 'float64'
      ? new Float64Array(length)
      : kind === 'float32'
        ? new Float32Array(length)
        : kind === 'int32'
          ? new Int32Array(length)
          : new Uint8Array(length);
  } catch (e) {
    if (e instanceof RangeError) throw allocationError(op, shape, kind, e);
    throw e;
  }
}
