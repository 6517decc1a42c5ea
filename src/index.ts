/**
 * ScratchNet — backpropagation as taught in chapter 5 of 『ゼロから作るDeep Learning』, in TypeScript.
 *
 * This entry point is browser-safe: it imports nothing from Node. In Node, the package root also
 * exports `loadMnist` (see `node.ts`).
 */
export { Tensor, Mask, tensor, zeros, ones, full, zerosLike, onesLike, arange, DTYPES } from './tensor/tensor.ts';
export type { DType, NestedArray, Operand, TensorOptions, CreateOptions, AnyTensor, AnyOperand, NestedBoolArray } from './tensor/tensor.ts';
export { TENSOR_DTYPES } from './tensor/dtypes.ts';
export type { TensorDType, IntDType, TensorData, Promote, PromoteScalar, PromoteDiv } from './tensor/dtypes.ts';
export { print, pyStr, pyRepr } from './tensor/py-print.ts';
export {
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  greater,
  greaterEqual,
  less,
  lessEqual,
  equal,
  notEqual,
  maskedFill,
  maskedAssign,
  where,
  exp,
  log,
  dot,
  matmul,
  transpose,
  sum,
  max,
  argmax,
  mean,
  reshape,
  copy,
  take,
} from './tensor/ops.ts';
export type { AxisOptions, DotOptions } from './tensor/ops.ts';
export { formatShape } from './tensor/shape.ts';
export { setPrintOptions, getPrintOptions, array2string, arrayStr, arrayRepr, arrayRepr as repr, scalarString } from './tensor/format.ts';
export type { PrintOptions, Printable, PrintDtype } from './tensor/format.ts';
export { round, rint } from './tensor/round.ts';
export { Random, randomSeed } from './tensor/random.ts';
export { randn, uniform } from './tensor/random-tensors.ts';
export type { RandomOptions } from './tensor/random-tensors.ts';
export {
  identityFunction,
  stepFunction,
  sigmoid,
  relu,
  softmax,
  crossEntropyError,
  sumSquaredError,
  sigmoidGrad,
  reluGrad,
  softmaxLoss,
} from './functions.ts';
export { AND, NAND, OR, XOR, perceptron, AND_WEIGHTS, NAND_WEIGHTS, OR_WEIGHTS, GATE_INPUTS } from './perceptron.ts';
export type { PerceptronWeights } from './perceptron.ts';
export { smoothCurve, shuffleDataset, permutation, kaiser, histogram } from './util/book-util.ts';
export type { Labels } from './functions.ts';
export type { Layer, ParamLayer, StatefulLayer, SkipsInputGradient } from './layers/layer.ts';
export { hasParams, hasState, skipsInputGradient } from './layers/layer.ts';
export { MulLayer } from './layers/mul-layer.ts';
export { AddLayer } from './layers/add-layer.ts';
export { Relu } from './layers/relu.ts';
export { Sigmoid } from './layers/sigmoid.ts';
export { Affine } from './layers/affine.ts';
export { SoftmaxWithLoss } from './layers/softmax-with-loss.ts';
export { BatchNormalization, BATCH_NORM_EPS } from './layers/batch-normalization.ts';
export { Dropout } from './layers/dropout.ts';
export type { DropoutOptions } from './layers/dropout.ts';
export { Convolution } from './layers/convolution.ts';
export type { ConvForwardShape } from './layers/convolution.ts';
export { Pooling } from './layers/pooling.ts';
export { ConvReluPool } from './layers/conv-relu-pool.ts';
export { im2col, col2im, convOutputSize } from './util/im2col.ts';
export { weightInitScale, initWeights, layerActivations, HISTOGRAM_ACTIVATIONS } from './nets/weight-init.ts';
export type { WeightInitStd } from './nets/weight-init.ts';
export { MultiLayerNet, MULTI_LAYER_NET } from './nets/multi-layer-net.ts';
export type { MultiLayerNetOptions, MultiLayerNetExtendOptions, Activation } from './nets/multi-layer-net.ts';
export { MultiLayerNetExtend, MULTI_LAYER_NET_EXTEND } from './nets/multi-layer-net-extend.ts';
export { SimpleConvNet, SIMPLE_CONV_NET } from './nets/simple-conv-net.ts';
export type { SimpleConvNetOptions } from './nets/simple-conv-net.ts';
export { DeepConvNet, DEEP_CONV_NET, DEEP_CONV_DEFAULTS } from './nets/deep-conv-net.ts';
export type { DeepConvNetOptions } from './nets/deep-conv-net.ts';
export { ConvNetBase } from './nets/conv-net.ts';
export type { ConvParam } from './nets/conv-net.ts';
export { SampleNet } from './nets/ch03-net.ts';
export type { SampleNetParams } from './nets/ch03-net.ts';
export { loadPickle, MAX_PICKLE_ARRAY_ELEMENTS } from './io/pickle.ts';
export { encodePickle, savePickle } from './io/pickle-writer.ts';
export { parseNpy, encodeNpy, loadNpy, saveNpy, MAX_NPY_ELEMENTS } from './io/npy.ts';
export { parseNpz, parseNpzEntries, encodeNpz, loadNpz, saveNpz, MAX_NPZ_INFLATED_BYTES } from './io/npz.ts';
export type { NpzEntries, EncodeNpzOptions } from './io/npz.ts';
export { parseSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './io/safetensors.ts';
export type { Safetensors } from './io/safetensors.ts';
export { exportOnnx, ONNX_OPSET } from './io/onnx.ts';
export type { ExportOnnxOptions } from './io/onnx.ts';
export type { LoadPickleOptions } from './io/pickle.ts';
export { numericalGradient, numericalDiff, numericalGradientRows, gradientDescent, function1, function2 } from './gradient.ts';
export { SimpleNet } from './nets/simple-net.ts';
export type { SimpleNetOptions } from './nets/simple-net.ts';
export { TwoLayerNetCh04, TwoLayerNetCh04Workspace } from './nets/two-layer-net-ch04.ts';
export type { Ch04Params } from './nets/two-layer-net-ch04.ts';
export { TwoLayerNet, PARAM_KEYS, TWO_LAYER_NET } from './nets/two-layer-net.ts';
export type { ParamKey, ParamMap, TwoLayerNetOptions } from './nets/two-layer-net.ts';
export { SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, createOptimizer, isOptimizerName, OPTIMIZERS } from './optimizers/index.ts';
export type { Optimizer, OptimizerParam, OptimizerName, ParamRecord } from './optimizers/index.ts';
export { optimizerPath, naiveSurface, naiveSurfaceGradient } from './optimizers/surface.ts';
export { parseIdx, encodeIdx } from './data/idx.ts';
export type { IdxArray } from './data/idx.ts';
export { MnistSplit, MNIST_CLASSES } from './data/mnist.ts';
export type { LoadMnistOptions, MnistSplits, MnistTensors } from './data/mnist.ts';
export { kernels, referenceKernels, useKernels, allocateBytes } from './kernels/index.ts';
export type { Kernels, FloatArray } from './kernels/index.ts';
export { buyApple, buyAppleOrange, buyAppleLines, buyAppleOrangeLines } from './examples.ts';
export type { BuyAppleResult, BuyAppleOrangeResult } from './examples.ts';
export { serializeModel, serializeModelChunks, modelToDocument, readModelDocument, restoreNetwork, MODEL_FORMAT, MODEL_FORMAT_VERSION, MAX_LAYER_SIZE, MAX_PARAMS } from './io/model-format.ts';
export type { ModelDocument, ModelContents, StoredTensor } from './io/model-format.ts';
export { buildNetwork, cloneNetwork, registerNetworkKind, networkKinds, registeredKinds } from './nets/registry.ts';
// Installs the file formats behind every network's saveParams / loadParams / toJSON (see nets/network-io.ts).
import './io/network-file.ts';
export { parseModel, readNetwork, readNetworkArrays, networkFromArrays, identifyNetwork, encodeNetwork, formatOfPath, sniffFormat, PARAMS_FORMATS, NPZ_HEADER } from './io/network-format.ts';
export type { ParamsFormat, NetworkArrays, ReadNetworkOptions, EncodeNetworkOptions } from './io/network-format.ts';
export type { NetworkIO, ParamsTarget } from './nets/network-io.ts';
export type { Network, NetworkConfig, NetworkKind, NetworkShapes, TensorRecord, TwoLayerWeights, JsonValue } from './nets/network.ts';
export { inputFeatures } from './nets/network.ts';
export { LayerNet } from './nets/layer-net.ts';
export type { LayerNetInit } from './nets/layer-net.ts';
export { Trainer, pyFloat } from './train/trainer.ts';
export type { TrainerOptions } from './train/trainer.ts';
export { train, TrainingLoop, Evaluator, evaluateAccuracy, networkAccuracy, gradientCheck, gradientDifferences, validateConfig, BOOK_CONFIG, twoLayerNetSpec, iterPerEpoch, countEpochs } from './train/index.ts';
export type { TrainConfig, TrainHooks, TrainResult, TrainStatus, EpochRecord, TrainParts, NetworkSpec, LoopOptions, EvaluatorOptions, PendingEvaluation, Dataset } from './train/index.ts';
export { lossSpec, accuracySpec, activationSpec, activationCurves, activationAt, movingAverage } from './plot/specs.ts';
export type { VegaLiteSpec, ActivationName } from './plot/specs.ts';
export { activationHistogramSpec, accuracyGridSpec, trainTestAccuracySpec } from './plot/ch06-specs.ts';
export type { GridPanel } from './plot/ch06-specs.ts';
export { preprocessDigit } from './data/preprocess.ts';
export { useWasmKernels, useTypeScriptKernels, kernelBackend, wasmSimdSupported, relaxedSimdSupported, initKernels, stopKernelThreads } from './kernels/wasm/index.ts';
import { useWasmKernels as useWasmKernelsAtLoad } from './kernels/wasm/index.ts';

// Inside a browser's Web Worker the module compiles synchronously: the fast kernels from the start (on a
// page's main thread, `await initKernels()`; in Node, src/node.ts switches at import).
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') useWasmKernelsAtLoad();
