import { labelIndices, type Labels } from '../functions.ts';
import { modelToDocument, parseModel, type ModelDocument } from '../io/model-format.ts';
import { numericalGradient } from '../gradient.ts';
import { kernels } from '../kernels/index.ts';
import { Affine } from '../layers/affine.ts';
import type { Layer } from '../layers/layer.ts';
import { Relu } from '../layers/relu.ts';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import { bufferTensor } from '../internal/buffers.ts';
import { checkDtype, Tensor, type DType } from '../tensor/tensor.ts';

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
export class TwoLayerNet {
  readonly params: ParamMap;
  /** The layers in forward order, by the book's names: `Affine1`, `Relu1`, `Affine2`. */
  readonly layers: ReadonlyMap<string, Layer>;
  readonly lastLayer = new SoftmaxWithLoss();
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly dtype: DType;
  /** The seed the weights were drawn with (undefined when an `rng` or shared `params` were passed). */
  readonly seed: number | undefined;
  private readonly layerList: Layer[];
  private grads: ParamMap | undefined;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, weightInitStd = 0.01, options: TwoLayerNetOptions = {}) {
    checkSize('inputSize', inputSize);
    checkSize('hiddenSize', hiddenSize);
    checkSize('outputSize', outputSize);
    if (!Number.isFinite(weightInitStd) || weightInitStd < 0) {
      throw new Error(`TwoLayerNet: weightInitStd must be a finite number >= 0, got ${weightInitStd}`);
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.dtype = checkDtype('TwoLayerNet', options.params?.W1.dtype ?? options.dtype ?? 'float64');
    if (options.params) {
      const expected = paramShapes(inputSize, hiddenSize, outputSize);
      for (const key of PARAM_KEYS) {
        const p = options.params[key];
        if (!sameShape(p.shape, expected[key]) || p.dtype !== this.dtype) {
          throw new Error(`TwoLayerNet: shared ${key} of shape ${formatShape(p.shape)} ${p.dtype} does not fit (${expected[key].join(',')}) ${this.dtype}`);
        }
      }
      this.seed = undefined;
      this.params = options.params;
    } else {
      this.seed = options.rng ? undefined : (options.seed ?? randomSeed());
      const rng = options.rng ?? new Random(this.seed as number);
      // W = weightInitStd * randn(...), b = zeros(...), as in the book. Parameters are long-lived buffers
      // (on the WASM heap when those kernels are in use).
      const W1 = bufferTensor([inputSize, hiddenSize], this.dtype);
      rng.fillNormal(W1.data, 0, weightInitStd);
      const W2 = bufferTensor([hiddenSize, outputSize], this.dtype);
      rng.fillNormal(W2.data, 0, weightInitStd);
      const b1 = bufferTensor([hiddenSize], this.dtype);
      const b2 = bufferTensor([outputSize], this.dtype);
      this.params = Object.freeze({ W1, b1, W2, b2 });
    }
    const { W1, b1, W2, b2 } = this.params;
    const affine1 = new Affine(W1, b1);
    const affine2 = new Affine(W2, b2);
    this.layers = new Map<string, Layer>([
      ['Affine1', affine1],
      ['Relu1', new Relu()],
      ['Affine2', affine2],
    ]);
    this.layerList = [...this.layers.values()];
  }

  /** Scores (before softmax) for `x` of shape N×inputSize. The result is layer-owned (see `Layer`). */
  predict(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.layerList) out = layer.forward(out);
    return out;
  }

  /** The cross-entropy loss of `x` against targets `t` (label indices or one-hot rows). */
  loss(x: Tensor, t: Labels): number {
    return this.lastLayer.forward(this.predict(x), t);
  }

  /** The fraction of rows whose highest score is the target class. */
  accuracy(x: Tensor, t: Labels): number {
    const y = this.predict(x);
    const rows = y.ndim === 1 ? 1 : y.shape[0];
    const labels = labelIndices('accuracy', t, rows, this.outputSize);
    const predicted = new Float64Array(rows);
    kernels.argmaxAxis(y.data, rows, this.outputSize, 1, predicted);
    let correct = 0;
    for (let i = 0; i < rows; i++) if (predicted[i] === labels[i]) correct++;
    return correct / rows;
  }

  /** Gradients by central differences (slow; the oracle the backprop gradients are checked against). */
  numericalGradient(x: Tensor, t: Labels): Record<ParamKey, Tensor> {
    const lossW = () => this.loss(x, t);
    return {
      W1: numericalGradient(lossW, this.params.W1),
      b1: numericalGradient(lossW, this.params.b1),
      W2: numericalGradient(lossW, this.params.W2),
      b2: numericalGradient(lossW, this.params.b2),
    };
  }

  /**
   * Gradients by backpropagation: forward, then `backward` through the layers in reverse. The returned
   * tensors are the layers' `dW`/`db`, overwritten by the next call (copy them to keep them).
   */
  gradient(x: Tensor, t: Labels): ParamMap {
    this.loss(x, t);
    let dout = this.lastLayer.backward(1);
    for (let i = this.layerList.length - 1; i > 0; i--) dout = this.layerList[i].backward(dout);
    // The first layer's dx would be the gradient with respect to the input images: nobody uses it.
    const first = this.layerList[0];
    if (first instanceof Affine) first.backwardParams(dout);
    else first.backward(dout);
    const affine1 = this.layers.get('Affine1') as Affine;
    const affine2 = this.layers.get('Affine2') as Affine;
    // The same object every step while the layers keep their buffers (no allocation per iteration).
    const g = this.grads;
    if (g && g.W1 === affine1.dW && g.b1 === affine1.db && g.W2 === affine2.dW && g.b2 === affine2.db) return g;
    return (this.grads = Object.freeze({ W1: affine1.dW!, b1: affine1.db!, W2: affine2.dW!, b2: affine2.db! }));
  }

  /**
   * A network from a saved model: JSON text (e.g. the contents of `model.json` written by
   * `scratchnet train`) or the parsed document. Everything is validated; `name` prefixes errors.
   */
  static load(source: string | unknown, name?: string): TwoLayerNet {
    return parseModel(source, name);
  }

  /** The model document (so `JSON.stringify(net)` writes a loadable model). */
  toJSON(): ModelDocument {
    return modelToDocument(this);
  }

  /** Copies parameter values into this network (shapes must match), e.g. from a saved model. */
  setParams(values: Partial<Record<ParamKey, Tensor | ArrayLike<number>>>): void {
    for (const key of PARAM_KEYS) {
      const v = values[key];
      if (v === undefined) continue;
      const target = this.params[key];
      if (v instanceof Tensor) {
        if (!sameShape(v.shape, target.shape)) {
          throw new Error(`TwoLayerNet.setParams: ${key} of shape ${formatShape(v.shape)} does not match ${formatShape(target.shape)}`);
        }
        target.data.set(v.data);
      } else {
        if (v.length !== target.size) {
          throw new Error(`TwoLayerNet.setParams: ${key} has ${v.length} values, expected ${target.size} for shape ${formatShape(target.shape)}`);
        }
        target.data.set(v);
      }
    }
  }
}
