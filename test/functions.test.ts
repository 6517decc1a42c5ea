import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  crossEntropyError,
  identityFunction,
  relu,
  sigmoid,
  softmax,
  stepFunction,
  sumSquaredError,
  tensor,
} from '../src/index.ts';

describe('activation functions', () => {
  it('identity, step and relu', () => {
    const x = tensor([-1, 0, 2]);
    assert.equal(identityFunction(x), x);
    assert.deepEqual(stepFunction(x).toArray(), [0, 0, 1]);
    // Integers, as the book's np.array(x > 0, dtype=np.int): NumPy prints [0 1 1] for ch03's example.
    assert.equal(stepFunction(x).dtype, 'int32');
    assert.equal(String(stepFunction(tensor([-1.0, 1.0, 2.0]))), '[0 1 1]');
    assert.equal(stepFunction(0.5), 1);
    assert.deepEqual(relu(x).toArray(), [0, 0, 2]);
    assert.equal(relu(-3), 0);
  });

  it('sigmoid matches 1/(1+e^-x) and never overflows for large |x|', () => {
    assert.equal(sigmoid(0), 0.5);
    assert.ok(Math.abs(sigmoid(2) - 1 / (1 + Math.exp(-2))) < 1e-16);
    const y = sigmoid(tensor([-1000, -50, 50, 1000]));
    assert.ok(y.data.every(Number.isFinite));
    assert.equal(y.get(0), 0);
    assert.equal(y.get(3), 1);
    assert.ok(y.get(1) > 0 && y.get(1) < 1e-20);
  });

  it('softmax works on the last axis with the max-subtraction guard', () => {
    // The book's example in chapter 3: softmax([0.3, 2.9, 4.0]).
    const y = softmax(tensor([0.3, 2.9, 4.0]));
    const expected = [0.01821127329554753, 0.24519181293507392, 0.7365969137693786];
    expected.forEach((e, i) => assert.ok(Math.abs(y.data[i] - e) < 1e-15));
    const big = softmax(tensor([[1010, 1000, 990]]));
    assert.ok(big.data.every(Number.isFinite));
    assert.ok(Math.abs(big.get(0, 0) - 0.999954600070331) < 1e-12);
    assert.throws(() => softmax(tensor(1)), /softmax: needs at least 1 dimension/);
  });
});

describe('loss functions', () => {
  // The book's chapter-4 example: t says "2"; y is confident in 2, then in 7.
  const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  const yGood = tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]);
  const yBad = tensor([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]);

  it("crossEntropyError reproduces the book's printed values (one-hot and label)", () => {
    assert.ok(Math.abs(crossEntropyError(yGood, t) - 0.510825457099338) < 1e-12);
    assert.ok(Math.abs(crossEntropyError(yBad, t) - 2.302584092994546) < 1e-12);
    assert.ok(Math.abs(crossEntropyError(yGood, [2]) - 0.510825457099338) < 1e-12);
  });

  it('crossEntropyError averages over a batch of labels or one-hot rows', () => {
    const y = tensor([yGood.toArray() as number[], yBad.toArray() as number[]]);
    const expected = (0.510825457099338 + 2.302584092994546) / 2;
    assert.ok(Math.abs(crossEntropyError(y, [2, 2]) - expected) < 1e-12);
    assert.ok(Math.abs(crossEntropyError(y, tensor([2, 2])) - expected) < 1e-12);
    assert.ok(Math.abs(crossEntropyError(y, tensor([t.toArray() as number[], t.toArray() as number[]])) - expected) < 1e-12);
  });

  it('crossEntropyError rejects out-of-range labels, a wrong count and a wrong rank', () => {
    assert.throws(() => crossEntropyError(yGood, [10]), {
      message: 'crossEntropyError: label 10 at index 0 is out of range for 10 classes (expected an integer 0–9)',
    });
    assert.throws(() => crossEntropyError(yGood, [1.5]), /label 1.5 at index 0 is out of range/);
    assert.throws(() => crossEntropyError(tensor([[0.5, 0.5]]), [0, 1]), /crossEntropyError: 2 labels for 1 predictions/);
    assert.throws(() => crossEntropyError(tensor([[[1]]]), [0]), /predictions must be 1-D or 2-D, got shape \(1,1,1\)/);
    assert.throws(() => crossEntropyError(tensor([[0.5, 0.5], [0.5, 0.5]]), tensor([[1, 0, 0], [0, 1, 0]])), /one-hot targets of shape \(2,3\) do not match predictions of shape \(2,2\)/);
  });

  it("sumSquaredError reproduces the book's 0.0975 and 0.5975", () => {
    assert.ok(Math.abs(sumSquaredError(yGood, t) - 0.0975) < 1e-15);
    assert.ok(Math.abs(sumSquaredError(yBad, t) - 0.5975) < 1e-15);
    assert.throws(() => sumSquaredError(yGood, tensor([1])), /sumSquaredError: shapes \(10,\) and \(1,\) differ/);
  });
});
