/**
 * The six optimizers of chapter 6 (the book's `common/optimizer.py`) and the factory the book's
 * `common/trainer.py` uses to pick one by name.
 */
import { AdaGrad } from './adagrad.ts';
import { Adam } from './adam.ts';
import { Momentum } from './momentum.ts';
import { Nesterov } from './nesterov.ts';
import type { Optimizer, OptimizerParam } from './optimizer.ts';
import { RMSprop } from './rmsprop.ts';
import { SGD } from './sgd.ts';

export { SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam };
export type { Optimizer, OptimizerParam, ParamRecord } from './optimizer.ts';

/** The names `createOptimizer` takes: the keys of trainer.py's `optimizer_class_dict`. */
export const OPTIMIZERS = Object.freeze(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as const);
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The hyperparameters each optimizer takes, in its constructor's order. */
const PARAM_KEYS: Readonly<Record<OptimizerName, readonly (keyof OptimizerParam)[]>> = {
  sgd: ['lr'],
  momentum: ['lr', 'momentum'],
  nesterov: ['lr', 'momentum'],
  adagrad: ['lr'],
  rmsprop: ['lr', 'decayRate'],
  adam: ['lr', 'beta1', 'beta2'],
};

/** True for the names in `OPTIMIZERS`, in any case (`'AdaGrad'`, `'SGD'`). */
export function isOptimizerName(name: string): boolean {
  return (OPTIMIZERS as readonly string[]).includes(name.toLowerCase());
}

/**
 * An optimizer by name, as the book's `Trainer` makes it (`optimizer_class_dict[optimizer.lower()](**optimizer_param)`):
 * the name is case-insensitive, omitted hyperparameters take the book's defaults, and a
 * hyperparameter the optimizer does not take is an error (the book's `TypeError`).
 *
 * @example
 * const opt = createOptimizer('Adam', { lr: 0.001 });
 * opt.update(net.params, net.gradient(x, t));
 * createOptimizer(opt.name, opt.toJSON()); // an equal, fresh optimizer
 */
export function createOptimizer(name: string, param: Readonly<OptimizerParam> = {}): Optimizer {
  const key = String(name).toLowerCase();
  if (!isOptimizerName(key)) {
    throw new Error(`createOptimizer: unknown optimizer '${String(name)}' (known: ${OPTIMIZERS.join(', ')})`);
  }
  const kind = key as OptimizerName;
  const allowed = PARAM_KEYS[kind];
  for (const p of Object.keys(param)) {
    if (!(allowed as readonly string[]).includes(p)) {
      const hint = p === 'decay_rate' ? " (write 'decayRate')" : '';
      throw new Error(`createOptimizer: ${kind} takes ${allowed.join(', ')}; got '${p}'${hint}`);
    }
  }
  const { lr, momentum, decayRate, beta1, beta2 } = param;
  switch (kind) {
    case 'sgd':
      return new SGD(lr);
    case 'momentum':
      return new Momentum(lr, momentum);
    case 'nesterov':
      return new Nesterov(lr, momentum);
    case 'adagrad':
      return new AdaGrad(lr);
    case 'rmsprop':
      return new RMSprop(lr, decayRate);
    case 'adam':
      return new Adam(lr, beta1, beta2);
  }
}
