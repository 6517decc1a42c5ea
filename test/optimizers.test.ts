/**
 * The six optimizers of chapter 6 against NumPy running the book's update formulas
 * (test/fixtures/make-optimizer-fixtures.py → numpy-optimizers.json): every step, exactly equal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import {
  AdaGrad,
  Adam,
  Momentum,
  Nesterov,
  OPTIMIZERS,
  RMSprop,
  SGD,
  Tensor,
  TwoLayerNet,
  createOptimizer,
  referenceKernels,
  tensor,
  zeros,
  type Optimizer,
  type OptimizerParam,
} from '../src/index.ts';
import { activeWasmHeap, useTypeScriptKernels, useWasmKernels } from '../src/kernels/wasm/index.ts';
import { powInt } from '../src/optimizers/pow.ts';

interface Encoded {
  shape: number[];
  data: number[];
}
type Values = Record<string, number[]>;
interface Run {
  optimizer: string;
  param: OptimizerParam;
  steps: Values[];
  state: Record<string, Values>;
}
interface RandomCase {
  dtype: 'float64' | 'float32';
  init: Record<string, Encoded>;
  grads: Values[];
  runs: Run[];
}
interface Fixture {
  random: RandomCase[];
  naive: { optimizer: string; param: OptimizerParam; x: number[]; y: number[] }[];
  pow: { base: number; n: number[]; value: number[]; libmDiffers: number[] }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-optimizers.json', import.meta.url), 'utf8')) as Fixture;

function toTensor(values: readonly number[], shape: readonly number[], dtype: 'float64' | 'float32'): Tensor {
  return new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape);
}

/** Exact equality, element by element (Object.is: -0 and 0 differ, NaN equals NaN), with the first difference named. */
function assertSame(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]}, NumPy ${expected[i]}`);
  }
}

/** The optimizer's state tensor by the book's name (`v`, `h`, `m`). */
function stateOf(opt: Optimizer, name: string, key: string): Tensor | undefined {
  if (name === 'v' && (opt instanceof Momentum || opt instanceof Nesterov || opt instanceof Adam)) return opt.v(key);
  if (name === 'h' && (opt instanceof AdaGrad || opt instanceof RMSprop)) return opt.h(key);
  if (name === 'm' && opt instanceof Adam) return opt.m(key);
  return undefined;
}

/** Replays every run of a random case: parameters after each step and the final state equal NumPy's. */
function replay(c: RandomCase): void {
  for (const run of c.runs) {
    const label = `${run.optimizer} ${JSON.stringify(run.param)} ${c.dtype}`;
    const opt = createOptimizer(run.optimizer, run.param);
    const params: Record<string, Tensor> = {};
    for (const [k, e] of Object.entries(c.init)) params[k] = toTensor(e.data, e.shape, c.dtype);
    run.steps.forEach((expected, step) => {
      const grads: Record<string, Tensor> = {};
      for (const [k, g] of Object.entries(c.grads[step])) grads[k] = toTensor(g, params[k].shape, c.dtype);
      opt.update(params, grads);
      for (const k in expected) assertSame(params[k].data, expected[k], `${label} step ${step + 1} ${k}`);
    });
    for (const [name, byKey] of Object.entries(run.state)) {
      for (const [k, values] of Object.entries(byKey)) {
        const s = stateOf(opt, name, k);
        assert.ok(s !== undefined, `${label}: state ${name} of ${k}`);
        assert.equal(s.dtype, c.dtype);
        assert.deepEqual(s.shape, params[k].shape);
        assertSame(s.data, values, `${label} state ${name}.${k}`);
      }
    }
  }
}

describe('optimizers: NumPy trajectories of the book’s formulas', () => {
  it('the fixture covers all six optimizers in both dtypes', () => {
    for (const c of fixture.random) assert.deepEqual([...new Set(c.runs.map((r) => r.optimizer))], [...OPTIMIZERS]);
    assert.deepEqual(fixture.random.map((c) => c.dtype), ['float64', 'float32']);
  });

  for (const c of fixture.random) {
    it(`${c.dtype}: every step of every run equals NumPy's, bit for bit`, () => replay(c));
  }

  it("with the WASM kernels (state buffers on their heap): the same numbers", (t) => {
    if (!useWasmKernels()) {
      t.skip('no WASM SIMD here');
      return;
    }
    try {
      const heap = activeWasmHeap();
      assert.ok(heap !== undefined);
      const opt = new Adam(0.1);
      const p = { W: toTensor([1, 2, 3], [3], 'float64') };
      opt.update(p, { W: tensor([0.5, -1, 2]) });
      const m = opt.m('W');
      assert.ok(m !== undefined && heap.owns(m.data), 'Adam.m lives on the WASM heap');
      // WASM's axpy (SGD) in float32 arithmetic too; the other updates are the TypeScript loops on heap arrays.
      for (const c of fixture.random) replay(c);
    } finally {
      useTypeScriptKernels();
    }
  });

  it("the book's optimizer_compare_naive.py: f(x, y) = x²/20 + y² from (−7, 2), 30 steps", () => {
    assert.deepEqual(
      fixture.naive.map((c) => [c.optimizer, c.param]),
      [['sgd', { lr: 0.95 }], ['momentum', { lr: 0.1 }], ['adagrad', { lr: 1.5 }], ['adam', { lr: 0.3 }]],
    );
    for (const c of fixture.naive) {
      const opt = createOptimizer(c.optimizer, c.param);
      const params = { x: tensor(-7.0), y: tensor(2.0) };
      const xs = [params.x.item()];
      const ys = [params.y.item()];
      for (let i = 0; i < 30; i++) {
        // df(x, y) = (x / 10, 2y), from the current position
        const grads = { x: tensor(params.x.item() / 10.0), y: tensor(2.0 * params.y.item()) };
        opt.update(params, grads);
        xs.push(params.x.item());
        ys.push(params.y.item());
      }
      assertSame(xs, c.x, `${c.optimizer} x`);
      assertSame(ys, c.y, `${c.optimizer} y`);
    }
    // The picture of the book's figure 6-8: everyone ends nearer the minimum at (0, 0) than the start.
    for (const c of fixture.naive) assert.ok(Math.hypot(c.x[30], c.y[30]) < Math.hypot(-7, 2) / 2, c.optimizer);
  });

  it("Adam's beta ** iter is correctly rounded (Math.pow is not; glibc's pow, Python's **, rarely not)", () => {
    let mathPowDiffers = 0;
    for (const { base, n, value } of fixture.pow) {
      n.forEach((k, i) => {
        assert.equal(powInt(base, k), value[i], `${base} ** ${k}`);
        if (Math.pow(base, k) !== value[i]) mathPowDiffers++;
      });
    }
    assert.ok(mathPowDiffers > 0, 'Math.pow misrounds some of these (why powInt exists)');
    // Where glibc is off by an ulp, Adam's `1 - beta ** iter` can differ from the book's by an ulp too:
    // these are the only (beta, iter) in the fixture's list, none in the replayed runs' first 20 steps.
    assert.ok(fixture.pow.every((p) => p.libmDiffers.every((k) => k > 20)));
    assert.throws(() => powInt(0.9, -1), /powInt: exponent must be an integer >= 0, got -1/);
  });
});

