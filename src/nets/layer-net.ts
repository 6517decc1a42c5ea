import { labelIndices, rowsOf, type Labels } from '../functions.ts';
import { numericalGradient } from '../gradient.ts';
import { kernels } from '../kernels/index.ts';
import { bufferTensor } from '../internal/buffers.ts';
import { Affine } from '../layers/affine.ts';
import { ConvReluPool } from '../layers/conv-relu-pool.ts';
import { Convolution } from '../layers/convolution.ts';
import { Pooling } from '../layers/pooling.ts';
import { Relu } from '../layers/relu.ts';
import { hasParams, hasState, skipsInputGradient, type Layer, type ParamLayer, type StatefulLayer } from '../layers/layer.ts';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import type { ModelDocument } from '../io/model-format.ts';
import type { Network, NetworkConfig, TensorRecord, TwoLayerWeights } from './network.ts';
import { networkIO } from './network-io.ts';

export interface LayerNetInit {
  /** The layers in forward order, by the book's names (`Affine1`, `Relu1`, `BatchNorm1`, `Conv1`, …). */
  layers: readonly (readonly [string, Layer])[];
  dtype: DType;
  /** The shape of one input sample (`[784]`, `[1, 28, 28]`). */
  inputShape: readonly number[];
  outputSize: number;
  /** The book's `weight_decay_lambda`: `0.5·λ·ΣW²` added to the loss, `λ·W` to each weight's gradient. */
  weightDecayLambda?: number;
  /**
   * Another network's `params` when the layers were built on its tensors (shared weights): that very
   * object becomes this network's `params` too.
   */
  sharedParams?: TensorRecord;
  /**
   * Runs each `Convolution → Relu → Pooling` of the layers as one step (ConvReluPool: one kernel for the
   * forward pass, the same values bit for bit); default true. False runs every layer on its own.
   */
  fuseConvReluPool?: boolean;
}

/** The steps of a pass: the layers, each `Convolution → Relu → Pooling` run made one ConvReluPool. */
function passSteps(layers: readonly Layer[], fuse: boolean): Layer[] {
  const steps: Layer[] = [];
  for (let i = 0; i < layers.length; i++) {
    const [conv, relu, pool] = [layers[i], layers[i + 1], layers[i + 2]];
    if (fuse && conv instanceof Convolution && relu instanceof Relu && pool instanceof Pooling) {
      steps.push(new ConvReluPool(conv, relu, pool));
      i += 2;
    } else steps.push(layers[i]);
  }
  return steps;
}

/** Where a network-level name (`W1`, `gamma2`) lives: which layer, under which of its own keys. */
interface Slot<L> {
  readonly key: string;
  readonly layer: L;
  readonly layerKey: string;
}

/**
 * A network that is a list of layers followed by `SoftmaxWithLoss` — every network of the book
 * (`TwoLayerNet`, `MultiLayerNet`, `MultiLayerNetExtend`, `SimpleConvNet`, `DeepConvNet`). It implements
 * the whole `Network` contract once; a subclass only builds its layers and says its `kind` and `config`.
 *
 * Parameters get the book's names by counting: the k-th layer with a `W` gives `W{k}` and `b{k}`, the
 * k-th with `gamma` gives `gamma{k}` and `beta{k}` — so `Affine1, BatchNorm1, Affine2` give `W1, b1,
 * gamma1, beta1, W2, b2`, and `Conv1, Affine1, Affine2` give `W1, b1, W2, b2, W3, b3`, as the book's
 * networks name them. State (BatchNorm running statistics) is named the same way (`runningMean1`).
 */
