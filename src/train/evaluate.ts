import type { Labels } from '../functions.ts';
import { MnistSplit } from '../data/mnist.ts';
import { reuse } from '../internal/buffers.ts';
import { kernels } from '../kernels/index.ts';
import { inputFeatures, type Network, type TwoLayerWeights } from '../nets/network.ts';
import { cloneNetwork } from '../nets/registry.ts';
import { formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';

/** Training or test data: images with their labels, as tensors (the book's arrays) or an `MnistSplit`. */
export type Dataset = MnistSplit | { x: Tensor; t: Labels };

/** A view of a dataset that fills batch buffers: the same code for tensors and byte splits. */
export interface DataSource {
  readonly count: number;
  /** True when the labels are one-hot rows (a Tensor of `classes` columns) rather than indices. */
  readonly oneHot: boolean;
  /** Writes the samples at `indices` into `x` and their labels into `t`. */
  gather(indices: ArrayLike<number>, x: Tensor, t: Float64Array | Tensor): void;
  /** Writes samples `start`…`start + n - 1`. */
  copy(start: number, n: number, x: Tensor, t: Float64Array | Tensor): void;
}

/** How many samples a dataset holds. */
export function datasetCount(data: Dataset): number {
  if (data instanceof MnistSplit) return data.count;
  return data.x.ndim === 0 ? 0 : data.x.shape[0];
}

export function dataSource(op: string, data: Dataset, features: number, classes: number): DataSource {
  if (data instanceof MnistSplit) {
    if (data.pixels !== features) throw new Error(`${op}: images of ${data.pixels} pixels do not fit a network with ${features} inputs`);
    return {
      count: data.count,
      oneHot: false,
      gather: (indices, x, t) => {
        data.gatherImages(indices, x.data);
        data.gatherLabels(indices, t as Float64Array);
      },
      copy: (start, n, x, t) => {
        data.copyImages(start, n, x.data);
        (t as Float64Array).set(data.labels.subarray(start, start + n));
      },
    };
  }
  const { x, t } = data;
  const count = datasetCount(data);
  if (count > 0 && x.size / count !== features) {
    throw new Error(`${op}: x of shape ${formatShape(x.shape)} does not fit a network with ${features} input features per sample`);
  }
  const oneHot = t instanceof Tensor && t.ndim === 2;
  if (oneHot && (t.shape[0] !== count || t.shape[1] !== classes)) {
    throw new Error(`${op}: one-hot t of shape ${formatShape(t.shape)} does not match ${count} samples of ${classes} classes`);
  }
  const labels = t instanceof Tensor ? t.data : t;
  if (!oneHot && labels.length !== count) throw new Error(`${op}: ${labels.length} labels for ${count} samples`);
  return {
    count,
    oneHot,
    gather: (indices, xb, tb) => {
      for (let r = 0; r < indices.length; r++) {
        const i = indices[r];
        xb.data.set(x.data.subarray(i * features, (i + 1) * features), r * features);
        if (oneHot) (tb as Tensor).data.set((t as Tensor).data.subarray(i * classes, (i + 1) * classes), r * classes);
        else (tb as Float64Array)[r] = labels[i];
      }
    },
    copy: (start, n, xb, tb) => {
      xb.data.set(x.data.subarray(start * features, (start + n) * features));
      if (oneHot) (tb as Tensor).data.set((t as Tensor).data.subarray(start * classes, (start + n) * classes));
      else for (let r = 0; r < n; r++) (tb as Float64Array)[r] = labels[start + r];
    },
  };
}

/** The evaluation's input rows, kept across calls (see `networkAccuracy`). */
let evalInput: Tensor | undefined;

/**
 * Accuracy of `net` on the first `limit` samples of `data` (all by default), `batchSize` samples per
 * prediction — the book's `network.accuracy(x, t)`, for any network and for data kept as bytes. Where the
 * network offers the fused Affine → ReLU → Affine inference and the data are bytes, that kernel runs
 * straight on the bytes (the same arithmetic as `predict`).
 */
export function networkAccuracy(net: Network, data: Dataset, options: { limit?: number; batchSize?: number } = {}): number {
  const features = inputFeatures(net);
  const source = dataSource('accuracy', data, features, net.outputSize);
  const total = Math.min(options.limit ?? source.count, source.count);
  const weights = data instanceof MnistSplit ? net.twoLayerInference?.() : undefined;
  if (weights && data instanceof MnistSplit) return fusedAccuracy(weights, data.slice(0, total), options.batchSize ?? 10000);
  const chunk = Math.max(1, Math.min(options.batchSize ?? 1000, total));
  // One input buffer for every evaluation (grown as needed): a new one per call left a dead block on the
  // WASM heap each time, and the chapter-6 commands' memory grew by ~160 MB in 200 iterations.
  const x = (evalInput = reuse(evalInput, [chunk, ...net.inputShape], net.dtype, 'accuracy'));
  const t = source.oneHot ? new Tensor(new Float64Array(chunk * net.outputSize), [chunk, net.outputSize]) : new Float64Array(chunk);
  const predicted = new Float64Array(chunk);
  const labels = new Float64Array(chunk);
  let correct = 0;
  for (let start = 0; start < total; start += chunk) {
    const n = Math.min(chunk, total - start);
    const xs = n === chunk ? x : new Tensor(x.data.subarray(0, n * features), [n, ...net.inputShape]);
    source.copy(start, n, xs, t);
    const y = net.predict(xs, false);
    kernels.argmaxAxis(y.data, n, net.outputSize, 1, predicted);
    if (t instanceof Tensor) kernels.argmaxAxis(t.data, n, net.outputSize, 1, labels);
    else labels.set(t.subarray(0, n));
    for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct++;
  }
  return correct / total; // NaN for no samples, as NumPy's 0 / 0.
}

/** Accuracy through `kernels.predictTwoLayer`, `chunk` images per call: 60 000 images never held as floats. */
function fusedAccuracy(w: TwoLayerWeights, split: MnistSplit, chunk: number): number {
  const p = split.pixels;
  const [hidden, classes] = [w.W1.shape[1], w.W2.shape[1]];
  const rows = Math.max(1, Math.min(chunk, split.count));
  const predicted = new Int32Array(rows);
  let correct = 0;
  for (let start = 0; start < split.count; start += rows) {
    const n = Math.min(rows, split.count - start);
    kernels.predictTwoLayer(split.images.subarray(start * p, (start + n) * p), n, p, 1 / 255, w.W1.data, w.b1.data, w.W2.data, w.b2.data, hidden, classes, predicted);
    correct += countCorrect(predicted, split.labels.subarray(start, start + n));
  }
  return correct / split.count;
}

/**
 * Accuracy of `net` on a whole split: the fraction of images whose highest score is their label; NaN
 * for an empty split (there is nothing to be right about). The images stay bytes (see `networkAccuracy`).
 */
export function evaluateAccuracy(net: Network, split: MnistSplit, chunk = 10000): number {
  if (split.pixels !== inputFeatures(net)) {
    throw new Error(`evaluateAccuracy: images of ${split.pixels} pixels do not fit a network with ${inputFeatures(net)} inputs`);
  }
  return networkAccuracy(net, split, { batchSize: chunk });
}

/** How many of `labels` the predictions (same order) got right. */
function countCorrect(predicted: Int32Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct;
}

/** The accuracies of one evaluation, possibly still being computed on another thread. */
export interface PendingEvaluation<N extends Network = Network> {
  /** The network evaluated: the weights as they were when the evaluation started. */
  readonly net: N;
  /** True once both accuracies are known (never blocks). */
  poll(): boolean;
  /** Blocks until both accuracies are known; returns them. */
  wait(): { trainAcc: number; testAcc: number };
}

/** How an `Evaluator` evaluates. */
export interface EvaluatorOptions {
  /** Only the first this many samples of each set (default: all). */
  limit?: number | undefined;
  /** Samples per prediction (default 1000). */
  batchSize?: number | undefined;
  /** Let the kernels' other thread evaluate while the caller trains on, where it can (default false). */
  background?: boolean;
}

/**
 * Evaluates a training network on both sets during training, with `networkAccuracy` — for any network
 * and data. In the background mode, where the network offers the fused Affine → ReLU → Affine inference,
 * the data are whole `MnistSplit`s and the kernels have a free thread (the Node helper), the weights are
 * copied and that thread predicts with them while the caller goes on training: the accuracies are those
 * of the weights at the start, exactly as if computed at once.
 */
export class Evaluator<N extends Network = Network> {
  private readonly train: Dataset;
  private readonly test: Dataset;
  private readonly options: EvaluatorOptions;
  private snapshot: N | undefined;
  private predicted: Int32Array | undefined;

  constructor(train: Dataset, test: Dataset, options: EvaluatorOptions = {}) {
    this.train = train;
    this.test = test;
    this.options = options;
  }

  start(net: N): PendingEvaluation<N> {
    const { limit, batchSize } = this.options;
    const now = (): PendingEvaluation<N> => {
      const result = { trainAcc: networkAccuracy(net, this.train, { limit, batchSize }), testAcc: networkAccuracy(net, this.test, { limit, batchSize }) };
      return { net, poll: () => true, wait: () => result };
    };
    const { train, test } = this;
    // Only the fused two-layer inference on whole byte splits runs on the other thread.
    if (!this.options.background || !(train instanceof MnistSplit) || !(test instanceof MnistSplit) || !net.twoLayerInference?.()) return now();
    if (limit !== undefined && limit < Math.max(train.count, test.count)) return now();
    const chunk = batchSize ?? 10000;
    const snapshot = (this.snapshot = cloneNetwork(net, this.snapshot));
    const weights = snapshot.twoLayerInference?.();
    const predicted = (this.predicted ??= new Int32Array(Math.max(train.count, test.count)));
    const startOn = (split: MnistSplit) => {
      if (!weights) return undefined;
      const { W1, b1, W2, b2 } = weights;
      const out = predicted.subarray(0, split.count);
      return kernels.predictTwoLayerAsync(split.images, split.count, split.pixels, 1 / 255, W1.data, b1.data, W2.data, b2.data, W1.shape[1], W2.shape[1], out);
    };
    const accuracy = (split: MnistSplit) => countCorrect(predicted, split.labels) / split.count;
    let work = startOn(train);
    // No free thread: now, on the caller's thread.
    if (work === undefined) return now();
    let trainAcc: number | undefined;
    let testAcc: number | undefined;
    // The training split first, then the test split, each one task for the other thread.
    const advance = (block: boolean): boolean => {
      while (testAcc === undefined) {
        if (block) work!.wait();
        else if (!work!.done()) return false;
        if (trainAcc === undefined) {
          trainAcc = accuracy(train);
          work = startOn(test);
          if (work === undefined) testAcc = evaluateAccuracy(snapshot, test, chunk);
        } else testAcc = accuracy(test);
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
