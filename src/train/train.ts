/**
 * The book's `ch05/train_neuralnet.py` as a reusable loop: mini-batches drawn with replacement, plain
 * SGD, and at every epoch the accuracy on the full training and test sets. It emits events (iteration,
 * epoch) that the CLI's progress bar and the web page's charts both listen to, can be stopped between
 * iterations, and stops by itself when the loss stops being finite.
 *
 * Browser-safe: it works on `MnistSplit`s (bytes), whatever loaded them.
 */
import type { MnistSplits } from '../data/mnist.ts';
import { kernels } from '../kernels/index.ts';
import { inputFeatures, type Network } from '../nets/network.ts';
import { TwoLayerNet } from '../nets/two-layer-net.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import { SGD } from '../optimizers/sgd.ts';
import { Random } from '../tensor/random.ts';
import { bufferTensor } from '../internal/buffers.ts';
import type { DType } from '../tensor/tensor.ts';
import { Evaluator, type PendingEvaluation } from './evaluate.ts';

export interface TrainConfig {
  /** Number of SGD steps (the book: 10 000). */
  iters: number;
  /** Mini-batch size (the book: 100). */
  batchSize: number;
  /** Learning rate (the book: 0.1). */
  lr: number;
  /** Hidden layer size (the book: 50). */
  hiddenSize: number;
  /** Standard deviation of the initial weights (the book: 0.01). */
  weightInitStd: number;
  /** Seed for the weights and the batch draws. */
  seed: number;
  dtype: DType;
  /**
   * Evaluate every this many iterations instead of every epoch (the web page evaluates more often).
   * Default: the book's `iter_per_epoch`.
   */
  evalEvery?: number;
  /** Also evaluate after the last iteration when it is not an evaluation point (default false, as the book). */
  evalAtEnd?: boolean;
}

/** The book's `train_neuralnet.py` settings. */
export const BOOK_CONFIG: Omit<TrainConfig, 'seed'> = {
  iters: 10000,
  batchSize: 100,
  lr: 0.1,
  hiddenSize: 50,
  weightInitStd: 0.01,
  dtype: 'float64',
};

export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Total epochs the run will report. */
  epochs: number;
  /** The iteration at which it was measured (0, 600, 1200, … with the book's settings). */
  iteration: number;
  trainAcc: number;
  testAcc: number;
  /** Mean training loss over the iterations since the previous epoch record. */
  loss: number;
  /** Seconds since the previous epoch record (training and evaluation). */
  seconds: number;
  /** Seconds since the start. */
  elapsed: number;
}

export type TrainStatus = 'completed' | 'stopped' | 'diverged';

export interface TrainResult<N extends Network = TwoLayerNet> {
  status: TrainStatus;
  net: N;
  config: TrainConfig;
  /** Loss of every completed iteration. */
  losses: Float64Array;
  epochs: EpochRecord[];
  iterationsDone: number;
  /** The iteration whose loss was not finite (status 'diverged'). */
  divergedAt?: number;
  seconds: number;
  trainSeconds: number;
  evalSeconds: number;
}

