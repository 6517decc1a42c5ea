import { readFileSync } from 'node:fs';
import { Random, tensor, type Tensor } from '../../src/index.ts';

/** A float64 tensor of normal numbers from a seeded generator, pushed away from 0 by at least `gap`. */
export function randomAwayFromZero(rng: Random, shape: number[], gap = 0.05): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.normal();
    data[i] = v >= 0 ? v + gap : v - gap;
  }
  return tensor(data, { shape });
}

export function randomShape(rng: Random, ndim: number, maxDim = 5): number[] {
  return Array.from({ length: ndim }, () => 1 + rng.int(maxDim));
}

interface Encoded {
  shape: number[];
  data: number[];
}

export interface NumpyFixture {
  sizes: [number, number, number];
  params: Record<'W1' | 'b1' | 'W2' | 'b2', Encoded>;
  x: Encoded;
  labels: number[];
  scores: Encoded;
  softmax: Encoded;
  loss: number;
  grads: Record<'W1' | 'b1' | 'W2' | 'b2', Encoded>;
  dx: Encoded;
  accuracy: number;
}

export function loadNumpyFixture(): NumpyFixture {
  return JSON.parse(readFileSync(new URL('../fixtures/numpy-two-layer-net.json', import.meta.url), 'utf8')) as NumpyFixture;
}

export function decode(e: Encoded): Tensor {
  return tensor(e.data, { shape: e.shape });
}
