/**
 * Chapter 6's WASM SIMD kernels — the optimizer updates, BatchNormalization, Dropout's mask — against the
 * TypeScript reference kernels (src/kernels/optimizers.ts, src/kernels/batch-norm.ts), bit for bit, in
 * float32 and float64, with operands on the WASM heap and off it, and on lengths that leave partial
 * vectors. The references repeat NumPy's operations and rounding points; so do these kernels.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { MultiLayerNet, MultiLayerNetExtend, createOptimizer, loadMnistSplits, referenceKernels, useKernels, type FloatArray, type Kernels, type DType } from '../src/node.ts';
import { setBufferAllocator } from '../src/kernels/index.ts';
import { bufferTensor } from '../src/internal/buffers.ts';
import { createWasmKernels, kernelThreadReady, useTypeScriptKernels, useWasmKernels } from '../src/kernels/wasm/index.ts';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';

const wasm = createWasmKernels();
after(() => useTypeScriptKernels());

/** The kernels under test, with the reference signatures. */
const k = wasm.kernels as Pick<Kernels, keyof typeof wasm.kernels>;

/**
 * `len` values (plus 3 spare ones) from a seeded generator: normal values of several magnitudes, with a
 * share of exact zeros, negative zeros, and (when `special`) NaNs, infinities and subnormals sprinkled in.
 */
function values(len: number, f32: boolean, onHeap: boolean, seed: number, opts: { positive?: boolean; special?: boolean; scale?: number } = {}): FloatArray {
  const arr = onHeap ? wasm.heap.allocate(f32, len + 3)! : f32 ? new Float32Array(len + 3) : new Float64Array(len + 3);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < arr.length; i++) {
    const u = next();
    let v = (next() - 0.5) * 4 * (opts.scale ?? 1) * 10 ** Math.floor(next() * 6 - 3);
    if (opts.positive) v = Math.abs(v);
    if (u < 0.05) v = 0;
    else if (u < 0.08 && !opts.positive) v = -0;
    else if (opts.special && u < 0.09) v = NaN;
    else if (opts.special && u < 0.1) v = next() < 0.5 ? Infinity : -Infinity;
    else if (opts.special && u < 0.12) v = (f32 ? 1e-40 : 1e-310) * (next() - 0.5);
    arr[i] = v;
  }
  return arr;
}

