/**
 * ONNX export: a network's inference graph as an ONNX model, for ONNX Runtime on a server, a phone, a
 * GPU or in a browser. Built with `onnx-proto` (ONNX's protobuf schema, compiled for protobufjs), not by
 * hand. Browser-safe (network in, bytes out).
 */
// onnx-proto is CommonJS (`exports.onnx = …`): under Node ESM its namespace is the default export.
import onnxProto from 'onnx-proto';
import { Affine } from '../layers/affine.ts';
import { BatchNormalization, BATCH_NORM_EPS } from '../layers/batch-normalization.ts';
import { Convolution } from '../layers/convolution.ts';
import { Dropout } from '../layers/dropout.ts';
import { Pooling } from '../layers/pooling.ts';
import { Relu } from '../layers/relu.ts';
import { Sigmoid } from '../layers/sigmoid.ts';
import { LayerNet } from '../nets/layer-net.ts';
import type { Network } from '../nets/network.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import { VERSION } from '../version.ts';
import { registerOnnxExporter } from './network-format.ts';

const { onnx } = onnxProto;
type INodeProto = InstanceType<typeof onnx.NodeProto>;
type ITensorProto = InstanceType<typeof onnx.TensorProto>;
type IAttributeProto = InstanceType<typeof onnx.AttributeProto>;

/**
 * The default opset. Every op the graphs use (Gemm, Flatten, Conv, MaxPool, Max, Relu, Sigmoid, Sub,
 * Div, Mul, Add, Shape, Reshape) has had its current meaning for these graphs since opset 13; ONNX
 * Runtime 1.8 and later run it.
 */
export const ONNX_OPSET = 13;

/**
 * The opsets `exportOnnx` writes, each with the IR version of the ONNX release that introduced it (ONNX
 * 1.8: opset 13, IR 7; 1.9: opset 14, IR 7; 1.10–1.13: opsets 15–18, IR 8; 1.14–1.15: opsets 19–20, IR 9; 1.16: opset 21, IR 10).
 */
const IR_VERSION_OF_OPSET: Readonly<Record<number, number>> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

export interface ExportOnnxOptions {
  /**
   * The graph's number type: `'float32'` (default; every runtime runs it) or `'float64'` (the weights
   * exactly). The float64 graph is valid ONNX for every network, but ONNX Runtime has no double `Conv`
   * kernel: onnxruntime-web 1.31 (WASM) runs a float64 `TwoLayerNet`, `MultiLayerNet` and
   * `MultiLayerNetExtend` (Gemm, Relu, Sigmoid, Sub/Div/Mul/Add, and also MaxPool, Max, Flatten, Reshape
   * in double — any network without a `Convolution`), and refuses a float64 `SimpleConvNet` or
   * `DeepConvNet` when the session is created ("Could not find an implementation for Conv(11) node").
   */
  dtype?: DType;
  /** The ONNX opset, 13 to 21 (default {@link ONNX_OPSET}); the IR version follows it. */
  opset?: number;
  /** The graph's name (default: the network's kind). */
  name?: string;
}

