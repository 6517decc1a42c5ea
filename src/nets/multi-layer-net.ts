import { Affine } from '../layers/affine.ts';
import { BatchNormalization } from '../layers/batch-normalization.ts';
import { Dropout } from '../layers/dropout.ts';
import type { Layer } from '../layers/layer.ts';
import { Relu } from '../layers/relu.ts';
import { Sigmoid } from '../layers/sigmoid.ts';
import { bufferTensor } from '../internal/buffers.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { checkDtype, type DType } from '../tensor/tensor.ts';
import { LayerNet } from './layer-net.ts';
import { MAX_LAYER_SIZE, type JsonValue, type NetworkConfig, type NetworkKind, type NetworkShapes } from './network.ts';
import { initWeights, weightInitScale, type WeightInitStd } from './weight-init.ts';

/** The hidden layers' activation, as the book's `activation` argument (`'relu'` or `'sigmoid'`). */
export type Activation = 'relu' | 'sigmoid';

export interface MultiLayerNetOptions {
  /** Input size (784 for MNIST). */
  inputSize: number;
  /** The number of units of each hidden layer, e.g. `[100, 100, 100]`. */
  hiddenSizeList: readonly number[];
  /** Output size (10 for MNIST). */
  outputSize: number;
  /** The hidden layers' activation (default `'relu'`). */
  activation?: Activation;
  /** Standard deviation of the initial weights: a number, or `'relu'`/`'he'`, `'sigmoid'`/`'xavier'` (default `'relu'`). */
  weightInitStd?: WeightInitStd;
  /** The strength λ of weight decay (L2): `0.5·λ·ΣW²` is added to the loss (default 0). */
  weightDecayLambda?: number;
  /** `'float64'` (default) or `'float32'`. */
  dtype?: DType;
  /** Seed for the initial weights (and Dropout's masks); a random one is chosen (and kept in `seed`) when omitted. */
  seed?: number;
  /** Draw from this generator instead (its state advances). */
  rng?: Random;
}

export interface MultiLayerNetExtendOptions extends MultiLayerNetOptions {
  /** Put a `Dropout` after each hidden activation (default false). */
  useDropout?: boolean;
  /** The book's (misspelt) name for the dropout ratio (default 0.5). */
  dropoutRation?: number;
  /** The same as `dropoutRation`, spelt out; give one or the other. */
  dropoutRatio?: number;
  /** Put a `BatchNormalization` between each hidden Affine and its activation (default false). */
  useBatchnorm?: boolean;
}

/** A fully connected net's structure, checked and with the defaults filled in. */
export interface FcSpec {
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly outputSize: number;
  readonly activation: Activation;
  readonly weightInitStd: WeightInitStd;
  readonly weightDecayLambda: number;
  readonly useDropout: boolean;
  readonly dropoutRatio: number;
  readonly useBatchnorm: boolean;
}

