import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AddLayer,
  Affine,
  MulLayer,
  Random,
  Relu,
  Sigmoid,
  SoftmaxWithLoss,
  mul,
  ones,
  softmax,
  sub,
  sum,
  tensor,
  zeros,
  type Layer,
  type Tensor,
} from '../src/index.ts';
import { expectGradientsClose } from './helpers/gradcheck.ts';
import { decode, loadNumpyFixture, randomAwayFromZero, randomShape } from './helpers/data.ts';

/** Checks dx (and dW, db for Affine) of `layer` at `x` against numerical gradients of sum(out * dout). */
function checkLayer(layer: Layer, x: Tensor, rng: Random): void {
  const out = layer.forward(x);
  const dout = randomAwayFromZero(rng, [...out.shape], 0);
  const doutBefore = [...dout.data];
  const dx = layer.backward(dout).copy();
  assert.deepEqual([...dout.data], doutBefore, 'backward must not mutate dout');
  const f = () => sum(mul(layer.forward(x), dout));
  const wrt: [string, Tensor, Tensor][] = [['dx', x, dx]];
  if (layer instanceof Affine) wrt.push(['dW', layer.W, layer.dW!.copy()], ['db', layer.b, layer.db!.copy()]);
  expectGradientsClose(f, wrt);
}

describe('MulLayer and AddLayer', () => {
  it('swap and pass gradients, on numbers', () => {
    const m = new MulLayer();
    assert.equal(m.forward(100, 2), 200);
    assert.deepEqual(m.backward(1.1), [2.2, 110.00000000000001]);
    const a = new AddLayer();
    assert.equal(a.forward(200, 450), 650);
    assert.deepEqual(a.backward(1.1), [1.1, 1.1]);
  });

  it('work on tensors and match numerical gradients', () => {
    const rng = new Random(11);
    for (let trial = 0; trial < 5; trial++) {
      const shape = randomShape(rng, 1 + rng.int(3));
      const x = randomAwayFromZero(rng, shape);
      const y = randomAwayFromZero(rng, shape);
      const dout = randomAwayFromZero(rng, shape);
      const m = new MulLayer<Tensor>();
      m.forward(x, y);
      const [dx, dy] = m.backward(dout);
      expectGradientsClose(() => sum(mul(m.forward(x, y), dout)), [['dx', x, dx], ['dy', y, dy]]);
      const a = new AddLayer<Tensor>();
      a.forward(x, y);
      const [ax, ay] = a.backward(dout);
      expectGradientsClose(() => sum(mul(a.forward(x, y), dout)), [['dx', x, ax], ['dy', y, ay]]);
    }
  });

  it('MulLayer.backward before forward is an error', () => {
    assert.throws(() => new MulLayer().backward(1), /MulLayer.backward: call forward first/);
  });
});

