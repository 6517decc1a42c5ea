/**
 * Nothing lost, nothing poisoned: the kernels after a full WASM heap, non-finite operands (NumPy's NaN
 * semantics), allocation failures and empty batches.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { Affine, BOOK_CONFIG, Relu, TwoLayerNet, dot, full, loadMnistSplits, ones, referenceKernels, relu, tensor, train as trainNet, zeros, type FloatArray, type Kernels } from '../src/node.ts';
import { bufferTensor } from '../src/internal/buffers.ts';
import { createWasmKernels, useTypeScriptKernels, useWasmKernels, type WasmKernels } from '../src/kernels/wasm/index.ts';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';
import type { WasmHeap } from '../src/kernels/wasm/heap.ts';
import { runCli } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

after(() => useTypeScriptKernels());

/** Takes every free byte of the heap (largest blocks first); returns the blocks, for `release`. */
function fillHeap(heap: WasmHeap): number[] {
  const blocks: number[] = [];
  for (let size = 1 << 28; size >= 16; size >>= 1) for (let p = heap.alloc(size); p >= 0; p = heap.alloc(size)) blocks.push(p);
  return blocks;
}

/** Relative closeness as in wasm-kernels.test.ts: f64 sums in another order differ by rounding only. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, f32: boolean, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const tol = f32 ? 2e-5 : 1e-12;
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const { train: mnistTrain } = loadMnistSplits();

/** The products of a training step (x·W, xᵀ·dout, dout·Wᵀ, with and without kept rows) and a gather and a prediction, on `wasm`. */
function kernelRound(wasm: WasmKernels, f32: boolean, rows: number, blocks?: () => number[]) {
  const heap = wasm.heap;
  const k = wasm.kernels;
  const alloc = (len: number) => heap.allocate(f32, len)!;
  const images = heap.allocateKind('uint8', 300 * 784) as Uint8Array;
  images.set(mnistTrain.images.subarray(0, 300 * 784));
  const x = alloc(rows * 784);
  const W = alloc(784 * 50);
  for (let i = 0; i < W.length; i++) W[i] = Math.sin(i) / 10;
  const [b1, W2, b2] = [alloc(50), alloc(500), alloc(10)];
  for (let i = 0; i < W2.length; i++) W2[i] = Math.cos(i);
  const [h, dW, dx, h2] = [alloc(rows * 50), alloc(784 * 50), alloc(rows * 784), alloc(rows * 50)];
  const indices = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 300);
  const predicted = new Int32Array(300);
  // Everything the kernels need beyond this is scratch: with the heap now full, they must fall back.
  const taken = blocks?.() ?? [];
  k.gatherRows(images, 784, indices, x, 1 / 255);
  k.gemm(false, false, rows, 50, 784, x, W, h);
  k.gemm(true, false, 784, 50, rows, x, h, dW);
  k.gemm(false, true, rows, 784, 50, h, W, dx);
  k.keepRows(x, rows, 784);
  k.gemm(false, false, rows, 50, 784, x, W, h2);
  k.gemm(true, false, 784, 50, rows, x, h2, dW, true);
  k.predictTwoLayer(images, 300, 784, 1 / 255, W, b1, W2, b2, 50, 10, predicted);
  for (const p of taken) heap.release(p);
  // The reference, on copies of the same inputs.
  const F = f32 ? Float32Array : Float64Array;
  const r = referenceKernels;
  const [rx, rh, rdW, rdx, rh2, rpred] = [new F(rows * 784), new F(rows * 50), new F(784 * 50), new F(rows * 784), new F(rows * 50), new Int32Array(300)];
  r.gatherRows(images, 784, indices, rx, 1 / 255);
  r.gemm(false, false, rows, 50, 784, rx, W, rh);
  r.gemm(true, false, 784, 50, rows, rx, rh, rdW);
  r.gemm(false, true, rows, 784, 50, rh, W, rdx);
  r.gemm(false, false, rows, 50, 784, rx, W, rh2);
  r.gemm(true, false, 784, 50, rows, rx, rh2, rdW, true);
  r.predictTwoLayer(images, 300, 784, 1 / 255, W, b1, W2, b2, 50, 10, rpred);
  return { got: { x, h, dW, dx, h2, predicted }, want: { x: rx, h: rh, dW: rdW, dx: rdx, h2: rh2, predicted: rpred } };
}

