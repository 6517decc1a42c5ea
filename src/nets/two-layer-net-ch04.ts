/**
 * Chapter 4's `TwoLayerNet` (ch04/two_layer_net.py): the two-layer network before backpropagation has been
 * taught — sigmoid hidden layer, softmax output, gradients by numerical differentiation, and the book's
 * hand-written `gradient` (the backward pass chapter 5 then explains). Plain tensor code: a teaching net.
 * (Chapter 5's `TwoLayerNet` is the fast one, built from layers, with ReLU.)
 */
import { crossEntropyError, labelIndices, sigmoid, sigmoidGrad, softmax, type Labels } from '../functions.ts';
import { numericalGradient } from '../gradient.ts';
import { allocateBuffer } from '../kernels/index.ts';
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
    const y = this.predict(x);
    const [rows, classes] = y.shape;
    const labels = t instanceof Tensor && t.ndim === 2 ? Array.from(t.argmax({ axis: 1 }).data) : labelIndices('TwoLayerNetCh04.accuracy', t, rows, classes);
    const predicted = y.argmax({ axis: 1 }).data;
    let correct = 0;
    for (let i = 0; i < rows; i++) if (predicted[i] === labels[i]) correct++;
    return correct / rows;
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
