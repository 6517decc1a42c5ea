/**
 * The chapter-7 WASM kernels (src/kernels/wasm/conv.ts, assembly/conv.ts) against the TypeScript
 * references of src/kernels/conv.ts, on one thread and split with the helper thread.
 *
 * Bit for bit: im2col, col2im, addChannelBias, sumChannels, maxPoolForward/Backward (both dtypes: the same
 * operations in the same order, and in float32 the reference's double-precision sums are reproduced or are
 * single correctly rounded additions), and convForward in float64 (each output's products over (channel,
 * ky, kx) added from 0 in the reference's order, then the bias). convForward in float32: the reference sums
 * the products in double precision (JavaScript numbers) and rounds once, the kernel in float32 — each output
 * within k·2⁻²³ of Σ|products| (k = C·FH·FW terms, one rounding each), plus one rounding of the bias sum.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { referenceKernels, type FloatArray } from '../src/kernels/index.ts';
import { createWasmKernels, relaxedSimdSupported } from '../src/kernels/wasm/index.ts';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';
import { Random } from '../src/tensor/random.ts';
import { loadMnistSplits } from '../src/data/load-mnist.ts';
import { releaseDeadBuffers } from '../src/cli/memory.ts';

// Both builds (importing node-helper.ts enables relaxed SIMD in this Node): the relaxed one fuses the float32
// convolutions' multiply-adds, so it must meet the same bounds; every other kernel is the same in both.
assert.ok(relaxedSimdSupported(), 'relaxed SIMD available in this Node (node-helper.ts sets the V8 flag)');
const builds = [false, true].map((relaxed) => {
  const two = createWasmKernels({ helper: createNodeHelper, relaxed });
  after(() => two.stopHelper());
  return { relaxed, one: createWasmKernels({ relaxed }), two };
});

type W = ReturnType<typeof createWasmKernels>;
const rng = new Random(7);
function filled(w: W, f32: boolean, len: number, zeros = 0.3): FloatArray {
  const a = w.heap.allocate(f32, len)!;
  for (let i = 0; i < len; i++) a[i] = rng.random() < zeros ? 0 : rng.random() * 2 - 1;
  return a;
}
/**
 * A pooled gradient as ReLU's backward pass leaves it (about half zeros, +0 and −0; NaN and `infinity` here
 * and there) and a 2×2 pooling's argMax (window indices 0–3) for it, both on `w`'s heap.
 */
function pooledGradient(w: W, f32: boolean, pooled: number, infinity: number): { dpool: FloatArray; argMax: Int32Array } {
  const dpool = filled(w, f32, pooled, 0.5);
  for (let i = 0; i < pooled; i += 7) dpool[i] = -0;
  dpool[pooled - 1] = NaN;
  if (pooled > 3) dpool[2] = infinity;
  const argMax = w.heap.allocateKind('int32', pooled) as Int32Array;
  for (let i = 0; i < pooled; i++) argMax[i] = Math.floor(rng.random() * 4);
  return { dpool, argMax };
}
const copyOf = (a: FloatArray): FloatArray => (a instanceof Float32Array ? Float32Array.from(a) : Float64Array.from(a));
function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}
const outSize = (s: number, f: number, st: number, p: number) => Math.floor((s + 2 * p - f) / st + 1);

/** A convolution [n, c, h, w, fn, fh, fw, stride, pad] followed by 2×2 pooling: its output size, the pooled gradient's length and a filter's length. */
function pooledConvShape(shape: readonly number[]) {
  const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
  const outH = outSize(h, fh, stride, pad);
  const outW = outSize(w, fw, stride, pad);
  return { n, c, h, w, fn, fh, fw, stride, pad, outH, outW, pooled: n * fn * (outH >> 1) * (outW >> 1), k: c * fh * fw };
}

// (n, c, h, w, fn, fh, fw, stride, pad): SimpleConvNet's Conv1, DeepConvNet's layers, odd sizes, stride 2.
const CONV_SHAPES: [number, number, number, number, number, number, number, number, number][] = [
  [4, 1, 28, 28, 30, 5, 5, 1, 0],
  [3, 1, 28, 28, 16, 3, 3, 1, 1],
  [2, 16, 14, 14, 32, 3, 3, 1, 1],
  [2, 32, 14, 14, 32, 3, 3, 1, 2],
  [2, 64, 8, 8, 64, 3, 3, 1, 1],
  [3, 3, 7, 5, 7, 2, 3, 1, 1],
  [2, 2, 9, 9, 5, 3, 3, 2, 1],
  [1, 1, 1, 1, 1, 1, 1, 1, 0],
  // Groups of images side by side in the direct convolution (7 of 8×8 with pad 1): a full group, then a
  // partial one over the full one's leftovers.
  [9, 3, 8, 8, 4, 3, 3, 1, 1],
];

