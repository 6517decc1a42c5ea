import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { powInt } from './pow.ts';
import { StateBuffers, checkGradients, checkLearningRate, checkUnitInterval, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * Adam (the book's `Adam`, http://arxiv.org/abs/1412.6980v8), in the book's form: the bias correction
 * folded into the step's rate, `lrT = lr * sqrt(1 - beta2^iter) / (1 - beta1^iter)`, and the moments
 * updated in place, `m += (1 - beta1) * (g - m); v += (1 - beta2) * (g² - v); p -= lrT * m / (sqrt(v) + 1e-7)`.
 * `iter` counts `update` calls (one per step, whatever the number of parameters).
 *
 * @example
 * const opt = new Adam(0.001);
 * opt.update(net.params, net.gradient(x, t));
 */
export class Adam implements Optimizer {
  readonly name = 'Adam';
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  #iter = 0;
  readonly #m = new StateBuffers('Adam', 'm');
  readonly #v = new StateBuffers('Adam', 'v');

  constructor(lr = 0.001, beta1 = 0.9, beta2 = 0.999) {
    this.lr = checkLearningRate('Adam', lr);
    this.beta1 = checkUnitInterval('Adam', 'beta1', beta1);
    this.beta2 = checkUnitInterval('Adam', 'beta2', beta2);
  }

  /** The number of updates so far (the book's `self.iter`). */
  get iter(): number {
    return this.#iter;
  }

  /** The first moment of `key` (undefined before its first update). */
  m(key: string): Tensor | undefined {
    return this.#m.get(key);
  }

  /** The second moment of `key` (undefined before its first update). */
  v(key: string): Tensor | undefined {
    return this.#v.get(key);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('Adam', params, grads);
    this.#m.check(params);
    this.#v.check(params);
    const iter = ++this.#iter;
    // Python's `beta ** iter` is C's pow, correctly rounded here too (Math.pow is not: it differs
    // from it in the last bit for thousands of (beta, iter) pairs).
    const lrT = (this.lr * Math.sqrt(1.0 - powInt(this.beta2, iter))) / (1.0 - powInt(this.beta1, iter));
    const oneMinusBeta1 = 1 - this.beta1;
    const oneMinusBeta2 = 1 - this.beta2;
    for (const key in params) {
      const p = params[key];
      kernels.adamUpdate(lrT, oneMinusBeta1, oneMinusBeta2, this.#m.for(key, p).data, this.#v.for(key, p).data, grads[key].data, p.data);
    }
  }

  toJSON(): { lr: number; beta1: number; beta2: number } {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2 };
  }
}
