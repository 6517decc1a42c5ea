import { Random } from './random.ts';
import { checkShape } from './shape.ts';
import { zeros, type CreateOptions, type Tensor } from './tensor.ts';

export interface RandomOptions extends CreateOptions {
  /** A generator to draw from (its state advances); takes precedence over `seed`. */
  rng?: Random;
  /** A seed for a fresh generator: the same seed gives the same numbers everywhere. */
  seed?: number;
}

function generator(op: string, options: RandomOptions): Random {
  if (options.rng) return options.rng;
  if (options.seed === undefined) throw new Error(`${op}: pass a seed or an rng (results must be reproducible)`);
  return new Random(options.seed);
}

/**
 * Standard normal numbers (`np.random.randn`), from a seeded generator.
 *
 * @example
 * randn([2, 3], { seed: 42 }); // the same numbers on every run, in Node and the browser
 */
export function randn(shape: readonly number[], options: RandomOptions): Tensor {
  checkShape('randn', shape);
  const t = zeros(shape, options);
  generator('randn', options).fillNormal(t.data);
  return t;
}

/** Numbers uniform in [low, high) (`np.random.uniform`), from a seeded generator. */
export function uniform(shape: readonly number[], low: number, high: number, options: RandomOptions): Tensor {
  checkShape('uniform', shape);
  const t = zeros(shape, options);
  generator('uniform', options).fillUniform(t.data, low, high);
  return t;
}
