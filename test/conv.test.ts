import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Convolution, Pooling, Random, Tensor, col2im, im2col, referenceKernels } from '../src/index.ts';
import { expectLayerGradientsClose } from './helpers/gradcheck.ts';
import { randomAwayFromZero } from './helpers/data.ts';
import { assertClose, b64, loadConvFixture } from './helpers/conv-fixture.ts';

const fixture = loadConvFixture();
/** float64 agreement with NumPy (other summation orders): relative to the largest magnitude. */
const REL = 1e-13;

function normal(rng: Random, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal();
  return new Tensor(data, shape);
}

describe('im2col / col2im (common/util.py)', () => {
  it("give the book's exact layout and sums (float64, bit for bit)", () => {
    for (const [k, c] of fixture.im2col.entries()) {
      const x = b64(c.x);
      const col = im2col(x, c.filterH, c.filterW, c.stride, c.pad);
      assert.deepEqual(col.shape, c.col.shape, `case ${k}: col shape`);
      assert.deepEqual(Array.from(col.data), Array.from(b64(c.col).data), `case ${k}: col`);
      const img = col2im(b64(c.dcol), x.shape, c.filterH, c.filterW, c.stride, c.pad);
      assert.deepEqual(img.shape, x.shape);
      assert.deepEqual(Array.from(img.data), Array.from(b64(c.img).data), `case ${k}: col2im`);
    }
  });

  it('are adjoint: <im2col(x), c> = <x, col2im(c)> on random shapes, strides and pads', () => {
    const rng = new Random(7);
    for (let trial = 0; trial < 30; trial++) {
      const fh = 1 + rng.int(4);
      const fw = 1 + rng.int(4);
      const stride = 1 + rng.int(3);
      const pad = rng.int(3);
      const shape = [1 + rng.int(3), 1 + rng.int(3), Math.max(1, fh - 2 * pad) + rng.int(5), Math.max(1, fw - 2 * pad) + rng.int(5)];
      const x = normal(rng, shape);
      const col = im2col(x, fh, fw, stride, pad);
      const c = normal(rng, [...col.shape]);
      const back = col2im(c, shape, fh, fw, stride, pad);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < col.size; i++) lhs += col.data[i] * c.data[i];
      for (let i = 0; i < x.size; i++) rhs += x.data[i] * back.data[i];
      assert.ok(Math.abs(lhs - rhs) <= 1e-12 * (Math.abs(lhs) + 1), `trial ${trial}: ${lhs} vs ${rhs}`);
    }
  });

  it('keep float32', () => {
    const x = new Tensor(new Float32Array(2 * 3 * 4 * 4).map((_, i) => i / 7), [2, 3, 4, 4]);
    const col = im2col(x, 2, 2, 2, 1);
    assert.equal(col.dtype, 'float32');
    assert.equal(col2im(col, x.shape, 2, 2, 2, 1).dtype, 'float32');
  });

  it('reject shapes that do not fit, naming the op and the shapes', () => {
    const x = new Tensor(new Float64Array(16), [1, 1, 4, 4]);
    assert.throws(() => im2col(x, 5, 5), /im2col: a filter of size 5 does not fit an input of size 4 with pad 0 \(input shape \(1,1,4,4\)/);
    assert.throws(() => im2col(new Tensor(new Float64Array(16), [4, 4]), 2, 2), /im2col: input must be 4-D \(N, C, H, W\), got shape \(4,4\)/);
    assert.throws(() => im2col(x, 2, 2, 0), /im2col: stride must be an integer >= 1, got 0/);
    assert.throws(() => col2im(new Tensor(new Float64Array(8), [2, 4]), [1, 1, 4, 4], 2, 2), /col2im: col of shape \(2,4\) does not match input shape \(1,1,4,4\) .*expected \(9,4\)/);
  });
});

