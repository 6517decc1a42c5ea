import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { StateBuffers, checkGradients, checkLearningRate, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * AdaGrad (the book's `AdaGrad`): each element's step shrinks with the sum of its squared gradients,
 * `h += g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
 *
 * @example
 * const opt = new AdaGrad(0.01);
 * opt.update(net.params, net.gradient(x, t));
 */
export class AdaGrad implements Optimizer {
  readonly name = 'AdaGrad';
  readonly lr: number;
  readonly #h = new StateBuffers('AdaGrad', 'h');

  constructor(lr = 0.01) {
    this.lr = checkLearningRate('AdaGrad', lr);
  }

  /** The running sum of squared gradients of `key` (undefined before its first update). */
  h(key: string): Tensor | undefined {
    return this.#h.get(key);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('AdaGrad', params, grads);
    this.#h.check(params);
    for (const key in params) {
      const p = params[key];
      kernels.adaGradUpdate(this.lr, this.#h.for(key, p).data, grads[key].data, p.data);
    }
  }

  toJSON(): { lr: number } {
    return { lr: this.lr };
  }
}
