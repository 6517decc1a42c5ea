import type { Labels } from '../functions.ts';
import type { MnistSplit } from '../data/mnist.ts';
import { bufferTensor } from '../internal/buffers.ts';
import type { Network } from '../nets/network.ts';
import { TwoLayerNet, type ParamKey } from '../nets/two-layer-net.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * For every parameter of any network, the mean absolute difference between the backprop gradient and the
 * numerical one on `x`, `t` — what the book's `gradient_check.py` scripts print. Use float64.
 */
export function gradientDifferences(network: Network, x: Tensor, t: Labels): Record<string, number> {
  const gradNumerical = network.numericalGradient(x, t);
  const gradBackprop = network.gradient(x, t);
  const diffs: Record<string, number> = {};
  for (const key of Object.keys(network.params)) {
    const a = gradBackprop[key].data;
    const b = gradNumerical[key].data;
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
    diffs[key] = sum / a.length;
  }
  return diffs;
}

/**
 * The book's `gradient_check.py`: a fresh TwoLayerNet(pixels, 50, 10) on the first `count` images of
 * `split`; returns, per parameter, the mean absolute difference between backprop and numerical
 * gradients (float64). Browser-safe: the CLI and the web page both call it.
 */
export function gradientCheck(split: MnistSplit, options: { seed: number; count?: number }): Record<ParamKey, number> {
  const n = Math.min(options.count ?? 3, split.count);
  // A long-lived buffer (on the WASM heap with those kernels): ~80 000 forward passes read it.
  const xBatch = bufferTensor([n, split.pixels], 'float64');
  split.copyImages(0, n, xBatch.data);
  const tBatch = [...split.labels.subarray(0, n)];
  return gradientDifferences(new TwoLayerNet(split.pixels, 50, 10, 0.01, { seed: options.seed }), xBatch, tBatch) as Record<ParamKey, number>;
}
