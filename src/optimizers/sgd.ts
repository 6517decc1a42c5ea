import { kernels } from '../kernels/index.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Stochastic gradient descent (the book's `common/optimizer.py`): `params[key] -= lr * grads[key]`,
 * in place, so layers holding the same tensors see the update.
 */
export class SGD {
  readonly lr: number;

  constructor(lr = 0.01) {
    if (!Number.isFinite(lr) || lr <= 0) throw new Error(`SGD: lr must be a finite number > 0, got ${lr}`);
    this.lr = lr;
  }

  update<K extends string>(params: Readonly<Record<K, Tensor>>, grads: Readonly<Record<K, Tensor>>): void {
    // for…in rather than Object.keys: no array per step.
    for (const key in params) {
      const p = params[key];
      const g = grads[key];
      if (g === undefined) throw new Error(`SGD.update: no gradient for parameter '${key}'`);
      if (!sameShape(p.shape, g.shape)) {
        throw new Error(`SGD.update: gradient of '${key}' has shape ${formatShape(g.shape)}, the parameter ${formatShape(p.shape)}`);
      }
      kernels.axpy(-this.lr, g.data, p.data);
    }
  }
}
