import type { Labels } from '../functions.ts';
import { Affine } from '../layers/affine.ts';
import { Relu } from '../layers/relu.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import { bufferTensor } from '../internal/buffers.ts';
import { checkDtype, type DType, type Tensor } from '../tensor/tensor.ts';
import { LayerNet } from './layer-net.ts';
import { MAX_LAYER_SIZE, type NetworkConfig, type NetworkKind } from './network.ts';
import { networkIO } from './network-io.ts';

/** The parameter names, in the book's order. */
export const PARAM_KEYS = ['W1', 'b1', 'W2', 'b2'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];
/** Parameters or gradients by name: `params.W1`, `grads.b2`. */
export type ParamMap = Readonly<Record<ParamKey, Tensor>>;

/** The parameter shapes of TwoLayerNet(inputSize, hiddenSize, outputSize). */
export function paramShapes(inputSize: number, hiddenSize: number, outputSize: number): Record<ParamKey, number[]> {
  return { W1: [inputSize, hiddenSize], b1: [hiddenSize], W2: [hiddenSize, outputSize], b2: [outputSize] };
}

export interface TwoLayerNetOptions {
  /** Seed for the initial weights; a random one is chosen (and kept in `net.seed`) when omitted. */
  seed?: number;
  /** Draw the initial weights from this generator instead (its state advances). */
  rng?: Random;
  /**
   * Use these parameters instead of drawing new ones: the two networks then share their weights (an
   * update of one is seen by the other) but have their own layers and buffers — e.g. one network for
   * training batches and one for evaluating large chunks, each allocating its buffers once.
   */
  params?: ParamMap;
  /** `'float64'` (default) or `'float32'`. */
  dtype?: DType;
}

function checkSize(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`TwoLayerNet: ${name} must be a positive integer, got ${v}`);
}

/**
 * The book's two-layer network (`ch05/two_layer_net.py`): Affine1 → Relu1 → Affine2 → SoftmaxWithLoss.
 * One `LayerNet` among several (the network contract is in `network.ts`); its API is chapter 5's.
 *
 * `params` is frozen and its tensors are the very ones the Affine layers hold, so an in-place update
 * such as `net.params.W1.isub(grads.W1.mul(lr))` (the book's `params[key] -= lr * grads[key]`), or
 * `new SGD(lr).update(net.params, grads)`, changes the network. Assigning a new tensor to a params key
 * would silently disconnect it from the layers, so the freeze turns that mistake into an error.
 *
 * @example
 * const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
 * const grads = net.gradient(xBatch, tBatch);
 * for (const key of PARAM_KEYS) net.params[key].isub(grads[key].mul(0.1));
 */
export class TwoLayerNet extends LayerNet {
  readonly kind = 'TwoLayerNet';
  readonly config: NetworkConfig;
  declare readonly params: ParamMap;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** The seed the weights were drawn with (undefined when an `rng` or shared `params` were passed). */
  readonly seed: number | undefined;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, weightInitStd = 0.01, options: TwoLayerNetOptions = {}) {
    checkSize('inputSize', inputSize);
    checkSize('hiddenSize', hiddenSize);
    checkSize('outputSize', outputSize);
    if (!Number.isFinite(weightInitStd) || weightInitStd < 0) {
      throw new Error(`TwoLayerNet: weightInitStd must be a finite number >= 0, got ${weightInitStd}`);
    }
    const dtype = checkDtype('TwoLayerNet', options.params?.W1.dtype ?? options.dtype ?? 'float64');
    let params: ParamMap;
    let seed: number | undefined;
    if (options.params) {
      const expected = paramShapes(inputSize, hiddenSize, outputSize);
      for (const key of PARAM_KEYS) {
        const p = options.params[key];
        if (!sameShape(p.shape, expected[key]) || p.dtype !== dtype) {
          throw new Error(`TwoLayerNet: shared ${key} of shape ${formatShape(p.shape)} ${p.dtype} does not fit (${expected[key].join(',')}) ${dtype}`);
        }
      }
      params = options.params;
    } else {
      seed = options.rng ? undefined : (options.seed ?? randomSeed());
      const rng = options.rng ?? new Random(seed as number);
      // W = weightInitStd * randn(...), b = zeros(...), as in the book. Parameters are long-lived buffers
      // (on the WASM heap when those kernels are in use).
      const op = `TwoLayerNet(${inputSize}, ${hiddenSize}, ${outputSize})`;
      const W1 = bufferTensor([inputSize, hiddenSize], dtype, op);
      rng.fillNormal(W1.data, 0, weightInitStd);
      const W2 = bufferTensor([hiddenSize, outputSize], dtype, op);
      rng.fillNormal(W2.data, 0, weightInitStd);
      const b1 = bufferTensor([hiddenSize], dtype, op);
      const b2 = bufferTensor([outputSize], dtype, op);
      params = { W1, b1, W2, b2 };
    }
    super({
      layers: [
        ['Affine1', new Affine(params.W1, params.b1)],
        ['Relu1', new Relu()],
        ['Affine2', new Affine(params.W2, params.b2)],
      ],
      dtype,
      inputShape: [inputSize],
      outputSize,
      ...(options.params ? { sharedParams: options.params } : {}),
    });
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.seed = seed;
    this.config = Object.freeze({ inputSize, hiddenSize, outputSize, weightInitStd });
  }

  /** Gradients by central differences (slow; the oracle the backprop gradients are checked against). */
  override numericalGradient(x: Tensor, t: Labels): Record<ParamKey, Tensor> {
    return super.numericalGradient(x, t) as Record<ParamKey, Tensor>;
  }

  /**
   * Gradients by backpropagation: forward, then `backward` through the layers in reverse. The returned
   * tensors are the layers' `dW`/`db`, overwritten by the next call (copy them to keep them).
   */
  override gradient(x: Tensor, t: Labels): ParamMap {
    return super.gradient(x, t) as ParamMap;
  }

  /**
   * A network from a saved model: JSON text (e.g. the contents of `model.json` written by
   * `scratchnet train`) or the parsed document. Everything is validated; `name` prefixes errors.
   */
  static load(source: string | unknown, name?: string): TwoLayerNet {
    return networkIO('TwoLayerNet.load').parseModel(source, name, 'TwoLayerNet') as TwoLayerNet;
  }
}

function configSize(config: NetworkConfig, key: string): number {
  const v = config[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_LAYER_SIZE) {
    throw new Error(`${key} must be an integer from 1 to ${MAX_LAYER_SIZE}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** TwoLayerNet as the model file and `buildNetwork` see it. */
export const TWO_LAYER_NET: NetworkKind<TwoLayerNet> = {
  kind: 'TwoLayerNet',
  describe(config) {
    const shapes = paramShapes(configSize(config, 'inputSize'), configSize(config, 'hiddenSize'), configSize(config, 'outputSize'));
    return { params: shapes, state: {} };
  },
  fromShapes(shapes) {
    const { W1, W2 } = shapes;
    if (W1?.length !== 2 || W2?.length !== 2) return undefined;
    return { inputSize: W1[0], hiddenSize: W1[1], outputSize: W2[1], weightInitStd: 0.01 };
  },
  create(config, { dtype, seed, rng }) {
    const std = typeof config.weightInitStd === 'number' ? config.weightInitStd : 0.01;
    return new TwoLayerNet(config.inputSize as number, config.hiddenSize as number, config.outputSize as number, std, { dtype, seed, ...(rng ? { rng } : {}) });
  },
};