describe('Convolution (common/layers.py)', () => {
  it("matches the book's NumPy layer: out, dx, dW, db", () => {
    for (const [k, c] of fixture.convolution.entries()) {
      const layer = new Convolution(b64(c.W), b64(c.b), c.stride, c.pad);
      const out = layer.forward(b64(c.x));
      assert.deepEqual(out.shape, c.out.shape, `case ${k}: out shape`);
      assertClose(out.data, b64(c.out).data, REL, `case ${k}: out`);
      const dx = layer.backward(b64(c.dout));
      assertClose(dx.data, b64(c.dx).data, REL, `case ${k}: dx`);
      assertClose(layer.dW!.data, b64(c.dW).data, REL, `case ${k}: dW`);
      assertClose(layer.db!.data, b64(c.db).data, REL, `case ${k}: db`);
      // The book's attributes.
      assert.deepEqual(layer.col!.shape, [out.shape[0] * out.shape[2] * out.shape[3], layer.W.size / layer.W.shape[0]]);
      assert.deepEqual(Array.from(layer.col!.data), Array.from(im2col(b64(c.x), layer.W.shape[2], layer.W.shape[3], c.stride, c.pad).data));
      const colW = layer.colW;
      assert.deepEqual(colW.shape, [layer.W.size / layer.W.shape[0], layer.W.shape[0]]);
      assert.equal(colW.get(1, 0), layer.W.data[1]);
    }
  });

  it('has gradients equal to numerical ones (float64) on random shapes, strides and pads', () => {
    const rng = new Random(11);
    for (let trial = 0; trial < 12; trial++) {
      const fh = 1 + rng.int(3);
      const fw = 1 + rng.int(3);
      const stride = 1 + rng.int(2);
      const pad = rng.int(2);
      const c = 1 + rng.int(3);
      const x = normal(rng, [1 + rng.int(2), c, fh + rng.int(4), fw + rng.int(4)]);
      const W = normal(rng, [1 + rng.int(3), c, fh, fw]);
      const conv = new Convolution(W, normal(rng, [W.shape[0]]), stride, pad);
      const out = conv.forward(x);
      expectLayerGradientsClose(conv, x, randomAwayFromZero(rng, [...out.shape], 0));
    }
  });

  it('backwardParams gives the same dW and db without dx', () => {
    const rng = new Random(3);
    const x = normal(rng, [2, 2, 6, 6]);
    const a = new Convolution(normal(rng, [3, 2, 3, 3]), normal(rng, [3]), 1, 1);
    const b = new Convolution(a.W, a.b, 1, 1);
    const dout = normal(rng, [...a.forward(x).shape]);
    b.forward(x);
    a.backward(dout);
    b.backwardParams(dout);
    assert.deepEqual(Array.from(b.dW!.data), Array.from(a.dW!.data));
    assert.deepEqual(Array.from(b.db!.data), Array.from(a.db!.data));
  });

  it('reuses its buffers at a fixed batch size', () => {
    const rng = new Random(4);
    const x = normal(rng, [2, 1, 5, 5]);
    const conv = new Convolution(normal(rng, [2, 1, 3, 3]), normal(rng, [2]));
    const out1 = conv.forward(x);
    const col1 = conv.col;
    const dout = normal(rng, [...out1.shape]);
    const dx1 = conv.backward(dout);
    const dW1 = conv.dW;
    assert.equal(conv.forward(x), out1);
    assert.equal(conv.col, col1);
    assert.equal(conv.backward(dout), dx1);
    assert.equal(conv.dW, dW1);
  });

  it('works in float32', () => {
    const c = fixture.convolution[1];
    const f32 = (t: Tensor) => t.copy('float32');
    const layer = new Convolution(f32(b64(c.W)), f32(b64(c.b)), c.stride, c.pad);
    const out = layer.forward(f32(b64(c.x)));
    assert.equal(out.dtype, 'float32');
    assertClose(out.data, b64(c.out).data, 1e-6, 'float32 out');
    layer.backward(f32(b64(c.dout)));
    assertClose(layer.dW!.data, b64(c.dW).data, 1e-6, 'float32 dW');
  });

  it('names the op and the shapes in its errors', () => {
    const conv = new Convolution(new Tensor(new Float64Array(2 * 3 * 3 * 3), [2, 3, 3, 3]), new Tensor(new Float64Array(2), [2]));
    assert.throws(() => conv.forward(new Tensor(new Float64Array(2 * 25), [1, 2, 5, 5])), /Convolution.forward: input of shape \(1,2,5,5\) has 2 channels, W of shape \(2,3,3,3\) expects 3/);
    assert.throws(() => conv.backward(new Tensor(new Float64Array(4), [1, 1, 2, 2])), /Convolution.backward: call forward first/);
    conv.forward(new Tensor(new Float64Array(3 * 25), [1, 3, 5, 5]));
    assert.throws(() => conv.backward(new Tensor(new Float64Array(4), [1, 1, 2, 2])), /Convolution.backward: dout of shape \(1,1,2,2\) does not match the output shape \(1,2,3,3\)/);
    assert.throws(() => new Convolution(new Tensor(new Float64Array(9), [3, 3]), new Tensor(new Float64Array(3), [3])), /Convolution: W must be 4-D/);
    assert.throws(() => new Convolution(new Tensor(new Float64Array(9), [1, 1, 3, 3]), new Tensor(new Float64Array(2), [2])), /Convolution: b of shape \(2,\) does not match W of shape \(1,1,3,3\) \(expected \(1,\)\)/);
  });
});