/** Equal bit for bit (NaN equals NaN; +0 and -0 differ). */
function assertSame(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: ${actual[i]} (WASM) vs ${expected[i]} (reference)`);
  }
}

const copy = (a: FloatArray, onHeap: boolean): FloatArray => {
  if (!onHeap) return a.slice() as FloatArray;
  const b = wasm.heap.allocate(a instanceof Float32Array, a.length)!;
  b.set(a);
  return b;
};

const len = fc.integer({ min: 0, max: 70 });
const rate = fc.constantFrom(0.1, 0.01, 0.001, 0.95, 1e-5, 0.3333333333333333);
const fraction = fc.constantFrom(0.9, 0.99, 0.999, 0.5, 0.1);

describe('WASM chapter-6 kernels equal the TypeScript references bit for bit', () => {
  for (const f32 of [false, true]) {
    const dtype = f32 ? 'float32' : 'float64';

    it(`momentumUpdate and nesterovUpdate (${dtype})`, () => {
      fc.assert(
        fc.property(len, rate, fraction, fc.boolean(), fc.boolean(), fc.integer(), (n, lr, momentum, onHeap, special, seed) => {
          const v = values(n, f32, onHeap, seed, { special });
          const g = values(n, f32, !onHeap, seed + 1, { special });
          const p = values(n, f32, onHeap, seed + 2, { special }).subarray(0, n);
          const [v1, p1, v2, p2] = [copy(v, onHeap), copy(p, onHeap), copy(v, onHeap), copy(p, onHeap)];
          referenceKernels.momentumUpdate(lr, momentum, v1, g, p1);
          k.momentumUpdate(lr, momentum, v2, g, p2);
          assertSame(v2, v1, 'momentum v');
          assertSame(p2, p1, 'momentum p');
          const [w1, q1, w2, q2] = [copy(v, onHeap), copy(p, onHeap), copy(v, onHeap), copy(p, onHeap)];
          referenceKernels.nesterovUpdate(lr, momentum, momentum * momentum, (1 + momentum) * lr, w1, g, q1);
          k.nesterovUpdate(lr, momentum, momentum * momentum, (1 + momentum) * lr, w2, g, q2);
          assertSame(w2, w1, 'nesterov v');
          assertSame(q2, q1, 'nesterov p');
        }),
        { numRuns: 150 },
      );
    });

    it(`adaGradUpdate and rmspropUpdate (${dtype})`, () => {
      fc.assert(
        fc.property(len, rate, fraction, fc.boolean(), fc.boolean(), fc.integer(), (n, lr, decay, onHeap, special, seed) => {
          const h = values(n, f32, onHeap, seed, { positive: true, special });
          const g = values(n, f32, onHeap, seed + 1, { special });
          const p = values(n, f32, !onHeap, seed + 2, { special }).subarray(0, n);
          const [h1, p1, h2, p2] = [copy(h, onHeap), copy(p, !onHeap), copy(h, onHeap), copy(p, !onHeap)];
          referenceKernels.adaGradUpdate(lr, h1, g, p1);
          k.adaGradUpdate(lr, h2, g, p2);
          assertSame(h2, h1, 'adagrad h');
          assertSame(p2, p1, 'adagrad p');
          const [r1, q1, r2, q2] = [copy(h, onHeap), copy(p, !onHeap), copy(h, onHeap), copy(p, !onHeap)];
          referenceKernels.rmspropUpdate(lr, decay, 1 - decay, r1, g, q1);
          k.rmspropUpdate(lr, decay, 1 - decay, r2, g, q2);
          assertSame(r2, r1, 'rmsprop h');
          assertSame(q2, q1, 'rmsprop p');
        }),
        { numRuns: 150 },
      );
    });

    it(`adamUpdate (${dtype}; float32 takes its last step in float64, as NumPy)`, () => {
      fc.assert(
        fc.property(len, fc.double({ min: 1e-6, max: 0.1, noNaN: true }), fraction, fraction, fc.boolean(), fc.boolean(), fc.integer(), (n, lrT, b1, b2, onHeap, special, seed) => {
          const m = values(n, f32, onHeap, seed, { special });
          const v = values(n, f32, onHeap, seed + 1, { positive: true, special });
          const g = values(n, f32, !onHeap, seed + 2, { special });
          const p = values(n, f32, onHeap, seed + 3, { special }).subarray(0, n);
          const [m1, v1, p1, m2, v2, p2] = [copy(m, onHeap), copy(v, onHeap), copy(p, onHeap), copy(m, onHeap), copy(v, onHeap), copy(p, onHeap)];
          referenceKernels.adamUpdate(lrT, 1 - b1, 1 - b2, m1, v1, g, p1);
          k.adamUpdate(lrT, 1 - b1, 1 - b2, m2, v2, g, p2);
          assertSame(m2, m1, 'adam m');
          assertSame(v2, v1, 'adam v');
          assertSame(p2, p1, 'adam p');
        }),
        { numRuns: 200 },
      );
    });

    it(`a real Adam trajectory: 50 steps on MNIST-sized gradients stay equal (${dtype})`, () => {
      const n = 7850 + 3;
      const [m1, v1, p1] = [values(n, f32, true, 1), values(n, f32, true, 2, { positive: true }), values(n, f32, true, 3)];
      const [m2, v2, p2] = [copy(m1, true), copy(v1, true), copy(p1, true)];
      for (let t = 1; t <= 50; t++) {
        const g = values(n, f32, t % 2 === 0, 100 + t, { scale: 0.01 });
        const lrT = (0.001 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
        referenceKernels.adamUpdate(lrT, 0.09999999999999998, 0.0010000000000000009, m1, v1, g, p1);
        k.adamUpdate(lrT, 0.09999999999999998, 0.0010000000000000009, m2, v2, g, p2);
      }
      assertSame(p2, p1, 'p after 50 steps');
      assertSame(m2, m1, 'm after 50 steps');
      assertSame(v2, v1, 'v after 50 steps');
    });

    it(`applyMask (${dtype}): x·mask, NaN·0 and Inf·0 are NaN`, () => {
      fc.assert(
        fc.property(len, fc.boolean(), fc.integer(), (n, onHeap, seed) => {
          const x = values(n, f32, onHeap, seed, { special: true }).subarray(0, n);
          const mask = onHeap ? wasm.heap.allocateKind('uint8', n + 3) as Uint8Array : new Uint8Array(n + 3);
          for (let i = 0; i < mask.length; i++) mask[i] = (seed >> i % 31) & 1;
          const o1 = values(n, f32, onHeap, seed + 1);
          const o2 = copy(o1, onHeap);
          referenceKernels.applyMask(x, mask, o1);
          k.applyMask(x, mask, o2);
          assertSame(o2, o1, 'applyMask');
        }),
        { numRuns: 150 },
      );
    });

    // BatchNormalization: statistics scratch of the data's dtype, or float64 under float32 data (the layer's own layout).
    for (const stats64 of f32 ? [false, true] : [false]) {
      const layout = `${dtype}${stats64 ? ' data, float64 statistics' : ''}`;
      it(`batchNormForwardTrain, then batchNormBackwardTrain (${layout})`, () => {
        fc.assert(
          fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 23 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer(), (n, d, onHeap, statsOnHeap, special, seed) => {
            const nd = n * d;
            const stat = (): FloatArray => (stats64 ? (statsOnHeap ? wasm.heap.allocate(false, d)! : new Float64Array(d)) : values(d, f32, statsOnHeap, seed + 99));
            const x = values(nd, f32, onHeap, seed, { special });
            const gamma = values(d, f32, onHeap, seed + 1);
            const beta = values(d, f32, onHeap, seed + 2);
            const rm = values(d, f32, onHeap, seed + 3);
            const rv = values(d, f32, onHeap, seed + 4, { positive: true });
            const outs = () => ({ rm: copy(rm, onHeap), rv: copy(rv, onHeap), mu: stat(), variance: stat(), xc: values(nd, f32, onHeap, 5), xn: values(nd, f32, onHeap, 6), std: values(d, f32, onHeap, 7), out: values(nd, f32, onHeap, 8) });
            const a = outs();
            const b = outs();
            referenceKernels.batchNormForwardTrain(x, n, d, gamma, beta, 1e-7, 0.9, a.rm, a.rv, a.mu, a.variance, a.xc, a.xn, a.std, a.out);
            k.batchNormForwardTrain(x, n, d, gamma, beta, 1e-7, 0.9, b.rm, b.rv, b.mu, b.variance, b.xc, b.xn, b.std, b.out);
            for (const key of ['rm', 'rv', 'mu', 'variance', 'xc', 'xn', 'std', 'out'] as const) assertSame(b[key], a[key], `forward ${key} (${n}×${d})`);

            const dout = values(nd, f32, !onHeap, seed + 9, { special });
            const grads = () => ({ dgamma: values(d, f32, onHeap, 10), dbeta: values(d, f32, onHeap, 11), dvar: stat(), dmu: stat(), dx: values(nd, f32, onHeap, 12) });
            const ga = grads();
            const gb = grads();
            referenceKernels.batchNormBackwardTrain(dout, n, d, gamma, a.xc, a.xn, a.std, ga.dgamma, ga.dbeta, ga.dvar, ga.dmu, ga.dx);
            k.batchNormBackwardTrain(dout, n, d, gamma, b.xc, b.xn, b.std, gb.dgamma, gb.dbeta, gb.dvar, gb.dmu, gb.dx);
            for (const key of ['dgamma', 'dbeta', 'dvar', 'dmu', 'dx'] as const) assertSame(gb[key], ga[key], `backward ${key} (${n}×${d})`);
          }),
          { numRuns: 150 },
        );
      });
    }

    it(`batchNormForwardTest, then batchNormBackwardTest (${dtype})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 23 }), fc.boolean(), fc.boolean(), fc.integer(), (n, d, onHeap, special, seed) => {
          const nd = n * d;
          const x = values(nd, f32, onHeap, seed, { special });
          const gamma = values(d, f32, onHeap, seed + 1);
          const beta = values(d, f32, !onHeap, seed + 2);
          const rm = values(d, f32, onHeap, seed + 3);
          const rv = values(d, f32, onHeap, seed + 4, { positive: true });
          const outs = () => ({ xc: values(nd, f32, onHeap, 5), xn: values(nd, f32, onHeap, 6), std: values(d, f32, onHeap, 7), out: values(nd, f32, onHeap, 8) });
          const a = outs();
          const b = outs();
          referenceKernels.batchNormForwardTest(x, n, d, gamma, beta, 1e-7, rm, rv, a.xc, a.xn, a.std, a.out);
          k.batchNormForwardTest(x, n, d, gamma, beta, 1e-7, rm, rv, b.xc, b.xn, b.std, b.out);
          for (const key of ['xc', 'xn', 'std', 'out'] as const) assertSame(b[key], a[key], `forward ${key}`);
          const dout = values(nd, f32, onHeap, seed + 9, { special });
          const grads = () => ({ dgamma: values(d, f32, onHeap, 10), dbeta: values(d, f32, onHeap, 11), dx: values(nd, f32, !onHeap, 12) });
          const ga = grads();
          const gb = grads();
          referenceKernels.batchNormBackwardTest(dout, n, d, gamma, a.xn, a.std, ga.dgamma, ga.dbeta, ga.dx);
          k.batchNormBackwardTest(dout, n, d, gamma, b.xn, b.std, gb.dgamma, gb.dbeta, gb.dx);
          for (const key of ['dgamma', 'dbeta', 'dx'] as const) assertSame(gb[key], ga[key], `backward ${key}`);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('mixed dtypes and short state arrays go to the reference (the same results)', () => {
    const p = new Float64Array([1, 2, 3, 4, 5]);
    const g = new Float32Array([0.5, 0.25, -1, 2, 3]);
    const v1 = new Float64Array(5);
    const v2 = new Float64Array(5);
    const p1 = p.slice();
    const p2 = p.slice();
    referenceKernels.momentumUpdate(0.1, 0.9, v1, g as unknown as Float64Array, p1);
    k.momentumUpdate(0.1, 0.9, v2, g as unknown as Float64Array, p2);
    assertSame(p2, p1, 'mixed dtypes');
    const short1 = new Float64Array(3);
    const short2 = new Float64Array(3);
    referenceKernels.adaGradUpdate(0.1, short1, new Float64Array(5).fill(1), p1);
    k.adaGradUpdate(0.1, short2, new Float64Array(5).fill(1), p2);
    assertSame(p2, p1, 'short state');
  });
});

