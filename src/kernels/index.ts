/**
 * Every hot loop of ScratchNet lives in this folder. Ops (in `tensor/`) check shapes, pick output
 * buffers and call these; kernels only loop over typed arrays and know nothing about shapes beyond
 * their arguments.
 *
 * `kernels` is the active set. A faster implementation (WASM SIMD) can replace entries of it at load
 * time with functions of the same signatures; the plain TypeScript ones stay exported as the reference
 * that faster ones are tested against.
 */
import * as batchNorm from './batch-norm.ts';
import * as conv from './conv.ts';
import * as elementwise from './elementwise.ts';
import { newTypedArray } from './allocation.ts';
import * as matmul from './matmul.ts';
import * as optimizers from './optimizers.ts';
import * as predict from './predict.ts';
import * as reduce from './reduce.ts';

import type { FloatArray } from './types.ts';

export type { FloatArray, PendingWork } from './types.ts';
export { BinaryOp, CompareOp } from './elementwise.ts';

export const referenceKernels = Object.freeze({ ...batchNorm, ...conv, ...elementwise, ...matmul, ...reduce, ...predict, ...optimizers });

export type Kernels = typeof referenceKernels;

/** The kernels in use (mutable so an accelerated set can be installed with `useKernels`). */
export const kernels: { -readonly [K in keyof Kernels]: Kernels[K] } = { ...referenceKernels };

/** Replaces some kernels with faster ones of the same signature; returns a function that restores them. */
export function useKernels(replacements: Partial<Kernels>): () => void {
  const previous = { ...kernels };
  Object.assign(kernels, replacements);
  return () => {
    Object.assign(kernels, previous);
  };
}

/** The kinds of long-lived buffer: float data, byte masks (Relu's), or indices (Pooling's argMax). */
export type BufferKind = 'float32' | 'float64' | 'uint8' | 'int32';
type BufferAllocator = (kind: BufferKind, length: number) => FloatArray | Uint8Array | Int32Array | undefined;
let bufferAllocator: BufferAllocator | undefined;

/**
 * Where long-lived buffers (layer outputs, masks, parameters, batches) are allocated: by default
 * ordinary typed arrays; the WASM backend puts them on its heap so its kernels need no copies.
 * Returns a function that restores the previous allocator.
 */
export function setBufferAllocator(allocator: BufferAllocator | undefined): () => void {
  const previous = bufferAllocator;
  bufferAllocator = allocator;
  return () => {
    bufferAllocator = previous;
  };
}

/**
 * A zeroed, long-lived float buffer (see `setBufferAllocator`). When it cannot be allocated, the error
 * names `op` and the `shape` the buffer was for (default: the caller is unnamed, the shape `(length,)`).
 */
export function allocateBuffer(float32: boolean, length: number, op = 'allocateBuffer', shape: readonly number[] = [length]): FloatArray {
  const kind = float32 ? 'float32' : 'float64';
  return (bufferAllocator?.(kind, length) as FloatArray | undefined) ?? newTypedArray(kind, length, op, shape);
}

/** A zeroed, long-lived byte buffer (see `setBufferAllocator`); errors name `op`, as `allocateBuffer`'s. */
export function allocateBytes(length: number, op = 'allocateBytes'): Uint8Array {
  return (bufferAllocator?.('uint8', length) as Uint8Array | undefined) ?? newTypedArray('uint8', length, op, [length]);
}

/** A zeroed, long-lived int32 buffer (Pooling's argMax: the WASM kernels then write it in place). */
export function allocateInt32(length: number, op = 'allocateInt32'): Int32Array {
  return (bufferAllocator?.('int32', length) as Int32Array | undefined) ?? newTypedArray('int32', length, op, [length]);
}
