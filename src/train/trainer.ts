/**
 * The book's `common/trainer.py`: mini-batch training of any network (the `Network` contract) with any of
 * the six optimizers, the book's epoch logic, and a final test accuracy. ScratchNet adds: data as tensors
 * (as the book) or as `MnistSplit`s (bytes, converted per batch, so big runs hold no float copies), a
 * seeded generator for the batch draws, events for progress bars and charts, and stopping between steps.
 *
 * Browser-safe.
 */
import type { Labels } from '../functions.ts';
import { MnistSplit } from '../data/mnist.ts';
import { bufferTensor } from '../internal/buffers.ts';
import { kernels } from '../kernels/index.ts';
import { inputFeatures, type Network } from '../nets/network.ts';
import { createOptimizer } from '../optimizers/index.ts';
import type { Optimizer, OptimizerParam } from '../optimizers/optimizer.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { dataSource, networkAccuracy, type DataSource, type Dataset } from './evaluate.ts';

export interface TrainerOptions {
  /** The book: 20. */
  epochs?: number;
  /** The book: 100. */
  miniBatchSize?: number;
  /** `'SGD'`, `'Momentum'`, `'Nesterov'`, `'AdaGrad'`, `'RMSprop'`, `'Adam'` (any case), or an optimizer. */
  optimizer?: string | Optimizer;
  /** The book: `{ lr: 0.01 }`. */
  optimizerParam?: OptimizerParam;
  /** Evaluate each epoch on the first this many samples of each set (the book: all of them). */
  evaluateSampleNumPerEpoch?: number;
  /** Print the book's lines (`train loss:…`, `=== epoch:…`) through `print` (default: off). */
  verbose?: boolean;
  /** Where verbose lines go (default `console.log`). */
  print?: (line: string) => void;
  /** Seed for the batch draws (a random one is chosen and kept in `trainer.seed` when omitted). */
  seed?: number;
  /** Draw batches from this generator instead (e.g. the one that drew the initial weights, as the book's global np.random). */
  rng?: Random;
  /** Evaluation predicts this many samples per call (bounds the buffers; the book's conv nets use 100). */
  evalBatchSize?: number;
}

export interface TrainerEpoch {
  /** 1-based, as the book prints it. */
  epoch: number;
  /** The iteration at which it was measured. */
  iteration: number;
  trainAcc: number;
  testAcc: number;
}

export interface TrainerHooks {
  onIteration?: (iteration: number, loss: number) => void;
  onEpoch?: (record: TrainerEpoch) => void;
  /** Polled between iterations; return true to stop after the current one. */
  shouldStop?: () => boolean;
  /** Give the event loop a turn this often (ms) in `train()` (default 50). */
  yieldEveryMs?: number;
}

export type TrainerStatus = 'completed' | 'stopped' | 'diverged';

/**
 * @example
 * const net = new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true });
 * const trainer = new Trainer(net, train, train.labels, test, test.labels, { epochs: 5, optimizer: 'Adam', optimizerParam: { lr: 0.001 } });
 * await trainer.train();
 * trainer.testAccList; // one accuracy per epoch
 */
export class Trainer {
  readonly network: Network;
  readonly optimizer: Optimizer;
  readonly epochs: number;
  readonly batchSize: number;
  readonly evaluateSampleNumPerEpoch: number | undefined;
  readonly verbose: boolean;
  readonly trainSize: number;
  /** `max(trainSize / batchSize, 1)`, a float as in the book. */
  readonly iterPerEpoch: number;
  /** `int(epochs * iterPerEpoch)`. */
  readonly maxIter: number;
  /** The seed of the batch draws (undefined when an `rng` was given). */
  readonly seed: number | undefined;
  currentIter = 0;
  currentEpoch = 0;
  readonly trainLossList: number[] = [];
  readonly trainAccList: number[] = [];
  readonly testAccList: number[] = [];
  /** The final accuracy on the whole test set, once `train()` has finished. */
  finalTestAcc: number | undefined;
  status: TrainerStatus | undefined;
  private readonly train_: DataSource;
  private readonly trainData: Dataset;
  private readonly testData: Dataset;
  private readonly rng: Random;
  private readonly print: (line: string) => void;
  private readonly evalBatchSize: number;
  private readonly batchMask: Uint32Array;
  private readonly xBatch: Tensor;
  private readonly tBatch: Float64Array | Tensor;

