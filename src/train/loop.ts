/**
 * The one training loop of ScratchNet. `train()` (chapter 5's script and the page's Worker) and the book's
 * `Trainer` (its lists and verbose prints) are thin drivers of `TrainingLoop`: a step (a batch drawn with
 * replacement, gradient, update, the loss after the update — as the book), a schedule (evaluate when
 * `iteration % evalEvery == 0`, every N iterations or the book's float `iter_per_epoch`), hooks, stop and
 * pause between steps, a divergence check, turns given to the event loop, and an evaluator that may run
 * on the kernels' other thread while training goes on.
 *
 * Browser-safe: it works on tensors or `MnistSplit`s (bytes), whatever loaded them.
 */
import { bufferTensor } from '../internal/buffers.ts';
import { kernels } from '../kernels/index.ts';
import { inputFeatures, type Network } from '../nets/network.ts';
import type { Optimizer } from '../optimizers/optimizer.ts';
import type { Random } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { dataSource, Evaluator, type DataSource, type Dataset, type PendingEvaluation } from './evaluate.ts';

export type TrainStatus = 'completed' | 'stopped' | 'diverged';

/** One evaluation of a run: the book's `train acc, test acc` line with its context. */
export interface EpochRecord {
  /** 1-based epoch number (the evaluation's number, when evaluating every N iterations). */
  epoch: number;
  /** Total evaluations the run will report. */
  epochs: number;
  /** The iteration at which it was measured (0, 600, 1200, … with the book's settings). */
  iteration: number;
  trainAcc: number;
  testAcc: number;
  /** Mean training loss over the iterations since the previous record. */
  loss: number;
  /** Seconds since the previous record (training and evaluation). */
  seconds: number;
  /** Seconds since the start. */
  elapsed: number;
}

export interface TrainHooks<N extends Network = Network> {
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
  /** Give the event loop a turn this often (ms) so signals, timers and UIs stay responsive (default 50). */
  yieldEveryMs?: number;
  /** A clock in milliseconds (default `performance.now`). */
  now?: () => number;
}

/** `max(trainSize / batchSize, 1)`, as the book computes it (a float). */
export function iterPerEpoch(trainSize: number, batchSize: number): number {
  return Math.max(trainSize / batchSize, 1);
}

/** How many evaluations a run reports: the iterations i < iters with `i % evalEvery == 0`. */
export function countEpochs(iters: number, evalEvery: number): number {
  let n = 0;
  for (let k = 0; k * evalEvery < iters; k++) if (Number.isInteger(k * evalEvery)) n++;
  return n;
}

export interface LoopOptions<N extends Network> {
  network: N;
  optimizer: Optimizer;
  train: Dataset;
  test: Dataset;
  batchSize: number;
  /** Draws the batches (the generator that drew the weights, for the book's single np.random). */
  rng: Random;
  /** The iterations `run()` performs. */
  iters: number;
  /** Evaluate when `iteration % evalEvery == 0` (a float, as the book's `iter_per_epoch`). */
  evalEvery: number;
  /** Also evaluate after the last of `iters` when it is not an evaluation point. */
  evalAtEnd?: boolean;
  /** Evaluate on the first this many samples of each set (the book's `evaluate_sample_num_per_epoch`). */
  evalLimit?: number;
  /** Samples per prediction when evaluating. */
  evalBatchSize: number;
  /**
   * Let the evaluation run on the kernels' other thread while training goes on, where the network offers
   * it (default false: records arrive within the step that is their evaluation point, as the book prints them).
   */
  background?: boolean;
}

/** Everything a step touches, allocated once; a step allocates nothing of its own. */
export class TrainingLoop<N extends Network = Network> {
  readonly network: N;
  readonly optimizer: Optimizer;
  readonly batchSize: number;
  readonly iters: number;
  readonly evalEvery: number;
  /** The evaluations `run()` reports. */
  readonly epochs: number;
  readonly records: EpochRecord[] = [];
  /** Iterations done. */
  iteration = 0;
  status: TrainStatus | undefined;
  /** The iteration whose loss (or output weights) was not finite. */
  divergedAt: number | undefined;
  /** Milliseconds spent evaluating on this thread (waiting for the other one included). */
  evalMs = 0;
  private readonly options: LoopOptions<N>;
  private readonly source: DataSource;
  private readonly evaluator: Evaluator<N>;
  private readonly batchMask: Uint32Array;
  private readonly xBatch: Tensor;
  private readonly tBatch: Float64Array | Tensor;
  private readonly watched: Float64Array | Float32Array;
  private losses: Float64Array;
  private pending: { iteration: number; loss: number; evaluation: PendingEvaluation<N> } | undefined;
  private lossSum = 0;
  private lossCount = 0;
  private now: () => number = () => performance.now();
  private start: number | undefined;
  private lastRecordAt = 0;

  constructor(options: LoopOptions<N>) {
    const { network: net, batchSize } = options;
    this.options = options;
    this.network = net;
    this.optimizer = options.optimizer;
    this.batchSize = batchSize;
    this.iters = options.iters;
    this.evalEvery = options.evalEvery;
    const lastIsEval = options.iters > 0 && (options.iters - 1) % options.evalEvery === 0;
    this.epochs = countEpochs(options.iters, options.evalEvery) + (options.evalAtEnd && !lastIsEval ? 1 : 0);
    const features = inputFeatures(net);
    this.source = dataSource('train', options.train, features, net.outputSize);
    dataSource('train', options.test, features, net.outputSize);
    if (this.source.count === 0) throw new Error('train: the training set is empty');
    this.evaluator = new Evaluator<N>(options.train, options.test, { limit: options.evalLimit, batchSize: options.evalBatchSize, background: options.background ?? false });
    this.batchMask = new Uint32Array(batchSize);
    this.xBatch = bufferTensor([batchSize, ...net.inputShape], net.dtype);
    this.tBatch = this.source.oneHot ? bufferTensor([batchSize, net.outputSize], net.dtype) : new Float64Array(batchSize);
    // The divergence check reads the output layer's weights (the last W): small, and the first to overflow.
    const keys = Object.keys(net.params);
    this.watched = net.params[keys.filter((k) => k.startsWith('W')).at(-1) ?? keys.at(-1)!].data;
    this.losses = new Float64Array(Math.max(options.iters, 16));
  }

