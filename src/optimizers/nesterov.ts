import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { StateBuffers, checkGradients, checkLearningRate, checkUnitInterval, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * Nesterov's accelerated gradient (the book's `Nesterov`, http://arxiv.org/abs/1212.0901), as the
 * book's repository has it today (the update was rewritten in its "Fix Nesterov update function"
 * commit): the parameter moves with the previous velocity, then the velocity is updated —
 * `p += momentum² * v; p -= (1 + momentum) * lr * g; v = momentum * v - lr * g`.
 *
 * @example
 * const opt = new Nesterov(0.01, 0.9);
 * opt.update(net.params, net.gradient(x, t));
 */
export class Nesterov implements Optimizer {
  readonly name = 'Nesterov';
  readonly lr: number;
  readonly momentum: number;
  readonly #v = new StateBuffers('Nesterov', 'v');

  constructor(lr = 0.01, momentum = 0.9) {
    this.lr = checkLearningRate('Nesterov', lr);
    this.momentum = checkUnitInterval('Nesterov', 'momentum', momentum);
  }

  /** The velocity of `key` (undefined before its first update). */
  v(key: string): Tensor | undefined {
    return this.#v.get(key);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('Nesterov', params, grads);
    this.#v.check(params);
    const { lr, momentum } = this;
    // The Python-float products the book forms before touching the arrays, in its order.
    const momentumSquared = momentum * momentum;
    const stepScale = (1 + momentum) * lr;
    for (const key in params) {
      const p = params[key];
      kernels.nesterovUpdate(lr, momentum, momentumSquared, stepScale, this.#v.for(key, p).data, grads[key].data, p.data);
    }
  }

  toJSON(): { lr: number; momentum: number } {
    return { lr: this.lr, momentum: this.momentum };
  }
}