describe('optimizers: the kernels', () => {
  it('are registered with the reference kernels and change only what they update', () => {
    const g = new Float64Array([1, -2]);
    const p = new Float64Array([0.5, 0.25]);
    const v = new Float64Array(2);
    referenceKernels.momentumUpdate(0.1, 0.9, v, g, p);
    assert.deepEqual([...v], [-0.1, 0.2]);
    assert.deepEqual([...p], [0.5 - 0.1, 0.25 + 0.2]);
    assert.deepEqual([...g], [1, -2]);
  });
});

describe('optimizers: state, validation, factory', () => {
  it('state is made per key on first use, with the parameter’s shape and dtype, and kept', () => {
    const opt = new Momentum(0.1, 0.9);
    assert.equal(opt.v('W'), undefined);
    const W = zeros([2, 3], { dtype: 'float32' });
    const b = zeros([3]);
    opt.update({ W }, { W: zeros([2, 3], { dtype: 'float32' }).add(1) });
    const vW = opt.v('W');
    assert.ok(vW !== undefined);
    assert.deepEqual([vW.shape, vW.dtype], [[2, 3], 'float32']);
    assert.equal(opt.v('b'), undefined, 'no state for a key not yet seen');
    opt.update({ W, b }, { W: zeros([2, 3], { dtype: 'float32' }), b: tensor([1, 2, 3]) });
    assert.equal(opt.v('W'), vW, 'the same buffer, kept');
    assert.deepEqual([...vW.data], new Array(6).fill(Math.fround(Math.fround(0.9) * Math.fround(-0.1))));
    assert.deepEqual([opt.v('b')!.shape, opt.v('b')!.dtype], [[3], 'float64']);
    assert.deepEqual([...opt.v('b')!.data], [-0.1, -0.2, -0.30000000000000004]);
    // Each key has its own state: b's first step is a first step, whatever W has seen.
    assert.deepEqual([...b.data], [-0.1, -0.2, -0.30000000000000004]);
  });

  it('Adam counts steps per update call, not per parameter', () => {
    const opt = new Adam();
    assert.equal(opt.iter, 0);
    const params = { a: zeros([2]), b: zeros([3]), c: zeros([1]) };
    const grads = { a: tensor([1, 1]), b: tensor([1, 1, 1]), c: tensor([1]) };
    opt.update(params, grads);
    opt.update(params, grads);
    assert.equal(opt.iter, 2);
  });

  it('rejects bad hyperparameters, naming the optimizer', () => {
    assert.throws(() => new SGD(0), /SGD: lr must be a finite number > 0, got 0/);
    assert.throws(() => new Momentum(-0.1), /Momentum: lr must be a finite number > 0, got -0.1/);
    assert.throws(() => new Momentum(0.1, 1), /Momentum: momentum must be a finite number in \[0, 1\), got 1/);
    assert.throws(() => new Nesterov(0.1, -0.5), /Nesterov: momentum must be a finite number in \[0, 1\), got -0.5/);
    assert.throws(() => new AdaGrad(Infinity), /AdaGrad: lr must be a finite number > 0, got Infinity/);
    assert.throws(() => new RMSprop(0.01, NaN), /RMSprop: decayRate must be a finite number in \[0, 1\), got NaN/);
    assert.throws(() => new Adam(0.001, 1.5), /Adam: beta1 must be a finite number in \[0, 1\), got 1.5/);
    assert.throws(() => new Adam(0.001, 0.9, 1), /Adam: beta2 must be a finite number in \[0, 1\), got 1/);
    assert.throws(() => new Adam(NaN), /Adam: lr must be a finite number > 0, got NaN/);
  });

  it('rejects mismatched gradients before changing anything, naming the optimizer, the key and the shapes', () => {
    for (const name of OPTIMIZERS) {
      const opt = createOptimizer(name);
      const params = { W1: tensor([[1, 2], [3, 4]]), b1: tensor([1, 2]) };
      const good = { W1: tensor([[1, 1], [1, 1]]), b1: tensor([1, 1]) };
      const cls = opt.name;
      assert.throws(() => opt.update(params, { W1: good.W1 } as typeof good), new RegExp(`^Error: ${cls}\\.update: no gradient for parameter 'b1'$`));
      assert.throws(
        () => opt.update(params, { W1: good.W1, b1: tensor([1, 2, 3]) }),
        new RegExp(`${cls}\\.update: gradient of 'b1' has shape \\(3,\\), the parameter \\(2,\\)`),
      );
      assert.throws(
        () => opt.update(params, { W1: tensor([[1, 1], [1, 1]], { dtype: 'float32' }), b1: good.b1 }),
        new RegExp(`${cls}\\.update: gradient of 'W1' is float32, the parameter float64 \\(shape \\(2,2\\)\\)`),
      );
      assert.deepEqual(params.W1.toArray(), [[1, 2], [3, 4]], `${cls}: nothing changed`);
      assert.deepEqual(params.b1.toArray(), [1, 2]);
      opt.update(params, good);
      if (cls !== 'SGD') {
        assert.throws(
          () => opt.update({ W1: zeros([3]) }, { W1: zeros([3]) }),
          new RegExp(`${cls}\\.update: parameter 'W1' is float64 \\(3,\\), but its state \\w was made for float64 \\(2,2\\) \\(use one optimizer per network\\)`),
        );
      }
    }
  });

  it('createOptimizer takes trainer.py’s names in any case, the book’s defaults, and toJSON round-trips', () => {
    assert.deepEqual([...OPTIMIZERS], ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);
    const made = OPTIMIZERS.map((n) => createOptimizer(n));
    assert.deepEqual(
      made.map((o) => [o.name, o.toJSON()]),
      [
        ['SGD', { lr: 0.01 }],
        ['Momentum', { lr: 0.01, momentum: 0.9 }],
        ['Nesterov', { lr: 0.01, momentum: 0.9 }],
        ['AdaGrad', { lr: 0.01 }],
        ['RMSprop', { lr: 0.01, decayRate: 0.99 }],
        ['Adam', { lr: 0.001, beta1: 0.9, beta2: 0.999 }],
      ],
    );
    assert.ok(createOptimizer('AdaGrad', { lr: 1.5 }) instanceof AdaGrad);
    assert.ok(createOptimizer('SGD') instanceof SGD);
    assert.ok(createOptimizer('RMSPROP', { decayRate: 0.9 }) instanceof RMSprop);
    const adam = createOptimizer('adam', { lr: 0.3, beta2: 0.99 });
    assert.deepEqual(adam.toJSON(), { lr: 0.3, beta1: 0.9, beta2: 0.99 });
    assert.deepEqual(createOptimizer(adam.name, adam.toJSON()).toJSON(), adam.toJSON());
    assert.equal(JSON.stringify(new Nesterov(0.1, 0.5)), '{"lr":0.1,"momentum":0.5}');
    assert.throws(() => createOptimizer('adadelta'), /createOptimizer: unknown optimizer 'adadelta' \(known: sgd, momentum, nesterov, adagrad, rmsprop, adam\)/);
    assert.throws(() => createOptimizer('sgd', { momentum: 0.9 }), /createOptimizer: sgd takes lr; got 'momentum'/);
    assert.throws(
      () => createOptimizer('rmsprop', { decay_rate: 0.9 } as OptimizerParam),
      /createOptimizer: rmsprop takes lr, decayRate; got 'decay_rate' \(write 'decayRate'\)/,
    );
    assert.throws(() => createOptimizer('momentum', { lr: 0 }), /Momentum: lr must be a finite number > 0, got 0/);
  });

  it("updates reach a network's layers: every optimizer lowers TwoLayerNet's loss through net.params", () => {
    const x = tensor([
      [0.5, -1, 2, 0.1],
      [1, 0.2, -0.3, 0.8],
      [-0.6, 0.4, 0.9, -1.2],
    ]);
    const t = [0, 2, 1];
    for (const name of OPTIMIZERS) {
      const net = new TwoLayerNet(4, 5, 3, 0.5, { seed: 7 });
      const opt = createOptimizer(name, { lr: name === 'adam' ? 0.01 : 0.1 });
      const before = net.predict(x).copy();
      const lossBefore = net.loss(x, t);
      const W1 = net.params.W1;
      for (let i = 0; i < 5; i++) opt.update(net.params, net.gradient(x, t));
      assert.equal(net.params.W1, W1, `${name}: the same tensor, updated in place`);
      assert.notDeepEqual([...net.predict(x).data], [...before.data], `${name}: predict sees the update`);
      assert.ok(net.loss(x, t) < lossBefore, `${name}: loss falls`);
    }
  });
});

after(() => useTypeScriptKernels());