/**
 * float64: the WASM kernels equal the reference (products within rounding, gathers and predictions exactly).
 * float32: WASM converts pixels in float32 arithmetic and the reference rounds a float64 product, so the
 * batches differ in the last bit and predictions may differ at near-ties: everything within float32 rounding.
 */
function assertRound(res: ReturnType<typeof kernelRound>, f32: boolean, what: string): void {
  if (f32) assertClose(res.got.x, res.want.x, f32, `${what}: gathered batch`);
  else assert.deepEqual(res.got.x, res.want.x, `${what}: gathered batch`);
  for (const key of ['h', 'dW', 'dx', 'h2'] as const) assertClose(res.got[key], res.want[key], f32, `${what}: ${key}`);
  if (!f32) assert.deepEqual(res.got.predicted, res.want.predicted, `${what}: predictions`);
  assert.ok(res.got.predicted.every((c) => c >= 0 && c < 10), `${what}: predictions are classes`);
}

describe('a full WASM heap', () => {
  for (const threads of [1, 2]) {
    it(`falls back to the reference kernels and leaves the kernels as usable as before (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const wasm = createWasmKernels(threads === 2 ? { helper: createNodeHelper } : {});
      try {
        for (let waited = 0; threads === 2 && !wasm.helperReady(); waited += 10) {
          assert.ok(waited < 10000, 'the helper thread starts');
          await new Promise((r) => setTimeout(r, 10));
        }
        for (const f32 of [false, true]) {
          const inUse = wasm.heap.bytesInUse;
          // A large batch while the heap is full: every kernel must still give the reference's results …
          assertRound(kernelRound(wasm, f32, 200, () => fillHeap(wasm.heap)), f32, `full heap, f32 ${f32}`);
          // … and afterwards, smaller and larger requests (the scratch slots regrow) run on WASM as before.
          assertRound(kernelRound(wasm, f32, 100), f32, `after, smaller, f32 ${f32}`);
          assertRound(kernelRound(wasm, f32, 250), f32, `after, larger, f32 ${f32}`);
          assert.ok(wasm.heap.bytesInUse >= inUse);
        }
      } finally {
        await wasm.stopHelper();
      }
    });
  }

  it('chapter 6 kernels (optimizer updates, BatchNorm with its float64 statistics off the heap, Dropout, A·Bᵀ with a long k) on a full heap: the reference bits, then WASM again', () => {
    const wasm = createWasmKernels();
    const heap = wasm.heap;
    for (const f32 of [false, true]) {
      const F = f32 ? Float32Array : Float64Array;
      const wave = (len: number, phase: number, onHeap: boolean): FloatArray => {
        const a = onHeap ? heap.allocate(f32, len)! : new F(len);
        for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.37 + phase) * (i % 5 === 0 ? 0 : 1);
        return a;
      };
      const round = (k: Pick<Kernels, keyof WasmKernels['kernels']>, full: boolean) => {
        // Off-heap operands need copies (and BatchNorm's statistics a staging block): none fit on a full heap.
        const [n, d, len] = [6, 13, 301];
        const p = wave(len, 1, false);
        const g = wave(len, 2, true);
        const v = wave(len, 3, false).map(Math.abs) as FloatArray;
        const m = wave(len, 4, true);
        const x = wave(n * d, 5, true);
        const gamma = wave(d, 6, true);
        const beta = wave(d, 7, true);
        const [rm, rv] = [wave(d, 8, true), wave(d, 9, true).map(Math.abs) as FloatArray];
        const [xc, xn, std, out] = [wave(n * d, 0, true), wave(n * d, 0, true), wave(d, 0, true), wave(n * d, 0, true)];
        const [mu, variance] = [new Float64Array(d), new Float64Array(d)];
        const mask = Uint8Array.from({ length: n * d }, (_, i) => i % 3 && 1);
        const A = wave(20 * 90, 10, true);
        const B = wave(30 * 90, 11, true);
        const C = wave(20 * 30, 12, true);
        const state = () => [p, v, m, rm, rv, mu, variance, xc, xn, std, out, C].map((a) => a.slice());
        const taken = full ? fillHeap(heap) : [];
        try {
          k.adamUpdate(0.01, 0.1, 0.001, m, v, g, p);
          k.adaGradUpdate(0.01, v, g, p);
          k.momentumUpdate(0.01, 0.9, m, g, p);
          k.batchNormForwardTrain(x, n, d, gamma, beta, 1e-7, 0.9, rm, rv, mu, variance, xc, xn, std, out);
          k.batchNormBackwardTrain(x, n, d, gamma, xc, xn, std, rm, rv, mu, variance, out);
          k.applyMask(out, mask, xc);
          k.gemm(false, true, 20, 30, 90, A, B, C);
        } finally {
          for (const b of taken) heap.release(b);
        }
        return state();
      };
      const expected = round(referenceKernels, false);
      for (const [got, what] of [[round(wasm.kernels, true), 'full heap'], [round(wasm.kernels, false), 'afterwards']] as const) {
        // A·Bᵀ: float64 bit for bit; float32 sums in float32 lanes, the reference in float64.
        assertClose(got[11], expected[11], f32, `${what}: A·Bᵀ, f32 ${f32}`);
        if (!f32) assert.deepEqual(got[11], expected[11], `${what}: A·Bᵀ`);
        assert.deepEqual(got.slice(0, 11), expected.slice(0, 11), `${what}, f32 ${f32}`);
      }
    }
  });

  it('a training run that outgrows the heap, then a normal one in the same process: both as on the TypeScript kernels', async () => {
    // Before: the first run failed with "WASM heap full", and every later product with "memory access out of bounds".
    const { train, test } = loadMnistSplits();
    const data = { train: train.slice(0, 3000), test: test.slice(0, 500) };
    const big = { ...BOOK_CONFIG, iters: 2, batchSize: 20000, seed: 3, dtype: 'float64' as const, evalEvery: 1, evalAtEnd: true };
    const small = { ...big, iters: 20, batchSize: 100, evalEvery: 10 };
    const runs = async () => {
      const outgrown = await trainNet(data, big);
      const after = await trainNet(data, small);
      const x = tensor(train.images.subarray(0, 20 * 784), { shape: [20, 784] }).div(255);
      return { losses: [...outgrown.losses, ...after.losses], accuracies: [...outgrown.epochs, ...after.epochs].map((e) => e.testAcc), product: Float64Array.from(dot(x, after.net.params.W1).data) };
    };
    const reference = await runs();
    assert.ok(useWasmKernels());
    let wasm: typeof reference;
    try {
      wasm = await runs();
    } finally {
      useTypeScriptKernels();
    }
    assertClose(wasm.losses, reference.losses, false, 'losses');
    assert.deepEqual(wasm.accuracies, reference.accuracies);
    assertClose(wasm.product, reference.product, false, 'dot(x, W1) after');
  });

  it('the CLI trains a batch larger than the heap holds scratch for (falling back), instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-faults-'));
    try {
      writeMnistSlice(join(dir, 'data'), 500, 100);
      // 20 000 rows drawn with replacement from 500: the batch fits on the heap, xᵀ·dout's scratch does not
      // (this failed with "WASM heap full: cannot reserve 252240000 bytes of scratch").
      const res = await runCli(['train', '--data', join(dir, 'data'), '--batch-size', '20000', '--iters', '2', '--seed', '1', '--out', join(dir, 'run')], dir);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /final accuracy/);
      assert.doesNotMatch(res.stderr, /heap full|out of bounds/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** C (+)= op(A)·op(B), every product computed (no skipping), in float64: the NumPy oracle. */
function denseGemm(tA: boolean, tB: boolean, m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, acc: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      out[i * n + j] = acc ? c[i * n + j] + s : s;
    }
  }
  return out;
}

/** Same NaN, same infinities, finite values close (f32: float32 rounding). */
function assertSameSpecials(actual: ArrayLike<number>, expected: ArrayLike<number>, f32: boolean, what: string): void {
  const tol = f32 ? 1e-5 : 1e-12;
  for (let i = 0; i < expected.length; i++) {
    const [x, e] = [actual[i], expected[i]];
    if (Number.isNaN(e) || !Number.isFinite(e)) assert.ok(Object.is(x, e), `${what}[${i}]: ${x}, NumPy gives ${e}`);
    else assert.ok(Math.abs(x - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${x} vs ${e}`);
  }
}

describe('NaN and infinities as in NumPy', () => {
  const wasm = createWasmKernels();
  const sets: [string, Pick<Kernels, 'gemm' | 'predictTwoLayer'>][] = [
    ['TypeScript', referenceKernels],
    ['WASM', wasm.kernels],
  ];
  const special = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

  for (const [name, k] of sets) {
    it(`${name} gemm: a zero of A times a non-finite B is NaN, for every transpose flag, dtype and placement`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 20 }),
          fc.integer({ min: 1, max: 90 }),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          fc.array(fc.tuple(fc.nat(), special), { maxLength: 3 }),
          fc.array(fc.tuple(fc.nat(), special), { maxLength: 2 }),
          fc.integer(),
          (m, n, kk, tA, tB, f32, accumulate, onHeap, bSpecials, aSpecials, seed) => {
            const make = (len: number, zeroShare: number, salt: number): FloatArray => {
              const arr = onHeap ? wasm.heap.allocate(f32, len)! : f32 ? new Float32Array(len) : new Float64Array(len);
              let s = seed + salt;
              for (let i = 0; i < len; i++) {
                s = (Math.imul(s, 1103515245) + 12345) >>> 0;
                const u = s / 2 ** 32;
                arr[i] = u < zeroShare ? 0 : (u - 0.5) * 4;
              }
              return arr;
            };
            // A mostly zeros (MNIST-like), so the zero-skipping paths are taken.
            const a = make(m * kk, 0.7, 1);
            const b = make(kk * n, 0, 2);
            for (const [at, v] of bSpecials) b[at % b.length] = v;
            for (const [at, v] of aSpecials) a[at % a.length] = v;
            const c = make(m * n, 0, 3);
            const want = denseGemm(tA, tB, m, n, kk, a, b, c, accumulate);
            k.gemm(tA, tB, m, n, kk, a, b, c, accumulate);
            assertSameSpecials(c, want, f32, `${name} gemm(${tA},${tB}) ${m}×${n}×${kk} ${f32 ? 'f32' : 'f64'}`);
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${name} predictTwoLayer: a NaN or an infinity in W1 or W2 reaches the scores (argmax: the first NaN)`, () => {
      for (const f32 of [false, true]) {
        const alloc = (len: number) => wasm.heap.allocate(f32, len)!;
        const images = wasm.heap.allocateKind('uint8', 50 * 784) as Uint8Array;
        images.set(mnistTrain.images.subarray(0, 50 * 784));
        for (const [which, at, v] of [['W1', 0, Number.POSITIVE_INFINITY], ['W1', 400 * 50 + 3, Number.NaN], ['W2', 7 * 10 + 4, Number.NaN], ['W2', 0, Number.NEGATIVE_INFINITY]] as const) {
          const [W1, b1, W2, b2] = [alloc(784 * 50), alloc(50), alloc(500), alloc(10)];
          for (let i = 0; i < W1.length; i++) W1[i] = Math.sin(i) / 10;
          for (let i = 0; i < W2.length; i++) W2[i] = Math.cos(i);
          b1.fill(0.5); // every hidden unit active: a non-finite W2 row is reached through h
          (which === 'W1' ? W1 : W2)[at] = v;
          // The oracle: dense products, ReLU keeping NaN, NumPy's argmax.
          const want = new Int32Array(50);
          for (let r = 0; r < 50; r++) {
            const x = Array.from(images.subarray(r * 784, (r + 1) * 784), (p) => p / 255);
            const h = Array.from(denseGemm(false, false, 1, 50, 784, x, W1, [], false), (s, j) => s + b1[j]).map((s) => (s <= 0 ? 0 : s));
            const scores = Array.from(denseGemm(false, false, 1, 10, 50, h, W2, [], false), (s, j) => s + b2[j]);
            const nan = scores.findIndex(Number.isNaN);
            want[r] = nan >= 0 ? nan : scores.indexOf(Math.max(...scores));
          }
          const got = new Int32Array(50);
          k.predictTwoLayer(images, 50, 784, 1 / 255, W1, b1, W2, b2, 50, 10, got);
          assert.deepEqual(got, want, `${name} predictTwoLayer, ${which}[${at}] = ${v}, f32 ${f32}`);
        }
      }
    });
  }

  it('relu(NaN) is NaN (np.maximum(0, x)), as the Relu layer', () => {
    const x = tensor([Number.NaN, -1, 0, 2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    const want = [Number.NaN, 0, 0, 2, Number.POSITIVE_INFINITY, 0];
    assert.deepEqual(Array.from(relu(x).data), want);
    assert.deepEqual(Array.from(new Relu().forward(x).data), want);
    assert.ok(Number.isNaN(relu(Number.NaN)));
  });

  it('dot: 0·Inf is NaN on the active kernels, TypeScript and WASM', () => {
    const a = tensor([[0, 1], [0, 0]]);
    const b = tensor([[Number.POSITIVE_INFINITY, 1], [2, 3]]);
    // np.dot([[0, 1], [0, 0]], [[inf, 1], [2, 3]]) = [[nan, 3], [nan, 0]]
    const want = [Number.NaN, 3, Number.NaN, 0];
    assert.deepEqual(Array.from(dot(a, b).data), want);
    assert.ok(useWasmKernels());
    try {
      assert.deepEqual(Array.from(dot(a, b).data), want);
    } finally {
      useTypeScriptKernels();
    }
  });
});

describe('allocation errors name the op, the shape, the dtype and the bytes', () => {
  it('tensor creation', () => {
    assert.throws(() => zeros([1e10]), { message: /^zeros: cannot allocate a float64 tensor of shape \(10000000000,\): 80 GB/ });
    assert.throws(() => ones([3e9, 10], { dtype: 'float32' }), { message: /^ones: cannot allocate a float32 tensor of shape \(3000000000,10\): 120 GB/ });
    assert.throws(() => full([2e5, 1e5], 7), { message: /^full: cannot allocate a float64 tensor of shape \(200000,100000\): 160 GB/ });
  });

  for (const backend of ['TypeScript', 'WASM'] as const) {
    it(`long-lived buffers and networks (${backend} kernels)`, () => {
      if (backend === 'WASM') assert.ok(useWasmKernels());
      try {
        assert.throws(() => bufferTensor([1e6, 1e6], 'float64', 'MyNet'), { message: /^MyNet: cannot allocate a float64 tensor of shape \(1000000,1000000\): 8 TB/ });
        assert.throws(() => new TwoLayerNet(1e6, 1e6, 10), { message: /cannot allocate a float64 tensor of shape \(1000000,1000000\): 8 TB/ });
        // Nothing was lost: ordinary allocations and products still work.
        assert.deepEqual(Array.from(dot(ones([2, 3]), ones([3, 2])).data), [3, 3, 3, 3]);
      } finally {
        useTypeScriptKernels();
      }
    });
  }
});

describe('an empty batch', () => {
  for (const backend of ['TypeScript', 'WASM'] as const) {
    it(`Affine forward and backward on (0, 784), as np.dot: (0, n) out, zero dW and db (${backend} kernels)`, () => {
      if (backend === 'WASM') assert.ok(useWasmKernels());
      try {
        const W = tensor(Array.from({ length: 784 * 3 }, (_, i) => Math.sin(i)), { shape: [784, 3] });
        const layer = new Affine(W, tensor([1, 2, 3]));
        const out = layer.forward(zeros([0, 784]));
        assert.deepEqual(out.shape, [0, 3]);
        const dx = layer.backward(zeros([0, 3]));
        assert.deepEqual(dx.shape, [0, 784]);
        assert.ok(layer.dW!.data.every((v) => v === 0) && layer.dW!.data.length === 784 * 3);
        assert.deepEqual(Array.from(layer.db!.data), [0, 0, 0]);
        // Images (0, 1, 28, 28) flatten to (0, 784) as well.
        assert.deepEqual(layer.forward(zeros([0, 1, 28, 28])).shape, [0, 3]);
        assert.throws(() => layer.forward(zeros([0, 785])), { message: /Affine\.forward: input of shape \(0,785\) does not fit W of shape \(784,3\): 785 features != 784/ });
      } finally {
        useTypeScriptKernels();
      }
    });
  }
});
