import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inkFromLuminance } from '../src/data/preprocess.ts';
import { loadMnistSplits, preprocessDigit } from '../src/node.ts';

/** Pearson correlation of two equal-length arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.length;
  mb /= b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('preprocessDigit (MNIST-style: bounding box to 20×20, centred by mass)', () => {
  const { test } = loadMnistSplits();

  it('gives the same 28×28 input wherever and however large a digit is drawn (real MNIST digits)', () => {
    // MNIST's own digits are only approximately "fitted to 20×20 and centred by mass", so the test
    // compares like with like: the digit preprocessed as it is, against the same digit drawn 8× larger
    // and 30/20 px off-centre on a 280×280 canvas (all of it on the canvas), as a user's drawing might be.
    for (const index of [0, 1, 2, 3, 4, 7, 11, 18]) {
      const digit = Float32Array.from(test.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
      const canvas = new Float32Array(280 * 280);
      for (let y = 0; y < 280; y++) {
        for (let x = 0; x < 280; x++) {
          const sx = Math.floor((x - 30) / 8);
          const sy = Math.floor((y - 20) / 8);
          if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) canvas[y * 280 + x] = digit[sy * 28 + sx];
        }
      }
      const direct = preprocessDigit(digit, 28, 28)!;
      const drawn = preprocessDigit(canvas, 280, 280)!;
      const r = correlation(drawn, direct);
      assert.ok(r > 0.9, `test image #${index} (label ${test.labels[index]}): correlation ${r.toFixed(3)}`);
      let mass = 0;
      let cx = 0;
      let cy = 0;
      for (let i = 0; i < 784; i++) {
        mass += drawn[i];
        cx += drawn[i] * ((i % 28) + 0.5);
        cy += drawn[i] * (Math.floor(i / 28) + 0.5);
      }
      assert.ok(Math.abs(cx / mass - 14) <= 0.5 && Math.abs(cy / mass - 14) <= 0.5, `test image #${index}: centre of mass (${(cx / mass).toFixed(2)}, ${(cy / mass).toFixed(2)})`);
    }
  });

  it('puts the centre of mass at the centre and fits the digit in a 20-pixel box', () => {
    const canvas = new Float32Array(100 * 60);
    for (let y = 5; y < 55; y++) for (let x = 70; x < 80; x++) canvas[y * 100 + x] = 1; // a tall bar, far right
    const out = preprocessDigit(canvas, 100, 60)!;
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 28; y++) {
      let any = false;
      for (let x = 0; x < 28; x++) {
        const v = out[y * 28 + x];
        mass += v;
        cx += v * (x + 0.5);
        cy += v * (y + 0.5);
        if (v > 0) any = true;
      }
      if (any) rows++;
    }
    assert.equal(rows, 20, 'the longer side is scaled to 20 pixels');
    assert.ok(Math.abs(cx / mass - 14) <= 0.5 && Math.abs(cy / mass - 14) <= 0.5, `centre of mass (${(cx / mass).toFixed(2)}, ${(cy / mass).toFixed(2)})`);
  });

  it('returns null for an empty drawing and rejects a wrong size', () => {
    assert.equal(preprocessDigit(new Float32Array(28 * 28), 28, 28), null);
    assert.throws(() => preprocessDigit(new Float32Array(10), 28, 28), /preprocessDigit: 10 values for a 28×28 image/);
  });

  it('fits into another side with the same proportions (a model of 32×32 images)', () => {
    const canvas = new Float32Array(100 * 60);
    for (let y = 5; y < 55; y++) for (let x = 70; x < 80; x++) canvas[y * 100 + x] = 1;
    const out = preprocessDigit(canvas, 100, 60, 32)!;
    assert.equal(out.length, 32 * 32);
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 32; y++) {
      let any = false;
      for (let x = 0; x < 32; x++) {
        const v = out[y * 32 + x];
        mass += v;
        cx += v * (x + 0.5);
        cy += v * (y + 0.5);
        if (v > 0) any = true;
      }
      if (any) rows++;
    }
    assert.equal(rows, Math.round((32 * 20) / 28), 'the longer side is scaled to 20/28 of the side');
    assert.ok(Math.abs(cx / mass - 16) <= 0.5 && Math.abs(cy / mass - 16) <= 0.5, `centre of mass (${(cx / mass).toFixed(2)}, ${(cy / mass).toFixed(2)})`);
    assert.throws(() => preprocessDigit(canvas, 100, 60, 1.5), /preprocessDigit: side must be an integer of at least 2, got 1\.5/);
  });

  it('inverts a dark digit on light paper, judged by the border, and leaves a light one on dark', () => {
    const paper = new Float64Array(5 * 4).fill(1);
    paper[6] = 0;
    const light = inkFromLuminance(paper, 5, 4);
    assert.equal(light.inverted, true);
    assert.equal(light.ink[6], 1);
    assert.equal(light.ink[0], 0);
    const dark = inkFromLuminance(light.ink, 5, 4);
    assert.equal(dark.inverted, false);
    assert.deepEqual([...dark.ink], [...light.ink]);
    assert.throws(() => inkFromLuminance(paper, 4, 4), /inkFromLuminance: 20 values for a 4×4 image/);
  });
});
