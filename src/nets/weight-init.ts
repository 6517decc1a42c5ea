import { bufferTensor } from '../internal/buffers.ts';
import type { Random } from '../tensor/random.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';

/**
 * The standard deviation of the initial weights, as the book's `weight_init_std`: a number (e.g. 0.01),
 * or a name — `'relu'` / `'he'` for He's initial value `√(2/n)`, `'sigmoid'` / `'xavier'` for Xavier's
 * `√(1/n)`, where n is the size of the previous layer. Names are case-insensitive, as the book compares
 * `str(weight_init_std).lower()`.
 */
export type WeightInitStd = number | string;

/**
 * The scale of the weights that connect a layer of `prevSize` units to the next one (the book's
 * `__init_weight` for one index).
 *
 * @example
 * weightInitScale('He', 784);  // Math.sqrt(2 / 784)
 * weightInitScale(0.01, 784);  // 0.01
 */
export function weightInitScale(weightInitStd: WeightInitStd, prevSize: number): number {
  if (typeof weightInitStd === 'number') {
    if (!Number.isFinite(weightInitStd) || weightInitStd < 0) {
      throw new Error(`weightInitStd must be a finite number >= 0 or 'relu', 'he', 'sigmoid', 'xavier', got ${weightInitStd}`);
    }
    return weightInitStd;
  }
  const name = weightInitStd.toLowerCase();
  if (name === 'relu' || name === 'he') return Math.sqrt(2.0 / prevSize);
  if (name === 'sigmoid' || name === 'xavier') return Math.sqrt(1.0 / prevSize);
  throw new Error(`weightInitStd must be a number or one of 'relu', 'he', 'sigmoid', 'xavier' (any case), got '${weightInitStd}'`);
}

/**
 * The initial weights and biases of a fully connected net with layer sizes
 * `allSizeList = [inputSize, ...hiddenSizeList, outputSize]`, as the book's `__init_weight`:
 * `W{i} = scale · randn(size[i−1], size[i])` and `b{i} = zeros(size[i])` for i = 1…L, drawn in that
 * order from `rng`. Returned in the book's key order: W1, b1, W2, b2, … The tensors are long-lived
 * buffers (on the WASM heap when those kernels are in use).
 */
export function initWeights(allSizeList: readonly number[], weightInitStd: WeightInitStd, rng: Random, dtype: DType = 'float64'): Record<string, Tensor> {
  const params: Record<string, Tensor> = {};
  for (let idx = 1; idx < allSizeList.length; idx++) {
    const prev = allSizeList[idx - 1];
    const size = allSizeList[idx];
    const scale = weightInitScale(weightInitStd, prev);
    const W = bufferTensor([prev, size], dtype);
    rng.fillNormal(W.data, 0, scale);
    params[`W${idx}`] = W;
    params[`b${idx}`] = bufferTensor([size], dtype);
  }
  return params;
}