export abstract class LayerNet implements Network {
  abstract readonly kind: string;
  abstract readonly config: NetworkConfig;
  readonly dtype: DType;
  readonly inputShape: readonly number[];
  readonly outputSize: number;
  readonly weightDecayLambda: number;
  /** The trained parameters by the book's names, frozen (the tensors the layers hold). */
  readonly params: TensorRecord;
  /** The layers in forward order, by the book's names. */
  readonly layers: ReadonlyMap<string, Layer>;
  readonly lastLayer = new SoftmaxWithLoss();
  private readonly layerList: Layer[];
  /** What a pass runs: layerList, with ConvReluPool steps where they apply (passSteps). */
  private readonly steps: Layer[];
  private readonly paramSlots: Slot<ParamLayer>[];
  private readonly stateSlots: Slot<StatefulLayer>[];
  /** The weights that weight decay applies to (`W1…Wn`), with a buffer for `dW + λ·W` each. */
  private readonly decay: { key: string; W: Tensor; grad: Tensor }[];
  private grads: Record<string, Tensor> | undefined;

  protected constructor(init: LayerNetInit) {
    this.dtype = init.dtype;
    this.inputShape = Object.freeze([...init.inputShape]);
    this.outputSize = init.outputSize;
    const lambda = init.weightDecayLambda ?? 0;
    if (!Number.isFinite(lambda) || lambda < 0) throw new Error(`${new.target.name}: weightDecayLambda must be a finite number >= 0, got ${lambda}`);
    this.weightDecayLambda = lambda;
    this.layers = new Map(init.layers);
    this.layerList = init.layers.map(([, layer]) => layer);
    this.steps = passSteps(this.layerList, init.fuseConvReluPool ?? true);
    const counters = new Map<string, number>();
    const name = (layerKey: string) => {
      const k = (counters.get(layerKey) ?? 0) + 1;
      counters.set(layerKey, k);
      return `${layerKey}${k}`;
    };
    this.paramSlots = [];
    this.stateSlots = [];
    for (const layer of this.layerList) {
      if (hasParams(layer)) for (const layerKey of layer.paramKeys) this.paramSlots.push({ key: name(layerKey), layer, layerKey });
      if (hasState(layer)) for (const layerKey of layer.stateKeys) this.stateSlots.push({ key: name(layerKey), layer, layerKey });
    }
    const params: Record<string, Tensor> = {};
    for (const s of this.paramSlots) params[s.key] = s.layer.param(s.layerKey);
    const shared = init.sharedParams;
    const same = shared !== undefined && Object.keys(shared).length === this.paramSlots.length && this.paramSlots.every((slot) => shared[slot.key] === params[slot.key]);
    this.params = same ? shared : Object.freeze(params);
    this.decay =
      lambda > 0
        ? this.paramSlots.filter((s) => s.layerKey === 'W').map((s) => ({ key: s.key, W: params[s.key], grad: bufferTensor(params[s.key].shape, params[s.key].dtype) }))
        : [];
  }

  /** Non-trained state by name (`runningMean1`, `runningVar1`, …); a state not created yet is absent. */
  get state(): TensorRecord {
    const out: Record<string, Tensor> = {};
    for (const s of this.stateSlots) {
      const v = s.layer.state(s.layerKey);
      if (v !== undefined) out[s.key] = v;
    }
    return Object.freeze(out);
  }

  /** The names `state` can hold, whether or not the state exists yet. */
  get stateKeys(): string[] {
    return this.stateSlots.map((s) => s.key);
  }

  /** Copies state values in (e.g. from a model file); unknown names are an error. */
  setState(values: Readonly<Record<string, Tensor>>): void {
    for (const key of Object.keys(values)) {
      const slot = this.stateSlots.find((s) => s.key === key);
      if (!slot) throw new Error(`${this.kind}.setState: no state '${key}' (it has ${this.stateKeys.join(', ') || 'none'})`);
      slot.layer.setState(slot.layerKey, values[key]);
    }
  }

