import { allocate, Tensor, type DType } from '../tensor/tensor.ts';
import { sameShape, shapeSize } from '../tensor/shape.ts';

/**
 * Returns `buf` when it already has this shape and dtype, else a fresh tensor: layers keep their
 * output buffers across calls so a training step with a fixed batch size allocates nothing.
 */
export function reuse(buf: Tensor | undefined, shape: readonly number[], dtype: DType): Tensor {
  if (buf !== undefined && buf.dtype === dtype && sameShape(buf.shape, shape)) return buf;
  return new Tensor(allocate(dtype, shapeSize(shape)), shape);
}

/** Same as `reuse` for byte masks. */
export function reuseBytes(buf: Uint8Array | undefined, size: number): Uint8Array {
  return buf !== undefined && buf.length === size ? buf : new Uint8Array(size);
}
