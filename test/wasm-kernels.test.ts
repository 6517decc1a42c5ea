/** The WASM SIMD kernels against the TypeScript reference kernels they stand in for. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BOOK_CONFIG, PARAM_KEYS, TwoLayerNet, evaluateAccuracy, train as trainNet, loadMnistSplits, referenceKernels, zeros, type FloatArray, type Kernels } from '../src/node.ts';
import { KERNELS_WASM_BASE64 } from '../src/kernels/wasm/binary.ts';
import { activeWasmHeap, createWasmKernels, kernelBackend, kernelThreadReady, stopKernelThreads, useTypeScriptKernels, useWasmKernels, wasmSimdSupported } from '../src/kernels/wasm/index.ts';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';
import { HELPER_OPS } from '../src/kernels/wasm/helper-protocol.ts';
import { WasmHeap } from '../src/kernels/wasm/heap.ts';
import { binaryModules, compileWasm } from '../scripts/build-wasm.ts';
import { meanAbsDiff } from './helpers/gradcheck.ts';

const wasm = createWasmKernels();
after(() => useTypeScriptKernels());

/** Relative closeness: f64 sums in another order differ by rounding only; f32 by float32 rounding. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, f32: boolean, what: string): void {
  const tol = f32 ? 2e-5 : 1e-12;
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The book's TwoLayerNet inference on image bytes, layer by layer through the kernels `k`: argmax per image. */
function layered(k: Kernels, heap: WasmHeap, images: Uint8Array, count: number, [W1, b1, W2, b2]: FloatArray[]): Int32Array {
  const f32 = W1 instanceof Float32Array;
  const [pixels, hidden, classes] = [images.length / count, b1.length, b2.length];
  const x = heap.allocate(f32, count * pixels)!;
  const h = heap.allocate(f32, count * hidden)!;
  const s = heap.allocate(f32, count * classes)!;
  const best = new Float64Array(count);
  k.bytesToFloat(images, x, 1 / 255);
  k.gemm(false, false, count, hidden, pixels, x, W1, h);
  k.addRowVector(h, b1, count, hidden, h);
  k.reluForward(h, h, new Uint8Array(count * hidden));
  k.gemm(false, false, count, classes, hidden, h, W2, s);
  k.addRowVector(s, b2, count, classes, s);
  k.argmaxAxis(s, count, classes, 1, best);
  return Int32Array.from(best);
}

const dims = fc.integer({ min: 1, max: 40 });
const arrayOf = (len: number, f32: boolean, onHeap: boolean, zeroShare: number, seed: number): FloatArray => {
  const arr = onHeap ? wasm.heap.allocate(f32, len + 3)! : f32 ? new Float32Array(len + 3) : new Float64Array(len + 3);
  let s = seed;
  for (let i = 0; i < arr.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 2 ** 32;
    arr[i] = u < zeroShare ? 0 : (u - 0.5) * 4;
  }
  return arr; // 3 spare elements: views longer than the matrix must work
};

