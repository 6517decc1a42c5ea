/**
 * ONNX export: a network's inference graph as an ONNX model, for ONNX Runtime on a server, a phone, a
 * GPU or in a browser. Built with `onnx-proto` (ONNX's protobuf schema, compiled for protobufjs), not by
 * hand. Browser-safe (network in, bytes out).
 */
import onnxProto from 'onnx-proto';
import { Affine } from '../layers/affine.ts';
import { BatchNormalization, BATCH_NORM_EPS } from '../layers/batch-normalization.ts';
import { Convolution } from '../layers/convolution.ts';
import { Dropout } from '../layers/dropout.ts';
import type { Layer } from '../layers/layer.ts';
import { Pooling } from '../layers/pooling.ts';
import { Relu } from '../layers/relu.ts';
import { Sigmoid } from '../layers/sigmoid.ts';
import type { Network } from '../nets/network.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import { VERSION } from '../version.ts';
import { registerOnnxExporter } from './network-format.ts';

const { onnx } = onnxProto;
type INodeProto = InstanceType<typeof onnx.NodeProto>;
type ITensorProto = InstanceType<typeof onnx.TensorProto>;

/** The opset the graphs use (ONNX Runtime 1.14 and later run it; every op here exists since opset 13). */
export const ONNX_OPSET = 13;
/** ONNX IR version 8 (ONNX 1.10+). */
const IR_VERSION = 8;

export interface ExportOnnxOptions {
  /** The graph's number type: `'float32'` (default; every runtime) or `'float64'`. */
  dtype?: DType;
  /** The graph's name (default: the network's kind). */
  name?: string;
}

/** The layers of a network built from layers (every network of the book is one). */
function layersOf(net: Network): [string, Layer][] {
  const layers = (net as { layers?: ReadonlyMap<string, Layer> }).layers;
  if (!(layers instanceof Map)) throw new Error(`exportOnnx: ${net.kind} is not built from layers (a LayerNet), so its graph cannot be exported`);
  return [...layers.entries()];
}

/**
 * The network's inference graph (test mode: BatchNorm with its running statistics, the book's Dropout as
 * its test-time scaling by `1 − dropoutRatio`) as ONNX model bytes. Input `x`: `N × inputShape` (N × 784
 * for the fully connected nets, N × 1 × 28 × 28 for the conv nets; N dynamic). Output `scores`: N ×
 * classes, the scores BEFORE softmax — what `net.predict(x)` returns (apply softmax for probabilities).
 *
 * Layer by layer: Affine → (Flatten, when its input is an image) Gemm; Relu, Sigmoid → Relu, Sigmoid;
 * Convolution → Conv; Pooling → MaxPool; BatchNormalization → Sub, Div, Mul, Add with the running
 * statistics (the same arithmetic in the same order as ScratchNet's test-mode forward); Dropout → Mul.
 * Opset 13, IR version 8.
 *
 * @example
 * writeFileSync('model.onnx', exportOnnx(net));
 * // Python: import onnxruntime as ort; s = ort.InferenceSession('model.onnx')
 * //         scores = s.run(None, {'x': x_test[:5].astype('float32')})[0]
 */