  /**
   * Copies parameter values into this network (shapes must match), e.g. from a saved model or weights
   * computed elsewhere. The tensors themselves stay (the layers hold them).
   */
  setParams(values: Readonly<Record<string, Tensor | ArrayLike<number>>>): void {
    for (const key of Object.keys(values)) {
      const v = values[key];
      if (v === undefined) continue;
      const target = this.params[key];
      if (target === undefined) throw new Error(`${this.kind}.setParams: no parameter '${key}' (it has ${Object.keys(this.params).join(', ')})`);
      if (ArrayBuffer.isView((v as Tensor).data) && Array.isArray((v as Tensor).shape)) {
        const t = v as Tensor;
        if (!sameShape(t.shape, target.shape)) {
          throw new Error(`${this.kind}.setParams: ${key} of shape ${formatShape(t.shape)} does not match ${formatShape(target.shape)}`);
        }
        target.data.set(t.data);
      } else {
        const a = v as ArrayLike<number>;
        if (a.length !== target.size) {
          throw new Error(`${this.kind}.setParams: ${key} has ${a.length} values, expected ${target.size} for shape ${formatShape(target.shape)}`);
        }
        target.data.set(a);
      }
    }
  }

  /**
   * Copies `values` in — every parameter, each with this network's shape — naming `source` (e.g. the file)
   * and the first thing that does not fit; nothing is copied unless everything fits.
   */
  assignParams(values: Readonly<Record<string, Tensor>>, source = `${this.kind}.assignParams`): void {
    const keys = Object.keys(this.params);
    for (const key of Object.keys(values)) {
      if (!(key in this.params)) throw new Error(`${source}: unknown parameter '${key}' for ${this.kind} (it has ${keys.join(', ')})`);
    }
    for (const key of keys) {
      const v = values[key];
      if (v === undefined) throw new Error(`${source}: parameter '${key}' is missing`);
      if (!sameShape(v.shape, this.params[key].shape)) {
        throw new Error(`${source}: ${key} has shape ${formatShape(v.shape)}, this ${this.kind} needs ${formatShape(this.params[key].shape)}`);
      }
    }
    this.setParams(values);
  }

  /**
   * The book's `save_params(file_name="params.pkl")`: the params (and BatchNorm's running statistics)
   * in the format the extension names — `.pkl` (the book's layout: a pickled dict of NumPy arrays by the
   * book's names, which the book's own `load_params` reads), `.npz`, `.safetensors`, `.json` (ScratchNet's
   * model file) or `.onnx` (inference graph). Written atomically. Node only.
   */
  saveParams(fileName = 'params.pkl'): void {
    networkIO(`${this.kind}.saveParams`).saveParams(this, fileName);
  }

  /**
   * The book's `load_params(file_name="params.pkl")`: copies the parameters of a `.pkl` (the book's, e.g.
   * `ch07/params.pkl`), `.npz`, `.safetensors` or `.json` file into this network. Every parameter must be
   * there with this network's shape; a file saved from another kind of network is refused. Node only (in
   * a browser: `readNetwork(bytes)`, or `loadPickle(bytes)` + `assignParams`).
   */
  loadParams(fileName = 'params.pkl'): void {
    networkIO(`${this.kind}.loadParams`).loadParams(this, fileName);
  }

  /** The model document (so `JSON.stringify(net)` writes a loadable model). */
  toJSON(): ModelDocument {
    return networkIO(`${this.kind}.toJSON`).toDocument(this);
  }

  /** Scores (before softmax). `trainFlg` switches BatchNorm and Dropout to training behaviour. Layer-owned. */
  predict(x: Tensor, trainFlg = false): Tensor {
    let out = x;
    for (const step of this.steps) out = step.forward(out, trainFlg);
    return out;
  }

  /** The cross-entropy loss of `x` against targets `t` (label indices or one-hot rows), plus weight decay. */
  loss(x: Tensor, t: Labels, trainFlg = false): number {
    const y = this.predict(x, trainFlg);
    let weightDecay = 0;
    // 0.5·λ·ΣW², as the book (absent when λ = 0, so the loss is exactly the cross-entropy).
    for (const d of this.decay) weightDecay += 0.5 * this.weightDecayLambda * kernels.sumSquares(d.W.data);
    return this.decay.length > 0 ? this.lastLayer.forward(y, t) + weightDecay : this.lastLayer.forward(y, t);
  }

