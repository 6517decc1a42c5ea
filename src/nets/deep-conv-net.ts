import { Affine } from '../layers/affine.ts';
import { Convolution } from '../layers/convolution.ts';
import { Dropout } from '../layers/dropout.ts';
import type { Layer } from '../layers/layer.ts';
import { Pooling } from '../layers/pooling.ts';
import { Relu } from '../layers/relu.ts';
import { bufferTensor } from '../internal/buffers.ts';
import type { Random } from '../tensor/random.ts';
import { checkDtype, type DType, type Tensor } from '../tensor/tensor.ts';
import { checkConvParam, checkInputDim, checkInt, convParamJson, ConvNetBase, outSize, type ConvParam } from './conv-net.ts';
import { netGenerator } from './multi-layer-net.ts';
import type { NetworkConfig, NetworkKind, NetworkShapes } from './network.ts';

export interface DeepConvNetOptions {
  /** One image's (channels, height, width); default `[1, 28, 28]`. */
  inputDim?: readonly [number, number, number];
  convParam1?: Partial<ConvParam>;
  convParam2?: Partial<ConvParam>;
  convParam3?: Partial<ConvParam>;
  convParam4?: Partial<ConvParam>;
  convParam5?: Partial<ConvParam>;
  convParam6?: Partial<ConvParam>;
  /** Units of the hidden Affine layer (default 50). */
  hiddenSize?: number;
  /** Classes (default 10). */
  outputSize?: number;
  /** `'float64'` (default) or `'float32'`. */
  dtype?: DType;
  /** Seed for the initial weights and Dropout's masks; a random one is chosen (and kept in `seed`) when omitted. */
  seed?: number;
  /** Draw from this generator instead (its state advances). */
  rng?: Random;
  /**
   * Run each `Conv → Relu → Pool` as one step (ConvReluPool: the same values bit for bit, faster); default
   * true. False runs each layer on its own (their `Relu.mask` and `Pooling.x` then as the book's).
   */
  fuseConvReluPool?: boolean;
}

/** The book's defaults: 3×3 filters 16-16-32-32-64-64, pad 1 except the 4th (pad 2), stride 1. */
export const DEEP_CONV_DEFAULTS: readonly ConvParam[] = Object.freeze([
  { filterNum: 16, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 16, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 32, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 32, filterSize: 3, pad: 2, stride: 1 },
  { filterNum: 64, filterSize: 3, pad: 1, stride: 1 },
  { filterNum: 64, filterSize: 3, pad: 1, stride: 1 },
]);

interface DeepSpec {
  inputDim: [number, number, number];
  convParams: ConvParam[];
  hiddenSize: number;
  outputSize: number;
  /** The flattened size after the third pooling (the book's `64*4*4`). */
  flatSize: number;
}

function deepSpec(o: Partial<Record<keyof DeepConvNetOptions, unknown>>): DeepSpec {
  const net = 'DeepConvNet';
  const inputDim = checkInputDim(net, o.inputDim ?? [1, 28, 28]);
  const convParams = DEEP_CONV_DEFAULTS.map((d, i) => checkConvParam(net, `convParam${i + 1}`, o[`convParam${i + 1}` as keyof DeepConvNetOptions], d));
  const hiddenSize = checkInt(net, 'hiddenSize', o.hiddenSize ?? 50, 1);
  const outputSize = checkInt(net, 'outputSize', o.outputSize ?? 10, 1);
  let [h, w] = [inputDim[1], inputDim[2]];
  for (let i = 0; i < 6; i++) {
    const p = convParams[i];
    h = outSize(net, `Conv${i + 1}`, h, p.filterSize, p.stride, p.pad);
    w = outSize(net, `Conv${i + 1}`, w, p.filterSize, p.stride, p.pad);
    if (i % 2 === 1) {
      h = outSize(net, `Pool${(i + 1) / 2}`, h, 2, 2, 0);
      w = outSize(net, `Pool${(i + 1) / 2}`, w, 2, 2, 0);
    }
  }
  const flatSize = convParams[5].filterNum * h * w;
  if (flatSize > 50_000_000 / hiddenSize) throw new Error(`${net}: Affine1 would have ${flatSize}×${hiddenSize} weights, too many`);
  return { inputDim, convParams, hiddenSize, outputSize, flatSize };
}

/** Parameter shapes and the He scale `√(2 / fan-in)` of each weight, in the book's order W1…W8. */
function deepLayout(s: DeepSpec): { shapes: NetworkShapes; scales: number[] } {
  const params: Record<string, readonly number[]> = {};
  const scales: number[] = [];
  let channels = s.inputDim[0];
  s.convParams.forEach((p, i) => {
    params[`W${i + 1}`] = [p.filterNum, channels, p.filterSize, p.filterSize];
    params[`b${i + 1}`] = [p.filterNum];
    scales.push(Math.sqrt(2.0 / (channels * p.filterSize * p.filterSize)));
    channels = p.filterNum;
  });
  params.W7 = [s.flatSize, s.hiddenSize];
  params.b7 = [s.hiddenSize];
  params.W8 = [s.hiddenSize, s.outputSize];
  params.b8 = [s.outputSize];
  scales.push(Math.sqrt(2.0 / s.flatSize), Math.sqrt(2.0 / s.hiddenSize));
  return { shapes: { params, state: {} }, scales };
}