export function exportOnnx(net: Network, options: ExportOnnxOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`exportOnnx: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  const elemType = dtype === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.DOUBLE;
  const nodes: INodeProto[] = [];
  const initializers: ITensorProto[] = [];
  const names = new Set<string>();

  const constant = (name: string, shape: readonly number[], values: ArrayLike<number>): string => {
    if (names.has(name)) throw new Error(`exportOnnx: two initializers named ${name}`);
    names.add(name);
    const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
    initializers.push(onnx.TensorProto.create({ name, dims: [...shape], dataType: elemType, rawData: new Uint8Array(data.buffer) }));
    return name;
  };
  const fromTensor = (name: string, t: Tensor) => constant(name, t.shape, t.data);
  const attr = {
    ints: (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints }),
    int: (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  };
  let current = 'x';
  let rank = net.inputShape.length + 1;
  const node = (opType: string, layer: string, inputs: string[], attribute: ReturnType<typeof attr.int>[] = [], output = `${layer}_${opType}`) => {
    nodes.push(onnx.NodeProto.create({ opType, name: `${layer}/${opType}`, input: inputs, output: [output], attribute }));
    current = output;
    return output;
  };

  for (const [name, layer] of layersOf(net)) {
    if (layer instanceof Affine) {
      if (rank > 2) {
        node('Flatten', name, [current], [attr.int('axis', 1)]);
        rank = 2;
      }
      node('Gemm', name, [current, fromTensor(`${name}.W`, layer.W), fromTensor(`${name}.b`, layer.b)]);
    } else if (layer instanceof Relu) {
      node('Relu', name, [current]);
    } else if (layer instanceof Sigmoid) {
      node('Sigmoid', name, [current]);
    } else if (layer instanceof Convolution) {
      const [, , fh, fw] = layer.W.shape;
      node('Conv', name, [current, fromTensor(`${name}.W`, layer.W), fromTensor(`${name}.b`, layer.b)], [
        attr.ints('kernel_shape', [fh, fw]),
        attr.ints('strides', [layer.stride, layer.stride]),
        attr.ints('pads', [layer.pad, layer.pad, layer.pad, layer.pad]),
      ]);
    } else if (layer instanceof Pooling) {
      node('MaxPool', name, [current], [
        attr.ints('kernel_shape', [layer.poolH, layer.poolW]),
        attr.ints('strides', [layer.stride, layer.stride]),
        attr.ints('pads', [layer.pad, layer.pad, layer.pad, layer.pad]),
      ]);
    } else if (layer instanceof BatchNormalization) {
      // ScratchNet's test-mode forward: ((x − runningMean) / √(runningVar + eps)) · gamma + beta, per feature
      // of a flattened sample; an image input is flattened and shaped back.
      const input = current;
      if (rank > 2) node('Flatten', name, [current], [attr.int('axis', 1)]);
      const runningVar = layer.runningVar.data;
      const std = layer.runningVar.dtype === 'float32' ? new Float32Array(runningVar.length) : new Float64Array(runningVar.length);
      for (let j = 0; j < std.length; j++) std[j] = Math.sqrt(runningVar[j] + BATCH_NORM_EPS);
      node('Sub', name, [current, fromTensor(`${name}.runningMean`, layer.runningMean)]);
      node('Div', name, [current, constant(`${name}.std`, layer.runningVar.shape, std)]);
      node('Mul', name, [current, fromTensor(`${name}.gamma`, layer.gamma)]);
      node('Add', name, [current, fromTensor(`${name}.beta`, layer.beta)]);
      if (rank > 2) {
        const shape = node('Shape', `${name}_in`, [input]);
        node('Reshape', name, [`${name}_Add`, shape]);
      }
    } else if (layer instanceof Dropout) {
      node('Mul', name, [current, constant(`${name}.keep`, [], [1 - layer.dropoutRatio])]);
    } else {
      throw new Error(`exportOnnx: layer '${name}' (${layer.constructor.name}) has no ONNX equivalent (exported: Affine, Relu, Sigmoid, Convolution, Pooling, BatchNormalization, Dropout)`);
    }
  }
  // The last node's output is the graph's output.
  if (nodes.length === 0) throw new Error(`exportOnnx: ${net.kind} has no layers`);
  nodes[nodes.length - 1].output = ['scores'];

  const valueInfo = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
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
    input: [valueInfo('x', ['N', ...net.inputShape])],
    output: [valueInfo('scores', ['N', net.outputSize])],
    docString: `${net.kind} ${JSON.stringify(net.config)}: scores before softmax (apply softmax for probabilities)`,
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: ONNX_OPSET })],
    producerName: 'scratchnet',
    producerVersion: VERSION,
    graph,
    docString: `Exported by ScratchNet ${VERSION} from a ${net.kind} (${net.dtype}); output 'scores' is before softmax.`,
  });
  return onnx.ModelProto.encode(model).finish();
}

registerOnnxExporter(exportOnnx);