for (const { relaxed, one, two } of builds) for (const f32 of [false, true]) {
  const dt = f32 ? 'float32' : 'float64';
  async function helperReady(): Promise<void> {
    for (let i = 0; i < 200 && !two.helperReady(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(two.helperReady(), 'helper thread started');
  }
  describe(`chapter-7 WASM kernels, ${dt}, ${relaxed ? 'relaxed-SIMD' : 'plain-SIMD'} build`, () => {
    // The earlier tests' arrays go back to the heaps (they are freed when collected): four instances of a
    // 256 MiB heap share this process, and V8 seldom collects on its own (the JS heap holds small views).
    beforeEach(() => releaseDeadBuffers());
    it('im2col and col2im equal the reference bit for bit', () => {
      for (const [n, c, h, w, , fh, fw, stride, pad] of CONV_SHAPES) {
        const rows = n * outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
        const x = filled(one, f32, n * c * h * w);
        const col = one.heap.allocate(f32, rows * c * fh * fw)!;
        one.kernels.im2col(x, n, c, h, w, fh, fw, stride, pad, col);
        const ref = copyOf(col).fill(7);
        referenceKernels.im2col(x, n, c, h, w, fh, fw, stride, pad, ref);
        sameBits(col, ref, `im2col ${[n, c, h, w, fh, fw, stride, pad]}`);
        const dcol = filled(one, f32, col.length, 0.1);
        const dx = one.heap.allocate(f32, x.length)!.fill(3);
        one.kernels.col2im(dcol, n, c, h, w, fh, fw, stride, pad, dx);
        const refDx = copyOf(dx).fill(5);
        referenceKernels.col2im(dcol, n, c, h, w, fh, fw, stride, pad, refDx);
        sameBits(dx, refDx, `col2im ${[n, c, h, w, fh, fw, stride, pad]}`);
      }
    });

    it('col2imT (transposed columns) equals the reference bit for bit, and the reference equals col2im of the transpose', () => {
      for (const [n, c, h, w, , fh, fw, stride, pad] of CONV_SHAPES) {
        const rows = n * outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
        const k = c * fh * fw;
        const colT = filled(one, f32, rows * k, 0.1);
        // A few exact zeros, negative zeros and a NaN: the additions keep them as the reference does.
        for (let i = 3; i < colT.length; i += 29) colT[i] = i % 3 ? -0 : 0;
        if (colT.length > 40) colT[40] = NaN;
        const dx = one.heap.allocate(f32, n * c * h * w)!.fill(3);
        one.kernels.col2imT(colT, n, c, h, w, fh, fw, stride, pad, dx);
        const ref = copyOf(dx).fill(5);
        referenceKernels.col2imT(colT, n, c, h, w, fh, fw, stride, pad, ref);
        sameBits(dx, ref, `col2imT ${[n, c, h, w, fh, fw, stride, pad]}`);
        const col = copyOf(colT);
        for (let q = 0; q < rows; q++) for (let p = 0; p < k; p++) col[q * k + p] = colT[p * rows + q];
        const viaCol = copyOf(dx).fill(9);
        referenceKernels.col2im(col, n, c, h, w, fh, fw, stride, pad, viaCol);
        sameBits(ref, viaCol, `col2imT vs col2im ${[n, c, h, w, fh, fw, stride, pad]}`);
      }
    });

    it('addChannelBias and sumChannels equal the reference bit for bit (sumChannels on one thread and two)', async () => {
      await helperReady();
      for (const [n, c, spatial] of [[3, 5, 17], [100, 30, 576], [2, 1, 1], [1, 64, 16], [100, 17, 196]]) {
        const x = filled(one, f32, n * c * spatial, 0.2);
        const b = filled(one, f32, c, 0);
        const out = one.heap.allocate(f32, x.length)!;
        one.kernels.addChannelBias(x, n, c, spatial, b, out);
        const ref = copyOf(out);
        referenceKernels.addChannelBias(x, n, c, spatial, b, ref);
        sameBits(out, ref, 'addChannelBias');
        one.kernels.addChannelBias(x, n, c, spatial, b, x);
        sameBits(x, ref, 'addChannelBias in place');
        const s = one.heap.allocate(f32, c)!.fill(9);
        one.kernels.sumChannels(out, n, c, spatial, s);
        const refS = copyOf(s);
        referenceKernels.sumChannels(out, n, c, spatial, refS);
        sameBits(s, refS, 'sumChannels');
        // Split by channels between the threads (the large shapes).
        const outTwo = two.heap.allocate(f32, out.length)!;
        outTwo.set(out);
        const s2 = two.heap.allocate(f32, c)!.fill(9);
        two.kernels.sumChannels(outTwo, n, c, spatial, s2);
        sameBits(s2, refS, 'sumChannels, two threads');
      }
    });

    it('maxPoolForward / maxPoolBackward equal the reference bit for bit (ties, NaN, padding, overlapping windows), on one thread and two, argMax on the heap (in place) or not (staged)', async () => {
      await helperReady();
      // (n, c, h, w, poolH, poolW, stride, pad)
      const shapes = [[100, 30, 24, 24, 2, 2, 2, 0], [3, 4, 9, 7, 2, 2, 2, 0], [2, 3, 9, 9, 3, 3, 2, 1], [2, 2, 6, 6, 2, 2, 1, 0], [1, 1, 5, 5, 2, 3, 2, 1], [100, 16, 28, 28, 2, 2, 2, 0]];
      for (const [n, c, h, w, ph, pw, stride, pad] of shapes) {
        const len = n * c * outSize(h, ph, stride, pad) * outSize(w, pw, stride, pad);
        for (const [wk, argOnHeap] of [[one, false], [two, false], [one, true], [two, true]] as const) {
          const x = filled(wk, f32, n * c * h * w, 0.3);
          // Ties (zeros, equal values, -0) and NaN here and there.
          for (let i = 0; i < x.length; i += 13) x[i] = x[i + 1] ?? 0;
          for (let i = 5; i < x.length; i += 97) x[i] = i % 2 ? NaN : -0;
          const out = wk.heap.allocate(f32, len)!;
          const arg = argOnHeap ? (wk.heap.allocateKind('int32', len) as Int32Array) : new Int32Array(len);
          arg.fill(-9);
          wk.kernels.maxPoolForward(x, n, c, h, w, ph, pw, stride, pad, out, arg);
          const refOut = copyOf(out).fill(1);
          const refArg = new Int32Array(len);
          referenceKernels.maxPoolForward(x, n, c, h, w, ph, pw, stride, pad, refOut, refArg);
          sameBits(out, refOut, `maxPoolForward out ${[n, c, h, w, ph, pw, stride, pad]}`);
          sameBits(arg, refArg, `maxPoolForward argMax ${[n, c, h, w, ph, pw, stride, pad]}`);
          const dout = filled(wk, f32, len, 0.1);
          // -0 in dout: the reference adds it to a zero (+0); a kernel storing it as it is would differ.
          for (let i = 3; i < dout.length; i += 41) dout[i] = -0;
          const dx = wk.heap.allocate(f32, x.length)!.fill(2);
          wk.kernels.maxPoolBackward(dout, arg, n, c, h, w, ph, pw, stride, pad, dx);
          const refDx = copyOf(dx).fill(4);
          referenceKernels.maxPoolBackward(dout, refArg, n, c, h, w, ph, pw, stride, pad, refDx);
          sameBits(dx, refDx, `maxPoolBackward ${[n, c, h, w, ph, pw, stride, pad]}`);
        }
      }
    });

    /** convForward on one thread and two (the same bits) against the reference: bit for bit in float64, within the bound in float32. */
    const checkConvForward = (shape: readonly number[], x: FloatArray, W: FloatArray, b: FloatArray, what: string): void => {
      const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
      const outH = outSize(h, fh, stride, pad);
      const outW = outSize(w, fw, stride, pad);
      const k = c * fh * fw;
      const runs: FloatArray[] = [];
      for (const wk of [one, two]) {
        // The operands on this instance's heap (the other's would send it down the reference's steps).
        const onHeap = (a: FloatArray): FloatArray => {
          const copy = wk.heap.allocate(f32, a.length)!;
          copy.set(a);
          return copy;
        };
        // One image's col: the scratch of the reference path (the direct convolution leaves it alone).
        const col = wk.heap.allocate(f32, outH * outW * k)!.fill(8);
        const out = wk.heap.allocate(f32, n * fn * outH * outW)!.fill(8);
        wk.kernels.convForward(onHeap(x), n, c, h, w, onHeap(W), fn, fh, fw, stride, pad, onHeap(b), col, out);
        runs.push(out);
      }
      sameBits(runs[1], runs[0], `convForward two threads ${what}`);
      const ref = copyOf(runs[0]).fill(0);
      const zeros = (len: number): FloatArray => (f32 ? new Float32Array(len) : new Float64Array(len));
      referenceKernels.convForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, zeros(outH * outW * k), ref);
      const refCol = zeros(n * outH * outW * k);
      referenceKernels.im2col(x, n, c, h, w, fh, fw, stride, pad, refCol);
      if (!f32) {
        sameBits(runs[0], ref, `convForward ${what}`);
        return;
      }
      // Σ|products| per output, for the float32 bound (NaN where the reference has NaN).
      const spatial = outH * outW;
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < fn; f++) {
          for (let s = 0; s < spatial; s++) {
            let mag = 0;
            for (let p = 0; p < k; p++) mag += Math.abs(W[f * k + p] * refCol[(i * spatial + s) * k + p]);
            const o = (i * fn + f) * spatial + s;
            const bound = (k + 1) * 2 ** -23 * (mag + Math.abs(b[f])) + 1e-30;
            if (Number.isNaN(ref[o]) ? !Number.isNaN(runs[0][o]) : !(Math.abs(runs[0][o] - ref[o]) <= bound || runs[0][o] === ref[o])) {
              assert.fail(`convForward float32 ${what} output ${o}: ${runs[0][o]} vs ${ref[o]} (bound ${bound})`);
            }
          }
        }
      }
    };

    it(`convForward equals the reference ${f32 ? 'within the float32 bound' : 'bit for bit'}, on one thread and two (the same bits)`, async () => {
      await helperReady();
      for (const shape of [...CONV_SHAPES, [100, 1, 28, 28, 30, 5, 5, 1, 0] as const]) {
        const [n, c, h, w, fn, fh, fw] = shape;
        const k = c * fh * fw;
        checkConvForward(shape, filled(one, f32, n * c * h * w, 0.5), filled(one, f32, fn * k, 0), filled(one, f32, fn, 0), String(shape));
      }
    });

    it('convForward on sparse images (rows of taps that read only zeros are skipped) still equals the reference, and with weights that are not finite', async () => {
      await helperReady();
      const { train } = loadMnistSplits();
      for (const shape of [[100, 1, 28, 28, 30, 5, 5, 1, 0], [6, 1, 28, 28, 16, 3, 3, 1, 1], [3, 4, 12, 10, 7, 3, 3, 1, 2], [2, 3, 7, 5, 6, 2, 3, 1, 1]] as const) {
        const [n, c, h, w, fn, fh, fw] = shape;
        const k = c * fh * fw;
        // MNIST's own images (mostly zeros, ink in the middle); other shapes: a few patches of values in zeros,
        // some zeros negative (-0 reads as zero: its products are ±0 too).
        const x = one.heap.allocate(f32, n * c * h * w)!;
        if (c === 1 && h === 28) referenceKernels.bytesToFloat(train.images.subarray(0, n * 784), x, 1 / 255);
        else for (let i = 0; i < x.length; i++) x[i] = i % 9 === 0 && rng.random() < 0.8 ? rng.random() * 2 - 1 : rng.random() < 0.3 ? -0 : 0;
        for (let i = 0; i < x.length; i += 97) if (x[i] === 0) x[i] = -0;
        const W = filled(one, f32, fn * k, 0);
        const b = filled(one, f32, fn, 0);
        checkConvForward(shape, x, W, b, `sparse ${shape}`);
        // A weight that is not finite: 0 · ∞ is NaN, so no zero may be skipped (the reference's NaN everywhere the
        // weight touches), and ∞ or NaN in the image is not a zero.
        const bad = copyOf(W);
        bad[0] = Infinity;
        bad[k + 1] = NaN;
        checkConvForward(shape, x, bad, b, `sparse ${shape}, W with ∞ and NaN`);
        const xBad = copyOf(x);
        xBad[5] = Infinity;
        xBad[x.length - 3] = NaN;
        checkConvForward(shape, xBad, W, b, `sparse ${shape}, x with ∞ and NaN`);
      }
    });

    /**
     * convBackwardFilter / convBackwardData on one thread and two (the same bits) against the reference,
     * within N·ε·Σ|terms| per output (their sums run in another order: N terms, ε = 2⁻⁵² or 2⁻²³).
     */
    const checkConvBackward = (shape: readonly number[], x: FloatArray, dout: FloatArray, W: FloatArray, what: string): void => {
      const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
      const outH = outSize(h, fh, stride, pad);
      const outW = outSize(w, fw, stride, pad);
      const spatial = outH * outW;
      const k = c * fh * fw;
      const dWs: FloatArray[] = [];
      const dxs: FloatArray[] = [];
      for (const wk of [one, two]) {
        const onHeap = (a: FloatArray): FloatArray => {
          const copy = wk.heap.allocate(f32, a.length)!;
          copy.set(a);
          return copy;
        };
        const dW = wk.heap.allocate(f32, fn * k)!.fill(8);
        wk.kernels.convBackwardFilter(onHeap(x), n, c, h, w, onHeap(dout), fn, fh, fw, stride, pad, wk.heap.allocate(f32, spatial * k)!, dW);
        dWs.push(dW);
        const dx = wk.heap.allocate(f32, n * c * h * w)!.fill(8);
        wk.kernels.convBackwardData(onHeap(dout), n, fn, onHeap(W), c, h, w, fh, fw, stride, pad, wk.heap.allocate(f32, spatial * k)!, dx);
        dxs.push(dx);
      }
      sameBits(dWs[1], dWs[0], `convBackwardFilter two threads ${what}`);
      sameBits(dxs[1], dxs[0], `convBackwardData two threads ${what}`);
      const zeros = (len: number): FloatArray => (f32 ? new Float32Array(len) : new Float64Array(len));
      const refDW = zeros(fn * k).fill(3);
      referenceKernels.convBackwardFilter(x, n, c, h, w, dout, fn, fh, fw, stride, pad, zeros(spatial * k), refDW);
      const refDx = zeros(n * c * h * w).fill(3);
      referenceKernels.convBackwardData(dout, n, fn, W, c, h, w, fh, fw, stride, pad, zeros(spatial * k), refDx);
      const eps = f32 ? 2 ** -23 : 2 ** -52;
      const col = zeros(n * spatial * k);
      referenceKernels.im2col(x, n, c, h, w, fh, fw, stride, pad, col);
      const near = (got: number, want: number, mag: number, terms: number, label: string): void => {
        if (got === want || (Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= (terms + 2) * eps * mag + 1e-300)) return;
        assert.fail(`${label} ${what}: ${got} vs ${want} (Σ|terms| ${mag}, ${terms} terms)`);
      };
      // dW[f, p] = Σ_i Σ_s dout[i, f, s] · col[(i, s), p]
      for (let f = 0; f < fn; f++) {
        for (let p = 0; p < k; p++) {
          let mag = 0;
          for (let i = 0; i < n; i++) for (let s = 0; s < spatial; s++) mag += Math.abs(dout[(i * fn + f) * spatial + s] * col[(i * spatial + s) * k + p]);
          near(dWs[0][f * k + p], refDW[f * k + p], mag, n * spatial, `convBackwardFilter dW[${f}, ${p}]`);
        }
      }
      // dx: Σ|terms| through the same col2im of |W|ᵀ·|dout|.
      const absW = zeros(W.length).map((_, i) => Math.abs(W[i]));
      const absDout = zeros(dout.length).map((_, i) => Math.abs(dout[i]));
      const mags = zeros(n * c * h * w);
      referenceKernels.convBackwardData(absDout, n, fn, absW, c, h, w, fh, fw, stride, pad, zeros(spatial * k), mags);
      for (let i = 0; i < mags.length; i++) near(dxs[0][i], refDx[i], mags[i], fn * fh * fw, `convBackwardData dx[${i}]`);
    };

    it('convReluPoolForward equals convForward, reluForward and maxPoolForward in turn bit for bit (one thread and two; pooled as it convolves, or the three kernels), and the reference in float64', async () => {
      await helperReady();
      // (pool: h, w, stride, pad) — the book's 2×2 stride 2 (pooled in the convolution), others by the three kernels.
      const pools = [[2, 2, 2, 0], [3, 3, 2, 1], [2, 2, 1, 0]];
      for (const shape of CONV_SHAPES) {
        const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
        const outH = outSize(h, fh, stride, pad);
        const outW = outSize(w, fw, stride, pad);
        const k = c * fh * fw;
        for (const [ph, pw, ps, pp] of shape === CONV_SHAPES[0] ? pools : pools.slice(0, 1)) {
          const pooled = n * fn * outSize(outH, ph, ps, pp) * outSize(outW, pw, ps, pp);
          if (pooled === 0 || outH < ph || outW < pw) continue;
          for (const wk of [one, two]) {
            // Sparse images (the zero-run skipping) with NaN, ∞ and −0 here and there; one all-zero image: every
            // window of it holds the bias (ties); biases of both signs (windows that ReLU makes all zero).
            const x = filled(wk, f32, n * c * h * w, c === 1 ? 0.8 : 0.3);
            if (n > 1) x.fill(0, 0, c * h * w);
            x[x.length - 2] = NaN;
            x[Math.floor(x.length / 2)] = -0;
            if (n > 2) x[c * h * w + 3] = Infinity;
            const W = filled(wk, f32, fn * k, 0);
            const b = filled(wk, f32, fn, 0);
            const col = wk.heap.allocate(f32, outH * outW * k)!;
            const conv = wk.heap.allocate(f32, n * fn * outH * outW)!;
            wk.kernels.convForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, conv);
            wk.kernels.reluForward(conv, conv, new Uint8Array(conv.length));
            const expected = wk.heap.allocate(f32, pooled)!;
            const expectedArg = new Int32Array(pooled);
            wk.kernels.maxPoolForward(conv, n, fn, outH, outW, ph, pw, ps, pp, expected, expectedArg);
            const what = `convReluPoolForward ${shape} pool ${[ph, pw, ps, pp]}${wk === two ? ', two threads' : ''}`;
            // argMax on the heap (written in place) and off it (the three kernels).
            for (const argOnHeap of [true, false]) {
              const out = wk.heap.allocate(f32, pooled)!.fill(9);
              const arg = argOnHeap ? (wk.heap.allocateKind('int32', pooled) as Int32Array) : new Int32Array(pooled);
              arg.fill(-9);
              wk.kernels.convReluPoolForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, ph, pw, ps, pp, out, arg);
              sameBits(out, expected, `${what}${argOnHeap ? '' : ', argMax off the heap'}`);
              sameBits(arg, expectedArg, `${what} argMax${argOnHeap ? '' : ', off the heap'}`);
            }
            if (!f32) {
              const ref = copyOf(expected).fill(7);
              const refArg = new Int32Array(pooled);
              referenceKernels.convReluPoolForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, copyOf(col), ph, pw, ps, pp, ref, refArg);
              sameBits(ref, expected, `${what}: the reference`);
              sameBits(refArg, expectedArg, `${what}: the reference's argMax`);
            }
          }
        }
      }
    });

    it('convPoolBackwardParams equals maxPoolBackward, convBackwardFilter and sumChannels in turn bit for bit (one thread and two; the pooled non-zeros only, or the three kernels), and so does the reference', async () => {
      await helperReady();
      // SimpleConvNet's first layer (one thread, two), DeepConvNet's pooled layers, odd output sizes (a row
      // and a column the pooling drops), a 7-wide filter (more than 3 vectors a row in float64: the three
      // kernels), and an input that is not finite (the three kernels too).
      const shapes: (readonly number[])[] = [
        [4, 1, 28, 28, 30, 5, 5, 1, 0], [20, 1, 28, 28, 30, 5, 5, 1, 0], [3, 16, 16, 16, 16, 3, 3, 1, 1], [2, 32, 8, 8, 32, 3, 3, 1, 1],
        [3, 3, 7, 5, 7, 2, 3, 1, 1], [2, 2, 10, 11, 3, 7, 7, 1, 1], [1, 1, 2, 2, 1, 1, 1, 1, 0],
        // Small images go in groups (8 of 8×8: a full group, then a partial one over its leftovers).
        [11, 4, 8, 8, 6, 3, 3, 1, 1],
      ];
      for (const [index, shape] of [...shapes, shapes[0]].entries()) {
        const { n, c, h, w, fn, fh, fw, stride, pad, outH, outW, pooled, k } = pooledConvShape(shape);
        const finite = index < shapes.length;
        for (const wk of [one, two]) {
          const x = filled(wk, f32, n * c * h * w, c === 1 ? 0.8 : 0.3);
          x[Math.floor(x.length / 3)] = -0;
          if (!finite) x[5] = Infinity;
          const { dpool, argMax } = pooledGradient(wk, f32, pooled, -Infinity);
          const col = wk.heap.allocate(f32, outH * outW * k)!;
          const dconv = wk.heap.allocate(f32, n * fn * outH * outW)!;
          const expectedW = wk.heap.allocate(f32, fn * k)!;
          const expectedB = wk.heap.allocate(f32, fn)!;
          wk.kernels.maxPoolBackward(dpool, argMax, n, fn, outH, outW, 2, 2, 2, 0, dconv);
          wk.kernels.convBackwardFilter(x, n, c, h, w, dconv, fn, fh, fw, stride, pad, col, expectedW);
          wk.kernels.sumChannels(dconv, n, fn, outH * outW, expectedB);
          const what = `convPoolBackwardParams ${shape}${finite ? '' : ' (x not finite)'}${wk === two ? ', two threads' : ''}`;
          const dW = wk.heap.allocate(f32, fn * k)!.fill(9);
          const db = wk.heap.allocate(f32, fn)!.fill(9);
          wk.kernels.convPoolBackwardParams(x, n, c, h, w, dpool, argMax, fn, fh, fw, stride, pad, 2, 2, 2, 0, col, dW, db);
          sameBits(dW, expectedW, `${what}: dW`);
          sameBits(db, expectedB, `${what}: db`);
          if (wk === one) {
            // The reference: its own three kernels in turn (dW within rounding of the WASM filter gradient, checked above).
            const refDconv = copyOf(dconv).fill(7);
            referenceKernels.maxPoolBackward(dpool, argMax, n, fn, outH, outW, 2, 2, 2, 0, refDconv);
            const refW = copyOf(dW).fill(7);
            const refB = copyOf(db).fill(7);
            referenceKernels.convBackwardFilter(x, n, c, h, w, refDconv, fn, fh, fw, stride, pad, copyOf(col), refW);
            referenceKernels.sumChannels(refDconv, n, fn, outH * outW, refB);
            const gotW = copyOf(dW).fill(5);
            const gotB = copyOf(db).fill(5);
            referenceKernels.convPoolBackwardParams(x, n, c, h, w, dpool, argMax, fn, fh, fw, stride, pad, 2, 2, 2, 0, copyOf(col), gotW, gotB);
            sameBits(gotW, refW, `${what}: the reference's dW`);
            sameBits(gotB, refB, `${what}: the reference's db`);
          }
        }
      }
      // Other poolings than 2×2 with stride 2: the three kernels.
      const [n, c, h, w, fn, fh, fw] = [2, 1, 12, 12, 4, 5, 5];
      for (const [ph, pw, ps, pp] of [[3, 3, 2, 1], [2, 2, 1, 0]]) {
        const pooled = n * fn * outSize(8, ph, ps, pp) * outSize(8, pw, ps, pp);
        const x = filled(one, f32, n * c * h * w, 0.5);
        const dpool = filled(one, f32, pooled, 0.5);
        const argMax = new Int32Array(pooled).map(() => Math.floor(rng.random() * ph * pw));
        const col = one.heap.allocate(f32, 64 * 25)!;
        const dconv = one.heap.allocate(f32, n * fn * 64)!;
        const expectedW = one.heap.allocate(f32, fn * 25)!;
        const expectedB = one.heap.allocate(f32, fn)!;
        one.kernels.maxPoolBackward(dpool, argMax, n, fn, 8, 8, ph, pw, ps, pp, dconv);
        one.kernels.convBackwardFilter(x, n, c, h, w, dconv, fn, fh, fw, 1, 0, col, expectedW);
        one.kernels.sumChannels(dconv, n, fn, 64, expectedB);
        const dW = one.heap.allocate(f32, fn * 25)!;
        const db = one.heap.allocate(f32, fn)!;
        one.kernels.convPoolBackwardParams(x, n, c, h, w, dpool, argMax, fn, fh, fw, 1, 0, ph, pw, ps, pp, col, dW, db);
        sameBits(dW, expectedW, `convPoolBackwardParams pool ${[ph, pw, ps, pp]}: dW`);
        sameBits(db, expectedB, `convPoolBackwardParams pool ${[ph, pw, ps, pp]}: db`);
      }
    });

    it('convPoolBackwardData equals maxPoolBackward and convBackwardData in turn bit for bit (one thread and two; the pooled non-zeros only, or the two kernels), and so does the reference', async () => {
      await helperReady();
      // DeepConvNet's pooled layers, SimpleConvNet's shape, channels that are not whole vectors, odd output
      // sizes, a 7×7 filter; a 2×3 filter (not a direct convolution: the two kernels); then filters that are
      // not finite (the two kernels).
      const shapes: (readonly number[])[] = [
        [3, 16, 28, 28, 16, 3, 3, 1, 1], [2, 32, 14, 14, 32, 3, 3, 1, 1], [5, 64, 8, 8, 64, 3, 3, 1, 1], [4, 1, 28, 28, 30, 5, 5, 1, 0],
        [3, 3, 7, 5, 7, 2, 3, 1, 1], [2, 2, 10, 11, 3, 7, 7, 1, 2], [1, 1, 2, 2, 1, 1, 1, 1, 0], [11, 4, 8, 8, 6, 3, 3, 1, 1],
      ];
      for (const [index, shape] of [...shapes, shapes[0]].entries()) {
        const { n, c, h, w, fn, fh, fw, stride, pad, outH, outW, pooled, k } = pooledConvShape(shape);
        const finite = index < shapes.length;
        for (const wk of [one, two]) {
          const { dpool, argMax } = pooledGradient(wk, f32, pooled, Infinity);
          const W = filled(wk, f32, fn * k, 0);
          if (!finite) W[1] = -Infinity;
          const dcolT = wk.heap.allocate(f32, outH * outW * k)!;
          const dconv = wk.heap.allocate(f32, n * fn * outH * outW)!;
          const expected = wk.heap.allocate(f32, n * c * h * w)!;
          wk.kernels.maxPoolBackward(dpool, argMax, n, fn, outH, outW, 2, 2, 2, 0, dconv);
          wk.kernels.convBackwardData(dconv, n, fn, W, c, h, w, fh, fw, stride, pad, dcolT, expected);
          const what = `convPoolBackwardData ${shape}${finite ? '' : ' (W not finite)'}${wk === two ? ', two threads' : ''}`;
          const dx = wk.heap.allocate(f32, n * c * h * w)!.fill(9);
          wk.kernels.convPoolBackwardData(dpool, argMax, n, fn, W, c, h, w, fh, fw, stride, pad, 2, 2, 2, 0, dcolT, dx);
          sameBits(dx, expected, what);
          if (wk === one) {
            // The reference: its own two kernels in turn (the WASM input gradient is within rounding of it, checked below).
            const refDconv = copyOf(dconv).fill(7);
            referenceKernels.maxPoolBackward(dpool, argMax, n, fn, outH, outW, 2, 2, 2, 0, refDconv);
            const ref = copyOf(dx).fill(7);
            referenceKernels.convBackwardData(refDconv, n, fn, W, c, h, w, fh, fw, stride, pad, copyOf(dcolT), ref);
            const got = copyOf(dx).fill(5);
            referenceKernels.convPoolBackwardData(dpool, argMax, n, fn, W, c, h, w, fh, fw, stride, pad, 2, 2, 2, 0, copyOf(dcolT), got);
            sameBits(got, ref, `${what}: the reference`);
          }
        }
      }
    });

    it('convBackwardFilter and convBackwardData equal the reference within rounding, on one thread and two (the same bits)', async () => {
      await helperReady();
      for (const shape of [...CONV_SHAPES, [20, 1, 28, 28, 30, 5, 5, 1, 0] as const, [5, 16, 16, 16, 31, 3, 3, 1, 2] as const]) {
        const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
        const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
        checkConvBackward(shape, filled(one, f32, n * c * h * w, 0.5), filled(one, f32, n * fn * spatial, 0.5), filled(one, f32, fn * c * fh * fw, 0), String(shape));
      }
    });

    it('convBackwardFilter and convBackwardData with inputs, gradients or filters that are not finite give the reference\'s NaN and ∞', async () => {
      await helperReady();
      for (const shape of [[3, 2, 7, 6, 5, 3, 3, 1, 1], [2, 1, 12, 12, 4, 5, 5, 1, 0]] as const) {
        const [n, c, h, w, fn, fh, fw, stride, pad] = shape;
        const spatial = outSize(h, fh, stride, pad) * outSize(w, fw, stride, pad);
        const x = filled(one, f32, n * c * h * w, 0.3);
        x[4] = Infinity;
        x[x.length - 2] = NaN;
        const dout = filled(one, f32, n * fn * spatial, 0.3);
        dout[3] = -Infinity;
        checkConvBackward(shape, x, dout, filled(one, f32, fn * c * fh * fw, 0), `${shape} with ∞ and NaN`);
        // Filters that are not finite: the input gradient's full convolution must not multiply them by the padding.
        const W = filled(one, f32, fn * c * fh * fw, 0);
        W[1] = Infinity;
        W[W.length - 1] = NaN;
        checkConvBackward(shape, filled(one, f32, n * c * h * w, 0.3), filled(one, f32, n * fn * spatial, 0.3), W, `${shape}, W with ∞ and NaN`);
      }
    });

    it('off-heap operands and other strides run the reference (same results)', () => {
      const [n, c, h, w, fn, fh, fw] = [2, 2, 6, 6, 3, 3, 3];
      const mk = (len: number) => (f32 ? new Float32Array(len) : new Float64Array(len)).map(() => rng.random() - 0.5);
      const x = mk(n * c * h * w);
      const W = mk(fn * c * fh * fw);
      const b = mk(fn);
      for (const [stride, pad] of [[1, 1], [2, 1]]) {
        const outH = outSize(h, fh, stride, pad);
        const col = mk(outH * outH * c * fh * fw);
        const out = mk(n * fn * outH * outH);
        one.kernels.convForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, out);
        const refCol = copyOf(col);
        const ref = copyOf(out);
        referenceKernels.convForward(x, n, c, h, w, W, fn, fh, fw, stride, pad, b, refCol, ref);
        // Both ran the reference's steps: the scratch holds the last image's col in both.
        sameBits(col, refCol, 'off-heap col');
        for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-5, `off-heap out ${i}`);
      }
      const out = mk(n * c * 9);
      const arg = new Int32Array(out.length);
      one.kernels.maxPoolForward(x, n, c, h, w, 2, 2, 2, 0, out, arg);
      const refOut = copyOf(out);
      const refArg = new Int32Array(out.length);
      referenceKernels.maxPoolForward(x, n, c, h, w, 2, 2, 2, 0, refOut, refArg);
      sameBits(out, refOut, 'off-heap pooling');
      sameBits(arg, refArg, 'off-heap argMax');
    });
  });
}

