/**
 * Chapter 4's `TwoLayerNet` (ch04/two_layer_net.py): the two-layer network before backpropagation has been
 * taught — sigmoid hidden layer, softmax output, gradients by numerical differentiation, and the book's
 * hand-written `gradient` (the backward pass chapter 5 then explains). Plain tensor code: a teaching net.
 * (Chapter 5's `TwoLayerNet` is the fast one, built from layers, with ReLU.)
 */
import { crossEntropyError, labelIndices, sigmoid, sigmoidGrad, softmax, type Labels } from '../functions.ts';
import { numericalGradient } from '../gradient.ts';
import { allocateBuffer, kernels, type FloatArray } from '../kernels/index.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { add, dot, sum } from '../tensor/ops.ts';
import { Tensor } from '../tensor/tensor.ts';

export type Ch04Params = Record<'W1' | 'b1' | 'W2' | 'b2', Tensor>;

/** One-hot rows for `t` (already one-hot rows are returned as they are). */
function oneHot(t: Labels, rows: number, classes: number): Tensor {
  if (t instanceof Tensor && t.ndim === 2 && t.shape[1] === classes) return t;
  const labels = labelIndices('TwoLayerNetCh04', t, rows, classes);
  const out = new Float64Array(rows * classes);
  for (let i = 0; i < rows; i++) out[i * classes + labels[i]] = 1;
  return new Tensor(out, [rows, classes]);
}

/** The fraction of the rows of `y` whose largest value is at the target (one-hot rows or label indices). */
function accuracyOf(y: Tensor, t: Labels): number {
  const [rows, classes] = y.shape;
  const labels = t instanceof Tensor && t.ndim === 2 ? Array.from(t.argmax({ axis: 1 }).data) : labelIndices('TwoLayerNetCh04.accuracy', t, rows, classes);
  const predicted = y.argmax({ axis: 1 }).data;
  let correct = 0;
  for (let i = 0; i < rows; i++) if (predicted[i] === labels[i]) correct++;
  return correct / rows;
}

/**
 * The book's chapter-4 `TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.01)`:
 * `params` W1, b1, W2, b2; `predict` = softmax(sigmoid(x·W1 + b1)·W2 + b2); `loss`; `accuracy`;
 * `numericalGradient` and `gradient`.
 *
 * How slow `numericalGradient` is, and why: each of the 784·50 + 50 + 50·10 + 10 = 39 760 parameters takes
 * two forward passes over the whole batch (f(w + h) and f(w − h)), so one gradient of a 100-image batch is
 * 79 520 forward passes — about 40 s here, against a few milliseconds for `gradient` (backpropagation). That
 * is why the book's ch04/train_neuralnet.py calls `gradient`, and why chapter 5 exists.
 *
 * @example
 * const net = new TwoLayerNetCh04(784, 50, 10, 0.01, { seed: 1 });
 * const grads = net.gradient(xBatch, tBatch);   // the backward pass, by hand
 */
