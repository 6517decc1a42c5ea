/**
 * How `ops.ts` builds its results without importing `tensor.ts` (which imports `ops.ts` for the
 * methods `t.add(…)`, `t.dot(…)`, …): `tensor.ts` registers its `Tensor` and `Mask` classes here when it
 * loads, before any tensor — and so any op — can exist. This keeps the two modules free of an import
 * cycle.
 */
import type { FloatArray } from '../kernels/types.ts';
import type { Mask, Tensor } from './tensor.ts';

interface TensorClasses {
  Tensor: new (data: FloatArray, shape: readonly number[]) => Tensor;
  Mask: new (data: Uint8Array, shape: readonly number[]) => Mask;
}

let classes: TensorClasses | undefined;

export function registerTensorClasses(c: TensorClasses): void {
  classes = c;
}

function registered(): TensorClasses {
  if (!classes) throw new Error('tensor ops: the Tensor class is not loaded (import from the package or tensor/tensor.ts)');
  return classes;
}

/** `new Tensor(data, shape)`. */
export function newTensor(data: FloatArray, shape: readonly number[]): Tensor {
  return new (registered().Tensor)(data, shape);
}

/** `new Mask(data, shape)`. */
export function newMask(data: Uint8Array, shape: readonly number[]): Mask {
  return new (registered().Mask)(data, shape);
}