export interface TrainHooks<N extends Network = TwoLayerNet> {
  onIteration?: (iteration: number, loss: number) => void;
  /**
   * After each evaluation, with the network evaluated (its weights as at `record.iteration`; the record
   * may arrive a few iterations later when another thread evaluated while training went on).
   */
  onEpoch?: (record: EpochRecord, net: N) => void;
  /** Polled between iterations; return true to stop cleanly after the current one. */
  shouldStop?: () => boolean;
  /** Called before every iteration; a returned promise is awaited (how the web page pauses). */
  beforeIteration?: () => void | Promise<void>;
  /** Give the event loop a turn this often (ms) so signals, timers and UIs stay responsive. */
  yieldEveryMs?: number;
  /** A clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** `max(trainSize / batchSize, 1)`, as the book computes it (a float). */
export function iterPerEpoch(trainSize: number, batchSize: number): number {
  return Math.max(trainSize / batchSize, 1);
}

/** How many epoch records a run reports: the iterations i < iters with `i % iterPerEpoch == 0`. */
export function countEpochs(iters: number, perEpoch: number): number {
  let n = 0;
  for (let k = 0; k * perEpoch < iters; k++) if (Number.isInteger(k * perEpoch)) n++;
  return n;
}

export function validateConfig(c: TrainConfig, trainSize: number): void {
  const checks: [boolean, string][] = [
    [Number.isInteger(c.iters) && c.iters >= 0, `iters must be an integer >= 0, got ${c.iters}`],
    [Number.isInteger(c.batchSize) && c.batchSize >= 1, `batchSize must be an integer >= 1, got ${c.batchSize}`],
    [Number.isFinite(c.lr) && c.lr > 0, `lr must be a number > 0, got ${c.lr}`],
    [Number.isInteger(c.hiddenSize) && c.hiddenSize >= 1, `hiddenSize must be an integer >= 1, got ${c.hiddenSize}`],
    [Number.isFinite(c.weightInitStd) && c.weightInitStd >= 0, `weightInitStd must be a number >= 0, got ${c.weightInitStd}`],
    [Number.isSafeInteger(c.seed) && c.seed >= 0, `seed must be an integer >= 0, got ${c.seed}`],
    [c.dtype === 'float64' || c.dtype === 'float32', `dtype must be 'float64' or 'float32', got ${c.dtype}`],
    [c.evalEvery === undefined || (Number.isInteger(c.evalEvery) && c.evalEvery >= 1), `evalEvery must be an integer >= 1, got ${c.evalEvery}`],
    [trainSize > 0, 'the training set is empty'],
  ];
  for (const [ok, message] of checks) if (!ok) throw new Error(`train: ${message}`);
}

/** Evaluation predicts this many images per kernel call. */
const EVAL_CHUNK = 10000;

/**
 * One turn of the event loop. Node's setImmediate runs right after pending I/O and signals; setTimeout
 * (what browsers have) waits at least 1 ms there, which a yield every 50 ms turns into 2 % of a run.
 */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise<void>((resolve) => setImmediate(resolve)) : () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * What `train` trains with, when not the book's: any network (the `Network` contract) and optimizer.
 * Without them it builds `TwoLayerNet(pixels, hiddenSize, 10, weightInitStd)` and `SGD(lr)` from the
 * config, drawing the weights from the same generator as the batches (as the book's global np.random).
 */
export interface TrainParts<N extends Network> {
  network?: N;
  optimizer?: Optimizer;
}

/**
 * Trains a network (by default `TwoLayerNet(pixels, hiddenSize, 10)`) on `data.train`, reporting
 * accuracy on both splits at every epoch. Same config and seed → bit-identical losses and accuracies.
 */
export async function train<N extends Network = TwoLayerNet>(data: MnistSplits, config: TrainConfig, hooks: TrainHooks<N> = {}, parts: TrainParts<N> = {}): Promise<TrainResult<N>> {
  const { train: trainSet, test: testSet } = data;
  validateConfig(config, trainSet.count);
  const now = hooks.now ?? (() => performance.now());
  const yieldEvery = hooks.yieldEveryMs ?? 50;
  const start = now();
  // One generator, as the book's global np.random: first the weights, then the batch draws.
  const rng = new Random(config.seed);
  const net = parts.network ?? (new TwoLayerNet(trainSet.pixels, config.hiddenSize, 10, config.weightInitStd, { rng, dtype: config.dtype }) as unknown as N);
  const features = inputFeatures(net);
  if (features !== trainSet.pixels) throw new Error(`train: images of ${trainSet.pixels} pixels do not fit a network with ${features} inputs`);
  const optimizer = parts.optimizer ?? new SGD(config.lr);
  // The divergence check reads the output layer's weights (the last W): small, and the first to overflow.
  const weightKeys = Object.keys(net.params).filter((k) => k.startsWith('W'));
  const watched = net.params[weightKeys.at(-1) ?? Object.keys(net.params).at(-1)!];
  const { iters, batchSize } = config;

  // Everything the step touches is allocated here, once.
  const batchMask = new Uint32Array(batchSize);
  const xBatch = bufferTensor([batchSize, ...net.inputShape], net.dtype);
  const tBatch = new Uint8Array(batchSize);
  const losses = new Float64Array(iters);

  const perEpoch = config.evalEvery ?? iterPerEpoch(trainSet.count, batchSize);
  const lastIsEval = iters > 0 && (iters - 1) % perEpoch === 0;
  const epochs = countEpochs(iters, perEpoch) + (config.evalAtEnd && !lastIsEval ? 1 : 0);
  const records: EpochRecord[] = [];
  let evalMs = 0;
  let lastEpochAt = start;
  let lossSum = 0;
  let lossCount = 0;
  let lastYield = start;
  let status: TrainStatus = 'completed';
  let divergedAt: number | undefined;
  let done = 0;

  // Evaluations: on the kernels' other thread while training goes on, where there is one.
  const evaluator = new Evaluator<N>(trainSet, testSet);
  let pending: { iteration: number; loss: number; evaluation: PendingEvaluation<N> } | undefined;
  const finishEvaluation = (p: NonNullable<typeof pending>) => {
    const t0 = now();
    const { trainAcc, testAcc } = p.evaluation.wait();
    const t1 = now();
    evalMs += t1 - t0;
    const record: EpochRecord = {
      epoch: records.length + 1,
      epochs,
      iteration: p.iteration,
      trainAcc,
      testAcc,
      loss: p.loss,
      seconds: (t1 - lastEpochAt) / 1000,
      elapsed: (t1 - start) / 1000,
    };
    records.push(record);
    lastEpochAt = t1;
    pending = undefined;
    hooks.onEpoch?.(record, p.evaluation.net);
  };

  for (let i = 0; i < iters; i++) {
    const wait = hooks.beforeIteration?.();
    if (wait) await wait;
    if (hooks.shouldStop?.()) {
      status = 'stopped';
      break;
    }
    rng.choice(trainSet.count, batchSize, batchMask);
    trainSet.gatherImages(batchMask, xBatch.data);
    trainSet.gatherLabels(batchMask, tBatch);
    // The batch is not written again before the next gather: its non-zeros may be listed once for the
    // step's three products.
    kernels.keepRows(xBatch.data, batchSize, trainSet.pixels);

    const grads = net.gradient(xBatch, tBatch);
    optimizer.update(net.params, grads);
    // As the book: the loss recorded is the batch's loss after the update.
    const loss = net.loss(xBatch, tBatch);
    losses[i] = loss;
    done = i + 1;
    hooks.onIteration?.(i, loss);
    if (!Number.isFinite(loss) || !kernels.allFinite(watched.data)) {
      status = 'diverged';
      divergedAt = i;
      break;
    }
    lossSum += loss;
    lossCount++;

    if (pending?.evaluation.poll()) finishEvaluation(pending);
    if (i % perEpoch === 0 || (config.evalAtEnd && i === iters - 1)) {
      // One evaluation at a time: a previous one still running is waited for first.
      if (pending) finishEvaluation(pending);
      const t0 = now();
      pending = { iteration: i, loss: lossSum / lossCount, evaluation: evaluator.start(net, EVAL_CHUNK) };
      evalMs += now() - t0;
      lossSum = 0;
      lossCount = 0;
      if (pending.evaluation.poll()) finishEvaluation(pending);
    }
    if (now() - lastYield >= yieldEvery) {
      await yieldToEventLoop();
      lastYield = now();
    }
  }
  if (pending) finishEvaluation(pending);
  const seconds = (now() - start) / 1000;
  const result: TrainResult<N> = {
    status,
    net,
    config,
    losses: losses.subarray(0, done),
    epochs: records,
    iterationsDone: done,
    seconds,
    trainSeconds: seconds - evalMs / 1000,
    evalSeconds: evalMs / 1000,
  };
  if (divergedAt !== undefined) result.divergedAt = divergedAt;
  return result;
}