/**
 * The network's inference graph — test mode: BatchNorm with its running statistics, the book's Dropout
 * as its test-time scaling by `1 − dropoutRatio` — as ONNX model bytes.
 *
 * - Input `x`: `N × inputShape` (N × 784 for the fully connected nets, N × 1 × 28 × 28 for the conv nets),
 *   N dynamic (`dim_param` "N").
 * - Output `scores`: N × classes, the scores BEFORE softmax — what `net.predict(x, false)` returns (apply
 *   softmax for probabilities; the argmax is the predicted class either way).
 *
 * Any `LayerNet` (every network of the book) exports; its layers are translated by class:
 *
 * | layer | ONNX |
 * |---|---|
 * | `Affine` | `Gemm` (W is in × out, so no transpose), after `Flatten(axis=1)` when its input is an image |
 * | `Relu`, `Sigmoid` | `Relu`, `Sigmoid` |
 * | `Convolution` | `Conv` with `kernel_shape`, `strides`, `pads` |
 * | `Pooling` | `MaxPool` with `kernel_shape`, `strides`, `pads`; with `pad > 0` then a `Max` with 0 for the windows that reach into the padding, since ScratchNet (as the book's im2col) pools over zero padding where `MaxPool`'s own pads never win (`pad` must be smaller than the window) |
 * | `BatchNormalization` | `Sub` running mean, `Div` √(running var + 1e-6), `Mul` gamma, `Add` beta: ScratchNet's test-mode arithmetic in its order, per feature of a flattened sample (an image input is flattened and shaped back, as ScratchNet and the book treat N×C×H×W as N×(C·H·W)) |
 * | `Dropout` | `Mul` by `1 − dropoutRatio` |
 *
 * Any other layer is refused, naming it. Weights are initializers (`raw_data`, little-endian), named
 * `<layer>.<param>` (`Affine1.W`, `BatchNorm1.runningMean`); a float64 network exported as float32 has its
 * weights rounded to float32. Producer `scratchnet`, graph named after `net.kind`.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * import { exportOnnx, SimpleConvNet } from 'scratchnet';
 *
 * const net = new SimpleConvNet({ seed: 1 }); // …trained, or net.loadParams('params.pkl')
 * writeFileSync('convnet.onnx', exportOnnx(net)); // float32, opset 13
 * // Python:
 * //   import numpy as np, onnxruntime as ort
 * //   s = ort.InferenceSession('convnet.onnx')
 * //   x = np.random.rand(5, 1, 28, 28).astype(np.float32)   # pixels / 255
 * //   scores = s.run(['scores'], {'x': x})[0]               # (5, 10), before softmax
 * //   print(scores.argmax(axis=1))
 * // JavaScript: const s = await ort.InferenceSession.create(bytes);
 * //   (await s.run({ x: new ort.Tensor('float32', pixels, [5, 1, 28, 28]) })).scores
 */