describe('the relaxed-SIMD build against the plain one', () => {
  beforeEach(() => releaseDeadBuffers());
  it('fuses the float32 convolutions (results differ in the last bits) and leaves float64 bit for bit the same', () => {
    const [plain, relaxed] = builds.map((b) => b.one);
    const [n, c, h, w, fn, fh, fw, pad] = [4, 8, 12, 12, 12, 3, 3, 1];
    const k = c * fh * fw;
    for (const f32 of [true, false]) {
      const data = (len: number) => Array.from({ length: len }, () => rng.random() * 2 - 1);
      const xs = data(n * c * h * w), Ws = data(fn * k), bs = data(fn), douts = data(n * fn * h * w);
      const outs = [plain, relaxed].map((wk) => {
        const put = (v: number[]) => {
          const a = wk.heap.allocate(f32, v.length)!;
          a.set(v);
          return a;
        };
        const out = wk.heap.allocate(f32, n * fn * h * w)!;
        const scratch = wk.heap.allocate(f32, h * w * k)!;
        wk.kernels.convForward(put(xs), n, c, h, w, put(Ws), fn, fh, fw, 1, pad, put(bs), scratch, out);
        const dW = wk.heap.allocate(f32, fn * k)!;
        wk.kernels.convBackwardFilter(put(xs), n, c, h, w, put(douts), fn, fh, fw, 1, pad, scratch, dW);
        const dx = wk.heap.allocate(f32, n * c * h * w)!;
        wk.kernels.convBackwardData(put(douts), n, fn, put(Ws), c, h, w, fh, fw, 1, pad, scratch, dx);
        return [out, dW, dx];
      });
      const differ = (a: FloatArray, b: FloatArray) => a.some((v, i) => !Object.is(v, b[i]));
      for (let j = 0; j < 3; j++) {
        const what = ['convForward', 'convBackwardFilter', 'convBackwardData'][j];
        if (f32) assert.ok(differ(outs[0][j], outs[1][j]), `${what} float32: the relaxed build gave the plain build's bits (not fused?)`);
        else sameBits(outs[1][j], outs[0][j], `${what} float64, relaxed build`);
      }
    }
  });
});