describe('Relu', () => {
  it("gives the book's worked example and leaves dout alone", () => {
    const relu = new Relu();
    const x = tensor([[1.0, -0.5], [0.0, 3.0]]);
    assert.deepEqual(relu.forward(x).toArray(), [[1, 0], [0, 3]]);
    assert.deepEqual(relu.mask!.toArray(), [[false, true], [true, false]]);
    const dout = ones([2, 2]);
    assert.deepEqual(relu.backward(dout).toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(dout.toArray(), [[1, 1], [1, 1]], 'the book mutates dout here; we must not');
  });

  it('matches numerical gradients on random shapes (away from the kink)', () => {
    const rng = new Random(1);
    for (let trial = 0; trial < 8; trial++) checkLayer(new Relu(), randomAwayFromZero(rng, randomShape(rng, 1 + rng.int(4))), rng);
  });

  it('{ inPlace: true } writes over x and returns it, with the same values, mask and dx (-0, NaN included)', () => {
    const rng = new Random(7);
    for (const dtype of ['float64', 'float32'] as const) {
      for (let trial = 0; trial < 6; trial++) {
        const shape = randomShape(rng, 1 + rng.int(4));
        const x = randomAwayFromZero(rng, shape).astype(dtype);
        x.data[0] = -0;
        if (x.size > 2) x.data[1] = NaN;
        if (x.size > 3) x.data[2] = 0;
        const plain = new Relu();
        const expected = plain.forward(x).copy();
        const inPlace = new Relu({ inPlace: true });
        const over = x.copy();
        const out = inPlace.forward(over);
        assert.equal(out, over, 'the output is x itself');
        assert.deepEqual([...out.data].map(String), [...expected.data].map(String));
        assert.deepEqual(inPlace.mask!.toArray(), plain.mask!.toArray());
        const dout = randomAwayFromZero(rng, shape).astype(dtype);
        assert.deepEqual([...inPlace.backward(dout).data], [...plain.backward(dout).data]);
      }
    }
  });

  it('rejects a dout of the wrong shape', () => {
    const relu = new Relu();
    relu.forward(zeros([2, 3]));
    assert.throws(() => relu.backward(zeros([3, 2])), /Relu.backward: dout of shape \(3,2\) does not match the forward input \(2,3\)/);
  });
});

describe('Sigmoid', () => {
  it('backward equals dout * (1 - y) * y', () => {
    const s = new Sigmoid();
    const y = s.forward(tensor([[-2, 0, 3]])).copy();
    const dout = tensor([[0.5, -1, 2]]);
    const dx = s.backward(dout);
    const expected = mul(mul(dout, sub(1, y)), y);
    assert.deepEqual([...dx.data], [...expected.data]);
  });

  it('matches numerical gradients on random shapes', () => {
    const rng = new Random(2);
    for (let trial = 0; trial < 8; trial++) checkLayer(new Sigmoid(), randomAwayFromZero(rng, randomShape(rng, 1 + rng.int(4))), rng);
  });
});

describe('Affine', () => {
  it('db is the column sum of dout; dW = xᵀ·dout; dx = dout·Wᵀ', () => {
    const W = tensor([[1, 2], [3, 4], [5, 6]]);
    const b = tensor([0.5, -0.5]);
    const layer = new Affine(W, b);
    const x = tensor([[1, 0, 2], [0, 1, 1]]);
    assert.deepEqual(layer.forward(x).toArray(), [[11.5, 13.5], [8.5, 9.5]]);
    const dout = tensor([[1, 2], [3, 4]]);
    const dx = layer.backward(dout);
    assert.deepEqual(layer.db!.toArray(), [4, 6]);
    assert.deepEqual(layer.dW!.toArray(), [[1, 2], [3, 4], [5, 8]]);
    assert.deepEqual(dx.toArray(), [[5, 11, 17], [11, 25, 39]]);
  });

  it('flattens N-D input and gives dx back in the original shape', () => {
    const rng = new Random(3);
    const W = randomAwayFromZero(rng, [12, 4]);
    const layer = new Affine(W, randomAwayFromZero(rng, [4]));
    const x = randomAwayFromZero(rng, [2, 1, 3, 4]);
    assert.deepEqual(layer.forward(x).shape, [2, 4]);
    assert.deepEqual(layer.backward(ones([2, 4])).shape, [2, 1, 3, 4]);
  });

  it('matches numerical gradients for dx, dW and db on random shapes, 2-D and 4-D input', () => {
    const rng = new Random(4);
    for (let trial = 0; trial < 8; trial++) {
      const n = 1 + rng.int(4);
      const featShape = trial % 2 === 0 ? [1 + rng.int(6)] : randomShape(rng, 3, 3);
      const inSize = featShape.reduce((a, b) => a * b, 1);
      const outSize = 1 + rng.int(5);
      const layer = new Affine(randomAwayFromZero(rng, [inSize, outSize]), randomAwayFromZero(rng, [outSize]));
      checkLayer(layer, randomAwayFromZero(rng, [n, ...featShape]), rng);
    }
  });

  it('in-place updates of W reach the layer (it holds the same tensor)', () => {
    const W = tensor([[1], [1]]);
    const layer = new Affine(W, tensor([0]));
    const x = tensor([[1, 2]]);
    assert.equal(layer.forward(x).item(), 3);
    W.isub(tensor([[1], [0]]));
    assert.equal(layer.forward(x).item(), 2);
  });

  it('names both shapes when input and W disagree', () => {
    const layer = new Affine(zeros([3, 2]), zeros([2]));
    assert.throws(() => layer.forward(zeros([4, 5])), { message: 'Affine.forward: input of shape (4,5) does not fit W of shape (3,2): 5 features != 3' });
    assert.throws(() => new Affine(zeros([3, 2]), zeros([3])), /Affine: b of shape \(3,\) does not match W of shape \(3,2\) \(expected \(2,\)\)/);
    layer.forward(zeros([4, 3]));
    assert.throws(() => layer.backward(zeros([4, 3])), /Affine.backward: dout of shape \(4,3\) does not match the output shape \(4,2\)/);
  });
});

describe('SoftmaxWithLoss', () => {
  it('backward equals (y - t) / batchSize for one-hot targets and for labels', () => {
    const x = tensor([[0.3, 2.9, 4.0], [1, 1, 1]]);
    const t = tensor([[0, 0, 1], [1, 0, 0]]);
    const layer = new SoftmaxWithLoss();
    layer.forward(x, t);
    const expected = sub(softmax(x), t).div(2);
    assert.deepEqual([...layer.backward().data], [...expected.data]);
    const byLabel = new SoftmaxWithLoss();
    const lossLabel = byLabel.forward(x, [2, 0]);
    assert.equal(lossLabel, layer.loss);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(byLabel.backward().data[i] - expected.data[i]) < 1e-16);
  });

  it('matches numerical gradients (one-hot and labels), scaled by dout', () => {
    const rng = new Random(5);
    for (let trial = 0; trial < 8; trial++) {
      const n = 1 + rng.int(5);
      const c = 2 + rng.int(6);
      const x = randomAwayFromZero(rng, [n, c]);
      const labels = Array.from({ length: n }, () => rng.int(c));
      const oneHot = zeros([n, c]);
      labels.forEach((l, i) => oneHot.set(1, i, l));
      const t = trial % 2 === 0 ? labels : oneHot;
      const layer = new SoftmaxWithLoss();
      layer.forward(x, t);
      const dout = 0.5 + rng.random();
      const dx = layer.backward(dout).copy();
      // (y - t) / N is the exact gradient of the cross-entropy *without* the book's `+ 1e-7` inside the
      // log; differentiating the forward (with it) would be off by ~1e-7 / y_t. So the oracle here is an
      // independent log-sum-exp cross-entropy; the forward loss itself is checked against NumPy below.
      const exactLoss = () => {
        let s = 0;
        for (let r = 0; r < n; r++) {
          let m = -Infinity;
          for (let j = 0; j < c; j++) m = Math.max(m, x.get(r, j));
          let z = 0;
          for (let j = 0; j < c; j++) z += Math.exp(x.get(r, j) - m);
          s += m + Math.log(z) - x.get(r, labels[r]);
        }
        return (dout * s) / n;
      };
      expectGradientsClose(exactLoss, [['dx', x, dx]]);
      // The guard shifts each row's loss by log(1 + 1e-7 / y_t) <= 1e-7 / y_t.
      const loss = layer.forward(x, t);
      const bound = labels.reduce((b, l, r) => b + 1e-7 / layer.y!.get(r, l), 0) / n;
      const gap = exactLoss() / dout - loss;
      assert.ok(gap >= 0 && gap <= bound, `forward differs from the exact cross-entropy by ${gap}, more than the guard's ${bound}`);
    }
  });

  it('rejects labels out of range and mismatched targets', () => {
    const layer = new SoftmaxWithLoss();
    assert.throws(() => layer.forward(zeros([2, 3]), [0, 3]), /SoftmaxWithLoss.forward: label 3 at index 1 is out of range for 3 classes/);
    assert.throws(() => layer.forward(zeros([2, 3]), [0]), /SoftmaxWithLoss.forward: 1 labels for 2 predictions/);
    assert.throws(() => layer.forward(zeros([2, 3]), zeros([3, 2])), /SoftmaxWithLoss.forward: targets of shape \(3,2\) do not match scores of shape \(2,3\)/);
  });
});

