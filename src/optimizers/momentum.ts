import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { StateBuffers, checkGradients, checkLearningRate, checkUnitInterval, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * Momentum SGD (the book's `Momentum`): a velocity `v` per parameter,
 * `v = momentum * v - lr * g; p += v`.
 *
 * @example
 * const opt = new Momentum(0.01, 0.9);
 * opt.update(net.params, net.gradient(x, t));
 */
export class Momentum implements Optimizer {
  readonly name = 'Momentum';
  readonly lr: number;
  readonly momentum: number;
  readonly #v = new StateBuffers('Momentum', 'v');

  constructor(lr = 0.01, momentum = 0.9) {
    this.lr = checkLearningRate('Momentum', lr);
    this.momentum = checkUnitInterval('Momentum', 'momentum', momentum);
  }

  /** The velocity of `key` (undefined before its first update). */
  v(key: string): Tensor | undefined {
    return this.#v.get(key);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('Momentum', params, grads);
    this.#v.check(params);
    for (const key in params) {
      const p = params[key];
      kernels.momentumUpdate(this.lr, this.momentum, this.#v.for(key, p).data, grads[key].data, p.data);
    }
  }

  toJSON(): { lr: number; momentum: number } {
    return { lr: this.lr, momentum: this.momentum };
  }
}
