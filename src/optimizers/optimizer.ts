import { bufferTensor } from '../internal/buffers.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Tensors by name: a network's `params`, or their gradients (the same keys). */
export type ParamRecord<K extends string = string> = Readonly<Record<K, Tensor>>;

/** The hyperparameters of the six optimizers, by the book's names in camelCase (`decay_rate` → `decayRate`). */
export interface OptimizerParam {
  lr?: number;
  momentum?: number;
  decayRate?: number;
  beta1?: number;
  beta2?: number;
}

/**
 * The optimizer contract (the book's `common/optimizer.py`): `update(params, grads)` changes every
 * tensor of `params` in place, over the keys of `params`, so the layers holding those tensors see the
 * change. State (`v`, `h`, `m`) is kept per key, created on first use with the parameter's shape and
 * dtype; one optimizer therefore serves one network.
 */
export interface Optimizer {
  /** The book's class name: `'SGD'`, `'Momentum'`, `'Nesterov'`, `'AdaGrad'`, `'RMSprop'`, `'Adam'`. */
  readonly name: string;
  update<K extends string>(params: ParamRecord<K>, grads: ParamRecord<K>): void;
  /** The hyperparameters: `createOptimizer(o.name, o.toJSON())` builds an equal, fresh optimizer. */
  toJSON(): Required<Pick<OptimizerParam, 'lr'>> & OptimizerParam;
}

/** Throws unless `lr` is finite and > 0. */
export function checkLearningRate(optimizer: string, lr: number): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${optimizer}: lr must be a finite number > 0, got ${String(lr)}`);
  }
  return lr;
}

/** Throws unless `value` is a number in [0, 1) (momentum, decay rates, Adam's betas). */
export function checkUnitInterval(optimizer: string, name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${optimizer}: ${name} must be a finite number in [0, 1), got ${String(value)}`);
  }
  return value;
}

/**
 * Checks every gradient against its parameter before anything is updated, so a bad call changes
 * nothing: a key of `params` missing from `grads`, or a gradient of another shape or dtype, throws.
 */
export function checkGradients(optimizer: string, params: ParamRecord, grads: ParamRecord): void {
  // for…in rather than Object.keys: no array per step.
  for (const key in params) {
    const p = params[key];
    const g = grads[key];
    if (g === undefined) throw new Error(`${optimizer}.update: no gradient for parameter '${key}'`);
    if (!sameShape(p.shape, g.shape)) {
      throw new Error(`${optimizer}.update: gradient of '${key}' has shape ${formatShape(g.shape)}, the parameter ${formatShape(p.shape)}`);
    }
    if (p.dtype !== g.dtype) {
      throw new Error(`${optimizer}.update: gradient of '${key}' is ${g.dtype}, the parameter ${p.dtype} (shape ${formatShape(p.shape)})`);
    }
  }
}

/**
 * Per-key optimizer state (the book's `self.v = {}` filled with `np.zeros_like`): a zeroed buffer with
 * the parameter's shape and dtype, made the first time a key is seen and kept (on the WASM heap when
 * those kernels are active, so they reach it without copies).
 */
export class StateBuffers {
  readonly #optimizer: string;
  readonly #name: string;
  readonly #buffers = new Map<string, Tensor>();

  constructor(optimizer: string, name: string) {
    this.#optimizer = optimizer;
    this.#name = name;
  }

  /** The state of `key`, created for `p` on first use. */
  for(key: string, p: Tensor): Tensor {
    const s = this.#buffers.get(key);
    if (s === undefined) {
      const made = bufferTensor(p.shape, p.dtype);
      this.#buffers.set(key, made);
      return made;
    }
    return s;
  }

  /**
   * Throws when `params` no longer fits the state made before (another shape or dtype under a known
   * key): the state belongs to the parameters it was made for — use one optimizer per network.
   */
  check(params: ParamRecord): void {
    for (const key in params) {
      const s = this.#buffers.get(key);
      const p = params[key];
      if (s !== undefined && (s.dtype !== p.dtype || !sameShape(s.shape, p.shape))) {
        throw new Error(
          `${this.#optimizer}.update: parameter '${key}' is ${p.dtype} ${formatShape(p.shape)}, but its state ${this.#name} ` +
            `was made for ${s.dtype} ${formatShape(s.shape)} (use one optimizer per network)`,
        );
      }
    }
  }

  /** The state of `key`, or undefined before its first update (read-only use: tests, inspection). */
  get(key: string): Tensor | undefined {
    return this.#buffers.get(key);
  }

  /** The keys that have state, in the order they were first updated. */
  keys(): string[] {
    return [...this.#buffers.keys()];
  }
}
