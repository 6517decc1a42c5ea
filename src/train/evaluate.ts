import type { MnistSplit } from '../data/mnist.ts';
import { kernels } from '../kernels/index.ts';
import type { TwoLayerNet } from '../nets/two-layer-net.ts';
import { allocate, Tensor } from '../tensor/tensor.ts';

/**
 * Accuracy of `net` on a whole split, in chunks: the images are converted from bytes `chunk` rows at a
 * time into one reused buffer, so evaluating 60 000 images never holds them all as floats.
 */
export function evaluateAccuracy(net: TwoLayerNet, split: MnistSplit, chunk = 1000, scratch?: Tensor): number {
  const p = split.pixels;
  const rows = Math.min(chunk, split.count);
  const x = scratch && scratch.size >= rows * p && scratch.dtype === net.dtype ? scratch : new Tensor(allocate(net.dtype, rows * p), [rows, p]);
  const predicted = new Float64Array(rows);
  let correct = 0;
  for (let start = 0; start < split.count; start += rows) {
    const n = Math.min(rows, split.count - start);
    const view = n === x.shape[0] && x.size === n * p ? x : new Tensor(x.data.subarray(0, n * p), [n, p]);
    split.copyImages(start, n, view.data);
    const y = net.predict(view);
    kernels.argmaxAxis(y.data, n, net.outputSize, 1, predicted);
    for (let i = 0; i < n; i++) if (predicted[i] === split.labels[start + i]) correct++;
  }
  return split.count === 0 ? 0 : correct / split.count;
}