export class TwoLayerNetCh04 {
  readonly params: Ch04Params;
  readonly seed: number;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, weightInitStd = 0.01, options: { seed?: number } = {}) {
    for (const [name, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['outputSize', outputSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`TwoLayerNetCh04: ${name} must be a whole number >= 1, got ${v}`);
    }
    this.seed = options.seed ?? randomSeed();
    const rng = new Random(this.seed);
    // Long-lived buffers (on the WASM kernels' heap when they are in use: the products read them in place).
    const W1 = allocateBuffer(false, inputSize * hiddenSize, 'TwoLayerNetCh04', [inputSize, hiddenSize]);
    rng.fillNormal(W1, 0, weightInitStd);
    const W2 = allocateBuffer(false, hiddenSize * outputSize, 'TwoLayerNetCh04', [hiddenSize, outputSize]);
    rng.fillNormal(W2, 0, weightInitStd);
    this.params = {
      W1: new Tensor(W1, [inputSize, hiddenSize]),
      b1: new Tensor(allocateBuffer(false, hiddenSize, 'TwoLayerNetCh04', [hiddenSize]), [hiddenSize]),
      W2: new Tensor(W2, [hiddenSize, outputSize]),
      b2: new Tensor(allocateBuffer(false, outputSize, 'TwoLayerNetCh04', [outputSize]), [outputSize]),
    };
  }

  /** Class probabilities (after softmax, as the book's chapter-4 `predict`). */
  predict(x: Tensor): Tensor {
    const { W1, b1, W2, b2 } = this.params;
    return softmax(add(dot(sigmoid(add(dot(x, W1), b1)), W2), b2));
  }

  loss(x: Tensor, t: Labels): number {
    return crossEntropyError(this.predict(x), t);
  }

  /** The fraction of rows whose most probable class is the target (one-hot rows or label indices). */
  accuracy(x: Tensor, t: Labels): number {
    return accuracyOf(this.predict(x), t);
  }

  /** Gradients by central differences of the loss, parameter by parameter (very slow: see the class comment). */
  numericalGradient(x: Tensor, t: Labels): Ch04Params {
    const lossW = () => this.loss(x, t);
    const { W1, b1, W2, b2 } = this.params;
    return { W1: numericalGradient(lossW, W1), b1: numericalGradient(lossW, b1), W2: numericalGradient(lossW, W2), b2: numericalGradient(lossW, b2) };
  }

  /**
   * The book's hand-written backward pass: `dy = (y − t) / batch`, `dW2 = z1ᵀ·dy`, `db2 = Σ dy`,
   * `da1 = sigmoidGrad(a1) · (dy·W2ᵀ)`, `dW1 = xᵀ·da1`, `db1 = Σ da1`.
   */
  gradient(x: Tensor, t: Labels): Ch04Params {
    const { W1, b1, W2, b2 } = this.params;
    const batch = x.shape[0];
    const a1 = add(dot(x, W1), b1);
    const z1 = sigmoid(a1);
    const y = softmax(add(dot(z1, W2), b2));
    const target = oneHot(t, batch, y.shape[1]);
    const dy = y.sub(target).div(batch);
    const dz1 = dot(dy, W2, { transB: true });
    const da1 = sigmoidGrad(a1).mul(dz1);
    return { W1: dot(x, da1, { transA: true }), b1: sum(da1, { axis: 0 }), W2: dot(z1, dy, { transA: true }), b2: sum(dy, { axis: 0 }) };
  }
}

/**
 * A TwoLayerNetCh04's `predict`, `loss`, `accuracy` and `gradient` for up to `capacity` rows at a time, in
 * buffers allocated once — on the WASM kernels' heap when they are in use, so the products read and write
 * them in place: no buffer allocated and nothing copied per call (only small views), and the hidden layer's
 * sigmoid computed once (the book's `sigmoid_grad(a1)` is `(1 − z1)·z1` with `z1 = sigmoid(a1)`, which the
 * forward pass already has).
 * The same operations in the same order as the net's own methods, so the same numbers, bit for bit
 * (test/ch01-04.test.ts); train-neuralnet-ch04 trains with it. The net's methods stay the book's code.
 * What `predict` and `gradient` return are views of the buffers, valid until the next call.
 */
export class TwoLayerNetCh04Workspace {
  readonly grads: Ch04Params;
  private readonly a1: FloatArray;
  private readonly z1: FloatArray;
  private readonly a2: FloatArray;
  // Off the heap, as the net's own softmax output: softmaxRows then runs the same (reference) kernel.
  private readonly y: Float64Array;
  private readonly dy: FloatArray;
  private readonly dz1: FloatArray;
  private readonly da1: FloatArray;
  private rows = 0;