  constructor(network: Network, xTrain: Tensor | MnistSplit, tTrain: Labels | undefined, xTest: Tensor | MnistSplit, tTest: Labels | undefined, options: TrainerOptions = {}) {
    const op = 'Trainer';
    this.network = network;
    this.epochs = options.epochs ?? 20;
    this.batchSize = options.miniBatchSize ?? 100;
    this.verbose = options.verbose ?? false;
    this.print = options.print ?? ((line) => console.log(line));
    this.evalBatchSize = options.evalBatchSize ?? 1000;
    if (!Number.isFinite(this.epochs) || this.epochs < 0) throw new Error(`${op}: epochs must be a number >= 0, got ${this.epochs}`);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`${op}: miniBatchSize must be an integer >= 1, got ${this.batchSize}`);
    if (!Number.isInteger(this.evalBatchSize) || this.evalBatchSize < 1) throw new Error(`${op}: evalBatchSize must be an integer >= 1, got ${this.evalBatchSize}`);
    const ev = options.evaluateSampleNumPerEpoch;
    if (ev !== undefined && (!Number.isInteger(ev) || ev < 1)) throw new Error(`${op}: evaluateSampleNumPerEpoch must be an integer >= 1, got ${ev}`);
    this.evaluateSampleNumPerEpoch = ev;
    const data = (x: Tensor | MnistSplit, t: Labels | undefined, which: string): Dataset => {
      if (x instanceof MnistSplit) return x;
      if (t === undefined) throw new Error(`${op}: ${which} images given as a tensor need their labels`);
      return { x, t };
    };
    this.trainData = data(xTrain, tTrain, 'training');
    this.testData = data(xTest, tTest, 'test');
    const features = inputFeatures(network);
    this.train_ = dataSource(op, this.trainData, features, network.outputSize);
    dataSource(op, this.testData, features, network.outputSize);
    this.trainSize = this.train_.count;
    if (this.trainSize === 0) throw new Error(`${op}: the training set is empty`);
    this.iterPerEpoch = Math.max(this.trainSize / this.batchSize, 1);
    this.maxIter = Math.trunc(this.epochs * this.iterPerEpoch);
    this.optimizer = typeof options.optimizer === 'object' ? options.optimizer : createOptimizer(options.optimizer ?? 'SGD', options.optimizerParam ?? { lr: 0.01 });
    this.seed = options.rng ? undefined : (options.seed ?? randomSeed());
    this.rng = options.rng ?? new Random(this.seed as number);
    // Everything the step touches is allocated here, once.
    this.batchMask = new Uint32Array(this.batchSize);
    this.xBatch = bufferTensor([this.batchSize, ...network.inputShape], network.dtype);
    this.tBatch = this.train_.oneHot ? bufferTensor([this.batchSize, network.outputSize], network.dtype) : new Float64Array(this.batchSize);
  }

  /** One step: a batch drawn with replacement, gradient, update, the loss after the update; an evaluation at each epoch. */
  trainStep(hooks: TrainerHooks = {}): number {
    const net = this.network;
    this.rng.choice(this.trainSize, this.batchSize, this.batchMask);
    this.train_.gather(this.batchMask, this.xBatch, this.tBatch);
    // The batch is not written again before the next gather (fast paths may list its non-zeros once).
    kernels.keepRows(this.xBatch.data, this.batchSize, this.xBatch.size / this.batchSize);
    const grads = net.gradient(this.xBatch, this.tBatch);
    this.optimizer.update(net.params, grads);
    const loss = net.loss(this.xBatch, this.tBatch);
    this.trainLossList.push(loss);
    if (this.verbose) this.print(`train loss:${pyFloat(loss)}`);
    hooks.onIteration?.(this.currentIter, loss);
    if (this.currentIter % this.iterPerEpoch === 0) {
      this.currentEpoch++;
      const limit = this.evaluateSampleNumPerEpoch;
      const trainAcc = networkAccuracy(net, this.trainData, { limit, batchSize: this.evalBatchSize });
      const testAcc = networkAccuracy(net, this.testData, { limit, batchSize: this.evalBatchSize });
      this.trainAccList.push(trainAcc);
      this.testAccList.push(testAcc);
      if (this.verbose) this.print(`=== epoch:${this.currentEpoch}, train acc:${pyFloat(trainAcc)}, test acc:${pyFloat(testAcc)} ===`);
      hooks.onEpoch?.({ epoch: this.currentEpoch, iteration: this.currentIter, trainAcc, testAcc });
    }
    this.currentIter++;
    return loss;
  }

  /**
   * All `maxIter` steps, then the accuracy on the whole test set (`finalTestAcc`). Yields to the event
   * loop now and then (signals, UIs); stops early when `shouldStop` says so or the loss is not finite.
   */
  async train(hooks: TrainerHooks = {}): Promise<TrainerStatus> {
    const yieldEvery = hooks.yieldEveryMs ?? 50;
    let lastYield = performance.now();
    this.status = 'completed';
    while (this.currentIter < this.maxIter) {
      if (hooks.shouldStop?.()) {
        this.status = 'stopped';
        break;
      }
      const loss = this.trainStep(hooks);
      if (!Number.isFinite(loss)) {
        this.status = 'diverged';
        break;
      }
      if (performance.now() - lastYield >= yieldEvery) {
        await new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
        lastYield = performance.now();
      }
    }
    this.finalTestAcc = networkAccuracy(this.network, this.testData, { batchSize: this.evalBatchSize });
    if (this.verbose) {
      this.print('=============== Final Test Accuracy ===============');
      this.print(`test acc:${pyFloat(this.finalTestAcc)}`);
    }
    return this.status;
  }
}

/** A number as Python's `str(float)` prints it (`0.1`, `1.0`, `1e-05`, `nan`), for the book's lines. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Object.is(v, -0)) return '-0.0';
  const a = Math.abs(v);
  // Python's repr switches to an exponent below 1e-4 and from 1e16 on, with at least two exponent digits.
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mant, exp] = v.toExponential().split('e');
    return `${mant}e${exp[0]}${exp.slice(1).padStart(2, '0')}`;
  }
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}
