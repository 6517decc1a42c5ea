import { allocateBuffer, allocateBytes } from '../kernels/index.ts';
import { Tensor, type DType } from '../tensor/tensor.ts';
import { sameShape, shapeSize } from '../tensor/shape.ts';

/**
 * The whole block behind a buffer handed out as a shorter view (see `reuse`): a layer that evaluates
 * batches of 1000 between training batches of 100 keeps one block and views its first rows, instead of
 * allocating a new block at every change of size — on the WASM heap, dead blocks wait for the JavaScript
 * garbage collector, which seldom runs when the JavaScript heap holds only small views, and the heap's
 * touched pages (the process's memory) grew to its 256 MiB.
 */
const blocks = new WeakMap<ArrayBufferView, Float64Array | Float32Array | Uint8Array>();

/** `data`'s whole block: itself, or the block it is a view of. */
function blockOf<A extends Float64Array | Float32Array | Uint8Array>(data: A): A {
  return (blocks.get(data) as A | undefined) ?? data;
}

/** The first `size` elements of `buf`'s block when it has that many, remembered as a view of it; else undefined. */
function viewOf<A extends Float64Array | Float32Array | Uint8Array>(buf: A, size: number): A | undefined {
  const block = blockOf(buf);
  if (block.length < size) return undefined;
  const view = block.subarray(0, size) as A;
  blocks.set(view, block);
  return view;
}

/**
 * Returns `buf` when it already has this shape and dtype, else a tensor of that shape on the first
 * elements of `buf`'s block when it is large enough, else a fresh tensor: layers keep their output
 * buffers across calls, so a training step with a fixed batch size allocates nothing, and alternating
 * sizes (training and evaluation batches) allocate once. The contents are not cleared.
 */
export function reuse(buf: Tensor | undefined, shape: readonly number[], dtype: DType, op = 'reuse'): Tensor {
  if (buf !== undefined && buf.dtype === dtype && sameShape(buf.shape, shape)) return buf;
  const view = buf !== undefined && buf.dtype === dtype ? viewOf(buf.data as Float64Array | Float32Array, shapeSize(shape)) : undefined;
  return view ? new Tensor(view, shape) : bufferTensor(shape, dtype, op);
}

/** `reuse` for a rows × cols matrix, checked without building a shape array (it runs every step). */
export function reuseMatrix(buf: Tensor | undefined, rows: number, cols: number, dtype: DType, op = 'reuseMatrix'): Tensor {
  if (buf !== undefined && buf.dtype === dtype && buf.ndim === 2 && buf.shape[0] === rows && buf.shape[1] === cols) return buf;
  return reuse(buf, [rows, cols], dtype, op);
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
  if (buf !== undefined && buf.length === size) return buf;
  return (buf !== undefined ? viewOf(buf, size) : undefined) ?? allocateBytes(size, op);
}