/**
 * The book's `DeepConvNet` (`ch08/deep_convnet.py`), the ConvNet with over 99 % on MNIST:
 *
 *     conv − relu − conv − relu − pool − conv − relu − conv − relu − pool −
 *     conv − relu − conv − relu − pool − affine − relu − dropout − affine − dropout − softmax
 *
 * Six 3×3 convolutions (16, 16, 32, 32, 64, 64 filters, pad 1 except the fourth's 2), three 2×2 max
 * poolings, Affine 1024 → 50, ReLU, Dropout 0.5, Affine 50 → 10, Dropout 0.5. Parameters `W1…W8`,
 * `b1…b8` as the book; weights `√(2 / fan-in) · randn` (He), fan-ins the book's `pre_node_nums`
 * (`[1·3·3, 16·3·3, 16·3·3, 32·3·3, 32·3·3, 64·3·3, 64·4·4, hidden_size]` for its defaults — computed from
 * the config here, so other configs get their own), biases zero. Dropout's masks come from the
 * network's seeded generator.
 *
 * The book's `loss` always runs Dropout in training mode; here `loss(x, t, trainFlg)` takes the flag (the
 * gradient and the trainer pass true), and `predict`/`accuracy` run in test mode, as the book's.
 */
export class DeepConvNet extends ConvNetBase {
  readonly kind: string = 'DeepConvNet';
  readonly config: NetworkConfig;
  readonly inputDim: readonly [number, number, number];
  readonly hiddenSize: number;
  /** The seed the weights (and Dropout's masks) were drawn with (undefined when an `rng` was passed). */
  readonly seed: number | undefined;

  constructor(options: DeepConvNetOptions = {}) {
    const spec = deepSpec(options);
    const dtype = checkDtype('DeepConvNet', options.dtype ?? 'float64');
    const { seed, rng } = netGenerator(options);
    const { shapes, scales } = deepLayout(spec);
    const p: Record<string, Tensor> = {};
    for (let i = 1; i <= 8; i++) {
      p[`W${i}`] = bufferTensor(shapes.params[`W${i}`], dtype, 'DeepConvNet');
      rng.fillNormal(p[`W${i}`].data, 0, scales[i - 1]);
      p[`b${i}`] = bufferTensor(shapes.params[`b${i}`], dtype, 'DeepConvNet');
    }
    const layers: [string, Layer][] = [];
    const cp = spec.convParams;
    for (let i = 0; i < 6; i++) {
      layers.push([`Conv${i + 1}`, new Convolution(p[`W${i + 1}`], p[`b${i + 1}`], cp[i].stride, cp[i].pad)], [`Relu${i + 1}`, new Relu({ inPlace: true })]);
      if (i % 2 === 1) layers.push([`Pool${(i + 1) / 2}`, new Pooling(2, 2, 2)]);
    }
    layers.push(
      ['Affine1', new Affine(p.W7, p.b7)],
      ['Relu7', new Relu({ inPlace: true })],
      ['Dropout1', new Dropout(0.5, { rng })],
      ['Affine2', new Affine(p.W8, p.b8)],
      ['Dropout2', new Dropout(0.5, { rng })],
    );
    super({ layers, dtype, inputShape: spec.inputDim, outputSize: spec.outputSize, fuseConvReluPool: options.fuseConvReluPool });
    this.inputDim = spec.inputDim;
    this.hiddenSize = spec.hiddenSize;
    this.seed = seed;
    const config: Record<string, NetworkConfig[string]> = { inputDim: [...spec.inputDim] };
    cp.forEach((c, i) => (config[`convParam${i + 1}`] = convParamJson(c)));
    config.hiddenSize = spec.hiddenSize;
    config.outputSize = spec.outputSize;
    this.config = Object.freeze(config);
  }
}

/** DeepConvNet as the model file and `buildNetwork` see it. */
export const DEEP_CONV_NET: NetworkKind<DeepConvNet> = {
  kind: 'DeepConvNet',
  describe(config) {
    return deepLayout(deepSpec(config as Partial<Record<keyof DeepConvNetOptions, unknown>>)).shapes;
  },
  create(config, { dtype, seed, rng }) {
    const spec = deepSpec(config as Partial<Record<keyof DeepConvNetOptions, unknown>>);
    const options: DeepConvNetOptions = { inputDim: spec.inputDim, hiddenSize: spec.hiddenSize, outputSize: spec.outputSize, dtype, ...(seed === undefined ? {} : { seed }), ...(rng ? { rng } : {}) };
    spec.convParams.forEach((c, i) => ((options as Record<string, unknown>)[`convParam${i + 1}`] = c));
    return new DeepConvNet(options);
  },
};
