import type { MnistSplit } from '../data/mnist.ts';
import { kernels } from '../kernels/index.ts';
import type { TwoLayerNet } from '../nets/two-layer-net.ts';

/**
 * Accuracy of `net` on a whole split: the fraction of images whose highest score is their label. The
 * images stay bytes: `kernels.predictTwoLayer` runs the network's inference (Affine1 → Relu1 → Affine2,
 * the same arithmetic as `net.predict`) `chunk` images per call, so evaluating 60 000 images never holds
 * them as floats.
 */
export function evaluateAccuracy(net: TwoLayerNet, split: MnistSplit, chunk = 10000): number {
  if (split.pixels !== net.inputSize) {
    throw new Error(`evaluateAccuracy: images of ${split.pixels} pixels do not fit a network with ${net.inputSize} inputs`);
  }
  const p = split.pixels;
  const { W1, b1, W2, b2 } = net.params;
  const rows = Math.max(1, Math.min(chunk, split.count));
  const predicted = new Int32Array(rows);
  let correct = 0;
  for (let start = 0; start < split.count; start += rows) {
    const n = Math.min(rows, split.count - start);
    kernels.predictTwoLayer(split.images.subarray(start * p, (start + n) * p), n, p, 1 / 255, W1.data, b1.data, W2.data, b2.data, net.hiddenSize, net.outputSize, predicted);
    for (let i = 0; i < n; i++) if (predicted[i] === split.labels[start + i]) correct++;
  }
  return split.count === 0 ? 0 : correct / split.count;
}