describe('Pooling (common/layers.py)', () => {
  it("matches the book's NumPy layer: out, argMax, dx", () => {
    for (const [k, c] of fixture.pooling.entries()) {
      const layer = new Pooling(c.poolH, c.poolW, c.stride);
      const out = layer.forward(b64(c.x));
      assert.deepEqual(out.shape, c.out.shape);
      assert.deepEqual(Array.from(out.data), Array.from(b64(c.out).data), `case ${k}: out`);
      // The book's arg_max is in (N, outH, outW, C) order; ours in the output's NCHW order.
      const [n, ch, oh, ow] = out.shape;
      const ours: number[] = [];
      for (let i = 0; i < n; i++) for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let cc = 0; cc < ch; cc++) ours.push(layer.argMax![((i * ch + cc) * oh + y) * ow + x]);
      assert.deepEqual(ours, c.argMax, `case ${k}: argMax`);
      const dx = layer.backward(b64(c.dout));
      assert.deepEqual(Array.from(dx.data), Array.from(b64(c.dx).data), `case ${k}: dx (bit for bit)`);
    }
  });

  it('has gradients equal to numerical ones (float64) on random shapes, strides and pads', () => {
    const rng = new Random(12);
    for (let trial = 0; trial < 15; trial++) {
      const ph = 1 + rng.int(3);
      const pw = 1 + rng.int(3);
      const stride = 1 + rng.int(3);
      const pad = rng.int(Math.min(ph, pw));
      // Distinct values well apart, so a step of 1e-4 never changes which entry is the maximum; with
      // padding, all positive values so no window's maximum is the padding's 0 (not differentiable there).
      const shape = [1 + rng.int(2), 1 + rng.int(3), ph + rng.int(4), pw + rng.int(4)];
      const size = shape.reduce((a, b) => a * b, 1);
      const perm = Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const x = new Tensor(Float64Array.from(perm, (v) => (pad > 0 ? 1 + v * 0.1 : (v - size / 2) * 0.1)), shape);
      const layer = new Pooling(ph, pw, stride, pad);
      const out = layer.forward(x);
      expectLayerGradientsClose(layer, x, randomAwayFromZero(rng, [...out.shape], 0));
    }
  });

  it('with pad > 0 takes the padding as zeros (the zero-padded im2col)', () => {
    const x = new Tensor(Float64Array.from([-1, -2, -3, -4]), [1, 1, 2, 2]);
    const pool = new Pooling(2, 2, 2, 1);
    assert.deepEqual(pool.forward(x).toArray(), [[[[0, 0], [0, 0]]]]);
    assert.deepEqual(pool.backward(new Tensor(Float64Array.from([1, 1, 1, 1]), [1, 1, 2, 2])).toArray(), [[[[0, 0], [0, 0]]]]);
  });

  it('propagates NaN as np.max does, and names shapes in its errors', () => {
    const x = new Tensor(Float64Array.from([1, NaN, 3, 4]), [1, 1, 2, 2]);
    const pool = new Pooling(2, 2);
    assert.ok(Number.isNaN(pool.forward(x).data[0]));
    assert.equal(pool.argMax![0], 1);
    assert.throws(() => pool.backward(new Tensor(new Float64Array(2), [1, 2, 1, 1])), /Pooling.backward: dout of shape \(1,2,1,1\) does not match the output shape \(1,1,1,1\)/);
    assert.throws(() => pool.forward(new Tensor(new Float64Array(1), [1, 1, 1, 1])), /Pooling.forward: a filter of size 2 does not fit an input of size 1 with pad 0/);
    assert.throws(() => new Pooling(0, 2), /Pooling: poolH must be an integer >= 1, got 0/);
  });
});

describe('conv kernels', () => {
  it('allocate nothing and leave the rest of their outputs alone', () => {
    // A kernel writes exactly its output range: check on oversized buffers that the tail is untouched.
    const x = Float64Array.from({ length: 2 * 2 * 5 * 5 }, (_, i) => Math.sin(i));
    const col = new Float64Array(2 * 9 * 18 + 3).fill(7);
    referenceKernels.im2col(x, 2, 2, 5, 5, 3, 3, 2, 1, col);
    assert.deepEqual(Array.from(col.subarray(2 * 9 * 18)), [7, 7, 7]);
    const img = new Float64Array(2 * 2 * 25 + 2).fill(7);
    referenceKernels.col2im(col, 2, 2, 5, 5, 3, 3, 2, 1, img);
    assert.deepEqual(Array.from(img.subarray(100)), [7, 7]);
  });
});
