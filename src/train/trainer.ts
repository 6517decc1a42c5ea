/**
 * The book's `common/trainer.py`: mini-batch training of any network (the `Network` contract) with any of
 * the six optimizers, the book's epoch logic, and a final test accuracy — a driver of the one training
 * loop (`loop.ts`) that keeps the book's lists and verbose prints. ScratchNet adds: data as tensors (as the
 * book) or as `MnistSplit`s (bytes, converted per batch, so big runs hold no float copies), a seeded
 * generator for the batch draws, events for progress bars and charts, and stopping between steps.
 *
 * Browser-safe.
 */
import type { Labels } from '../functions.ts';
import { MnistSplit } from '../data/mnist.ts';
import type { Network } from '../nets/network.ts';
import { createOptimizer } from '../optimizers/index.ts';
import type { Optimizer, OptimizerParam } from '../optimizers/optimizer.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { datasetCount, networkAccuracy, type Dataset } from './evaluate.ts';
import { TrainingLoop, type TrainHooks, type TrainStatus } from './loop.ts';

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
  currentEpoch = 0;
  readonly trainLossList: number[] = [];
  readonly trainAccList: number[] = [];
  readonly testAccList: number[] = [];
  /** The final accuracy on the whole test set, once `train()` has finished. */
  finalTestAcc: number | undefined;
  status: TrainStatus | undefined;
  /** The loop this Trainer drives: its records carry each epoch's loss and times. */
  readonly loop: TrainingLoop;
  private readonly testData: Dataset;
  private readonly print: (line: string) => void;
  private readonly evalBatchSize: number;

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
    const trainData = data(xTrain, tTrain, 'training');
    this.testData = data(xTest, tTest, 'test');
    this.optimizer = typeof options.optimizer === 'object' ? options.optimizer : createOptimizer(options.optimizer ?? 'SGD', options.optimizerParam ?? { lr: 0.01 });
    this.seed = options.rng ? undefined : (options.seed ?? randomSeed());
    const rng = options.rng ?? new Random(this.seed as number);
    const trainSize = datasetCount(trainData);
    this.iterPerEpoch = Math.max(trainSize / this.batchSize, 1);
    this.maxIter = Math.trunc(this.epochs * this.iterPerEpoch);
    try {
      this.loop = new TrainingLoop({
        network,
        optimizer: this.optimizer,
        train: trainData,
        test: this.testData,
        batchSize: this.batchSize,
        rng,
        iters: this.maxIter,
        evalEvery: this.iterPerEpoch,
        evalLimit: ev,
        evalBatchSize: this.evalBatchSize,
      });
    } catch (e) {
      throw new Error((e as Error).message.replace(/^train: /, `${op}: `));
    }
    this.trainSize = trainSize;
  }

  /** Iterations done (the book's `current_iter`). */
  get currentIter(): number {
    return this.loop.iteration;
  }

  /** The loop's hooks plus the book's lists and verbose lines. */
  private hooks(hooks: TrainHooks): TrainHooks {
    return {
      ...hooks,
      onIteration: (i, loss) => {
        this.trainLossList.push(loss);
        if (this.verbose) this.print(`train loss:${pyFloat(loss)}`);
        hooks.onIteration?.(i, loss);
      },
      onEpoch: (record, net) => {
        this.currentEpoch = record.epoch;
        this.trainAccList.push(record.trainAcc);
        this.testAccList.push(record.testAcc);
        if (this.verbose) this.print(`=== epoch:${record.epoch}, train acc:${pyFloat(record.trainAcc)}, test acc:${pyFloat(record.testAcc)} ===`);
        hooks.onEpoch?.(record, net);
      },
    };
  }

  /** The book's lists and prints with no hooks of the caller's: made once, not at every `trainStep()`. */
  private bookHooks: TrainHooks | undefined;

  /** One step: a batch drawn with replacement, gradient, update, the loss after the update; an evaluation at each epoch. */
  trainStep(hooks?: TrainHooks): number {
    return this.loop.step(hooks ? this.hooks(hooks) : (this.bookHooks ??= this.hooks({})));
  }

  /**
   * All `maxIter` steps, then the accuracy on the whole test set (`finalTestAcc`). Yields to the event
   * loop now and then (signals, UIs); stops early when `shouldStop` says so or the loss is not finite.
   */
  async train(hooks: TrainHooks = {}): Promise<TrainStatus> {
    this.status = await this.loop.run(this.hooks(hooks));
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