describe('WASM SIMD kernels', () => {
  it('run here (Node has WASM SIMD) and the embedded module is built from the current source', () => {
    assert.ok(wasmSimdSupported());
    const modules = binaryModules(compileWasm(), compileWasm(false, true), compileWasm(true), compileWasm(true, true));
    assert.equal(readFileSync(new URL('../src/kernels/wasm/binary.ts', import.meta.url), 'utf8'), modules.main, 'the embedded WASM is stale: run npm run build:wasm');
    assert.equal(readFileSync(new URL('../src/kernels/wasm/binary-shared.ts', import.meta.url), 'utf8'), modules.shared, 'the embedded shared-memory WASM is stale: run npm run build:wasm');
    assert.ok(KERNELS_WASM_BASE64.length > 1000);
  });

  it('gemm equals the TypeScript kernel for every transpose flag, dtype, accumulate and memory placement', () => {
    fc.assert(
      // k up to 90 reaches both A·Bᵀ paths (transposed copy below 32, packed panels from 32); n up to
      // 70 reaches every combination of row passes (13, 8, 4, 2, 1 vectors) and partial last vectors.
      fc.property(dims, fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 90 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer(), (m, n, k, tA, tB, f32, acc, onHeap, zeroShare, seed) => {
        const a = arrayOf(m * k, f32, onHeap, zeroShare, seed);
        const b = arrayOf(k * n, f32, !onHeap, 0, seed + 1);
        const c1 = arrayOf(m * n, f32, onHeap, 0, seed + 2);
        const c2 = c1.slice() as FloatArray;
        referenceKernels.gemm(tA, tB, m, n, k, a, b, c1, acc);
        wasm.kernels.gemm(tA, tB, m, n, k, a, b, c2, acc);
        // A·B and Aᵀ·B add the same products in the same order as the reference: in float64, bit for bit;
        // so does A·Bᵀ on either path (the reference's dot products, p ascending from zero) when
        // it does not accumulate (with tA and tB both set, the reference computes it).
        const exact = !tB || (tA && tB) || !acc;
        if (!f32 && exact) assert.deepEqual(c2, c1, `gemm(${tA},${tB}) ${m}×${n}×${k} float64`);
        else assertClose(c2, c1, f32, `gemm(${tA},${tB}) ${m}×${n}×${k}`);
      }),
      { numRuns: 400 },
    );
  });

  it('gemm with one NaN or infinity anywhere in B gives the reference\'s NaNs (a zero of A times it is NaN: no zero is skipped)', () => {
    fc.assert(
      // B's finiteness decides whether zeros of A may be skipped; its check reads B four vectors at a time,
      // then a scalar tail: k·n up to 50·70 puts the value in either, and near the largest finite values.
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(NaN, Infinity, -Infinity),
        fc.nat(),
        fc.integer(),
        (m, n, k, tA, f32, bad, at, seed) => {
          const a = arrayOf(m * k, f32, true, 0.5, seed);
          const b = arrayOf(k * n, f32, true, 0, seed + 1);
          // The largest finite values are finite: only the all-ones exponent is not.
          b[(at + 1) % (k * n)] = f32 ? 3.4028234663852886e38 : Number.MAX_VALUE;
          b[at % (k * n)] = bad;
          const c1 = arrayOf(m * n, f32, true, 0, seed + 2);
          const c2 = c1.slice() as FloatArray;
          referenceKernels.gemm(tA, false, m, n, k, a, b, c1);
          wasm.kernels.gemm(tA, false, m, n, k, a, b, c2);
          assert.deepEqual([...c2.subarray(0, m * n)].map(String), [...c1.subarray(0, m * n)].map(String), `gemm(${tA}) ${m}×${n}×${k} ${f32 ? 'float32' : 'float64'}, B[${at % (k * n)}] = ${bad}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('A·B with a B larger than a block (512 KB: taken in blocks of rows) equals the TypeScript kernel, bit for bit in float64', () => {
    fc.assert(
      // Affine 4320→100's forward is 100×100×4320; here k·n·size exceeds 512 KB by up to ~3 blocks.
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 60, max: 130 }), fc.integer({ min: 1400, max: 5200 }), fc.boolean(), fc.boolean(), fc.double({ min: 0, max: 0.9, noNaN: true }), fc.integer(), (m, n, k, f32, acc, zeroShare, seed) => {
        const a = arrayOf(m * k, f32, true, zeroShare, seed);
        const b = arrayOf(k * n, f32, true, 0, seed + 1);
        const c1 = arrayOf(m * n, f32, true, 0, seed + 2);
        const c2 = c1.slice() as FloatArray;
        referenceKernels.gemm(false, false, m, n, k, a, b, c1, acc);
        wasm.kernels.gemm(false, false, m, n, k, a, b, c2, acc);
        if (f32) assertClose(c2, c1, true, `gemm(N,N) ${m}×${n}×${k}`);
        else assert.deepEqual(c2, c1, `gemm(N,N) ${m}×${n}×${k} float64`);
      }),
      { numRuns: 40 },
    );
  });

  it('Aᵀ·B with a large C (regrouped by column) equals the TypeScript kernel, for any shape', () => {
    fc.assert(
      // C of more than 16 KB takes the regrouping path (small ones add in place): m·n·8 > 16384.
      fc.property(fc.integer({ min: 300, max: 700 }), fc.integer({ min: 7, max: 70 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), fc.boolean(), fc.double({ min: 0, max: 0.95, noNaN: true }), fc.integer(), (m, n, k, f32, acc, zeroShare, seed) => {
        const a = arrayOf(k * m, f32, true, zeroShare, seed);
        const b = arrayOf(k * n, f32, true, 0, seed + 1);
        const c1 = arrayOf(m * n, f32, true, 0, seed + 2);
        const c2 = c1.slice() as FloatArray;
        referenceKernels.gemm(true, false, m, n, k, a, b, c1, acc);
        wasm.kernels.gemm(true, false, m, n, k, a, b, c2, acc);
        if (f32) assertClose(c2, c1, true, `gemm(T,N) ${m}×${n}×${k}`);
        else assert.deepEqual(c2, c1, `gemm(T,N) ${m}×${n}×${k} float64`);
      }),
      { numRuns: 60 },
    );
  });

  it('kept rows (keepRows): x·W, xᵀ·dout and x·W again from one listing equal the reference, and a kernel writing over them is seen', () => {
    const { train } = loadMnistSplits();
    for (const f32 of [true, false]) {
      for (const [m, k, n] of [[100, 784, 50], [37, 53, 9]]) {
        const x = wasm.heap.allocate(f32, m * k)!;
        const load = (from: number) => wasm.kernels.bytesToFloat(train.images.subarray(from * k, (from + m) * k), x, 1 / 255);
        load(0);
        const W = arrayOf(k * n, f32, true, 0, 11);
        const dout = arrayOf(m * n, f32, true, 0.3, 12);
        // Outputs on the heap too: the kept lists are only used when no operand needs copying.
        const products = (k2: Pick<Kernels, 'gemm'>) => {
          const h1 = wasm.heap.allocate(f32, m * n)!;
          const dW = wasm.heap.allocate(f32, k * n)!;
          const h2 = wasm.heap.allocate(f32, m * n)!;
          k2.gemm(false, false, m, n, k, x, W, h1);
          k2.gemm(true, false, k, n, m, x, dout, dW);
          for (let i = 0; i < W.length; i++) W[i] -= 0.5 * dW[i]; // an update between the products, as SGD
          k2.gemm(false, false, m, n, k, x, W, h2);
          return [h1, dW, h2];
        };
        const W0 = W.slice();
        const expected = products(referenceKernels);
        W.set(W0);
        wasm.kernels.keepRows(x, m, k);
        const got = products(wasm.kernels);
        for (let j = 0; j < 3; j++) {
          if (f32) assertClose(got[j], expected[j], true, `product ${j}`);
          else assert.deepEqual(got[j], expected[j], `product ${j} (float64, bit for bit)`);
        }
        // A kernel writes other images into x: the lists are forgotten, the next product reads x anew.
        load(m);
        const h = wasm.heap.allocate(f32, m * n)!;
        const hRef = new (f32 ? Float32Array : Float64Array)(m * n);
        wasm.kernels.gemm(false, false, m, n, k, x, W, h);
        referenceKernels.gemm(false, false, m, n, k, x, W, hRef);
        if (f32) assertClose(h, hRef, true, 'after the write');
        else assert.deepEqual(h, hRef, 'after the write');
        // Kept again, then times a B of another width (the lists hold offsets into B's rows).
        wasm.kernels.keepRows(x, m, k);
        wasm.kernels.gemm(false, false, m, n, k, x, W, h);
        const V = arrayOf(k * (n + 3), f32, true, 0, 13);
        const [v1, v2] = [new (f32 ? Float32Array : Float64Array)(m * (n + 3)), wasm.heap.allocate(f32, m * (n + 3))!];
        referenceKernels.gemm(false, false, m, n + 3, k, x, V, v1);
        wasm.kernels.gemm(false, false, m, n + 3, k, x, V, v2);
        if (f32) assertClose(v2, v1, true, 'another width');
        else assert.deepEqual(v2, v1, 'another width');
      }
    }
  });

  it('kept rows that gatherRows wrote are listed from the image bytes: the same products, and a later gather or a write over the images is seen', () => {
    const { train } = loadMnistSplits();
    const [m, k, n, count] = [100, 784, 50, 600];
    const images = wasm.heap.allocateKind('uint8', count * k) as Uint8Array;
    images.set(train.images.subarray(0, count * k));
    const pick = (seed: number) => Uint32Array.from({ length: m }, (_, i) => (i * 7919 + seed * 104729) % count);
    for (const f32 of [true, false]) {
      const F = f32 ? Float32Array : Float64Array;
      const same = (got: FloatArray, want: FloatArray, what: string) =>
        f32 ? assertClose(got, want, true, what) : assert.deepEqual(got, want, `${what} (float64, bit for bit)`);
      const x = wasm.heap.allocate(f32, m * k)!;
      const W = arrayOf(k * n, f32, true, 0, 21);
      const dout = arrayOf(m * n, f32, true, 0.3, 22);
      const h1 = wasm.heap.allocate(f32, m * n)!;
      const dW = wasm.heap.allocate(f32, k * n)!;
      const h2 = wasm.heap.allocate(f32, m * n)!;
      const W0 = W.slice();
      wasm.kernels.gatherRows(images, k, pick(1), x, 1 / 255);
      wasm.kernels.keepRows(x, m, k);
      wasm.kernels.gemm(false, false, m, n, k, x, W, h1);
      wasm.kernels.gemm(true, false, k, n, m, x, dout, dW);
      for (let i = 0; i < W.length; i++) W[i] -= 0.5 * dW[i];
      wasm.kernels.gemm(false, false, m, n, k, x, W, h2);
      const [r1, rdW, r2] = [new F(m * n), new F(k * n), new F(m * n)];
      W.set(W0);
      referenceKernels.gemm(false, false, m, n, k, x, W, r1);
      referenceKernels.gemm(true, false, k, n, m, x, dout, rdW);
      for (let i = 0; i < W.length; i++) W[i] -= 0.5 * rdW[i];
      referenceKernels.gemm(false, false, m, n, k, x, W, r2);
      same(h1, r1, 'x·W from the bytes');
      same(dW, rdW, 'xᵀ·dout from the lists');
      same(h2, r2, 'x·W after the update');

      // The bytes are what is listed: a float changed behind the kernels' back (which keepRows forbids)
      // is not seen — this proves the byte path ran.
      wasm.kernels.gatherRows(images, k, pick(2), x, 1 / 255);
      wasm.kernels.keepRows(x, m, k);
      const saved = x[0];
      x[0] = 0.5;
      wasm.kernels.gemm(false, false, m, n, k, x, W, h1);
      x[0] = saved;
      referenceKernels.gemm(false, false, m, n, k, x, W, r1);
      same(h1, r1, 'x·W listed from the bytes');

      // Another gather (the index list is rewritten) between keepRows and the product: the floats are read.
      wasm.kernels.gatherRows(images, k, pick(3), x, 1 / 255);
      wasm.kernels.keepRows(x, m, k);
      const y = wasm.heap.allocate(f32, m * k)!;
      wasm.kernels.gatherRows(images, k, pick(4), y, 1 / 255);
      wasm.kernels.gemm(false, false, m, n, k, x, W, h1);
      referenceKernels.gemm(false, false, m, n, k, x, W, r1);
      same(h1, r1, 'x·W after another gather');

      // A kernel writing over the images between keepRows and the product: the floats are read.
      wasm.kernels.gatherRows(images, k, pick(5), x, 1 / 255);
      wasm.kernels.keepRows(x, m, k);
      const over = new F(wasm.heap.buffer, images.byteOffset - (images.byteOffset % F.BYTES_PER_ELEMENT) + 64 * F.BYTES_PER_ELEMENT, 4096);
      const ones = wasm.heap.allocate(f32, over.length)!.fill(1);
      wasm.kernels.axpy(3, ones, over);
      wasm.kernels.gemm(false, false, m, n, k, x, W, h1);
      referenceKernels.gemm(false, false, m, n, k, x, W, r1);
      same(h1, r1, 'x·W after a write over the images');
      images.set(train.images.subarray(0, count * k));
    }
  });

  it('the MNIST shapes: x·W1, xᵀ·dout, dout·W2ᵀ on a real batch', () => {
    const { train } = loadMnistSplits();
    for (const f32 of [true, false]) {
      const x = wasm.heap.allocate(f32, 100 * 784)!;
      referenceKernels.bytesToFloat(train.images.subarray(0, 100 * 784), x, 1 / 255);
      const W = arrayOf(784 * 50, f32, true, 0, 7);
      const out1 = wasm.heap.allocate(f32, 100 * 50)!;
      const out2 = out1.slice() as FloatArray;
      referenceKernels.gemm(false, false, 100, 50, 784, x, W, out1);
      wasm.kernels.gemm(false, false, 100, 50, 784, x, W, out2);
      assertClose(out2, out1, f32, 'x·W1');
      const dW1 = new (f32 ? Float32Array : Float64Array)(784 * 50);
      const dW2 = dW1.slice();
      referenceKernels.gemm(true, false, 784, 50, 100, x, out1, dW1);
      wasm.kernels.gemm(true, false, 784, 50, 100, x, out1, dW2);
      assertClose(dW2, dW1, f32, 'xᵀ·dout');
    }
  });

  it('reluForward/Backward, addRowVector and sumRows equal the TypeScript kernels (including -0 and NaN)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.boolean(), fc.integer(), (m, n, f32, onHeap, seed) => {
        const len = m * n;
        const xs = arrayOf(len, f32, onHeap, 0.2, seed);
        xs[0] = -0;
        if (len > 2) xs[1] = NaN;
        const bytes = (heap: boolean) => (heap ? (wasm.heap.allocateKind('uint8', len) as Uint8Array) : new Uint8Array(len));
        const [o1, o2] = [arrayOf(len, f32, false, 0, 1), arrayOf(len, f32, !onHeap, 0, 1)];
        const [m1, m2] = [bytes(false), bytes(onHeap)];
        referenceKernels.reluForward(xs.subarray(0, len) as FloatArray, o1, m1);
        wasm.kernels.reluForward(xs.subarray(0, len) as FloatArray, o2, m2);
        assert.deepEqual([...m2], [...m1], 'relu mask');
        assert.deepEqual([...o2.subarray(0, len)].map(String), [...o1.subarray(0, len)].map(String), 'relu out (NaN stays NaN)');
        // In place (Relu({ inPlace: true }), the conv nets' ReLUs): out is x.
        const over = arrayOf(len, f32, onHeap, 0.2, seed).subarray(0, len) as FloatArray;
        over[0] = -0;
        if (len > 2) over[1] = NaN;
        const m3 = bytes(onHeap);
        wasm.kernels.reluForward(over, over, m3);
        assert.deepEqual([...m3], [...m1], 'relu mask, in place');
        assert.deepEqual([...over].map(String), [...o1.subarray(0, len)].map(String), 'relu out, in place');
        const dout = arrayOf(len, f32, onHeap, 0, seed + 3).subarray(0, len) as FloatArray;
        const [d1, d2] = [arrayOf(len, f32, false, 0, 2), arrayOf(len, f32, onHeap, 0, 2)];
        referenceKernels.reluBackward(dout, m1, d1);
        wasm.kernels.reluBackward(dout, m2, d2);
        assert.deepEqual([...d2.subarray(0, len)], [...d1.subarray(0, len)], 'relu backward');
        const bias = arrayOf(n, f32, onHeap, 0, seed + 4);
        const [a1, a2] = [arrayOf(len, f32, false, 0, 5), arrayOf(len, f32, onHeap, 0, 5)];
        referenceKernels.addRowVector(dout, bias, m, n, a1);
        wasm.kernels.addRowVector(dout, bias, m, n, a2);
        assertClose(a2.subarray(0, len), a1.subarray(0, len), f32, 'addRowVector');
        const inPlace = dout.slice() as FloatArray;
        wasm.kernels.addRowVector(inPlace, bias, m, n, inPlace);
        assertClose(inPlace, a1.subarray(0, len), f32, 'addRowVector in place');
        const [s1, s2] = [arrayOf(n, f32, false, 0, 6), arrayOf(n, f32, onHeap, 0, 6)];
        referenceKernels.sumRows(dout, m, n, s1);
        wasm.kernels.sumRows(dout, m, n, s2);
        assertClose(s2.subarray(0, n), s1.subarray(0, n), f32, 'sumRows');
      }),
      { numRuns: 200 },
    );
  });

  it('axpy, bytesToFloat and gatherRows equal the TypeScript kernels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.boolean(), fc.boolean(), fc.double({ min: -3, max: 3, noNaN: true }), fc.integer(), (len, f32, onHeap, alpha, seed) => {
        const xs = arrayOf(len, f32, onHeap, 0.3, seed);
        const y1 = arrayOf(len, f32, !onHeap, 0, seed + 1).subarray(0, len) as FloatArray;
        const y2 = y1.slice() as FloatArray;
        referenceKernels.axpy(alpha, xs, y1);
        wasm.kernels.axpy(alpha, xs, y2);
        assertClose(y2, y1, f32, 'axpy');
        const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + seed) & 255);
        const d1 = arrayOf(len, f32, false, 0, 0);
        const d2 = arrayOf(len, f32, onHeap, 0, 0);
        referenceKernels.bytesToFloat(bytes, d1, 1 / 255);
        wasm.kernels.bytesToFloat(bytes, d2, 1 / 255);
        if (f32) {
          // float32: WASM multiplies by 1/255 rounded to float32; TypeScript rounds the double product once.
          for (let i = 0; i < len; i++) assert.ok(Math.abs(d2[i] - d1[i]) <= 2 ** -23 * Math.abs(d1[i]), `bytesToFloat[${i}]: ${d2[i]} vs ${d1[i]}`);
        } else {
          assert.deepEqual([...d2.subarray(0, len)], [...d1.subarray(0, len)], 'bytesToFloat (float64) is exact');
        }
      }),
      { numRuns: 200 },
    );
    const src = Uint8Array.from({ length: 50 * 7 }, (_, i) => (i * 13) & 255);
    const idx = Uint32Array.of(3, 0, 49, 3);
    for (const f32 of [true, false]) {
      const a = new (f32 ? Float32Array : Float64Array)(4 * 7);
      const b = wasm.heap.allocate(f32, 4 * 7)!;
      referenceKernels.gatherRows(src, 7, idx, a, 1 / 255);
      wasm.kernels.gatherRows(src, 7, idx, b, 1 / 255);
      assertClose(b, a, f32, 'gatherRows');
      // Node Buffers (what readFileSync gives) take the Buffer.copy path.
      const c = wasm.heap.allocate(f32, 4 * 7)!;
      wasm.kernels.gatherRows(Buffer.from(src), 7, idx, c, 1 / 255);
      assert.deepEqual([...c], [...b], 'gatherRows from a Buffer');
    }
  });

  it('gatherRows from images on the heap (the batch in one kernel call) equals the TypeScript kernel', () => {
    const rowLen = 37;
    const src = wasm.heap.allocateKind('uint8', 60 * rowLen) as Uint8Array;
    for (let i = 0; i < src.length; i++) src[i] = (i * 29 + 7) & 255;
    const idx = Uint32Array.of(59, 0, 17, 17, 3);
    for (const f32 of [true, false]) {
      const a = new (f32 ? Float32Array : Float64Array)(idx.length * rowLen);
      const b = wasm.heap.allocate(f32, idx.length * rowLen)!;
      referenceKernels.gatherRows(src, rowLen, idx, a, 1 / 255);
      wasm.kernels.gatherRows(src, rowLen, idx, b, 1 / 255);
      if (f32) assertClose(b, a, true, 'gatherRows (float32, heap)');
      else assert.deepEqual(b, a, 'gatherRows (float64, heap) is exact');
    }
  });

  it('softmaxRows equals the TypeScript kernel (same f64 steps; exp may differ by an ulp)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.integer(), (rows, cols, f32, seed) => {
        const xs = arrayOf(rows * cols, f32, true, 0, seed).subarray(0, rows * cols) as FloatArray;
        for (let i = 0; i < xs.length; i++) xs[i] *= 20; // scores up to ±40: the max subtraction matters
        const y1 = new (f32 ? Float32Array : Float64Array)(rows * cols);
        const y2 = wasm.heap.allocate(f32, rows * cols)!;
        referenceKernels.softmaxRows(xs, rows, cols, y1);
        wasm.kernels.softmaxRows(xs, rows, cols, y2);
        for (let i = 0; i < y1.length; i++) {
          const ulp = f32 ? 2 ** -23 : 2 ** -52;
          assert.ok(Math.abs(y2[i] - y1[i]) <= 4 * ulp * Math.abs(y1[i]), `softmax[${i}]: ${y2[i]} vs ${y1[i]}`);
        }
        wasm.kernels.softmaxRows(xs, rows, cols, xs); // in place
        assert.deepEqual(xs, y2, 'in place');
      }),
      { numRuns: 150 },
    );
  });

  it("sigmoid equals the TypeScript kernel within 2 ulp in float64 (its exp is a polynomial, Math.exp is not), within a float32 ulp in float32, exactly at ±0, ±Infinity, NaN and the underflow edge", () => {
    const ulpDistance = (a: number, b: number): number => {
      if (Object.is(a, b)) return 0;
      const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
      return Math.abs(Number(bits[0] - bits[1]));
    };
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 7, 8, 9, 17, 129, 1000), fc.boolean(), fc.boolean(), fc.constantFrom(1, 8, 40, 800), fc.integer(), (len, f32, onHeap, spread, seed) => {
        // x and out on the heap or not, crosswise: each way in and out of the kernel.
        const xs = arrayOf(len, f32, !onHeap, 0, seed).subarray(0, len) as FloatArray;
        for (let i = 0; i < len; i++) xs[i] *= spread;
        const want = new (f32 ? Float32Array : Float64Array)(len);
        const got = onHeap ? wasm.heap.allocate(f32, len)! : new (f32 ? Float32Array : Float64Array)(len);
        referenceKernels.sigmoid(xs, want);
        wasm.kernels.sigmoid(xs, got);
        for (let i = 0; i < len; i++) {
          if (f32) assert.ok(Math.abs(got[i] - want[i]) <= 2 ** -23 * Math.abs(want[i]), `sigmoid (float32) of ${xs[i]}: ${got[i]} vs ${want[i]}`);
          else assert.ok(ulpDistance(got[i], want[i]) <= 2, `sigmoid of ${xs[i]}: ${got[i]} vs ${want[i]}`);
        }
        wasm.kernels.sigmoid(got, got); // in place, on the heap or copied
        referenceKernels.sigmoid(want, want);
        for (let i = 0; i < len; i++) assert.ok(Math.abs(got[i] - want[i]) <= 4 * (f32 ? 2 ** -23 : 2 ** -52) * Math.abs(want[i]), `in place: ${got[i]} vs ${want[i]}`);
      }),
      { numRuns: 200 },
    );
    const special = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 36.7, -36.7, 708.4, -708.4, 709, -709, 744, -744, 745, -745, 745.2, -745.2, 746, -746, 1e308, -1e308, -1000];
    const heapX = wasm.heap.allocate(false, special.length)!;
    heapX.set(special);
    const got = wasm.heap.allocate(false, special.length)!;
    const want = new Float64Array(special.length);
    referenceKernels.sigmoid(heapX, want);
    wasm.kernels.sigmoid(heapX, got);
    special.forEach((v, i) => assert.ok(Object.is(got[i], want[i]), `sigmoid(${v}): ${got[i]} vs ${want[i]}`));
    // A value gets the same bits wherever it sits: in the 4-vector loop, a lone vector, or the odd tail.
    for (const v of [-0.7310585786300049, 3.25, -700.5, 1e-9]) {
      const xs = new Float64Array(11).fill(v);
      const ys = new Float64Array(11);
      wasm.kernels.sigmoid(xs, ys);
      ys.forEach((y) => assert.ok(Object.is(y, ys[0]), `sigmoid(${v}): ${y} vs ${ys[0]}`));
    }
  });

  it('predictTwoLayer (fused inference on image bytes) predicts exactly what the layer-by-layer kernels predict', () => {
    const { test } = loadMnistSplits();
    const count = 700;
    const [pixels, hidden, classes] = [784, 50, 10];
    const images = wasm.heap.allocateKind('uint8', count * pixels) as Uint8Array;
    images.set(test.images.subarray(0, count * pixels));
    for (const f32 of [true, false]) {
      const param = (len: number, seed: number, amp: number) => {
        const a = wasm.heap.allocate(f32, len)!;
        for (let i = 0; i < len; i++) a[i] = amp * Math.sin(seed + i * 0.7);
        return a;
      };
      const [W1, b1, W2, b2] = [param(pixels * hidden, 1, 0.1), param(hidden, 2, 0.2), param(hidden * classes, 3, 0.5), param(classes, 4, 0.1)];
      const fused = new Int32Array(count);
      wasm.kernels.predictTwoLayer(images, count, pixels, 1 / 255, W1, b1, W2, b2, hidden, classes, fused);
      const expected = layered({ ...referenceKernels, ...wasm.kernels }, wasm.heap, images, count, [W1, b1, W2, b2]);
      assert.deepEqual(fused, expected, `fused = layers (${f32 ? 'float32' : 'float64'})`);
      assert.ok(new Set(fused).size >= 5, 'the predictions are varied (the test can fail)');
      const reference = new Int32Array(count);
      referenceKernels.predictTwoLayer(images, count, pixels, 1 / 255, W1, b1, W2, b2, hidden, classes, reference);
      assert.deepEqual(reference, layered(referenceKernels, wasm.heap, images, count, [W1, b1, W2, b2]), 'the TypeScript reference = its layers');
      if (!f32) assert.deepEqual(fused, reference, 'float64: WASM = TypeScript');
    }
  });

  it('with WASM kernels on, backprop still matches numerical gradients (float64, 3 real images)', () => {
    assert.ok(useWasmKernels());
    try {
      assert.equal(kernelBackend(), 'wasm-simd');
      const { train } = loadMnistSplits();
      const x = zeros([3, 784]);
      train.copyImages(0, 3, x.data);
      const t = [...train.labels.subarray(0, 3)];
      const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
      assert.ok(activeWasmHeap()!.owns(net.params.W1.data), 'parameters live on the WASM heap');
      const numerical = net.numericalGradient(x, t);
      const backprop = net.gradient(x, t);
      for (const key of PARAM_KEYS) assert.ok(meanAbsDiff(backprop[key].data, numerical[key].data) < 1e-6, key);
      // Evaluation (one fused kernel on the bytes) agrees with net.accuracy on float tensors.
      const slice = train.slice(0, 400);
      const [xs, ts] = slice.toTensors({});
      assert.equal(evaluateAccuracy(net, slice, 150), net.accuracy(xs, ts));
    } finally {
      useTypeScriptKernels();
    }
    assert.equal(kernelBackend(), 'typescript');
  });
});

describe('WASM kernels on two threads', () => {
  it('split products equal the reference, and do not depend on whether the helper thread was ready', async () => {
    const two = createWasmKernels({ helper: createNodeHelper });
    const { train } = loadMnistSplits();
    for (const f32 of [true, false]) {
      const x = two.heap.allocate(f32, 100 * 784)!;
      referenceKernels.bytesToFloat(train.images.subarray(0, 100 * 784), x, 1 / 255);
      const W = two.heap.allocate(f32, 784 * 50)!;
      for (let i = 0; i < W.length; i++) W[i] = Math.sin(i);
      const run = () => {
        const h = two.heap.allocate(f32, 100 * 50)!;
        const dW = two.heap.allocate(f32, 784 * 50)!;
        two.kernels.gemm(false, false, 100, 50, 784, x, W, h);
        two.kernels.gemm(true, false, 784, 50, 100, x, h, dW);
        return [[...h], [...dW]];
      };
      // Possibly before the helper thread is up …
      const early = run();
      // … and certainly after.
      for (let waited = 0; !two.helperReady(); waited += 10) {
        assert.ok(waited < 10000, 'the helper thread starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      const late = run();
      assert.deepEqual(late, early, 'the same bits with or without the helper');
      const images = two.heap.allocateKind('uint8', 300 * 784) as Uint8Array;
      images.set(train.images.subarray(0, 300 * 784));
      const [b1, W2, b2] = [two.heap.allocate(f32, 50)!, two.heap.allocate(f32, 500)!, two.heap.allocate(f32, 10)!];
      for (let i = 0; i < W2.length; i++) W2[i] = Math.cos(i);
      const split = new Int32Array(300);
      two.kernels.predictTwoLayer(images, 300, 784, 1 / 255, W, b1, W2, b2, 50, 10, split);
      const whole = layered({ ...referenceKernels, ...two.kernels }, two.heap, images, 300, [W, b1, W2, b2]);
      assert.deepEqual(split, whole, 'predictions split between threads = layer by layer');
      const h = new (f32 ? Float32Array : Float64Array)(100 * 50);
      const dW = new (f32 ? Float32Array : Float64Array)(784 * 50);
      referenceKernels.gemm(false, false, 100, 50, 784, x, W, h);
      referenceKernels.gemm(true, false, 784, 50, 100, x, h, dW);
      assertClose(late[0], h, f32, 'x·W (rows split)');
      assertClose(late[1], dW, f32, 'xᵀ·dout (rows of dW split)');
    }
  });
});

describe('kept rows on two threads', () => {
  /**
   * A training step's products on a gathered, kept batch (x·W1 from the image bytes, xᵀ·dout, the SGD
   * update of W1, x·W1 again) through `k`, the update through `k.axpy`; returns [h1, dW, h2, W after].
   */
  const step = (k: Pick<Kernels, 'gatherRows' | 'keepRows' | 'gemm' | 'axpy'>, alloc: (len: number) => FloatArray, images: Uint8Array, pick: Uint32Array, W: FloatArray, dout: FloatArray, [m, k1, n]: number[]) => {
    const [x, h1, dW, h2] = [alloc(m * k1), alloc(m * n), alloc(k1 * n), alloc(m * n)];
    k.gatherRows(images, k1, pick, x, 1 / 255);
    k.keepRows(x, m, k1);
    k.gemm(false, false, m, n, k1, x, W, h1);
    k.gemm(true, false, k1, n, m, x, dout, dW);
    k.axpy(-0.5, dW, W);
    k.gemm(false, false, m, n, k1, x, W, h2);
    return [h1, dW, h2, W.slice()];
  };

  it('x·W1 in two segments (the helper the first, this thread the second, row by row), xᵀ·dout and the update split where each thread owns W1: the reference bit for bit in float64', async () => {
    let tasks: string[] = [];
    const two = createWasmKernels({
      helper: (memory, relaxed) => {
        const h = createNodeHelper(memory, relaxed);
        return { ...h, start: (op, args) => { tasks.push(HELPER_OPS[op]); h.start(op, args); } };
      },
    });
    try {
      for (let waited = 0; !two.helperReady(); waited += 10) {
        assert.ok(waited < 10000, 'the helper thread starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      const { train } = loadMnistSplits();
      const images = two.heap.allocateKind('uint8', 600 * 784) as Uint8Array;
      images.set(train.images.subarray(0, 600 * 784));
      for (const f32 of [true, false]) {
        // MNIST's shapes, and odd ones (a segment of 33 columns, 3 rows; one column more than the split).
        for (const dims of [[100, 784, 50], [3, 67, 17], [37, 129, 9]]) {
          const [m, k, n] = dims;
          const pick = Uint32Array.from({ length: m }, (_, i) => (i * 7919 + 17) % 600);
          // On this kernels' heap (arrayOf's arrays are on the other instance's).
          const W = two.heap.allocate(f32, k * n)!;
          W.set(arrayOf(k * n, f32, false, 0, 31).subarray(0, k * n));
          const dout = two.heap.allocate(f32, m * n)!;
          dout.set(arrayOf(m * n, f32, false, 0.3, 32).subarray(0, m * n));
          const W0 = W.slice();
          tasks = [];
          const got = step(two.kernels, (len) => two.heap.allocate(f32, len)!, images, pick, W, dout, dims);
          if (m * n * k >= 200_000) assert.deepEqual(tasks.map((t) => t.replace(/_f(32|64)$/, '')), ['gatherRows', 'keptFirst', 'keptTN', 'axpy', 'allFiniteTo', 'keptFirst'], `${dims}: the helper's tasks`);
          W.set(W0);
          const F = f32 ? Float32Array : Float64Array;
          const want = step(referenceKernels, (len) => new F(len), images, pick, W, dout, dims);
          for (let j = 0; j < 4; j++) {
            if (f32) assertClose(got[j], want[j], true, `${dims} result ${j}`);
            else assert.deepEqual(got[j], want[j], `${dims} result ${j} (float64, bit for bit)`);
          }
        }
      }
    } finally {
      await two.stopHelper();
    }
  });

  it('a helper thread that never takes up its segments: this thread claims every row and computes the same bits', async () => {
    const two = createWasmKernels({
      helper: (memory, relaxed) => {
        const h = createNodeHelper(memory, relaxed);
        // keptFirst is "started" but never run (a helper that has not woken up): join returns at once.
        let skipped = false;
        return {
          ...h,
          start: (op, args) => {
            skipped = HELPER_OPS[op].startsWith('keptFirst');
            if (!skipped) h.start(op, args);
          },
          join: () => {
            if (!skipped) h.join();
          },
        };
      },
    });
    try {
      for (let waited = 0; !two.helperReady(); waited += 10) {
        assert.ok(waited < 10000, 'the helper thread starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      const { train } = loadMnistSplits();
      const images = two.heap.allocateKind('uint8', 300 * 784) as Uint8Array;
      images.set(train.images.subarray(0, 300 * 784));
      const dims = [100, 784, 50];
      const pick = Uint32Array.from({ length: 100 }, (_, i) => (i * 31 + 5) % 300);
      const W = two.heap.allocate(false, 784 * 50)!;
      W.set(arrayOf(784 * 50, false, false, 0, 41).subarray(0, 784 * 50));
      const dout = two.heap.allocate(false, 100 * 50)!;
      dout.set(arrayOf(100 * 50, false, false, 0.3, 42).subarray(0, 100 * 50));
      const W0 = W.slice();
      const got = step(two.kernels, (len) => two.heap.allocate(false, len)!, images, pick, W, dout, dims);
      W.set(W0);
      const want = step(referenceKernels, (len) => new Float64Array(len), images, pick, W, dout, dims);
      for (let j = 0; j < 4; j++) assert.deepEqual(got[j], want[j], `result ${j} (float64, bit for bit)`);
    } finally {
      await two.stopHelper();
    }
  });
});

describe('elementwise kernels split between the threads', () => {
  it('reluForward, reluBackward, applyMask, the optimizers\' updates and axpy on long arrays equal the reference bit for bit, halves on both threads', async () => {
    // The helper, counting the tasks it is given (each kernel call below must hand it one half).
    let tasks = 0;
    const two = createWasmKernels({
      helper: (memory, relaxed) => {
        const h = createNodeHelper(memory, relaxed);
        return { ...h, start: (op, args) => { tasks++; h.start(op, args); } };
      },
    });
    try {
      for (let waited = 0; !two.helperReady(); waited += 10) {
        assert.ok(waited < 10000, 'the helper thread starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const f32 of [true, false]) {
        for (const len of [8_192, 65_536 + 37, 200_003]) {
          const before = tasks;
          const x = two.heap.allocate(f32, len)!;
          for (let i = 0; i < len; i++) x[i] = i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : Math.sin(i * 0.37);
          const [out, dx, masked] = [two.heap.allocate(f32, len)!, two.heap.allocate(f32, len)!, two.heap.allocate(f32, len)!];
          const mask = two.heap.allocateKind('uint8', len) as Uint8Array;
          two.kernels.reluForward(x, out, mask);
          two.kernels.reluBackward(x, mask, dx);
          const keep = two.heap.allocateKind('uint8', len) as Uint8Array;
          for (let i = 0; i < len; i++) keep[i] = i % 3 === 0 ? 0 : 1;
          two.kernels.applyMask(x, keep, masked);
          const Arr = f32 ? Float32Array : Float64Array;
          const [rOut, rDx, rMasked, rMask] = [new Arr(len), new Arr(len), new Arr(len), new Uint8Array(len)];
          referenceKernels.reluForward(x, rOut, rMask);
          referenceKernels.reluBackward(x, rMask, rDx);
          referenceKernels.applyMask(x, keep, rMasked);
          assert.equal(tasks - before, 3, 'each of the three calls split with the helper');
          for (const [got, want, what] of [[out, rOut, 'reluForward'], [mask, rMask, 'reluForward mask'], [dx, rDx, 'reluBackward'], [masked, rMasked, 'applyMask']] as const) {
            for (let i = 0; i < len; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what} ${f32 ? 'float32' : 'float64'} len ${len} [${i}]: ${got[i]} vs ${want[i]}`);
          }
          // The optimizers' updates and axpy, whose float64 hyperparameters travel to the helper too.
          const updates: [string, (k: typeof referenceKernels, s: FloatArray[]) => void, number][] = [
            ['momentumUpdate', (k, [v, g, p]) => k.momentumUpdate(0.01, 0.9, v, g, p), 3],
            ['nesterovUpdate', (k, [v, g, p]) => k.nesterovUpdate(0.01, 0.9, 0.81, 1.9 * 0.01, v, g, p), 3],
            ['adaGradUpdate', (k, [h, g, p]) => k.adaGradUpdate(0.01, h, g, p), 3],
            ['rmspropUpdate', (k, [h, g, p]) => k.rmspropUpdate(0.01, 0.99, 0.01, h, g, p), 3],
            ['adamUpdate', (k, [m, v, g, p]) => k.adamUpdate(0.001 * Math.sqrt(1 - 0.999) / (1 - 0.9), 0.1, 0.001, m, v, g, p), 4],
            ['axpy', (k, [a, b]) => k.axpy(-0.37, a, b), 2],
          ];
          for (const [what, call, arrays] of updates) {
            const fresh = () => Array.from({ length: arrays }, (_, j) => {
              const a = two.heap.allocate(f32, len)!;
              for (let i = 0; i < len; i++) a[i] = j === 0 && what !== 'axpy' ? Math.abs(Math.cos(i)) : Math.sin(i * (j + 1) * 0.11);
              return a;
            });
            const mine = fresh();
            const theirs = fresh().map((a) => (f32 ? Float32Array.from(a) : Float64Array.from(a)));
            const at = tasks;
            call(two.kernels as unknown as typeof referenceKernels, mine);
            call(referenceKernels, theirs);
            assert.equal(tasks - at, 1, `${what}: split with the helper`);
            for (let j = 0; j < arrays; j++) {
              for (let i = 0; i < len; i++) if (!Object.is(mine[j][i], theirs[j][i])) assert.fail(`${what} ${f32 ? 'float32' : 'float64'} len ${len} array ${j} [${i}]: ${mine[j][i]} vs ${theirs[j][i]}`);
            }
          }
        }
      }
    } finally {
      await two.stopHelper();
    }
  });
});

describe('training with the helper thread', () => {
  it('evaluating on the helper while training goes on gives the records and losses of a run without it', async () => {
    assert.ok(useWasmKernels({ helper: createNodeHelper }));
    try {
      const { train, test } = loadMnistSplits();
      const data = { train: train.slice(0, 6000), test: test.slice(0, 2000) };
      for (let waited = 0; !kernelThreadReady(); waited += 10) {
        assert.ok(waited < 10000, 'the helper thread starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      const config = { ...BOOK_CONFIG, iters: 700, batchSize: 100, seed: 5, dtype: 'float32' as const, evalEvery: 150, evalAtEnd: true };
      const evaluated: TwoLayerNet[] = [];
      const withHelper = await trainNet<TwoLayerNet>(data, config, { onEpoch: (_, net) => evaluated.push(net) });
      // The helper evaluated a copy of the weights (not the training network itself).
      assert.ok(evaluated.every((net) => net !== withHelper.net && net.params !== withHelper.net.params));
      await stopKernelThreads();
      const evaluatedAlone: TwoLayerNet[] = [];
      const alone = await trainNet<TwoLayerNet>(data, config, { onEpoch: (_, net) => evaluatedAlone.push(net) });
      assert.ok(evaluatedAlone.every((net) => net === alone.net), 'without the helper: the training network, at once');
      const strip = (r: typeof alone) => r.epochs.map(({ iteration, trainAcc, testAcc, loss }) => ({ iteration, trainAcc, testAcc, loss }));
      assert.equal(withHelper.epochs.length, 6);
      assert.deepEqual(strip(withHelper), strip(alone));
      assert.deepEqual(withHelper.losses, alone.losses);
      assert.ok(withHelper.epochs.at(-1)!.testAcc > 0.8, 'it learned');
    } finally {
      useTypeScriptKernels();
    }
  });
});

describe('WasmHeap', () => {
  it('allocates aligned blocks, reuses freed space and coalesces neighbours', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 1 }), 100);
    const a = heap.alloc(10);
    const b = heap.alloc(20);
    const c = heap.alloc(30);
    assert.equal(a % 16, 0);
    assert.equal(b, a + 16);
    assert.equal(c, b + 32);
    heap.release(b);
    assert.equal(heap.alloc(16), b, 'first fit reuses the hole');
    heap.release(a);
    heap.release(b);
    heap.release(c);
    assert.equal(heap.bytesInUse, 0);
    // The last 64 bytes are never handed out: kernels may read a vector past a matrix's end.
    assert.equal(heap.alloc(65536 - 64 - 112), 112, 'all free space merged back into one block');
    assert.equal(heap.alloc(16), -1, 'full');
    const arr = heap.allocate(true, 4);
    assert.equal(arr, undefined);
  });

  it('hands out zeroed arrays: space used before (by alloc or allocate) is cleared, also where a block reaches past it', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 1 }), 0);
    const bytes = new Uint8Array(heap.buffer);
    const dirty = (ptr: number, len: number) => bytes.fill(0xab, ptr, ptr + len);
    const a = heap.allocate(false, 8)!;
    a.fill(Math.PI);
    const p = heap.alloc(64);
    dirty(p, 64);
    heap.release(a.byteOffset);
    heap.release(p);
    // The freed 128 bytes (two used blocks) and 64 never used: one block over both.
    const b = heap.allocateKind('uint8', 192) as Uint8Array;
    assert.equal(b.byteOffset, a.byteOffset);
    assert.ok(b.every((v) => v === 0), 'the used part cleared, the fresh part zero');
    dirty(b.byteOffset, 192);
    heap.release(b.byteOffset);
    const c = heap.allocate(true, 48)!;
    assert.ok(c.every((v) => v === 0));
  });
});
