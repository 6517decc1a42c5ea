import { kernels } from '../kernels/index.ts';
import { checkGradients, checkLearningRate, type Optimizer, type ParamRecord } from './optimizer.ts';

/**
 * Stochastic gradient descent (the book's `common/optimizer.py`): `params[key] -= lr * grads[key]`,
 * in place, so layers holding the same tensors see the update.
 *
 * @example
 * const sgd = new SGD(0.1);
 * sgd.update(net.params, net.gradient(x, t));
 */
export class SGD implements Optimizer {
  readonly name = 'SGD';
  readonly lr: number;

  constructor(lr = 0.01) {
    this.lr = checkLearningRate('SGD', lr);
  }

  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void {
    checkGradients('SGD', params, grads);
    // p -= lr * g as y += (-lr) * x: negation is exact, so this is the book's expression to the bit.
    for (const key in params) kernels.axpy(-this.lr, grads[key].data, params[key].data);
  }

  toJSON(): { lr: number } {
    return { lr: this.lr };
  }
}