function checkSize(net: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_LAYER_SIZE) {
    throw new Error(`${net}: ${name} must be an integer from 1 to ${MAX_LAYER_SIZE}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates the options of either net (they come from code, a CLI or a model file) and fills in defaults. */
export function fcSpec(net: string, o: Partial<MultiLayerNetExtendOptions> | NetworkConfig): FcSpec {
  const opts = o as Partial<Record<keyof MultiLayerNetExtendOptions, unknown>>;
  const inputSize = checkSize(net, 'inputSize', opts.inputSize);
  const outputSize = checkSize(net, 'outputSize', opts.outputSize);
  const list = opts.hiddenSizeList;
  if (!Array.isArray(list)) throw new Error(`${net}: hiddenSizeList must be an array of layer sizes, got ${JSON.stringify(list)}`);
  const hiddenSizeList = Object.freeze(list.map((v, i) => checkSize(net, `hiddenSizeList[${i}]`, v)));
  const activation = opts.activation ?? 'relu';
  // The book looks the name up in a dict, {'sigmoid': Sigmoid, 'relu': Relu}: exact names only.
  if (activation !== 'relu' && activation !== 'sigmoid') {
    throw new Error(`${net}: activation must be 'relu' or 'sigmoid', got ${JSON.stringify(activation)}`);
  }
  const weightInitStd = opts.weightInitStd ?? 'relu';
  if (typeof weightInitStd !== 'number' && typeof weightInitStd !== 'string') {
    throw new Error(`${net}: weightInitStd must be a number or 'relu', 'he', 'sigmoid', 'xavier', got ${JSON.stringify(weightInitStd)}`);
  }
  try {
    weightInitScale(weightInitStd, inputSize);
  } catch (e) {
    throw new Error(`${net}: ${(e as Error).message}`);
  }
  const weightDecayLambda = opts.weightDecayLambda ?? 0;
  if (typeof weightDecayLambda !== 'number' || !Number.isFinite(weightDecayLambda) || weightDecayLambda < 0) {
    throw new Error(`${net}: weightDecayLambda must be a finite number >= 0, got ${JSON.stringify(weightDecayLambda)}`);
  }
  const useDropout = opts.useDropout ?? false;
  const useBatchnorm = opts.useBatchnorm ?? false;
  for (const [name, v] of [['useDropout', useDropout], ['useBatchnorm', useBatchnorm]] as const) {
    if (typeof v !== 'boolean') throw new Error(`${net}: ${name} must be true or false, got ${JSON.stringify(v)}`);
  }
  if (opts.dropoutRation !== undefined && opts.dropoutRatio !== undefined && opts.dropoutRation !== opts.dropoutRatio) {
    throw new Error(`${net}: dropoutRation (${opts.dropoutRation}) and dropoutRatio (${opts.dropoutRatio}) disagree; give one`);
  }
  const dropoutRatio = opts.dropoutRation ?? opts.dropoutRatio ?? 0.5;
  if (typeof dropoutRatio !== 'number' || !(dropoutRatio >= 0 && dropoutRatio < 1)) {
    throw new Error(`${net}: dropoutRation must be a number in [0, 1), got ${JSON.stringify(dropoutRatio)}`);
  }
  return {
    inputSize,
    hiddenSizeList,
    outputSize,
    activation,
    weightInitStd,
    weightDecayLambda,
    useDropout: useDropout as boolean,
    dropoutRatio,
    useBatchnorm: useBatchnorm as boolean,
  };
}

/** `[inputSize, ...hiddenSizeList, outputSize]`, the book's `all_size_list`. */
export function allSizeList(spec: FcSpec): number[] {
  return [spec.inputSize, ...spec.hiddenSizeList, spec.outputSize];
}

/** The parameter and state shapes a spec implies, by name, without allocating anything. */
export function fcShapes(spec: FcSpec): NetworkShapes {
  const sizes = allSizeList(spec);
  const params: Record<string, readonly number[]> = {};
  const state: Record<string, readonly number[]> = {};
  for (let idx = 1; idx < sizes.length; idx++) {
    params[`W${idx}`] = [sizes[idx - 1], sizes[idx]];
    params[`b${idx}`] = [sizes[idx]];
    if (spec.useBatchnorm && idx < sizes.length - 1) {
      params[`gamma${idx}`] = [sizes[idx]];
      params[`beta${idx}`] = [sizes[idx]];
      state[`runningMean${idx}`] = [sizes[idx]];
      state[`runningVar${idx}`] = [sizes[idx]];
    }
  }
  return { params, state };
}

/**
 * The layers of the book's `MultiLayerNet` / `MultiLayerNetExtend`, by its names: for each hidden layer
 * `Affine{i}`, then `BatchNorm{i}` (gamma = ones, beta = zeros), `Activation_function{i}`, `Dropout{i}`
 * as enabled; then the output `Affine{L}`. Weights are drawn first, in the book's order (W1, W2, …);
 * Dropout layers draw their masks from the same generator afterwards.
 */
export function buildFcLayers(spec: FcSpec, rng: Random, dtype: DType): [string, Layer][] {
  const sizes = allSizeList(spec);
  const p = initWeights(sizes, spec.weightInitStd, rng, dtype);
  const layers: [string, Layer][] = [];
  const hidden = spec.hiddenSizeList.length;
  for (let idx = 1; idx <= hidden; idx++) {
    layers.push([`Affine${idx}`, new Affine(p[`W${idx}`], p[`b${idx}`])]);
    if (spec.useBatchnorm) {
      const gamma = bufferTensor([sizes[idx]], dtype);
      gamma.data.fill(1);
      layers.push([`BatchNorm${idx}`, new BatchNormalization(gamma, bufferTensor([sizes[idx]], dtype))]);
    }
    layers.push([`Activation_function${idx}`, spec.activation === 'relu' ? new Relu() : new Sigmoid()]);
    if (spec.useDropout) layers.push([`Dropout${idx}`, new Dropout(spec.dropoutRatio, { rng })]);
  }
  const last = hidden + 1;
  layers.push([`Affine${last}`, new Affine(p[`W${last}`], p[`b${last}`])]);
  return layers;
}

/** The seed and generator of a new net: the caller's generator, or a fresh one from `seed` (or a random seed). */
export function netGenerator(options: { seed?: number; rng?: Random }): { seed: number | undefined; rng: Random } {
  if (options.rng) return { seed: undefined, rng: options.rng };
  const seed = options.seed ?? randomSeed();
  return { seed, rng: new Random(seed) };
}

/**
 * The book's fully connected network of any depth (`common/multi_layer_net.py`): for each hidden layer
 * `Affine{i}` → `Activation_function{i}` (ReLU or Sigmoid), then `Affine{L}` → `SoftmaxWithLoss`.
 * Parameters `W1…WL`, `b1…bL`; initial weights by `weightInitStd` (He's √(2/n) by default); weight decay
 * adds `0.5·λ·ΣW²` to the loss and `λ·W` to each weight gradient, as the book's `weight_decay.py` uses it.
 *
 * @example
 * const net = new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, seed: 1 });
 * const grads = net.gradient(xBatch, tBatch); // grads.W1 … grads.W3, grads.b1 … grads.b3
 */
export class MultiLayerNet extends LayerNet {
  readonly kind: string = 'MultiLayerNet';
  readonly config: NetworkConfig;
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly hiddenLayerNum: number;
  readonly activation: Activation;
  /** The seed the weights were drawn with (undefined when an `rng` was passed). */
  readonly seed: number | undefined;

  constructor(options: MultiLayerNetOptions) {
    const spec = fcSpec('MultiLayerNet', { ...options, useDropout: false, useBatchnorm: false });
    const dtype = checkDtype('MultiLayerNet', options.dtype ?? 'float64');
    const { seed, rng } = netGenerator(options);
    super({ layers: buildFcLayers(spec, rng, dtype), dtype, inputShape: [spec.inputSize], outputSize: spec.outputSize, weightDecayLambda: spec.weightDecayLambda });
    this.inputSize = spec.inputSize;
    this.hiddenSizeList = spec.hiddenSizeList;
    this.hiddenLayerNum = spec.hiddenSizeList.length;
    this.activation = spec.activation;
    this.seed = seed;
    this.config = Object.freeze({
      inputSize: spec.inputSize,
      hiddenSizeList: [...spec.hiddenSizeList],
      outputSize: spec.outputSize,
      activation: spec.activation,
      weightInitStd: spec.weightInitStd as JsonValue,
      weightDecayLambda: spec.weightDecayLambda,
    });
  }
}

/**
 * The config of a fully connected net whose weights `W1…Wn` have these shapes (the activation, the weight
 * init and λ do not show in shapes: the book's defaults), BatchNorm where `gamma1` is there.
 */
export function fcFromShapes(shapes: Readonly<Record<string, readonly number[]>>, extend: boolean): NetworkConfig | undefined {
  const ws: (readonly number[])[] = [];
  for (let i = 1; shapes[`W${i}`] !== undefined; i++) ws.push(shapes[`W${i}`]);
  if (ws.length < 2 || ws.some((w) => w.length !== 2)) return undefined;
  const config: Record<string, JsonValue> = { inputSize: ws[0][0], hiddenSizeList: ws.slice(0, -1).map((w) => w[1]), outputSize: ws[ws.length - 1][1] };
  if (extend) config.useBatchnorm = shapes.gamma1 !== undefined;
  return config;
}

/** MultiLayerNet as the model file and `buildNetwork` see it. */
export const MULTI_LAYER_NET: NetworkKind<MultiLayerNet> = {
  kind: 'MultiLayerNet',
  describe(config) {
    const spec = fcSpec('MultiLayerNet', config);
    if (spec.useDropout || spec.useBatchnorm) throw new Error('MultiLayerNet: useDropout and useBatchnorm belong to MultiLayerNetExtend');
    return fcShapes(spec);
  },
  fromShapes: (shapes) => fcFromShapes(shapes, false),
  create(config, { dtype, seed, rng }) {
    const spec = fcSpec('MultiLayerNet', config);
    return new MultiLayerNet({ ...spec, dtype, ...(seed === undefined ? {} : { seed }), ...(rng ? { rng } : {}) });
  },
};