describe('layers against the NumPy transcription of the book', () => {
  it('Affine → Relu → Affine → SoftmaxWithLoss reproduce NumPy’s scores, loss, gradients and dx', () => {
    const fx = loadNumpyFixture();
    const W1 = decode(fx.params.W1);
    const W2 = decode(fx.params.W2);
    const layers: Layer[] = [new Affine(W1, decode(fx.params.b1)), new Relu(), new Affine(W2, decode(fx.params.b2))];
    let out = decode(fx.x);
    for (const l of layers) out = l.forward(out);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
      for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
    };
    close(out.data, fx.scores.data, 'scores');
    const last = new SoftmaxWithLoss();
    assert.ok(Math.abs(last.forward(out, fx.labels) - fx.loss) < 1e-12);
    close(last.y!.data, fx.softmax.data, 'softmax');
    let dout = last.backward();
    for (const l of [...layers].reverse()) dout = l.backward(dout);
    close((layers[0] as Affine).dW!.data, fx.grads.W1.data, 'dW1');
    close((layers[0] as Affine).db!.data, fx.grads.b1.data, 'db1');
    close((layers[2] as Affine).dW!.data, fx.grads.W2.data, 'dW2');
    close((layers[2] as Affine).db!.data, fx.grads.b2.data, 'db2');
    close(dout.data, fx.dx.data, 'dx');
  });
});
