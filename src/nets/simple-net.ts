/**
 * Chapter 4's `simpleNet` (ch04/gradient_simplenet.py): one 2×3 weight matrix, softmax and cross-entropy —
 * the smallest network whose loss gradient the book takes numerically.
 */
import { crossEntropyError, softmax, type Labels } from '../functions.ts';
import { numericalGradient } from '../gradient.ts';
import { Random, randomSeed } from '../tensor/random.ts';
import { dot } from '../tensor/ops.ts';
import { Tensor } from '../tensor/tensor.ts';

export interface SimpleNetOptions {
  /** The weights to use (2×3); default: drawn from the standard normal distribution, as `np.random.randn(2, 3)`. */
  W?: Tensor;
  /** Seed for the drawn weights; a random one is chosen (and kept in `seed`) when omitted. */
  seed?: number;
}

/**
 * The book's `simpleNet`: `predict(x) = x·W`, `loss(x, t) = crossEntropyError(softmax(x·W), t)`.
 *
 * @example
 * const net = new SimpleNet({ seed: 1 });
 * const dW = net.numericalGradient(tensor([0.6, 0.9]), tensor([0, 0, 1]));  // 2×3, as the book prints it
 */
export class SimpleNet {
  readonly W: Tensor;
  readonly seed: number | undefined;

  constructor(options: SimpleNetOptions = {}) {
    if (options.W !== undefined) {
      if (options.W.ndim !== 2) throw new Error(`SimpleNet: W must be 2-D, got shape (${options.W.shape.join(', ')})`);
      this.W = options.W;
      this.seed = undefined;
    } else {
      this.seed = options.seed ?? randomSeed();
      const data = new Float64Array(6);
      new Random(this.seed).fillNormal(data);
      this.W = new Tensor(data, [2, 3]);
    }
  }

  /** `x·W`. */
  predict(x: Tensor): Tensor {
    return dot(x, this.W);
  }

  /** The cross-entropy of `softmax(x·W)` against `t` (one-hot or label indices). */
  loss(x: Tensor, t: Labels): number {
    return crossEntropyError(softmax(this.predict(x)), t);
  }

  /** The book's `numerical_gradient(lambda w: net.loss(x, t), net.W)`: dL/dW by central differences. */
  numericalGradient(x: Tensor, t: Labels): Tensor {
    return numericalGradient(() => this.loss(x, t), this.W);
  }
}
