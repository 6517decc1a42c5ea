import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BatchNormalization, Dropout, Random, initWeights, softmax, tensor, weightInitScale, type Tensor } from '../src/index.ts';
import type { LayerNet } from '../src/nets/layer-net.ts';
import { bufferTensor } from '../src/internal/buffers.ts';
import { loadMnistSplits } from '../src/node.ts';
import { MultiLayerNet, MULTI_LAYER_NET } from '../src/nets/multi-layer-net.ts';
import { MultiLayerNetExtend, MULTI_LAYER_NET_EXTEND } from '../src/nets/multi-layer-net-extend.ts';
import { numericalGradient, parseModel } from '../src/index.ts';
import { expectGradientsClose, meanAbsDiff, relativeError } from './helpers/gradcheck.ts';

interface Encoded {
  shape: number[];
  data: number[];
}
interface NetCase {
  activation: 'relu' | 'sigmoid';
  weightDecayLambda: number;
  useBatchnorm: boolean;
  params: Record<string, Encoded>;
  scores: Encoded;
  loss: number;
  grads: Record<string, Encoded>;
  scoresTestAfter: Encoded;
}
interface NetsFixture {
  sizes: [number, number[], number];
  x: Encoded;
  labels: number[];
  cases: NetCase[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-ch06.json', import.meta.url), 'utf8')) as { nets: NetsFixture };

const decode = (e: Encoded): Tensor => tensor(e.data, { shape: e.shape });

function expectClose(actual: Tensor, expected: Encoded, name: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${name}: shape`);
  const err = relativeError(actual.data, expected.data);
  assert.ok(err < 1e-12, `${name}: relative error ${err.toExponential(2)} vs NumPy`);
}

/**
 * The loss backprop differentiates: cross-entropy `−Σ log y_t / N` of the training-mode scores plus
 * `0.5·λ·ΣW²`. The network's `loss` is the book's, `log(y + 1e-7)`: its gradient differs from backprop's
 * `(y − t)/N` by a relative ~1e-7/y, as large as the tolerance, so the oracle differentiates this instead
 * (and the NumPy fixtures pin `loss` itself).
 */
function exactLoss(net: LayerNet, x: Tensor, t: readonly number[]): number {
  const y = softmax(net.predict(x, true));
  const classes = y.shape[1];
  let ce = 0;
  for (let i = 0; i < t.length; i++) ce -= Math.log(y.data[i * classes + t[i]]);
  let decay = 0;
  for (const key of Object.keys(net.params)) {
    if (!key.startsWith('W')) continue;
    for (const w of net.params[key].data) decay += 0.5 * net.weightDecayLambda * w * w;
  }
  return ce / t.length + decay;
}

/**
 * Backprop against numerical gradients of `exactLoss`, every parameter. Biases feeding a BatchNorm
 * (`b1…b{L−1}` with `useBatchnorm`) have gradient 0 — normalization subtracts any shift — so for them
 * relative error is meaningless: both gradients must vanish to rounding instead.
 */
function checkNetGradients(net: LayerNet, x: Tensor, t: number[], biasesBeforeBatchNorm: readonly string[] = []): void {
  const grads = net.gradient(x, t);
  const wrt: [string, Tensor, Tensor][] = [];
  for (const key of Object.keys(net.params)) {
    if (!biasesBeforeBatchNorm.includes(key)) {
      wrt.push([key, net.params[key], grads[key].copy()]);
      continue;
    }
    const numeric = numericalGradient(() => exactLoss(net, x, t), net.params[key]);
    for (const g of [grads[key], numeric]) for (const v of g.data) assert.ok(Math.abs(v) < 1e-9, `${key}: gradient ${v} should vanish`);
  }
  expectGradientsClose(() => exactLoss(net, x, t), wrt);
}

describe('weight initialization (the book’s __init_weight)', () => {
  it('takes a number, or He’s √(2/n) for relu/he and Xavier’s √(1/n) for sigmoid/xavier, any case', () => {
    assert.equal(weightInitScale(0.01, 784), 0.01);
    for (const name of ['relu', 'he', 'ReLU', 'HE']) assert.equal(weightInitScale(name, 784), Math.sqrt(2.0 / 784));
    for (const name of ['sigmoid', 'xavier', 'Sigmoid', 'XAVIER']) assert.equal(weightInitScale(name, 50), Math.sqrt(1.0 / 50));
    assert.throws(() => weightInitScale('tanh', 10), /one of 'relu', 'he', 'sigmoid', 'xavier'.*'tanh'/);
    assert.throws(() => weightInitScale(-1, 10), /finite number >= 0/);
    assert.throws(() => weightInitScale(NaN, 10), /finite number >= 0/);
  });

  it('draws W1, W2, … in order from the generator, scaled by the previous layer’s size; biases zero', () => {
    const p = initWeights([6, 5, 4], 'he', new Random(3));
    assert.deepEqual(Object.keys(p), ['W1', 'b1', 'W2', 'b2']);
    const rng = new Random(3);
    const w1 = Array.from({ length: 30 }, () => Math.sqrt(2 / 6) * rng.normal());
    const w2 = Array.from({ length: 20 }, () => Math.sqrt(2 / 5) * rng.normal());
    assert.deepEqual(Array.from(p.W1.data), w1);
    assert.deepEqual(Array.from(p.W2.data), w2);
    assert.deepEqual([...p.W2.shape], [5, 4]);
    assert.deepEqual(Array.from(p.b1.data), [0, 0, 0, 0, 0]);
    const big = initWeights([784, 100], 'xavier', new Random(1), 'float32').W1;
    assert.ok(big.data instanceof Float32Array);
    const std = Math.sqrt(big.data.reduce((s, v) => s + v * v, 0) / big.size);
    assert.ok(Math.abs(std - Math.sqrt(1 / 784)) < 0.001, `std ${std}`);
  });
});

describe('MultiLayerNet', () => {
  it('has the book’s layers and parameters by name', () => {
    const net = new MultiLayerNet({ inputSize: 8, hiddenSizeList: [6, 5, 4], outputSize: 3, activation: 'sigmoid', seed: 1 });
    assert.deepEqual([...net.layers.keys()], ['Affine1', 'Activation_function1', 'Affine2', 'Activation_function2', 'Affine3', 'Activation_function3', 'Affine4']);
    assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4']);
    assert.deepEqual([...net.params.W3.shape], [5, 4]);
    assert.deepEqual(net.state, {});
    assert.equal(net.hiddenLayerNum, 3);
    assert.deepEqual(net.config, { inputSize: 8, hiddenSizeList: [6, 5, 4], outputSize: 3, activation: 'sigmoid', weightInitStd: 'relu', weightDecayLambda: 0 });
    assert.throws(() => new MultiLayerNet({ inputSize: 8, hiddenSizeList: [6], outputSize: 3, activation: 'tanh' as 'relu' }), /activation must be 'relu' or 'sigmoid'/);
    assert.throws(() => new MultiLayerNet({ inputSize: 8, hiddenSizeList: [6, 0], outputSize: 3 }), /hiddenSizeList\[1\]/);
    assert.throws(() => new MultiLayerNet({ inputSize: 8, hiddenSizeList: [6], outputSize: 3, weightDecayLambda: -1 }), /weightDecayLambda/);
  });

  it('same seed, same weights (He’s by default)', () => {
    const a = new MultiLayerNet({ inputSize: 20, hiddenSizeList: [10], outputSize: 3, seed: 5 });
    const b = new MultiLayerNet({ inputSize: 20, hiddenSizeList: [10], outputSize: 3, seed: 5 });
    assert.equal(a.seed, 5);
    assert.deepEqual(Array.from(a.params.W2.data), Array.from(b.params.W2.data));
    const expected = initWeights([20, 10, 3], 'relu', new Random(5));
    assert.deepEqual(Array.from(a.params.W1.data), Array.from(expected.W1.data));
  });

  for (const c of fixture.nets.cases.filter((k) => !k.useBatchnorm)) {
    it(`reproduces NumPy (the book’s MultiLayerNet): ${c.activation}, λ = ${c.weightDecayLambda}`, () => {
      const [inputSize, hiddenSizeList, outputSize] = fixture.nets.sizes;
      const net = new MultiLayerNet({ inputSize, hiddenSizeList, outputSize, activation: c.activation, weightDecayLambda: c.weightDecayLambda, seed: 0 });
      net.setParams(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, decode(v)])));
      const x = decode(fixture.nets.x);
      expectClose(net.predict(x), c.scores, 'scores');
      assert.ok(Math.abs(net.loss(x, fixture.nets.labels) - c.loss) < 1e-12 * Math.abs(c.loss), 'loss');
      const grads = net.gradient(x, fixture.nets.labels);
      assert.deepEqual(Object.keys(grads), Object.keys(c.grads));
      for (const key of Object.keys(c.grads)) expectClose(grads[key], c.grads[key], key);
    });
  }

  it('backprop matches numerical gradients with weight decay, relu and sigmoid (float64)', () => {
    const rng = new Random(61);
    for (const activation of ['relu', 'sigmoid'] as const) {
      const net = new MultiLayerNet({ inputSize: 7, hiddenSizeList: [6, 5], outputSize: 4, activation, weightInitStd: 0.5, weightDecayLambda: 0.1, seed: 2 });
      for (const p of Object.values(net.params)) if (p.ndim === 1) rng.fillNormal(p.data, 0, 0.1);
      const x = bufferTensor([3, 7], 'float64');
      rng.fillNormal(x.data);
      checkNetGradients(net, x, [1, 3, 0]);
    }
  });
});

describe('MultiLayerNetExtend', () => {
  it('has the book’s layers, parameters and state by name; dropoutRation or dropoutRatio', () => {
    const net = new MultiLayerNetExtend({ inputSize: 8, hiddenSizeList: [6, 5], outputSize: 3, useBatchnorm: true, useDropout: true, dropoutRation: 0.2, seed: 1 });
    assert.deepEqual(
      [...net.layers.keys()],
      ['Affine1', 'BatchNorm1', 'Activation_function1', 'Dropout1', 'Affine2', 'BatchNorm2', 'Activation_function2', 'Dropout2', 'Affine3'],
    );
    assert.deepEqual(Object.keys(net.params), ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
    assert.deepEqual(Array.from(net.params.gamma2.data), [1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(net.params.beta1.data), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Object.keys(net.state), ['runningMean1', 'runningVar1', 'runningMean2', 'runningVar2']);
    const bn1 = net.layers.get('BatchNorm1') as BatchNormalization;
    assert.equal(net.state.runningMean1, bn1.runningMean);
    assert.equal((net.layers.get('Dropout2') as Dropout).dropoutRatio, 0.2);
    assert.equal(net.config.dropoutRation, 0.2);
    const alias = new MultiLayerNetExtend({ inputSize: 8, hiddenSizeList: [6], outputSize: 3, useDropout: true, dropoutRatio: 0.3, seed: 1 });
    assert.equal((alias.layers.get('Dropout1') as Dropout).dropoutRatio, 0.3);
    assert.throws(() => new MultiLayerNetExtend({ inputSize: 8, hiddenSizeList: [6], outputSize: 3, dropoutRation: 0.2, dropoutRatio: 0.3 }), /disagree/);
    const plain = new MultiLayerNetExtend({ inputSize: 8, hiddenSizeList: [6], outputSize: 3, seed: 1 });
    assert.deepEqual([...plain.layers.keys()], ['Affine1', 'Activation_function1', 'Affine2']);
  });

  it('reproduces NumPy (the book’s MultiLayerNetExtend) with BatchNorm and weight decay: train-mode loss and gradients, then test mode', () => {
    const c = fixture.nets.cases.find((k) => k.useBatchnorm)!;
    const [inputSize, hiddenSizeList, outputSize] = fixture.nets.sizes;
    const net = new MultiLayerNetExtend({ inputSize, hiddenSizeList, outputSize, activation: c.activation, weightDecayLambda: c.weightDecayLambda, useBatchnorm: true, seed: 0 });
    net.setParams(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, decode(v)])));
    const x = decode(fixture.nets.x);
    // gradient() runs one training forward (moving the running statistics once), as the book's.
    const grads = net.gradient(x, fixture.nets.labels);
    assert.deepEqual(Object.keys(grads).sort(), Object.keys(c.grads).sort());
    for (const key of Object.keys(c.grads)) {
      // b1, b2 feed BatchNorm: their gradients are 0 up to rounding, in NumPy as here.
      if (key === 'b1' || key === 'b2') {
        for (const v of [...grads[key].data, ...c.grads[key].data]) assert.ok(Math.abs(v) < 1e-15, `${key}: ${v}`);
      } else {
        expectClose(grads[key], c.grads[key], key);
      }
    }
    expectClose(net.predict(x, false), c.scoresTestAfter, 'test-mode scores after one training pass');
    expectClose(net.predict(x, true), c.scores, 'training-mode scores');
    assert.ok(Math.abs(net.loss(x, fixture.nets.labels, true) - c.loss) < 1e-12 * Math.abs(c.loss), 'loss');
  });

  it('backprop matches numerical gradients: BatchNorm + weight decay, relu and sigmoid (float64)', () => {
    const rng = new Random(62);
    for (const activation of ['relu', 'sigmoid'] as const) {
      const net = new MultiLayerNetExtend({ inputSize: 7, hiddenSizeList: [6, 5], outputSize: 4, activation, weightInitStd: 'he', weightDecayLambda: 0.05, useBatchnorm: true, seed: 3 });
      for (const key of Object.keys(net.params)) if (key.startsWith('gamma') || key.startsWith('beta')) rng.fillNormal(net.params[key].data, key.startsWith('gamma') ? 1 : 0, 0.2);
      const x = bufferTensor([5, 7], 'float64');
      rng.fillNormal(x.data);
      checkNetGradients(net, x, [1, 3, 0, 2, 1], ['b1', 'b2']);
    }
  });

  it('Dropout: masks from the network’s seed (a run repeats), test mode scales by 1 − ratio', () => {
    const make = () => new MultiLayerNetExtend({ inputSize: 6, hiddenSizeList: [20, 20], outputSize: 3, useDropout: true, dropoutRation: 0.5, seed: 8 });
    const x = bufferTensor([4, 6], 'float64');
    new Random(1).fillNormal(x.data);
    const t = [0, 1, 2, 0];
    const run = (net: MultiLayerNetExtend) => [1, 2, 3].map(() => Object.values(net.gradient(x, t)).map((g) => Array.from(g.data)));
    const a = run(make());
    assert.deepEqual(a, run(make()));
    assert.notDeepEqual(a[0], a[1], 'each training step draws new masks');
    // predict(x) (test mode) is deterministic and differs from a training forward.
    const net = make();
    const test1 = Array.from(net.predict(x).data);
    assert.deepEqual(Array.from(net.predict(x, false).data), test1);
    assert.notDeepEqual(Array.from(net.predict(x, true).data), test1);
    assert.ok(net.accuracy(x, t) >= 0);
  });

  it('registers as network kinds whose shapes match the nets they build', () => {
    const config = { inputSize: 8, hiddenSizeList: [6, 5], outputSize: 3, activation: 'relu', weightInitStd: 'he', weightDecayLambda: 0.1, useDropout: false, dropoutRation: 0.5, useBatchnorm: true };
    const shapes = MULTI_LAYER_NET_EXTEND.describe(config);
    const net = MULTI_LAYER_NET_EXTEND.create(config, { dtype: 'float64', seed: 4 });
    assert.deepEqual(Object.keys(shapes.params), Object.keys(net.params));
    for (const [k, s] of Object.entries(shapes.params)) assert.deepEqual([...net.params[k].shape], s, k);
    for (const [k, s] of Object.entries(shapes.state)) assert.deepEqual([...net.state[k].shape], s, k);
    assert.deepEqual(net.config, config);
    const plain = MULTI_LAYER_NET.create({ inputSize: 4, hiddenSizeList: [3], outputSize: 2 }, { dtype: 'float32', seed: 1 });
    assert.equal(plain.dtype, 'float32');
    assert.ok(plain.params.W1.data instanceof Float32Array);
    assert.throws(() => MULTI_LAYER_NET.describe({ ...config }), /belong to MultiLayerNetExtend/);
    assert.throws(() => MULTI_LAYER_NET_EXTEND.describe({ ...config, hiddenSizeList: 'x' }), /hiddenSizeList must be an array/);
    // A model file round trip keeps parameters and BatchNorm's running statistics.
    const x = bufferTensor([4, 8], 'float64');
    new Random(2).fillNormal(x.data);
    net.gradient(x, [0, 1, 2, 0]);
    const back = parseModel(JSON.stringify(net));
    assert.equal(back.kind, 'MultiLayerNetExtend');
    assert.deepEqual(back.config, config);
    assert.deepEqual(Array.from(back.state.runningVar2.data), Array.from(net.state.runningVar2.data));
    assert.deepEqual(Array.from(back.predict(x).data), Array.from(net.predict(x).data));
  });

  it('the book’s batch_norm_gradient_check.py on real MNIST: 784-[100, 100]-10 with BatchNorm and weight decay, mean |diff| < 1e-6 per parameter', () => {
    // Two images (with one, as the book, BatchNorm's batch statistics make every output equal beta and
    // most gradients exactly 0) and λ = 0.1, so every gradient is non-trivial. A full check is 180 000
    // losses, a minute or two on a shared machine: every entry of the vectors and W3 is checked, every
    // 3rd of W2 and every 29th of W1 (strides prime to the row lengths, so every row and column is hit).
    const { train } = loadMnistSplits();
    const n = 2;
    const split = train.slice(0, n);
    const x = bufferTensor([n, split.pixels], 'float64');
    split.copyImages(0, n, x.data);
    const t = [...split.labels];
    const net = new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true, weightDecayLambda: 0.1, seed: 1 });
    const backprop = net.gradient(x, t);
    const lossW = () => net.loss(x, t, true);
    const h = 1e-4;
    for (const key of Object.keys(net.params)) {
      const p = net.params[key].data;
      const g = backprop[key].data;
      const stride = key === 'W1' ? 29 : key === 'W2' ? 3 : 1;
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < p.length; i += stride) {
        const tmp = p[i];
        p[i] = tmp + h;
        const fxh1 = lossW();
        p[i] = tmp - h;
        const fxh2 = lossW();
        p[i] = tmp;
        a.push(g[i]);
        b.push((fxh1 - fxh2) / (2 * h));
      }
      const diff = meanAbsDiff(a, b);
      assert.ok(diff < 1e-6, `${key}: mean |diff| ${diff.toExponential(2)}`);
    }
  });
});
