import { Affine } from '../layers/affine.ts';
import { Convolution } from '../layers/convolution.ts';
import type { Layer } from '../layers/layer.ts';
import { Pooling } from '../layers/pooling.ts';
import { Relu } from '../layers/relu.ts';
import { bufferTensor } from '../internal/buffers.ts';
import type { Random } from '../tensor/random.ts';
import { checkDtype, type DType } from '../tensor/tensor.ts';
import { checkConvParam, checkInputDim, checkInt, convParamJson, ConvNetBase, outSize, type ConvParam } from './conv-net.ts';
import { netGenerator } from './multi-layer-net.ts';
import type { NetworkConfig, NetworkKind, NetworkShapes } from './network.ts';

export interface SimpleConvNetOptions {
  /** One image's (channels, height, width); default `[1, 28, 28]`. */
  inputDim?: readonly [number, number, number];
  /** The convolution: default `{ filterNum: 30, filterSize: 5, pad: 0, stride: 1 }`. */
  convParam?: Partial<ConvParam>;
  /** Units of the hidden Affine layer (default 100). */
  hiddenSize?: number;
  /** Classes (default 10). */
  outputSize?: number;
  /** Standard deviation of the initial weights (default 0.01). */
  weightInitStd?: number;
  /** `'float64'` (default) or `'float32'`. */
  dtype?: DType;
  /** Seed for the initial weights; a random one is chosen (and kept in `seed`) when omitted. */
  seed?: number;
  /** Draw from this generator instead (its state advances). */
  rng?: Random;
  /**
   * Run each `Conv → Relu → Pool` as one step (ConvReluPool: the same values bit for bit, faster); default
   * true. False runs each layer on its own (their `Relu.mask` and `Pooling.x` then as the book's).
   */
  fuseConvReluPool?: boolean;
}

const DEFAULT_CONV: ConvParam = { filterNum: 30, filterSize: 5, pad: 0, stride: 1 };

interface SimpleSpec {
  inputDim: [number, number, number];
  convParam: ConvParam;
  hiddenSize: number;
  outputSize: number;
  weightInitStd: number;
  /** Sizes after the convolution and after the pooling. */
  convOut: [number, number];
  poolOut: [number, number];
  poolOutputSize: number;
}

function simpleSpec(o: Partial<Record<keyof SimpleConvNetOptions, unknown>>): SimpleSpec {
  const net = 'SimpleConvNet';
  const inputDim = checkInputDim(net, o.inputDim ?? [1, 28, 28]);
  const convParam = checkConvParam(net, 'convParam', o.convParam, DEFAULT_CONV);
  const hiddenSize = checkInt(net, 'hiddenSize', o.hiddenSize ?? 100, 1);
  const outputSize = checkInt(net, 'outputSize', o.outputSize ?? 10, 1);
  const weightInitStd = o.weightInitStd ?? 0.01;
  if (typeof weightInitStd !== 'number' || !Number.isFinite(weightInitStd) || weightInitStd < 0) {
    throw new Error(`${net}: weightInitStd must be a finite number >= 0, got ${JSON.stringify(weightInitStd)}`);
  }
  const { filterSize: fs, pad, stride } = convParam;
  const convOut: [number, number] = [outSize(net, 'Conv1', inputDim[1], fs, stride, pad), outSize(net, 'Conv1', inputDim[2], fs, stride, pad)];
  const poolOut: [number, number] = [outSize(net, 'Pool1', convOut[0], 2, 2, 0), outSize(net, 'Pool1', convOut[1], 2, 2, 0)];
  const poolOutputSize = convParam.filterNum * poolOut[0] * poolOut[1];
  if (poolOutputSize > 50_000_000 / hiddenSize) throw new Error(`${net}: Affine1 would have ${poolOutputSize}×${hiddenSize} weights, too many`);
  return { inputDim, convParam, hiddenSize, outputSize, weightInitStd, convOut, poolOut, poolOutputSize };
}

function simpleShapes(s: SimpleSpec): NetworkShapes {
  const { filterNum, filterSize } = s.convParam;
  return {
    params: {
      W1: [filterNum, s.inputDim[0], filterSize, filterSize],
      b1: [filterNum],
      W2: [s.poolOutputSize, s.hiddenSize],
      b2: [s.hiddenSize],
      W3: [s.hiddenSize, s.outputSize],
      b3: [s.outputSize],
    },
    state: {},
  };
}

