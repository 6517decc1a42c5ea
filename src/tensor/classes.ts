/**
 * How `ops.ts` builds its results without importing `tensor.ts` (which imports `ops.ts` for the
 * methods `t.add(…)`, `t.dot(…)`, …): `tensor.ts` registers its `Tensor` and `Mask` classes here when it
 * loads, before any tensor — and so any op — can exist. This keeps the two modules free of an import
 * cycle.
 */
import type { FloatArray } from '../kernels/types.ts';
import type { AnyTensorData, TensorData, TensorDType } from './dtypes.ts';
import type { Mask, Tensor } from './tensor.ts';

interface TensorClasses {
  Tensor: new <D extends TensorDType>(data: TensorData<D>, shape: readonly number[], dtype?: D) => Tensor<D>;
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

/**
 * `new Tensor(data, shape)` for a float array, or a tensor of `dtype` over any typed array — a `Mask`
 * for `bool`, so that every bool tensor the library makes is a `Mask`.
 */
export function newTensor(data: FloatArray, shape: readonly number[]): Tensor;
export function newTensor<D extends TensorDType>(data: TensorData<D>, shape: readonly number[], dtype: D): Tensor<D>;
export function newTensor(data: AnyTensorData, shape: readonly number[], dtype?: TensorDType): Tensor<TensorDType> {
  if (dtype === 'bool') return new (registered().Mask)(data as Uint8Array, shape);
  return new (registered().Tensor)(data, shape, dtype);
}

/** `new Mask(data, shape)`. */
export function newMask(data: Uint8Array, shape: readonly number[]): Mask {
  return new (registered().Mask)(data, shape);
}
