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

/** The activation functions of ch06/weight_init_activation_histogram.py. */
export const HISTOGRAM_ACTIVATIONS = Object.freeze({
  sigmoid: (a: number) => 1 / (1 + Math.exp(-a)),
  relu: (a: number) => Math.max(0, a),
  tanh: (a: number) => Math.tanh(a),
});

/**
 * The book's ch06/weight_init_activation_histogram.py experiment: `samples` random rows (standard
 * normal) of `nodes` values through `layers` layers of `nodes` neurons without biases — `x` times `w`
 * (nodes × nodes, normal with standard deviation `scale`, drawn layer by layer from `rng`), through the
 * activation, fed to the next layer. Returns each layer's activations (samples × nodes, row by row).
 *
 * @example
 * const acts = layerActivations(new Random(1), { samples: 1000, nodes: 100, layers: 5, scale: weightInitScale('xavier', 100), activation: 'sigmoid' });
 * histogram(acts[4], 30, 0, 1); // the fifth layer's histogram, as the book's plt.hist(a, 30, range=(0, 1))
 */
export function layerActivations(
  rng: { fillNormal(arr: Float64Array, mean?: number, std?: number): void },
  options: { samples: number; nodes: number; layers: number; scale: number; activation: keyof typeof HISTOGRAM_ACTIVATIONS | ((a: number) => number) },
): Float64Array[] {
  const activation = typeof options.activation === 'function' ? options.activation : HISTOGRAM_ACTIVATIONS[options.activation];
  if (activation === undefined) throw new Error(`layerActivations: unknown activation '${String(options.activation)}' (known: sigmoid, relu, tanh)`);
  const { samples, nodes } = options;
  let x = new Float64Array(samples * nodes);
  rng.fillNormal(x);
  const out: Float64Array[] = [];
  const w = new Float64Array(nodes * nodes);
  for (let layer = 0; layer < options.layers; layer++) {
    rng.fillNormal(w, 0, options.scale);
    const z = new Float64Array(samples * nodes);
    for (let i = 0; i < samples; i++) {
      const row = z.subarray(i * nodes, (i + 1) * nodes);
      for (let k = 0; k < nodes; k++) {
        const xik = x[i * nodes + k];
        if (xik === 0) continue;
        const wk = k * nodes;
        for (let j = 0; j < nodes; j++) row[j] += xik * w[wk + j];
      }
      for (let j = 0; j < nodes; j++) row[j] = activation(row[j]);
    }
    out.push(z);
    x = z;
  }
  return out;
}