/**
 * The book's `SimpleConvNet` (`ch07/simple_convnet.py`): conv − relu − pool − affine − relu − affine −
 * softmax, layers `Conv1, Relu1, Pool1 (2×2, stride 2), Affine1, Relu2, Affine2`, parameters `W1, b1`
 * (the filters, (FN, C, FH, FW)), `W2, b2`, `W3, b3`, the weights drawn `weightInitStd · randn` in that
 * order, the biases zero.
 *
 * The book sizes `W2` as `filter_num · (conv_output_size / 2)²`, which is the pooled size when the
 * convolution's output is even; here it is the pooled size itself, `filterNum · ⌊convOut/2⌋²` (the book's
 * code fails otherwise).
 *
 * @example
 * const net = new SimpleConvNet({ seed: 1 });             // MNIST: input (1, 28, 28), 30 filters 5×5
 * const grads = net.gradient(xBatch, tBatch);              // xBatch (N, 1, 28, 28)
 * net.loadParams('ch07/params.pkl');                       // the book's trained weights, as they are
 */
export class SimpleConvNet extends ConvNetBase {
  readonly kind: string = 'SimpleConvNet';
  readonly config: NetworkConfig;
  readonly inputDim: readonly [number, number, number];
  readonly convParam: Readonly<ConvParam>;
  readonly hiddenSize: number;
  /** The seed the weights were drawn with (undefined when an `rng` was passed). */
  readonly seed: number | undefined;

  constructor(options: SimpleConvNetOptions = {}) {
    const spec = simpleSpec(options);
    const dtype = checkDtype('SimpleConvNet', options.dtype ?? 'float64');
    const { seed, rng } = netGenerator(options);
    const shapes = simpleShapes(spec).params;
    const p: Record<string, ReturnType<typeof bufferTensor>> = {};
    for (const key of ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']) {
      p[key] = bufferTensor(shapes[key], dtype, 'SimpleConvNet');
      if (key.startsWith('W')) rng.fillNormal(p[key].data, 0, spec.weightInitStd);
    }
    const layers: [string, Layer][] = [
      ['Conv1', new Convolution(p.W1, p.b1, spec.convParam.stride, spec.convParam.pad)],
      ['Relu1', new Relu({ inPlace: true })],
      ['Pool1', new Pooling(2, 2, 2)],
      ['Affine1', new Affine(p.W2, p.b2)],
      ['Relu2', new Relu({ inPlace: true })],
      ['Affine2', new Affine(p.W3, p.b3)],
    ];
    super({ layers, dtype, inputShape: spec.inputDim, outputSize: spec.outputSize, fuseConvReluPool: options.fuseConvReluPool });
    this.inputDim = spec.inputDim;
    this.convParam = Object.freeze({ ...spec.convParam });
    this.hiddenSize = spec.hiddenSize;
    this.seed = seed;
    this.config = Object.freeze({
      inputDim: [...spec.inputDim],
      convParam: convParamJson(spec.convParam),
      hiddenSize: spec.hiddenSize,
      outputSize: spec.outputSize,
      weightInitStd: spec.weightInitStd,
    });
  }
}

/** SimpleConvNet as the model file and `buildNetwork` see it. */
export const SIMPLE_CONV_NET: NetworkKind<SimpleConvNet> = {
  kind: 'SimpleConvNet',
  describe(config) {
    return simpleShapes(simpleSpec(config as Partial<Record<keyof SimpleConvNetOptions, unknown>>));
  },
  fromShapes({ W1, W2, W3 }) {
    // Square images, stride 1, no padding, as the book's default: the pooled side from W2's rows.
    if (W1?.length !== 4 || W2?.length !== 2 || W3?.length !== 2 || W1[2] !== W1[3]) return undefined;
    const pooled = Math.round(Math.sqrt(W2[0] / W1[0]));
    const side = 2 * pooled + W1[2] - 1;
    return { inputDim: [W1[1], side, side], convParam: { filterNum: W1[0], filterSize: W1[2], pad: 0, stride: 1 }, hiddenSize: W2[1], outputSize: W3[1], weightInitStd: 0.01 };
  },
  create(config, { dtype, seed, rng }) {
    const spec = simpleSpec(config as Partial<Record<keyof SimpleConvNetOptions, unknown>>);
    return new SimpleConvNet({ inputDim: spec.inputDim, convParam: spec.convParam, hiddenSize: spec.hiddenSize, outputSize: spec.outputSize, weightInitStd: spec.weightInitStd, dtype, ...(seed === undefined ? {} : { seed }), ...(rng ? { rng } : {}) });
  },
};
