import { checkDtype } from '../tensor/tensor.ts';
import { LayerNet } from './layer-net.ts';
import type { JsonValue, NetworkConfig, NetworkKind } from './network.ts';
import { buildFcLayers, fcFromShapes, fcShapes, fcSpec, netGenerator, type Activation, type MultiLayerNetExtendOptions } from './multi-layer-net.ts';

/**
 * The book's extended fully connected network (`common/multi_layer_net_extend.py`): `MultiLayerNet` with
 * weight decay, Dropout and Batch Normalization. For each hidden layer
 * `Affine{i}` → [`BatchNorm{i}`] → `Activation_function{i}` → [`Dropout{i}`], then `Affine{L}` →
 * `SoftmaxWithLoss`. Parameters `W1…WL`, `b1…bL`, and with BatchNorm `gamma1…`, `beta1…` (initially
 * ones and zeros); state `runningMean1…`, `runningVar1…`.
 *
 * `predict(x, trainFlg)` passes the flag to every layer (the book passes it to the layers whose names
 * contain "Dropout" or "BatchNorm"); `gradient` and `numericalGradient` take the loss in training mode,
 * `accuracy` in test mode, as the book. Dropout's masks come from the network's seeded generator, so a
 * training run repeats.
 *
 * @example
 * const net = new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true, seed: 1 });
 * const grads = net.gradient(xBatch, tBatch); // W1…W3, b1…b3, gamma1, gamma2, beta1, beta2
 */
export class MultiLayerNetExtend extends LayerNet {
  readonly kind: string = 'MultiLayerNetExtend';
  readonly config: NetworkConfig;
  readonly inputSize: number;
  readonly hiddenSizeList: readonly number[];
  readonly hiddenLayerNum: number;
  readonly activation: Activation;
  readonly useDropout: boolean;
  readonly dropoutRatio: number;
  readonly useBatchnorm: boolean;
  /** The seed the weights (and Dropout's masks) were drawn with (undefined when an `rng` was passed). */
  readonly seed: number | undefined;

  constructor(options: MultiLayerNetExtendOptions) {
    const spec = fcSpec('MultiLayerNetExtend', options);
    const dtype = checkDtype('MultiLayerNetExtend', options.dtype ?? 'float64');
    const { seed, rng } = netGenerator(options);
    super({ layers: buildFcLayers(spec, rng, dtype), dtype, inputShape: [spec.inputSize], outputSize: spec.outputSize, weightDecayLambda: spec.weightDecayLambda });
    this.inputSize = spec.inputSize;
    this.hiddenSizeList = spec.hiddenSizeList;
    this.hiddenLayerNum = spec.hiddenSizeList.length;
    this.activation = spec.activation;
    this.useDropout = spec.useDropout;
    this.dropoutRatio = spec.dropoutRatio;
    this.useBatchnorm = spec.useBatchnorm;
    this.seed = seed;
    this.config = Object.freeze({
      inputSize: spec.inputSize,
      hiddenSizeList: [...spec.hiddenSizeList],
      outputSize: spec.outputSize,
      activation: spec.activation,
      weightInitStd: spec.weightInitStd as JsonValue,
      weightDecayLambda: spec.weightDecayLambda,
      useDropout: spec.useDropout,
      dropoutRation: spec.dropoutRatio,
      useBatchnorm: spec.useBatchnorm,
    });
  }
}

/** MultiLayerNetExtend as the model file and `buildNetwork` see it. */
export const MULTI_LAYER_NET_EXTEND: NetworkKind<MultiLayerNetExtend> = {
  kind: 'MultiLayerNetExtend',
  describe(config) {
    return fcShapes(fcSpec('MultiLayerNetExtend', config));
  },
  fromShapes: (shapes) => fcFromShapes(shapes, true),
  create(config, { dtype, seed, rng }) {
    const spec = fcSpec('MultiLayerNetExtend', config);
    return new MultiLayerNetExtend({ ...spec, dtype, ...(seed === undefined ? {} : { seed }), ...(rng ? { rng } : {}) });
  },
};
