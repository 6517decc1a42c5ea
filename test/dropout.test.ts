import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dropout, Random, mul, ones, sum, tensor, zeros } from '../src/index.ts';
import { expectGradientsClose, expectLayerGradientsClose } from './helpers/gradcheck.ts';
import { randomAwayFromZero } from './helpers/data.ts';

describe('Dropout', () => {
  it('training: keeps a unit when a uniform draw exceeds dropoutRatio, out = x · mask', () => {
    const x = randomAwayFromZero(new Random(1), [3, 4, 5]);
    const drop = new Dropout(0.3, { seed: 9 });
    const out = drop.forward(x, true);
    // The mask is the book's `rand(*x.shape) > dropout_ratio`, drawn in row-major order.
    const draws = new Random(9);
    const mask = drop.mask!;
    assert.deepEqual([...mask.shape], [3, 4, 5]);
    for (let i = 0; i < x.size; i++) {
      const kept = draws.random() > 0.3;
      assert.equal(mask.data[i], kept ? 1 : 0);
      assert.equal(out.data[i], x.data[i] * (kept ? 1 : 0));
    }
  });

  it('drops about dropoutRatio of the units', () => {
    const drop = new Dropout(0.25, { seed: 2 });
    const out = drop.forward(ones([100, 100]), true);
    const kept = sum(out) / out.size;
    assert.ok(Math.abs(kept - 0.75) < 0.02, `kept fraction ${kept}`);
  });

  it('test mode (the default): out = x · (1 − dropoutRatio), no inverted scaling, no randomness', () => {
    const x = tensor([[1, -2], [3, 4]]);
    const drop = new Dropout(0.4, { seed: 1 });
    assert.deepEqual(drop.forward(x).toArray(), [[0.6, -1.2], [1.7999999999999998, 2.4]]);
    assert.deepEqual(drop.forward(x, false).toArray(), [[1 * 0.6, -2 * 0.6], [3 * 0.6, 4 * 0.6]]);
    assert.equal(drop.mask, undefined, 'no mask drawn in test mode');
  });

  it('backward: dx = dout · mask of the last training forward', () => {
    const rng = new Random(5);
    const x = randomAwayFromZero(rng, [4, 6]);
    const dout = randomAwayFromZero(rng, [4, 6]);
    const drop = new Dropout(0.5, { seed: 3 });
    drop.forward(x, true);
    const dx = drop.backward(dout);
    for (let i = 0; i < dx.size; i++) assert.equal(dx.data[i], dout.data[i] * drop.mask!.data[i]);
  });

  it('matches numerical gradients with the mask held fixed (same seed each evaluation)', () => {
    const rng = new Random(8);
    for (const shape of [[5, 7], [2, 3, 4, 4]]) {
      const x = randomAwayFromZero(rng, shape);
      const dout = randomAwayFromZero(rng, shape, 0);
      const drop = new Dropout(0.4, { seed: 77 });
      drop.forward(x, true);
      const dx = drop.backward(dout).copy();
      const f = () => sum(mul(new Dropout(0.4, { seed: 77 }).forward(x, true), dout));
      expectGradientsClose(f, [['dx', x, dx]]);
    }
  });

  it('after a test-mode forward, backward differentiates that forward: dx = dout · (1 − ratio)', () => {
    const rng = new Random(6);
    const drop = new Dropout(0.3, { seed: 1 });
    drop.forward(randomAwayFromZero(rng, [3, 3]), true);
    expectLayerGradientsClose(drop, randomAwayFromZero(rng, [2, 5]), randomAwayFromZero(rng, [2, 5], 0), false);
  });

  it('repeats with the same seed, differs with another, and can share a generator', () => {
    const x = ones([8, 16]);
    const run = (seed: number) => {
      const drop = new Dropout(0.5, { seed });
      return [Array.from(drop.forward(x, true).data), Array.from(drop.forward(x, true).data)];
    };
    assert.deepEqual(run(42), run(42));
    assert.notDeepEqual(run(42), run(43));
    const a = new Dropout(0.5, { rng: new Random(42) });
    assert.equal(a.seed, undefined);
    assert.deepEqual([Array.from(a.forward(x, true).data), Array.from(a.forward(x, true).data)], run(42));
    const own = new Dropout(0.5);
    assert.ok(Number.isSafeInteger(own.seed), 'a seed is chosen and kept when none is given');
    assert.deepEqual(Array.from(new Dropout(0.5, { seed: own.seed }).forward(x, true).data), Array.from(own.forward(x, true).data));
  });

  it('reuses buffers, never mutates dout, and checks its arguments', () => {
    const drop = new Dropout(0.5, { seed: 4 });
    assert.throws(() => drop.backward(zeros([2, 2])), /call forward first/);
    const x = ones([3, 3]);
    const out = drop.forward(x, true);
    assert.equal(drop.forward(x, true), out);
    const dout = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const dx = drop.backward(dout);
    assert.equal(drop.backward(dout), dx);
    assert.deepEqual(dout.toArray(), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert.throws(() => drop.backward(zeros([3, 2])), /does not match/);
    assert.throws(() => new Dropout(1), /dropoutRatio/);
    assert.throws(() => new Dropout(-0.1), /dropoutRatio/);
    assert.equal(new Dropout(0, { seed: 1 }).forward(x, true).toArray().toString(), x.toArray().toString());
  });
});
