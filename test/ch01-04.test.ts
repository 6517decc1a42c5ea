/**
 * Chapters 2–4 and the book's common/ helpers, against values computed with NumPy
 * (test/fixtures/make-ch04-fixtures.py → numpy-ch04.json): exact where the order of operations is the
 * same as NumPy's, else within a stated tolerance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AND,
  function1,
  function2,
  loadMnistSplits,
  GATE_INPUTS,
  gradientDescent,
  NAND,
  numericalDiff,
  numericalGradientRows,
  OR,
  Random,
  reluGrad,
  shuffleDataset,
  SimpleNet,
  sigmoidGrad,
  smoothCurve,
  softmaxLoss,
  tensor,
  Tensor,
  TwoLayerNetCh04,
  TwoLayerNetCh04Workspace,
  XOR,
} from '../src/node.ts';
import { accuracyInBlocks } from '../src/cli/book/ch04.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const F = JSON.parse(readFileSync(new URL('./fixtures/numpy-ch04.json', import.meta.url), 'utf8'));
/** A float64 tensor of JSON numbers. */
const t64 = (v: unknown): Tensor => tensor(v as number[]);

function exact(got: ArrayLike<number>, want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: ${got[i]} !== ${want[i]}`);
}

/** Within `rel` of NumPy's value (relative to the larger magnitude, with `floor` for values near 0). */
function close(got: ArrayLike<number>, want: number[], rel: number, what: string, floor = 1e-12): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]) / Math.max(Math.abs(got[i]), Math.abs(want[i]), floor);
    assert.ok(d <= rel, `${what}[${i}]: ${got[i]} vs ${want[i]} (relative ${d})`);
  }
}

describe('chapter 2: perceptrons', () => {
  it('the truth tables the book prints ((0, 0) -> 0 …)', () => {
    const table = (g: (a: number, b: number) => number) => GATE_INPUTS.map(([a, b]) => g(a, b));
    assert.deepEqual(table(AND), [0, 0, 0, 1]);
    assert.deepEqual(table(NAND), [1, 1, 1, 0]);
    assert.deepEqual(table(OR), [0, 1, 1, 1]);
    assert.deepEqual(table(XOR), [0, 1, 1, 0]);
  });
});

describe('chapter 4: numerical differentiation and gradient descent (NumPy values)', () => {
  it("numericalDiff(function1, 5) and (…, 10): the book's 0.1999999999990898 and 0.2999999999986347, bit for bit", () => {
    assert.equal(numericalDiff(function1, 5), F.numericalDiff.at5);
    assert.equal(numericalDiff(function1, 10), F.numericalDiff.at10);
    assert.equal(numericalDiff(function1, 5), 0.1999999999990898);
    assert.equal(function1(5) - numericalDiff(function1, 5) * 5, F.tangent5.intercept);
  });

  it("numericalGradientRows (gradient_2d.py's numerical_gradient): the book's points and the whole grid of the figure, bit for bit", () => {
    exact(numericalGradientRows(function2, t64(F.gradientPoints.X)).data, F.gradientPoints.grad.flat(), 'points');
    exact(numericalGradientRows(function2, tensor([3.0, 4.0])).data, [6.00000000000378, 7.999999999999119], '1-D');
    const X = t64(F.gradientGrid.X);
    const before = Array.from(X.data);
    exact(numericalGradientRows(function2, X).data, F.gradientGrid.grad.flat(), 'grid');
    assert.deepEqual(Array.from(X.data), before, 'X is left as it was');
  });

  it('gradientDescent from (−3, 4): the path of gradient_method.py and the end point after 100 steps, bit for bit', () => {
    const init = tensor([-3.0, 4.0]);
    const { x, history } = gradientDescent(function2, init, { lr: 0.1, stepNum: 20 });
    exact(x.data, F.gradientDescent.x20, 'x after 20');
    assert.deepEqual(history.shape, [20, 2]);
    exact(history.data, F.gradientDescent.history20.flat(), 'history');
    assert.deepEqual(init.toArray(), [-3, 4], 'the start is not changed (the book changes it)');
    exact(gradientDescent(function2, [-3.0, 4.0], { lr: 0.1, stepNum: 100 }).x.data, F.gradientDescent.x100, 'x after 100');
  });

  it("SimpleNet (gradient_simplenet.py) with the book's W: predict, loss and dW", () => {
    const net = new SimpleNet({ W: t64(F.simpleNet.W) });
    const x = t64(F.simpleNet.x);
    const t = t64(F.simpleNet.t);
    exact(net.predict(x).data, F.simpleNet.predict, 'predict');
    // softmax and log run as NumPy's in another order (the kernels subtract the max per row): 1e-14.
    close([net.loss(x, t)], [F.simpleNet.loss], 1e-14, 'loss');
    close(net.numericalGradient(x, t).data, F.simpleNet.dW.flat(), 1e-9, 'dW');
    assert.deepEqual(new SimpleNet({ seed: 3 }).W.toArray(), new SimpleNet({ seed: 3 }).W.toArray(), 'seeded');
  });

  it("TwoLayerNetCh04: loss, the book's hand-written gradient, and the numerical gradient (NumPy values)", () => {
    const net = new TwoLayerNetCh04(4, 3, 2, 0.01, { seed: 1 });
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) net.params[k].data.set(t64(F.twoLayerNetCh04.params[k]).data);
    const x = t64(F.twoLayerNetCh04.x);
    const t = t64(F.twoLayerNetCh04.t);
    close(net.predict(x).data, F.twoLayerNetCh04.predict.flat(), 1e-14, 'predict');
    close([net.loss(x, t)], [F.twoLayerNetCh04.loss], 1e-14, 'loss');
    const g = net.gradient(x, t);
    const labels = net.gradient(x, [0, 1, 1, 0, 1]);
    const n = net.numericalGradient(x, t);
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) {
      close(g[k].data, F.twoLayerNetCh04.gradient[k].flat(), 1e-12, `gradient ${k}`);
      close(labels[k].data, F.twoLayerNetCh04.gradient[k].flat(), 1e-12, `gradient ${k} (label indices)`);
      // Central differences against backprop: the difference is the method's, ~h² — and the same in NumPy.
      close(n[k].data, F.twoLayerNetCh04.numericalGradient[k].flat(), 1e-6, `numerical ${k}`, 1e-9);
      close(n[k].data, Array.from(g[k].data), 1e-5, `numerical vs backprop ${k}`, 1e-2); // absolute 1e-7: the method's error, not rounding
    }
    assert.equal(net.accuracy(x, t), net.accuracy(x, [0, 1, 1, 0, 1]));
  });

  it("TwoLayerNetCh04Workspace: the net's predict, loss, accuracy and gradient on real MNIST, bit for bit, in buffers allocated once", () => {
    const { train } = loadMnistSplits();
    const net = new TwoLayerNetCh04(784, 50, 10, 0.01, { seed: 5 });
    const ws = new TwoLayerNetCh04Workspace(net, 100);
    const same = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) => {
      assert.equal(got.length, want.length, `${what}: length`);
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: ${got[i]} !== ${want[i]}`);
    };
    for (const [step, rows] of [[0, 100], [1, 37], [2, 100], [3, 1]]) {
      const [x, t] = train.slice(step * 100, step * 100 + rows).toTensors({ oneHotLabel: true });
      const labels = train.labels.subarray(step * 100, step * 100 + rows);
      same(ws.predict(x).data, net.predict(x).data, `predict (${rows} rows)`);
      assert.ok(Object.is(ws.loss(x, t), net.loss(x, t)), 'loss');
      assert.equal(ws.accuracy(x, labels), net.accuracy(x, t), 'accuracy');
      const want = net.gradient(x, t);
      const got = ws.gradient(x, t);
      for (const k of ['W1', 'b1', 'W2', 'b2'] as const) same(got[k].data, want[k].data, `gradient ${k} (${rows} rows)`);
      // A step of the book's SGD, so the next batch meets other weights.
      for (const k of ['W1', 'b1', 'W2', 'b2'] as const) for (let j = 0; j < want[k].size; j++) net.params[k].data[j] -= 0.5 * want[k].data[j];
    }
    assert.throws(() => ws.predict(train.slice(0, 101).toTensors()[0]), /at most 100 of them/);
  });

  it('train-neuralnet-ch04 counts accuracy over real MNIST in blocks of images: the same number as over the whole set', () => {
    const { train } = loadMnistSplits();
    const split = train.slice(0, 2500);
    const net = new TwoLayerNetCh04(784, 50, 10, 0.01, { seed: 4 });
    // A few steps of the book's SGD, so that the classes predicted are not all one.
    const [x, t] = split.slice(0, 300).toTensors({ oneHotLabel: true });
    for (let i = 0; i < 30; i++) {
      const g = net.gradient(x, t);
      for (const k of ['W1', 'b1', 'W2', 'b2'] as const) for (let j = 0; j < g[k].data.length; j++) net.params[k].data[j] -= 0.5 * g[k].data[j];
    }
    const [xAll, tAll] = split.toTensors({ oneHotLabel: true });
    const whole = net.accuracy(xAll, tAll);
    assert.ok(whole > 0.15 && whole < 1, `accuracy ${whole}`); // chance is ~0.1
    for (const rows of [1000, 7, 2500, 4000]) assert.equal(accuracyInBlocks(net, split, rows), whole, `blocks of ${rows}`);
  });
});