/**
 * Chapter 6's training steps (gradient, update, loss after the update, as optimizer_compare_mnist.py) on
 * real MNIST batches: the parameters after each step, and the losses, on the TypeScript kernels.
 */
function chapter6Run(dtype: DType, optimizer: string, extend: boolean, steps: number): { params: number[][]; losses: number[] } {
  const { train } = loadMnistSplits();
  const batch = 128;
  const options = { inputSize: 784, hiddenSizeList: [100, 100, 100, 100], outputSize: 10, dtype, seed: 3 };
  const net = extend ? new MultiLayerNetExtend({ ...options, useBatchnorm: true, useDropout: true, dropoutRatio: 0.2 }) : new MultiLayerNet(options);
  const opt = createOptimizer(optimizer, { lr: optimizer === 'adam' ? 0.001 : 0.01 });
  const x = bufferTensor([batch, 784], dtype);
  const t = new Float64Array(batch);
  const idx = new Uint32Array(batch);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < batch; i++) idx[i] = (s * 7919 + i * 104729) % train.count;
    train.gatherImages(idx, x.data);
    train.gatherLabels(idx, t);
    referenceKernels.keepRows(x.data, batch, 784);
    const grads = net.gradient(x, t);
    opt.update(net.params, grads);
    losses.push(net.loss(x, t, true));
  }
  return { params: Object.values(net.params).map((p) => [...p.data]), losses };
}

