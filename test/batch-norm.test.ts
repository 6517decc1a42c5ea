import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BATCH_NORM_EPS, BatchNormalization, Random, ones, tensor, zeros, type Tensor } from '../src/index.ts';
import { expectLayerGradientsClose, relativeError } from './helpers/gradcheck.ts';
import { randomAwayFromZero, randomShape } from './helpers/data.ts';

interface Encoded {
  shape: number[];
  data: number[];
}
type Fixture = Record<string, Record<string, Encoded | number>>;
const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-ch06.json', import.meta.url), 'utf8')) as Fixture;

function decode(e: Encoded | number): Tensor {
  assert.ok(typeof e === 'object');
  return tensor(e.data, { shape: e.shape });
}

/** Same shape and agreement with NumPy to float64 rounding (relative to the values' size). */
function expectClose(actual: Tensor, expected: Encoded | number, name: string, tolerance = 1e-12): void {
  const e = decode(expected);
  assert.deepEqual([...actual.shape], [...e.shape], `${name}: shape`);
  const err = relativeError(actual.data, e.data);
  assert.ok(err < tolerance, `${name}: relative error ${err.toExponential(2)} vs NumPy`);
}

/**
 * Random input whose every feature is spread over the batch (standard deviation >= 0.5). Central
 * differences err by about h²·f‴, and f‴ of `(x − μ)/√(σ² + eps)` grows like 1/σ³: a feature whose samples
 * nearly agree (σ = 0.04 happens with two samples) is the smooth-function analogue of ReLU's kink.
 */
function spreadInput(rng: Random, shape: number[]): Tensor {
  for (;;) {
    const x = randomAwayFromZero(rng, shape);
    const n = shape[0];
    const d = x.size / n;
    let ok = true;
    for (let j = 0; j < d && ok; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x.data[i * d + j] / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x.data[i * d + j] - m) ** 2 / n;
      ok = Math.sqrt(v) >= 0.5;
    }
    if (ok) return x;
  }
}

