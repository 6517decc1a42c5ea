/**
 * The book's `ch05/train_neuralnet.py` as a reusable run of the one training loop (`loop.ts`): any network
 * of the registry (by default the book's TwoLayerNet(784, 50, 10)) and any of the six optimizers (by
 * default SGD, lr 0.1), mini-batches drawn with replacement, and at every epoch — or every `evalEvery`
 * iterations — the accuracy on the training and test sets. It emits events (iteration, epoch) that the
 * CLI's progress bar and the web page's charts both listen to, can be paused and stopped between
 * iterations, and stops by itself when the loss stops being finite.
 *
 * Browser-safe: it works on `MnistSplit`s (bytes), whatever loaded them.
 */
import type { MnistSplits } from '../data/mnist.ts';
import type { Network, NetworkConfig } from '../nets/network.ts';
import { buildNetwork, networkKind } from '../nets/registry.ts';
import { createOptimizer } from '../optimizers/index.ts';
import type { Optimizer, OptimizerParam } from '../optimizers/optimizer.ts';
import { Random } from '../tensor/random.ts';
import type { DType } from '../tensor/tensor.ts';
import { iterPerEpoch, TrainingLoop, type EpochRecord, type TrainHooks, type TrainStatus } from './loop.ts';

export { iterPerEpoch, countEpochs } from './loop.ts';
export type { EpochRecord, TrainHooks, TrainStatus } from './loop.ts';

/** A network to build through the registry: its kind and config (the book's constructor arguments). */
export interface NetworkSpec {
  kind: string;
  config: NetworkConfig;
}

export interface TrainConfig {
  /** The network, built through the registry with the run's seed and dtype (the book: TwoLayerNet(784, 50, 10), weightInitStd 0.01). */
  network: NetworkSpec;
  /** `'SGD'`, `'Momentum'`, `'Nesterov'`, `'AdaGrad'`, `'RMSprop'`, `'Adam'` (any case), as the book's Trainer (the book: SGD). */
  optimizer: string;
  /** Its hyperparameters (the book: `{ lr: 0.1 }`). */
  optimizerParam: OptimizerParam;
  /** Number of steps (the book: 10 000). */
  iters: number;
  /** Mini-batch size (the book: 100). */
  batchSize: number;
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
  /** Evaluate on the first this many images of each split (default: all, as the book). */
  evaluateSampleNumPerEpoch?: number;
}

/** The book's `train_neuralnet.py` settings. */
export const BOOK_CONFIG: Omit<TrainConfig, 'seed'> = Object.freeze({
  network: { kind: 'TwoLayerNet', config: { inputSize: 784, hiddenSize: 50, outputSize: 10, weightInitStd: 0.01 } },
  optimizer: 'SGD',
  optimizerParam: { lr: 0.1 },
  iters: 10000,
  batchSize: 100,
  dtype: 'float64',
});

/** chapter 5's TwoLayerNet config: `inputSize` pixels, `hiddenSize` hidden units, 10 classes. */
export function twoLayerNetSpec(inputSize: number, hiddenSize: number, weightInitStd: number): NetworkSpec {
  return { kind: 'TwoLayerNet', config: { inputSize, hiddenSize, outputSize: 10, weightInitStd } };
}

