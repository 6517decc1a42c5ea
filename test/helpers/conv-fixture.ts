/** Reading test/fixtures/numpy-conv.json (written by make-conv-fixtures.py) and the patterns it uses. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor } from '../../src/index.ts';

export interface B64 {
  shape: number[];
  b64: string;
}

export interface Summary {
  size: number;
  sum: number;
  absSum: number;
  entries: number[];
}

export interface ConvFixture {
  im2col: { x: B64; filterH: number; filterW: number; stride: number; pad: number; col: B64; dcol: B64; img: B64 }[];
  convolution: { x: B64; W: B64; b: B64; stride: number; pad: number; out: B64; dout: B64; dx: B64; dW: B64; db: B64 }[];
  pooling: { x: B64; poolH: number; poolW: number; stride: number; out: B64; argMax: number[]; dout: B64; dx: B64 }[];
  simpleConvNet: {
    name: string;
    inputDim: [number, number, number];
    convParam: { filterNum: number; filterSize: number; pad: number; stride: number };
    hiddenSize: number;
    scale: number;
    x: B64;
    t: number[];
    scores: B64;
    loss: number;
    grads: Record<string, B64 | Summary>;
  }[];
  deepConvNet: { x: B64; t: number[]; u: B64[]; scores: B64; testLoss: number; loss: number; grads: Record<string, Summary> };
}

export function loadConvFixture(): ConvFixture {
  return JSON.parse(readFileSync(new URL('../fixtures/numpy-conv.json', import.meta.url), 'utf8')) as ConvFixture;
}

/** A stored float64 array as a tensor. */
export function b64(e: B64): Tensor {
  const bytes = Buffer.from(e.b64, 'base64');
  const data = new Float64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(i * 8, true);
  return new Tensor(data, e.shape);
}

/** The fixture's `pattern(shape, k, scale)`: ((i·7919 + k·104729) % 2001 − 1000) / 1000 · scale. */
export function pattern(shape: readonly number[], k: number, scale: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = ((((i * 7919 + k * 104729) % 2001) - 1000) / 1000) * scale;
  return new Tensor(data, shape);
}

/**
 * Asserts `actual` equals `expected` to `rel` times the largest magnitude of `expected` (NumPy's BLAS
 * adds products in another order, so float64 agrees to rounding, not bits).
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const tol = rel * Math.max(scale, 1e-300);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= tol)) assert.fail(`${what}[${i}]: ${actual[i]} != ${expected[i]} (difference ${d.toExponential(2)} > ${tol.toExponential(2)})`);
  }
}

/** Compares a gradient with the fixture's summary of it (sum, sum of |·|, 64 sampled entries). */
export function assertSummary(actual: ArrayLike<number>, s: Summary, rel: number, what: string): void {
  assert.equal(actual.length, s.size, `${what}: size`);
  let sum = 0;
  let absSum = 0;
  for (let i = 0; i < actual.length; i++) {
    sum += actual[i];
    absSum += Math.abs(actual[i]);
  }
  const entries = s.entries.map((_, j) => actual[(j * 7919) % s.size]);
  assertClose(entries, s.entries, rel, `${what} entries`);
  assert.ok(Math.abs(absSum - s.absSum) <= rel * s.absSum, `${what}: Σ|·| ${absSum} != ${s.absSum}`);
  assert.ok(Math.abs(sum - s.sum) <= rel * s.absSum, `${what}: Σ ${sum} != ${s.sum}`);
}