  /** The loss of every iteration done. */
  get lossHistory(): Float64Array {
    return this.losses.subarray(0, this.iteration);
  }

  /**
   * One iteration: a batch drawn with replacement, gradient, update, the loss after the update; then, at
   * an evaluation point, the accuracies (or their start on the other thread). Returns the loss; a loss or
   * output weight that is not finite sets `status` to 'diverged' and skips the evaluation.
   */
  step(hooks: TrainHooks<N> = {}): number {
    if (hooks.now) this.now = hooks.now;
    if (this.start === undefined) this.start = this.lastRecordAt = this.now();
    const { network: net, batchSize, xBatch, tBatch, batchMask } = this;
    const i = this.iteration;
    this.options.rng.choice(this.source.count, batchSize, batchMask);
    this.source.gather(batchMask, xBatch, tBatch);
    // The batch is not written again before the next gather: its non-zeros may be listed once for the
    // step's three products.
    kernels.keepRows(xBatch.data, batchSize, xBatch.size / batchSize);
    const grads = net.gradient(xBatch, tBatch);
    this.optimizer.update(net.params, grads);
    // As the book: the loss recorded is the batch's loss after the update.
    const loss = net.loss(xBatch, tBatch);
    if (i === this.losses.length) {
      const grown = new Float64Array(2 * i);
      grown.set(this.losses);
      this.losses = grown;
    }
    this.losses[i] = loss;
    this.iteration = i + 1;
    hooks.onIteration?.(i, loss);
    if (!Number.isFinite(loss) || !kernels.allFinite(this.watched)) {
      this.status = 'diverged';
      this.divergedAt = i;
      return loss;
    }
    this.lossSum += loss;
    this.lossCount++;
    if (this.pending?.evaluation.poll()) this.finishEvaluation(hooks);
    if (i % this.evalEvery === 0 || (this.options.evalAtEnd && i === this.iters - 1)) {
      // One evaluation at a time: a previous one still running is waited for first.
      if (this.pending) this.finishEvaluation(hooks);
      const t0 = this.now();
      this.pending = { iteration: i, loss: this.lossSum / this.lossCount, evaluation: this.evaluator.start(net) };
      this.evalMs += this.now() - t0;
      this.lossSum = 0;
      this.lossCount = 0;
      if (this.pending.evaluation.poll()) this.finishEvaluation(hooks);
    }
    return loss;
  }

  /**
   * Steps until `iters` are done, `shouldStop` says so, or the loss diverges; gives the event loop a turn
   * every `yieldEveryMs`; then waits for the evaluation still running. Resumes where a previous call stopped.
   */
  async run(hooks: TrainHooks<N> = {}): Promise<TrainStatus> {
    if (hooks.now) this.now = hooks.now;
    const yieldEvery = hooks.yieldEveryMs ?? 50;
    let lastYield = this.now();
    // A diverged network stays diverged: its weights are not finite.
    if (this.divergedAt !== undefined) return (this.status = 'diverged');
    this.status = 'completed';
    while (this.iteration < this.iters) {
      const wait = hooks.beforeIteration?.();
      if (wait) await wait;
      if (hooks.shouldStop?.()) {
        this.status = 'stopped';
        break;
      }
      this.step(hooks);
      if (this.divergedAt !== undefined) break;
      if (this.now() - lastYield >= yieldEvery) {
        await yieldToEventLoop();
        lastYield = this.now();
      }
    }
    this.flush(hooks);
    return this.status;
  }

  /** Waits for an evaluation still running on the other thread and reports it. */
  flush(hooks: TrainHooks<N> = {}): void {
    if (this.pending) this.finishEvaluation(hooks);
  }

  /** Seconds since the first step. */
  get seconds(): number {
    return this.start === undefined ? 0 : (this.now() - this.start) / 1000;
  }

  private finishEvaluation(hooks: TrainHooks<N>): void {
    const p = this.pending!;
    this.pending = undefined;
    const t0 = this.now();
    const { trainAcc, testAcc } = p.evaluation.wait();
    const t1 = this.now();
    this.evalMs += t1 - t0;
    const record: EpochRecord = {
      epoch: this.records.length + 1,
      epochs: this.epochs,
      iteration: p.iteration,
      trainAcc,
      testAcc,
      loss: p.loss,
      seconds: (t1 - this.lastRecordAt) / 1000,
      elapsed: (t1 - this.start!) / 1000,
    };
    this.records.push(record);
    this.lastRecordAt = t1;
    hooks.onEpoch?.(record, p.evaluation.net);
  }
}

/**
 * One turn of the event loop. Node's setImmediate runs right after pending I/O and signals; setTimeout
 * (what browsers have) waits at least 1 ms there, which a yield every 50 ms turns into 2 % of a run.
 */
export const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise<void>((resolve) => setImmediate(resolve)) : () => new Promise<void>((resolve) => setTimeout(resolve, 0));