  /** The fraction of rows whose highest score is the target class. */
  accuracy(x: Tensor, t: Labels): number {
    const y = this.predict(x, false);
    const rows = rowsOf('accuracy', y);
    const labels = labelIndices('accuracy', t, rows, this.outputSize);
    const predicted = new Float64Array(rows);
    kernels.argmaxAxis(y.data, rows, this.outputSize, 1, predicted);
    let correct = 0;
    for (let i = 0; i < rows; i++) if (predicted[i] === labels[i]) correct++;
    return correct / rows; // NaN for no rows, as NumPy's 0 / 0.
  }

  /**
   * Gradients by central differences (slow; the oracle backprop is checked against). The loss is taken
   * in training mode, as the book's `MultiLayerNetExtend` does (it makes no difference without
   * BatchNorm or Dropout).
   */
  numericalGradient(x: Tensor, t: Labels): Record<string, Tensor> {
    const lossW = () => this.loss(x, t, true);
    const grads: Record<string, Tensor> = {};
    for (const key of Object.keys(this.params)) grads[key] = numericalGradient(lossW, this.params[key]);
    return grads;
  }

  /**
   * Gradients by backpropagation: forward in training mode, then `backward` through the layers in
   * reverse. The returned tensors are the layers' gradients (plus `λ·W` for weights under weight decay),
   * overwritten by the next call — copy them to keep them.
   */
  gradient(x: Tensor, t: Labels): TensorRecord {
    this.loss(x, t, true);
    let dout = this.lastLayer.backward(1);
    for (let i = this.steps.length - 1; i > 0; i--) dout = this.steps[i].backward(dout);
    const first = this.steps[0];
    // The first layer's dx would be the gradient with respect to the input images: nobody uses it.
    if (skipsInputGradient(first)) first.backwardParams(dout);
    else first.backward(dout);
    // dW + λ·W, as the book (written into a buffer of our own: the layer's dW stays its own).
    for (const d of this.decay) {
      const dW = this.gradOf(d.key);
      d.grad.data.set(dW.data);
      kernels.axpy(this.weightDecayLambda, d.W.data, d.grad.data);
    }
    return this.collectGrads();
  }

  private gradOf(key: string): Tensor {
    const slot = this.paramSlots.find((s) => s.key === key)!;
    const g = slot.layer.grad(slot.layerKey);
    if (g === undefined) throw new Error(`${this.kind}.gradient: layer gave no gradient for ${key}`);
    return g;
  }

  /** The same object every step while the layers keep their buffers (no allocation per iteration). */
  private collectGrads(): TensorRecord {
    let g = this.grads;
    let same = g !== undefined;
    let d = 0;
    for (let i = 0; same && i < this.paramSlots.length; i++) {
      const s = this.paramSlots[i];
      const want = d < this.decay.length && this.decay[d].key === s.key ? this.decay[d++].grad : s.layer.grad(s.layerKey);
      if (g![s.key] !== want) same = false;
    }
    if (same) return g!;
    g = {};
    for (const s of this.paramSlots) {
      const decayed = this.decay.find((e) => e.key === s.key);
      g[s.key] = decayed ? decayed.grad : this.gradOf(s.key);
    }
    this.grads = Object.freeze(g);
    return this.grads;
  }

  /**
   * The fused-inference fast path: offered when the layers are exactly Affine → Relu → Affine (e.g.
   * `TwoLayerNet`, or a `MultiLayerNet` with one ReLU hidden layer); undefined otherwise.
   */
  twoLayerInference(): TwoLayerWeights | undefined {
    const l = this.layerList;
    const [a1, r, a2] = l;
    if (l.length !== 3 || !(a1 instanceof Affine) || !(r instanceof Relu) || !(a2 instanceof Affine)) return undefined;
    return { W1: a1.W, b1: a1.b, W2: a2.W, b2: a2.b };
  }
}