  constructor(
    readonly net: TwoLayerNetCh04,
    readonly capacity: number,
  ) {
    const [inputs, hidden] = net.params.W1.shape;
    const classes = net.params.W2.shape[1];
    const buffer = (n: number) => allocateBuffer(false, n, 'TwoLayerNetCh04Workspace');
    [this.a1, this.z1, this.dz1, this.da1] = [buffer(capacity * hidden), buffer(capacity * hidden), buffer(capacity * hidden), buffer(capacity * hidden)];
    [this.a2, this.dy] = [buffer(capacity * classes), buffer(capacity * classes)];
    this.y = new Float64Array(capacity * classes);
    this.grads = {
      W1: new Tensor(buffer(inputs * hidden), [inputs, hidden]),
      b1: new Tensor(new Float64Array(hidden), [hidden]),
      W2: new Tensor(buffer(hidden * classes), [hidden, classes]),
      b2: new Tensor(new Float64Array(classes), [classes]),
    };
  }

  /** `predict(x)` of the net: softmax(sigmoid(x·W1 + b1)·W2 + b2). */
  predict(x: Tensor): Tensor {
    const { W1, b1, W2, b2 } = this.net.params;
    const [inputs, hidden] = W1.shape;
    const classes = W2.shape[1];
    const rows = x.shape[0];
    if (x.ndim !== 2 || x.shape[1] !== inputs || rows > this.capacity || !(x.data instanceof Float64Array)) {
      throw new Error(`TwoLayerNetCh04Workspace: x must be float64 rows of ${inputs} values, at most ${this.capacity} of them; got ${x.dtype} of shape (${x.shape.join(',')})`);
    }
    this.rows = rows;
    const a1 = this.a1.subarray(0, rows * hidden);
    const z1 = this.z1.subarray(0, rows * hidden);
    const a2 = this.a2.subarray(0, rows * classes);
    const y = this.y.subarray(0, rows * classes);
    kernels.gemm(false, false, rows, hidden, inputs, x.data, W1.data, a1);
    kernels.addRowVector(a1, b1.data, rows, hidden, a1);
    kernels.sigmoid(a1, z1);
    kernels.gemm(false, false, rows, classes, hidden, z1, W2.data, a2);
    kernels.addRowVector(a2, b2.data, rows, classes, a2);
    kernels.softmaxRows(a2, rows, classes, y);
    return new Tensor(y, [rows, classes]);
  }

  loss(x: Tensor, t: Labels): number {
    return crossEntropyError(this.predict(x), t);
  }

  accuracy(x: Tensor, t: Labels): number {
    return accuracyOf(this.predict(x), t);
  }

  /** The net's `gradient(x, t)`, into `grads`. */
  gradient(x: Tensor, t: Labels): Ch04Params {
    const y = this.predict(x);
    const { W2 } = this.net.params;
    const [inputs, hidden] = this.net.params.W1.shape;
    const classes = W2.shape[1];
    const rows = this.rows;
    const target = oneHot(t, rows, classes).data;
    const [yv, dy, z1, dz1, da1] = [y.data, this.dy, this.z1, this.dz1, this.da1];
    // dy = (y − t) / batch
    for (let i = 0; i < rows * classes; i++) dy[i] = (yv[i] - target[i]) / rows;
    kernels.gemm(false, true, rows, hidden, classes, dy, W2.data, dz1);
    // da1 = sigmoidGrad(a1) · dz1, sigmoidGrad(a1) = (1 − z1)·z1
    for (let i = 0; i < rows * hidden; i++) da1[i] = (1.0 - z1[i]) * z1[i] * dz1[i];
    const g = this.grads;
    kernels.gemm(true, false, inputs, hidden, rows, x.data, da1, g.W1.data);
    kernels.sumAxis(da1, 1, rows, hidden, g.b1.data);
    kernels.gemm(true, false, hidden, classes, rows, z1, dy, g.W2.data);
    kernels.sumAxis(dy, 1, rows, classes, g.b2.data);
    return g;
  }
}
