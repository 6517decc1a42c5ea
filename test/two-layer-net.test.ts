import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PARAM_KEYS,
  SGD,
  Tensor,
  TwoLayerNet,
  loadMnistSplits,
  softmax,
  tensor,
  zeros,
} from '../src/node.ts';
import { decode, loadNumpyFixture } from './helpers/data.ts';
import { expectGradientsClose, meanAbsDiff } from './helpers/gradcheck.ts';

const { train } = loadMnistSplits();

function firstImages(n: number): [Tensor, number[]] {
  const x = zeros([n, 784]);
  train.copyImages(0, n, x.data);
  return [x, [...train.labels.subarray(0, n)]];
}

describe('TwoLayerNet', () => {
  it("has the book's params, ordered layers and lastLayer", () => {
    const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
    assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'W2', 'b2']);
    assert.deepEqual(net.params.W1.shape, [784, 50]);
    assert.deepEqual(net.params.b2.shape, [10]);
    assert.deepEqual([...net.layers.keys()], ['Affine1', 'Relu1', 'Affine2']);
    assert.ok(net.params.b1.data.every((v) => v === 0));
    const w = net.params.W1.data;
    const std = Math.sqrt([...w].reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std - 0.01) < 0.0005, `W1 std ${std}`);
  });

  it('same seed, same weights; float32 on request', () => {
    const a = new TwoLayerNet(20, 5, 3, 0.01, { seed: 9 });
    const b = new TwoLayerNet(20, 5, 3, 0.01, { seed: 9 });
    assert.deepEqual([...a.params.W2.data], [...b.params.W2.data]);
    const f = new TwoLayerNet(20, 5, 3, 0.01, { seed: 9, dtype: 'float32' });
    assert.ok(f.params.W1.data instanceof Float32Array);
    assert.ok(new TwoLayerNet(2, 2, 2).seed !== undefined, 'a seed is chosen and kept when none is given');
  });

  it('backprop matches numerical gradients on the first 3 real MNIST images (mean |diff| < 1e-6)', () => {
    // The book's gradient_check.py: NumPy gives 4.6e-10, 2.8e-9, 6.1e-9 and 1.4e-7 (W1, b1, W2, b2).
    const [x, t] = firstImages(3);
    const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
    const gradNumerical = net.numericalGradient(x, t);
    const gradBackprop = net.gradient(x, t);
    for (const key of PARAM_KEYS) {
      const diff = meanAbsDiff(gradBackprop[key].data, gradNumerical[key].data);
      assert.ok(diff < 1e-6, `${key}: mean |diff| ${diff.toExponential(2)}`);
    }
  });

  it('gradient matches the shared gradient-check helper on a small net with one-hot targets', () => {
    const net = new TwoLayerNet(6, 4, 3, 0.5, { seed: 3 });
    const x = tensor([[0.5, -1, 2, 0.1, 0.3, -0.7], [1, 1, -1, 0.2, -0.4, 0.9]]);
    const t = tensor([[0, 1, 0], [0, 0, 1]]);
    const grads = net.gradient(x, t);
    const copies = PARAM_KEYS.map((k) => [k, net.params[k], grads[k].copy()] as const);
    expectGradientsClose(() => net.loss(x, t), copies, 1e-6);
  });

  it('reproduces the NumPy transcription of the book: loss, gradients, accuracy', () => {
    const fx = loadNumpyFixture();
    const net = new TwoLayerNet(...fx.sizes, 0.01, { seed: 0 });
    net.setParams({ W1: decode(fx.params.W1), b1: decode(fx.params.b1), W2: decode(fx.params.W2), b2: decode(fx.params.b2) });
    const x = decode(fx.x);
    assert.ok(Math.abs(net.loss(x, fx.labels) - fx.loss) < 1e-12);
    assert.equal(net.accuracy(x, fx.labels), fx.accuracy);
    const grads = net.gradient(x, fx.labels);
    for (const key of PARAM_KEYS) {
      const g = fx.grads[key].data;
      grads[key].data.forEach((v, i) => assert.ok(Math.abs(v - g[i]) <= 1e-12 * (1 + Math.abs(g[i])), `${key}[${i}]`));
    }
  });

  it('accuracy takes labels or one-hot rows', () => {
    const net = new TwoLayerNet(2, 3, 2, 0.01, { seed: 1 });
    net.setParams({ W1: tensor([[1, 0, 0], [0, 1, 0]]), W2: tensor([[1, 0], [0, 1], [0, 0]]) });
    const x = tensor([[2, 1], [1, 2], [3, 0], [0, 3]]);
    assert.equal(net.accuracy(x, [0, 1, 0, 0]), 0.75);
    assert.equal(net.accuracy(x, tensor([[1, 0], [0, 1], [1, 0], [1, 0]])), 0.75);
    assert.throws(() => net.accuracy(x, [0, 1, 2, 0]), /accuracy: label 2 at index 2 is out of range for 2 classes/);
  });

  it("an SGD step written as in the book reaches the layers, and the true class's probability rises", () => {
    const [x, t] = firstImages(10);
    const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 2 });
    const probTrue = () => {
      const y = softmax(net.predict(x));
      return t.reduce((s, label, i) => s + y.get(i, label), 0) / t.length;
    };
    const before = probTrue();
    const lossBefore = net.loss(x, t);
    const grads = net.gradient(x, t);
    // params[key] -= lr * grads[key]
    for (const key of PARAM_KEYS) net.params[key].isub(grads[key].mul(0.1));
    assert.ok(probTrue() > before, 'true-class probability rises after one step');
    assert.ok(net.loss(x, t) < lossBefore);
    new SGD(0.1).update(net.params, net.gradient(x, t));
    assert.ok(net.loss(x, t) < lossBefore);
  });

  it('params are frozen, so replacing a tensor (which would disconnect the layers) throws', () => {
    const net = new TwoLayerNet(4, 3, 2, 0.01, { seed: 1 });
    assert.throws(() => {
      (net.params as Record<string, Tensor>).W1 = zeros([4, 3]);
    }, TypeError);
  });

  it('a network built on another’s params shares its weights but not its buffers', () => {
    const net = new TwoLayerNet(6, 4, 3, 0.5, { seed: 3 });
    const twin = new TwoLayerNet(6, 4, 3, 0, { params: net.params });
    assert.equal(twin.params, net.params);
    const x = tensor([[0.5, -1, 2, 0.1, 0.3, -0.7]]);
    const y = net.predict(x).copy();
    assert.deepEqual([...twin.predict(tensor([[0.5, -1, 2, 0.1, 0.3, -0.7], [1, 1, 1, 1, 1, 1]])).data.subarray(0, 3)], [...y.data]);
    new SGD(0.5).update(net.params, net.gradient(x, [1]));
    assert.deepEqual([...twin.predict(x).data], [...net.predict(x).data], 'an update of one is seen by the other');
    assert.notEqual(twin.predict(x), net.predict(x), 'each has its own output buffer');
    assert.throws(() => new TwoLayerNet(6, 5, 3, 0, { params: net.params }), /TwoLayerNet: shared W1 of shape \(6,4\) float64 does not fit \(6,5\) float64/);
  });

  it('rejects bad sizes and mismatched input', () => {
    assert.throws(() => new TwoLayerNet(784, 0, 10), /TwoLayerNet: hiddenSize must be a positive integer, got 0/);
    assert.throws(() => new TwoLayerNet(784, 50, 10, -1), /weightInitStd must be a finite number >= 0, got -1/);
    const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
    assert.throws(() => net.predict(zeros([2, 783])), /Affine.forward: input of shape \(2,783\) does not fit W of shape \(784,50\)/);
    assert.throws(() => net.setParams({ W2: zeros([10, 50]) }), /setParams: W2 of shape \(10,50\) does not match \(50,10\)/);
    assert.throws(() => new SGD(0), /SGD: lr must be a finite number > 0, got 0/);
  });
});

describe('TwoLayerNet allocation', () => {
  it('names the network and the shape when its weights cannot be allocated (issue 9, defect 8)', () => {
    assert.throws(() => new TwoLayerNet(1e6, 1e6, 10), /^Error: TwoLayerNet\(1000000, 1000000, 10\): cannot allocate a float64 tensor of shape \(1000000,1000000\): 8 TB/);
  });
});
