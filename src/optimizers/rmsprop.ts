import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { StateBuffers, checkGradients, checkLearningRate, checkUnitInterval, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * RMSprop (the book's `RMSprop`): AdaGrad with a decaying average of squared gradients,
 * `h = decayRate * h + (1 - decayRate) * g * g; p -= lr * g / (sqrt(h) + 1e-7)`.
 *
 * @example
 * const opt = new RMSprop(0.01, 0.99);
 * opt.update(net.params, net.gradient(x, t));
 */
export class RMSprop implements Optimizer {
  readonly name = 'RMSprop';
  readonly lr: number;
  readonly decayRate: number;
  readonly #h = new StateBuffers('RMSprop', 'h');

  constructor(lr = 0.01, decayRate = 0.99) {
    this.lr = checkLearningRate('RMSprop', lr);
    this.decayRate = checkUnitInterval('RMSprop', 'decayRate', decayRate);
  }

  /** The decaying average of squared gradients of `key` (undefined before its first update). */
  h(key: string): Tensor | undefined {
    return this.#h.get(key);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('RMSprop', params, grads);
    this.#h.check(params);
    const oneMinusDecay = 1 - this.decayRate;
    for (const key in params) {
      const p = params[key];
      kernels.rmspropUpdate(this.lr, this.decayRate, oneMinusDecay, this.#h.for(key, p).data, grads[key].data, p.data);
    }
  }

  toJSON(): { lr: number; decayRate: number } {
    return { lr: this.lr, decayRate: this.decayRate };
  }
}