describe("common/: the book's helpers, exported", () => {
  it('sigmoidGrad, reluGrad (1 at 0, as the book), softmaxLoss', () => {
    const x = t64(F.functions.x);
    close(sigmoidGrad(x).data, F.functions.sigmoidGrad, 1e-15, 'sigmoidGrad', 1e-300);
    exact(reluGrad(x).data, F.functions.reluGrad, 'reluGrad');
    close([softmaxLoss(tensor([[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]]), [2, 0])], [F.functions.softmaxLoss], 1e-14, 'softmaxLoss');
  });

  it("smoothCurve equals NumPy's smooth_curve (kaiser window, reflected ends)", () => {
    close(smoothCurve(F.smoothCurve.x), F.smoothCurve.y, 1e-14, 'smoothCurve');
  });

  it('shuffleDataset: one permutation for x and t (pairs stay together), seeded, inputs untouched', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (n, d, seed) => {
        const x = new Tensor(Float64Array.from({ length: n * d }, (_, i) => i), [n, d]);
        const t = tensor(Array.from({ length: n }, (_, i) => i), { dtype: 'int32' });
        const a = shuffleDataset(x, t, new Random(seed));
        const b = shuffleDataset(x, t, new Random(seed));
        const rows = Array.from(a.t.data);
        const isPermutation = [...rows].sort((p, q) => p - q).every((v, i) => v === i);
        const together = rows.every((r, i) => a.x.data[i * d] === r * d);
        return isPermutation && together && a.t.dtype === 'int32' && Array.from(b.t.data).join() === rows.join() && x.data[0] === 0 && t.data[n - 1] === n - 1;
      }),
    );
    assert.throws(() => shuffleDataset(tensor([[1, 2]]), tensor([1, 2]), new Random(1)), /shuffleDataset: x of shape \(1, 2\) and t of shape \(2\) do not have the same number of rows/);
  });
});
