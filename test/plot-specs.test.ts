import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracySpec, activationAt, activationCurves, activationSpec, lossSpec, movingAverage } from '../src/index.ts';

type Rows = { values: Record<string, unknown>[] };

describe('plot specs', () => {
  it('lossSpec draws every iteration of a short run; of a long one at most 1 120 points per line, the raw line as each run of iterations\' lowest and highest loss (every spike kept), always the last', () => {
    const short = (lossSpec(Float64Array.from({ length: 400 }, (_, i) => 1 / (i + 1))).data as Rows).values;
    assert.equal(short.length, 800);
    // A falling loss with a spike at 5003 and a dip at 7001 that every-k-th sampling would miss.
    const losses = Float64Array.from({ length: 10000 }, (_, i) => 1 / (i + 1));
    losses[5003] = 3;
    losses[7001] = 1e-6;
    const long = (lossSpec(losses).data as Rows).values;
    const raw = long.filter((r) => String(r.series).startsWith('loss'));
    const avg = long.filter((r) => String(r.series).startsWith('moving'));
    assert.ok(raw.length <= 1121 && avg.length <= 1121, `${raw.length} and ${avg.length} points`);
    assert.equal(raw[0].series, 'loss (min/max per 18 iterations)');
    // The first run (0…17): its highest (iteration 0) then its lowest (17), in order.
    assert.deepEqual(raw.slice(0, 2).map((r) => r.iteration), [0, 17]);
    assert.ok(raw.some((r) => r.iteration === 5003 && r.loss === 3), 'the spike is drawn');
    assert.ok(raw.some((r) => r.iteration === 7001), 'the dip is drawn');
    assert.equal(raw.at(-1)!.iteration, 9999);
    assert.equal(avg.at(-1)!.iteration, 9999);
    const iterations = raw.map((r) => Number(r.iteration));
    assert.deepEqual(iterations, [...iterations].sort((a, b) => a - b), 'in order');
    const nan = (lossSpec([2.3, NaN]).data as Rows).values;
    assert.equal(nan[1].loss, null, 'a NaN loss becomes a gap, not an invalid number');
  });

  it('movingAverage is a trailing mean that skips non-finite values', () => {
    assert.deepEqual([...movingAverage([1, 2, 3, 4], 2)], [1, 1.5, 2.5, 3.5]);
    assert.deepEqual([...movingAverage([1, NaN, 3], 3)], [1, 1, 2]);
  });

  it('accuracySpec numbers epochs from 1 as the CLI epoch lines do, with a y axis from 0 to 1', () => {
    const spec = accuracySpec([{ epoch: 1, trainAcc: 0.1, testAcc: 0.2 }, { epoch: 2, trainAcc: 0.9, testAcc: 0.8 }]);
    const values = (spec.data as Rows).values;
    assert.deepEqual(values.map((v) => v.epoch), [1, 1, 2, 2]);
    // No test set: no test points (not a line at 0).
    const trainOnly = (accuracySpec([{ epoch: 1, trainAcc: 0.1, testAcc: null }]).data as Rows).values;
    assert.deepEqual(trainOnly.map((v) => v.epoch), [1]);
    assert.deepEqual((spec.encoding as { y: { scale: { domain: number[] } } }).y.scale.domain, [0, 1]);
  });

  it('activation curves come from the layers: x from -3 to 3 by 0.01, backward of ones', () => {
    const relu = activationCurves('relu');
    assert.equal(relu.x.length, 601);
    assert.equal(relu.x[300], 0);
    assert.equal(relu.dx[300], 0, 'Relu masks x <= 0, so dy/dx at 0 is 0, as the book’s layer');
    assert.equal(relu.dx[301], 1);
    const sig = activationCurves('sigmoid');
    assert.ok(Math.abs(sig.dx[300] - 0.25) < 1e-15);
    assert.deepEqual(activationAt('sigmoid', 0), { y: 0.5, dydx: 0.25 });
    const values = (activationSpec('relu', { marker: 1.5 }).data as Rows).values;
    assert.deepEqual(values.filter((v) => v.marker).map((v) => v.value), [1.5, 1]);
  });
});
