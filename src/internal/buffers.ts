import { allocateBuffer, allocateBytes } from '../kernels/index.ts';
import { Tensor, type DType } from '../tensor/tensor.ts';
import { sameShape, shapeSize } from '../tensor/shape.ts';

/**
 * Returns `buf` when it already has this shape and dtype, else a fresh tensor: layers keep their
 * output buffers across calls so a training step with a fixed batch size allocates nothing.
 */
export function reuse(buf: Tensor | undefined, shape: readonly number[], dtype: DType, op = 'reuse'): Tensor {
  if (buf !== undefined && buf.dtype === dtype && sameShape(buf.shape, shape)) return buf;
  return bufferTensor(shape, dtype, op);
}

/** `reuse` for a rows × cols matrix, checked without building a shape array (it runs every step). */
export function reuseMatrix(buf: Tensor | undefined, rows: number, cols: number, dtype: DType, op = 'reuseMatrix'): Tensor {
  if (buf !== undefined && buf.dtype === dtype && buf.ndim === 2 && buf.shape[0] === rows && buf.shape[1] === cols) return buf;
  return bufferTensor([rows, cols], dtype, op);
}

/**
 * A zeroed long-lived tensor (on the WASM heap when that backend is active). `op` names the caller in
 * the error thrown when it cannot be allocated (`TwoLayerNet: cannot allocate a float64 tensor of shape
 * (1000000,1000000): 8 TB`).
 */
export function bufferTensor(shape: readonly number[], dtype: DType, op = 'bufferTensor'): Tensor {
  return new Tensor(allocateBuffer(dtype === 'float32', shapeSize(shape), op, shape), shape);
}

/** Same as `reuse` for byte masks. */
export function reuseBytes(buf: Uint8Array | undefined, size: number, op = 'reuseBytes'): Uint8Array {
  return buf !== undefined && buf.length === size ? buf : allocateBytes(size, op);
}