describe('BatchNormalization', () => {
  it("uses the book's eps, 10e-7", () => {
    assert.equal(BATCH_NORM_EPS, 1e-6);
  });

  it('matches NumPy (the book’s layer): two training passes, backward, then test mode (2-D)', () => {
    const f = fixture.bn2d;
    const bn = new BatchNormalization(decode(f.gamma), decode(f.beta), f.momentum as number);
    expectClose(bn.forward(decode(f.x1), true), f.out1, 'out1');
    expectClose(bn.runningMean, f.runningMean1, 'runningMean1');
    expectClose(bn.runningVar, f.runningVar1, 'runningVar1');
    expectClose(bn.forward(decode(f.x2), true), f.out2, 'out2');
    expectClose(bn.runningMean, f.runningMean2, 'runningMean2');
    expectClose(bn.runningVar, f.runningVar2, 'runningVar2');
    assert.equal(bn.batchSize, 5);
    expectClose(bn.xc!, f.xc2, 'xc');
    expectClose(bn.std!, f.std2, 'std');
    expectClose(bn.backward(decode(f.dout)), f.dx2, 'dx');
    expectClose(bn.dgamma!, f.dgamma2, 'dgamma');
    expectClose(bn.dbeta!, f.dbeta2, 'dbeta');
    assert.equal(bn.grad('gamma'), bn.dgamma);
    assert.equal(bn.grad('beta'), bn.dbeta);
    expectClose(bn.forward(decode(f.xTest), false), f.outTest, 'test-mode out');
    // A test-mode forward leaves the book's training caches and the running statistics alone.
    assert.equal(bn.batchSize, 5);
    expectClose(bn.xc!, f.xc2, 'xc after test forward');
    expectClose(bn.runningMean, f.runningMean2, 'runningMean after test forward');
  });

  it('matches NumPy on 4-D input, flattened to (N, C·H·W) and back', () => {
    const f = fixture.bn4d;
    const bn = new BatchNormalization(decode(f.gamma), decode(f.beta), f.momentum as number);
    const x = decode(f.x);
    const out = bn.forward(x, true);
    assert.deepEqual([...out.shape], [...x.shape]);
    expectClose(out, f.out, 'out');
    expectClose(bn.runningMean, f.runningMean, 'runningMean');
    expectClose(bn.runningVar, f.runningVar, 'runningVar');
    const dx = bn.backward(decode(f.dout));
    assert.deepEqual([...dx.shape], [...x.shape]);
    expectClose(dx, f.dx, 'dx');
    expectClose(bn.dgamma!, f.dgamma, 'dgamma');
    expectClose(bn.dbeta!, f.dbeta, 'dbeta');
  });

  it('matches numerical gradients in training mode (float64, random 2-D and 4-D shapes)', () => {
    const rng = new Random(606);
    for (let trial = 0; trial < 8; trial++) {
      const shape = trial % 2 === 0 ? [3 + rng.int(5), 1 + rng.int(6)] : [3 + rng.int(3), ...randomShape(rng, 3, 3)];
      const d = shape.slice(1).reduce((a, b) => a * b, 1);
      const gamma = randomAwayFromZero(rng, [d], 0.3);
      const beta = randomAwayFromZero(rng, [d]);
      const bn = new BatchNormalization(gamma, beta, 0.9);
      const x = spreadInput(rng, shape);
      const dout = randomAwayFromZero(rng, shape, 0);
      expectLayerGradientsClose(bn, x, dout, true);
    }
  });

  it('matches numerical gradients in test mode (running statistics are constants there)', () => {
    const rng = new Random(607);
    const shape = [4, 3, 2, 2];
    const d = 12;
    const bn = new BatchNormalization(randomAwayFromZero(rng, [d], 0.3), randomAwayFromZero(rng, [d]));
    bn.forward(randomAwayFromZero(rng, shape), true);
    bn.forward(randomAwayFromZero(rng, shape), true);
    expectLayerGradientsClose(bn, randomAwayFromZero(rng, [3, 3, 2, 2]), randomAwayFromZero(rng, [3, 3, 2, 2], 0), false);
  });

  it('normalizes each feature of a training batch to mean 0 and variance var/(var+eps)', () => {
    const bn = new BatchNormalization(ones([3]), zeros([3]));
    const out = bn.forward(tensor([[1, 2, 3], [3, 6, 9]]), true);
    // x − μ = ±[1, 2, 3]; var = [1, 4, 9].
    const expected = [1, 2, 3].map((c) => c / Math.sqrt(c * c + 1e-6));
    assert.deepEqual(Array.from(out.data), [...expected.map((v) => -v), ...expected]);
    // runningMean = 0.9·0 + (1 − 0.9)·μ, μ = [2, 4, 6].
    assert.deepEqual(Array.from(bn.runningMean.data), [2, 4, 6].map((m) => 0.9 * 0 + (1 - 0.9) * m));
  });

  it('lists its parameters and state by the book’s names, held by reference', () => {
    const gamma = ones([4]);
    const beta = zeros([4]);
    const bn = new BatchNormalization(gamma, beta);
    assert.deepEqual([...bn.paramKeys], ['gamma', 'beta']);
    assert.deepEqual([...bn.stateKeys], ['runningMean', 'runningVar']);
    assert.equal(bn.param('gamma'), gamma);
    assert.equal(bn.param('beta'), beta);
    assert.equal(bn.grad('gamma'), undefined);
    assert.throws(() => bn.param('W'), /no parameter 'W'/);
    // Running statistics exist from the start (zeros, as the book's first forward creates them).
    assert.deepEqual(Array.from(bn.state('runningMean').data), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(bn.state('runningVar').data), [0, 0, 0, 0]);
    assert.throws(() => bn.state('mean'), /no state 'mean'/);
    // In-place updates of gamma reach the layer.
    gamma.data.fill(2);
    const out = bn.forward(tensor([[0, 0, 0, 0], [2, 2, 2, 2]]), true);
    assert.ok(Math.abs(out.get(1, 0) - 2 / Math.sqrt(1 + 1e-6)) < 1e-15);
  });

  it('takes running statistics from the caller (a restored model) and restores them with setState', () => {
    const rm = tensor([1, 2]);
    const rv = tensor([4, 9]);
    const bn = new BatchNormalization(ones([2]), zeros([2]), 0.9, rm, rv);
    assert.equal(bn.runningMean, rm);
    assert.equal(bn.state('runningVar'), rv);
    const out = bn.forward(tensor([[3, 5]]));
    assert.deepEqual(Array.from(out.data), [2 / Math.sqrt(4 + 1e-6), 3 / Math.sqrt(9 + 1e-6)]);
    bn.setState('runningMean', tensor([0, 0]));
    assert.equal(bn.runningMean, rm, 'setState copies into the same tensor');
    assert.deepEqual(Array.from(rm.data), [0, 0]);
    assert.throws(() => bn.setState('runningVar', tensor([1, 2, 3])), /does not match/);
    assert.throws(() => new BatchNormalization(ones([2]), zeros([2]), 0.9, tensor([1, 2, 3])), /runningMean of shape \(3,\)/);
  });

  it('rejects inputs whose features do not match gamma, and backward before forward', () => {
    const bn = new BatchNormalization(ones([4]), zeros([4]));
    assert.throws(() => bn.backward(zeros([2, 4])), /call forward first/);
    assert.throws(() => bn.forward(zeros([2, 3]), true), /4 features/);
    assert.throws(() => bn.forward(zeros([4]), true), /4 features/);
    assert.throws(() => new BatchNormalization(ones([4]), zeros([3])), /beta of shape/);
    bn.forward(zeros([2, 2, 2]), true);
    assert.throws(() => bn.backward(zeros([2, 4])), /does not match the forward input/);
  });

  it('reuses its output buffers and never mutates dout', () => {
    const rng = new Random(3);
    const bn = new BatchNormalization(ones([3]), zeros([3]));
    const x = randomAwayFromZero(rng, [4, 3]);
    const out1 = bn.forward(x, true);
    const out2 = bn.forward(x, true);
    assert.equal(out1, out2);
    const dout = randomAwayFromZero(rng, [4, 3]);
    const before = Array.from(dout.data);
    const dx1 = bn.backward(dout);
    assert.equal(bn.backward(dout), dx1);
    assert.deepEqual(Array.from(dout.data), before);
  });
});