export function exportOnnx(net: Network, options: ExportOnnxOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`exportOnnx: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const opset = options.opset ?? ONNX_OPSET;
  const irVersion = IR_VERSION_OF_OPSET[opset];
  if (irVersion === undefined) {
    throw new Error(`exportOnnx: opset must be an integer from 13 to 21, got ${JSON.stringify(opset)}`);
  }
  if (!(net instanceof LayerNet)) {
    const kind = (net as { kind?: unknown } | null)?.kind;
    throw new Error(`exportOnnx: ${typeof kind === 'string' ? kind : 'this network'} is not built from layers (a LayerNet), so its graph cannot be exported`);
  }
  const elemType = dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.DOUBLE;
  const nodes: INodeProto[] = [];
  const initializers: ITensorProto[] = [];
  const names = new Set<string>();

  const initializer = (name: string, shape: readonly number[], dataType: number, rawData: Uint8Array): string => {
    if (names.has(name)) throw new Error(`exportOnnx: two initializers named ${name}`);
    names.add(name);
    initializers.push(onnx.TensorProto.create({ name, dims: [...shape], dataType, rawData }));
    return name;
  };
  /** A float initializer of the graph's type (rounded to float32 for a float32 graph). */
  const constant = (name: string, shape: readonly number[], values: ArrayLike<number>): string =>
    initializer(name, shape, elemType, littleEndian(values, dtype));
  const fromTensor = (name: string, t: Tensor) => constant(name, t.shape, t.data);
  const attr = {
    ints: (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints }),
    int: (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  };
  let current = 'x';
  /** The shape of one sample where `current` is computed (known statically: only N is dynamic). */
  let sample: readonly number[] = net.inputShape;
  const node = (opType: string, layer: string, inputs: string[], attribute: IAttributeProto[] = []): string => {
    const output = `${layer}_${opType}`;
    nodes.push(onnx.NodeProto.create({ opType, name: `${layer}/${opType}`, input: inputs, output: [output], attribute }));
    current = output;
    return output;
  };
  const needsImage = (name: string, layer: object): readonly number[] => {
    if (sample.length !== 3) throw new Error(`exportOnnx: layer '${name}' (${layer.constructor.name}) needs N×C×H×W input, but gets N×${sample.join('×')} there`);
    return sample;
  };

  for (const [name, layer] of net.layers) {
    if (layer instanceof Affine) {
      const [inSize, outSize] = layer.W.shape;
      const features = sample.reduce((a, b) => a * b, 1);
      if (features !== inSize) {
        throw new Error(`exportOnnx: layer '${name}' (Affine) with W of shape (${inSize}, ${outSize}) does not fit its input samples of ${sample.join('×')} = ${features} features`);
      }
      if (sample.length > 1) node('Flatten', name, [current], [attr.int('axis', 1)]);
      node('Gemm', name, [current, fromTensor(`${name}.W`, layer.W), fromTensor(`${name}.b`, layer.b)]);
      sample = [outSize];
    } else if (layer instanceof Relu) {
      node('Relu', name, [current]);
    } else if (layer instanceof Sigmoid) {
      node('Sigmoid', name, [current]);
    } else if (layer instanceof Convolution) {
      const [c, h, w] = needsImage(name, layer);
      const [fn, wc, fh, fw] = layer.W.shape;
      const { stride, pad } = layer;
      const outH = Math.floor((h + 2 * pad - fh) / stride) + 1;
      const outW = Math.floor((w + 2 * pad - fw) / stride) + 1;
      if (wc !== c || outH < 1 || outW < 1) {
        throw new Error(`exportOnnx: layer '${name}' (Convolution) with filters of shape (${layer.W.shape.join(', ')}) does not fit its ${c}×${h}×${w} input samples`);
      }
      node('Conv', name, [current, fromTensor(`${name}.W`, layer.W), fromTensor(`${name}.b`, layer.b)], [
        attr.ints('kernel_shape', [fh, fw]),
        attr.ints('strides', [stride, stride]),
        attr.ints('pads', [pad, pad, pad, pad]),
      ]);
      sample = [fn, outH, outW];
    } else if (layer instanceof Pooling) {
      const [c, h, w] = needsImage(name, layer);
      const { poolH, poolW, pad, stride } = layer;
      const outH = Math.floor((h + 2 * pad - poolH) / stride) + 1;
      const outW = Math.floor((w + 2 * pad - poolW) / stride) + 1;
      if (outH < 1 || outW < 1) throw new Error(`exportOnnx: layer '${name}' (Pooling) gets ${c}×${h}×${w} samples, too small for its ${poolH}×${poolW} window`);
      if (pad >= poolH || pad >= poolW) {
        throw new Error(`exportOnnx: layer '${name}' (Pooling) has pad ${pad}, not smaller than its ${poolH}×${poolW} window, which ONNX Runtime's MaxPool refuses`);
      }
      const pooled = node('MaxPool', name, [current], [
        attr.ints('kernel_shape', [poolH, poolW]),
        attr.ints('strides', [stride, stride]),
        attr.ints('pads', [pad, pad, pad, pad]),
      ]);
      if (pad > 0) {
        // ScratchNet (as the book's im2col) pools over zero padding: a border window of negatives gives 0.
        // MaxPool's pads never win (they are −∞), so each output whose window reaches into the padding is
        // then maxed with 0: Max(MaxPool(x), border), border = 0 there and −∞ elsewhere. (A zero Pad before
        // an unpadded MaxPool says the same, but ONNX Runtime's Pad+MaxPool fusion moves the zeros into
        // MaxPool's pads, where they become −∞, and gets it wrong.)
        const border = new Float64Array(outH * outW).fill(-Infinity);
        const inside = (o: number, k: number, size: number) => o * stride - pad >= 0 && o * stride - pad + k <= size;
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) if (!inside(oy, poolH, h) || !inside(ox, poolW, w)) border[oy * outW + ox] = 0;
        }
        node('Max', name, [pooled, constant(`${name}.border`, [1, 1, outH, outW], border)]);
      }
      sample = [c, outH, outW];
    } else if (layer instanceof BatchNormalization) {
      // ScratchNet's test-mode forward: ((x − runningMean) / √(runningVar + eps)) · gamma + beta, per feature
      // of a flattened sample; an image input is flattened and shaped back.
      const input = current;
      const features = sample.reduce((a, b) => a * b, 1);
      if (features !== layer.gamma.size) {
        throw new Error(`exportOnnx: layer '${name}' (BatchNormalization) with ${layer.gamma.size} features does not fit its input samples of ${sample.join('×')} = ${features} features`);
      }
      if (sample.length > 1) node('Flatten', name, [current], [attr.int('axis', 1)]);
      const runningVar = layer.runningVar.data;
      const std = new Float64Array(runningVar.length);
      // √ in double, then stored in gamma's type, as the test-mode kernel stores it.
      for (let j = 0; j < std.length; j++) std[j] = Math.sqrt(runningVar[j] + BATCH_NORM_EPS);
      const stdValues = layer.gamma.dtype === 'float32' ? Float32Array.from(std) : std;
      node('Sub', name, [current, fromTensor(`${name}.runningMean`, layer.runningMean)]);
      node('Div', name, [current, constant(`${name}.std`, layer.runningVar.shape, stdValues)]);
      node('Mul', name, [current, fromTensor(`${name}.gamma`, layer.gamma)]);
      const normalized = node('Add', name, [current, fromTensor(`${name}.beta`, layer.beta)]);
      if (sample.length > 1) {
        const shape = node('Shape', `${name}_input`, [input]);
        node('Reshape', name, [normalized, shape]);
      }
    } else if (layer instanceof Dropout) {
      node('Mul', name, [current, constant(`${name}.keep`, [], [1 - layer.dropoutRatio])]);
    } else {
      throw new Error(
        `exportOnnx: layer '${name}' (${(layer as object).constructor?.name ?? typeof layer}) has no ONNX equivalent (exported: Affine, Relu, Sigmoid, Convolution, Pooling, BatchNormalization, Dropout)`,
      );
    }
  }
  if (nodes.length === 0) throw new Error(`exportOnnx: ${net.kind} has no layers`);
  if (sample.length !== 1 || sample[0] !== net.outputSize) {
    throw new Error(`exportOnnx: ${net.kind} ends in N×${sample.join('×')} values, not N × ${net.outputSize} scores`);
  }
  // The last node's output is the graph's output.
  nodes[nodes.length - 1].output = ['scores'];

  const valueInfo = (name: string, dims: (number | string)[], docString: string) =>
    onnx.ValueInfoProto.create({
      name,
      docString,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType,
          shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create(typeof d === 'string' ? { dimParam: d } : { dimValue: d })) }),
        }),
      }),
    });
  const graph = onnx.GraphProto.create({
    name: options.name ?? net.kind,
    node: nodes,
    initializer: initializers,
    input: [valueInfo('x', ['N', ...net.inputShape], 'a batch of N samples (MNIST: pixels / 255)')],
    output: [valueInfo('scores', ['N', net.outputSize], 'scores before softmax, one row per sample')],
    docString: `${net.kind} ${JSON.stringify(net.config)}: inference (test mode); output 'scores' is before softmax (apply softmax for probabilities).`,
  });
  const model = onnx.ModelProto.create({
    irVersion,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: opset })],
    producerName: 'scratchnet',
    producerVersion: VERSION,
    graph,
    docString: `Exported by ScratchNet ${VERSION} from a ${net.kind} (${net.dtype}) as a ${dtype} graph: input 'x' (N × ${net.inputShape.join(' × ')}), output 'scores' (N × ${net.outputSize}), the scores before softmax, as net.predict(x, false).`,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** `values` as little-endian float32 or float64 bytes (ONNX's raw_data is little-endian on every host). */
function littleEndian(values: ArrayLike<number>, dtype: DType): Uint8Array {
  const width = dtype === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  if (dtype === 'float32') for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  else for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return bytes;
}

registerOnnxExporter(exportOnnx);