describe('chapter 6 on the WASM kernels', () => {
  after(() => useTypeScriptKernels());
  for (const [optimizer, extend] of [['sgd', false], ['momentum', false], ['adagrad', false], ['adam', false], ['rmsprop', true], ['nesterov', true]] as const) {
    it(`MultiLayerNet${extend ? 'Extend (BatchNorm, Dropout)' : ''} 784-[100×4]-10 with ${optimizer}, float64: the TypeScript kernels' bits on one thread and on two`, async () => {
      // The expectation: the TypeScript kernels, but for softmax. The WASM softmax takes exp from
      // AssemblyScript's math library, which can differ from V8's Math.exp in the last bit (it predates
      // chapter 6, and the CLI's recorded runs depend on it); so the expected run uses it too, on the heap.
      useTypeScriptKernels();
      const restoreKernels = useKernels({ softmaxRows: wasm.kernels.softmaxRows });
      const restoreAllocator = setBufferAllocator((kind, length) => wasm.heap.allocateKind(kind, length));
      let expected: ReturnType<typeof chapter6Run>;
      try {
        expected = chapter6Run('float64', optimizer, extend, 4);
      } finally {
        restoreAllocator();
        restoreKernels();
      }
      try {
        assert.ok(useWasmKernels());
        assert.deepEqual(chapter6Run('float64', optimizer, extend, 4), expected, 'one thread');
        useTypeScriptKernels();
        assert.ok(useWasmKernels({ helper: createNodeHelper }));
        for (let waited = 0; !kernelThreadReady(); waited += 10) {
          assert.ok(waited < 10000, 'the helper thread starts');
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.deepEqual(chapter6Run('float64', optimizer, extend, 4), expected, 'two threads');
      } finally {
        useTypeScriptKernels();
      }
    });
  }
});
