import type { Labels } from '../functions.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import type { Random } from '../tensor/random.ts';

/** Refuse layer sizes no MNIST-scale model has (guards against absurd or hostile configs and files). */
export const MAX_LAYER_SIZE = 1_000_000;
/** The most numbers a network (or a file read into one) may hold. */
export const MAX_PARAMS = 50_000_000;

/** Tensors by name: a network's `params` (`W1`, `b1`, `gamma1`, …), its gradients, or its state. */
export type TensorRecord = Readonly<Record<string, Tensor>>;

/** A JSON value: what a network's `config` may hold, so it can be saved and the network rebuilt. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * The keyword arguments that rebuild a network, as JSON (the book's constructor arguments in camelCase:
 * `{ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, … }`).
 */
export type NetworkConfig = { readonly [key: string]: JsonValue };

/**
 * Affine → ReLU → Affine weights, for the fused inference kernel (`kernels.predictTwoLayer`): a network
 * of that shape may offer them (see `Network.twoLayerInference`).
 */
export interface TwoLayerWeights {
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

/**
 * The network contract: what the book's `common/trainer.py` relies on, plus what ScratchNet adds (a
 * saveable config, non-trained state, dtype). Everything downstream — the trainer, the evaluator, the
 * gradient check, the model file, `scratchnet predict`, the web worker — depends on this only.
 *
 * - `params`: the trained parameters by the book's names (`W1…Wn`, `b1…bn`, `gamma1…`, `beta1…`),
 *   frozen; the tensors are the ones the layers compute with, so in-place updates (an optimizer's, or
 *   `params.W1.data.set(…)` to load weights computed elsewhere) reach the layers.
 * - `predict(x, trainFlg = false)`: scores before softmax (layer-owned; copy to keep).
 * - `loss(x, t, trainFlg = false)`: the loss, weight decay included where the network has it.
 * - `accuracy(x, t)`: the fraction of rows whose highest score is the target (label indices or one-hot).
 * - `gradient(x, t)`: gradients by backprop, same keys as `params`, overwritten by the next call.
 * - `numericalGradient(x, t)`: the same by central differences (the oracle; slow).
 * - `state`: non-trained tensors that belong to the model (BatchNorm running statistics), by name.
 * - `kind` + `config` (+ `dtype`): enough to rebuild the network (`buildNetwork` in `nets/registry.ts`).
 */
export interface Network {
  readonly kind: string;
  readonly config: NetworkConfig;
  readonly dtype: DType;
  /** The shape of one input sample: `[784]` for flat images, `[1, 28, 28]` for convolutional nets. */
  readonly inputShape: readonly number[];
  /** The number of classes (scores per sample). */
  readonly outputSize: number;
  readonly params: TensorRecord;
  readonly state: TensorRecord;
  predict(x: Tensor, trainFlg?: boolean): Tensor;
  loss(x: Tensor, t: Labels, trainFlg?: boolean): number;
  accuracy(x: Tensor, t: Labels): number;
  gradient(x: Tensor, t: Labels): TensorRecord;
  numericalGradient(x: Tensor, t: Labels): Record<string, Tensor>;
  /**
   * Optional fast path: the weights of an Affine → ReLU → Affine network (in inference), so evaluation
   * can use the fused kernel — on another thread where there is one. Undefined where it does not apply;
   * the generic path (`predict`) never needs it.
   */
  twoLayerInference?(): TwoLayerWeights | undefined;
  /** Copies state values in (e.g. from a model file); networks without state need not have it. */
  setState?(values: TensorRecord): void;
}

/** The shapes a network config implies, by name (what `NetworkKind.describe` returns). */
export interface NetworkShapes {
  params: Record<string, readonly number[]>;
  state: Record<string, readonly number[]>;
}

/**
 * A kind of network, as the model file and `buildNetwork` see it: how to check a config and what
 * parameter and state shapes it implies (without allocating anything — a hostile file may claim a huge
 * network), and how to build one.
 */
export interface NetworkKind<N extends Network = Network> {
  readonly kind: string;
  /** Validates `config` (throwing with the field and what is wrong) and returns the shapes it implies. */
  describe(config: NetworkConfig): NetworkShapes;
  create(config: NetworkConfig, options: { dtype: DType; seed?: number; rng?: Random }): N;
  /**
   * The config that parameters of these shapes imply, where the shapes say it (e.g. a TwoLayerNet's sizes
   * from W1 and W2), or undefined when they cannot be this kind. Only a guess: a loader keeps it only when
   * `describe` of it declares exactly these shapes. Settings the shapes do not show (an activation, a
   * weight-decay λ) take the book's defaults. Kinds without it are matched with their default config.
   */
  fromShapes?(shapes: Readonly<Record<string, readonly number[]>>): NetworkConfig | undefined;
}

/** The number of input features of one sample (the product of `inputShape`). */
export function inputFeatures(net: Pick<Network, 'inputShape'>): number {
  let n = 1;
  for (const d of net.inputShape) n *= d;
  return n;
}
