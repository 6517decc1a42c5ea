import type { MnistSplit } from '../data/mnist.ts';
import { kernels } from '../kernels/index.ts';
import { TwoLayerNet } from '../nets/two-layer-net.ts';

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
    correct += countCorrect(predicted, split.labels.subarray(start, start + n));
  }
  return split.count === 0 ? 0 : correct / split.count;
}

/** How many of `labels` the predictions (same order) got right. */
function countCorrect(predicted: Int32Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

/** The accuracies of one evaluation, possibly still being computed on another thread. */
export interface PendingEvaluation {
  /** The network evaluated: the weights as they were when the evaluation started. */
  readonly net: TwoLayerNet;
  /** True once both accuracies are known (never blocks). */
  poll(): boolean;
  /** Blocks until both accuracies are known; returns them. */
  wait(): { trainAcc: number; testAcc: number };
}

/**
 * Evaluates a training network on both splits during training. Where the kernels have a free thread
 * (the Node helper), the weights are copied and that thread predicts with them while the caller goes on
 * training — the accuracies are those of the weights at the start, exactly as if computed at once;
 * otherwise they are computed at once, with `evaluateAccuracy`.
 */
export class Evaluator {
  private readonly train: MnistSplit;
  private readonly test: MnistSplit;
  private snapshot: TwoLayerNet | undefined;
  private predicted: Int32Array | undefined;

  constructor(train: MnistSplit, test: MnistSplit) {
    this.train = train;
    this.test = test;
  }

  start(net: TwoLayerNet, chunk = 10000): PendingEvaluation {
    const snapshot = (this.snapshot ??= new TwoLayerNet(net.inputSize, net.hiddenSize, net.outputSize, 0, { dtype: net.dtype, seed: 0 }));
    snapshot.setParams(net.params);
    const predicted = (this.predicted ??= new Int32Array(Math.max(this.train.count, this.test.count)));
    const startOn = (split: MnistSplit) => {
      const { W1, b1, W2, b2 } = snapshot.params;
      const out = predicted.subarray(0, split.count);
      return kernels.predictTwoLayerAsync(split.images, split.count, split.pixels, 1 / 255, W1.data, b1.data, W2.data, b2.data, snapshot.hiddenSize, snapshot.outputSize, out);
    };
    const accuracy = (split: MnistSplit) => (split.count === 0 ? 0 : countCorrect(predicted, split.labels) / split.count);
    let work = startOn(this.train);
    if (work === undefined) {
      // No free thread: now, on the caller's thread.
      const result = { trainAcc: evaluateAccuracy(net, this.train, chunk), testAcc: evaluateAccuracy(net, this.test, chunk) };
      return { net, poll: () => true, wait: () => result };
    }
    let trainAcc: number | undefined;
    let testAcc: number | undefined;
    // The training split first, then the test split, each one task for the other thread.
    const advance = (block: boolean): boolean => {
      while (testAcc === undefined) {
        if (block) work!.wait();
        else if (!work!.done()) return false;
        if (trainAcc === undefined) {
          trainAcc = accuracy(this.train);
          work = startOn(this.test);
          if (work === undefined) testAcc = evaluateAccuracy(snapshot, this.test, chunk);
        } else testAcc = accuracy(this.test);
      }
      return true;
    };
    return {
      net: snapshot,
      poll: () => advance(false),
      wait: () => {
        advance(true);
        return { trainAcc: trainAcc!, testAcc: testAcc! };
      },
    };
  }
}