export interface TrainResult<N extends Network = Network> {
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

/** Throws (naming the setting) unless `c` describes a run `train` can do on `trainSize` images. */
export function validateConfig(c: TrainConfig, trainSize: number): void {
  const checks: [boolean, string][] = [
    [Number.isInteger(c.iters) && c.iters >= 0, `iters must be an integer >= 0, got ${c.iters}`],
    [Number.isInteger(c.batchSize) && c.batchSize >= 1, `batchSize must be an integer >= 1, got ${c.batchSize}`],
    [Number.isSafeInteger(c.seed) && c.seed >= 0, `seed must be an integer >= 0, got ${c.seed}`],
    [c.dtype === 'float64' || c.dtype === 'float32', `dtype must be 'float64' or 'float32', got ${c.dtype}`],
    [c.evalEvery === undefined || (Number.isInteger(c.evalEvery) && c.evalEvery >= 1), `evalEvery must be an integer >= 1, got ${c.evalEvery}`],
    [
      c.evaluateSampleNumPerEpoch === undefined || (Number.isInteger(c.evaluateSampleNumPerEpoch) && c.evaluateSampleNumPerEpoch >= 1),
      `evaluateSampleNumPerEpoch must be an integer >= 1, got ${c.evaluateSampleNumPerEpoch}`,
    ],
    [trainSize > 0, 'the training set is empty'],
  ];
  for (const [ok, message] of checks) if (!ok) throw new Error(`train: ${message}`);
  if (typeof c.network !== 'object' || c.network === null) throw new Error('train: network must be { kind, config }');
  try {
    networkKind(c.network.kind, 'train').describe(c.network.config);
    createOptimizer(c.optimizer, c.optimizerParam);
  } catch (e) {
    throw new Error(`train: ${(e as Error).message}`);
  }
}

/** Samples per prediction when evaluating: whole splits through the fused two-layer kernel, else bounded buffers. */
function evalBatchSize(net: Network): number {
  if (net.twoLayerInference?.()) return 10000;
  return net.inputShape.length > 1 ? 100 : 1000;
}

/**
 * What `train` trains with, when not built from the config: any network (the `Network` contract) and
 * optimizer. Without them it builds `config.network` through the registry and `config.optimizer`, drawing
 * the weights from the same generator as the batches (as the book's global np.random).
 */
export interface TrainParts<N extends Network> {
  network?: N;
  optimizer?: Optimizer;
}

/**
 * Trains `config.network` on `data.train`, reporting accuracy on both splits at every epoch. Same config
 * and seed → bit-identical losses and accuracies.
 *
 * @example
 * const result = await train(loadMnistSplits(), { ...BOOK_CONFIG, iters: 600, seed: 42 }, {
 *   onEpoch: (r) => console.log(`train acc, test acc | ${r.trainAcc}, ${r.testAcc}`),
 * });
 */
export async function train<N extends Network = Network>(data: MnistSplits, config: TrainConfig, hooks: TrainHooks<N> = {}, parts: TrainParts<N> = {}): Promise<TrainResult<N>> {
  const { train: trainSet, test: testSet } = data;
  validateConfig(config, trainSet.count);
  const now = hooks.now ?? (() => performance.now());
  const start = now();
  // One generator, as the book's global np.random: first the weights, then the batch draws.
  const rng = new Random(config.seed);
  const net = parts.network ?? (buildNetwork(config.network.kind, config.network.config, { dtype: config.dtype, rng }) as N);
  const optimizer = parts.optimizer ?? createOptimizer(config.optimizer, config.optimizerParam);
  const loop = new TrainingLoop<N>({
    network: net,
    optimizer,
    train: trainSet,
    test: testSet,
    batchSize: config.batchSize,
    rng,
    iters: config.iters,
    evalEvery: config.evalEvery ?? iterPerEpoch(trainSet.count, config.batchSize),
    evalAtEnd: config.evalAtEnd ?? false,
    evalLimit: config.evaluateSampleNumPerEpoch,
    evalBatchSize: evalBatchSize(net),
    // Evaluations run on the kernels' other thread while training goes on, where there is one.
    background: true,
  });
  const status = await loop.run({ ...hooks, now });
  const seconds = (now() - start) / 1000;
  const result: TrainResult<N> = {
    status,
    net,
    config,
    losses: loop.lossHistory,
    epochs: loop.records,
    iterationsDone: loop.iteration,
    seconds,
    trainSeconds: seconds - loop.evalMs / 1000,
    evalSeconds: loop.evalMs / 1000,
  };
  if (loop.divergedAt !== undefined) result.divergedAt = loop.divergedAt;
  return result;
}
