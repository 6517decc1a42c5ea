/**
 * The register-blocked product (gemmBlocked in assembly/kernels.ts) against the row passes (gemmNN /
 * gemmTN), on the raw exports of both builds: every C value adds the same products in the same order (p
 * ascending, from C or from zero) with the same operations — multiply then add, or fused in float32 on
 * the relaxed build — and the row passes only leave out A's zeros, whose products change no sum of a
 * finite B. So the two must agree bit for bit, in both dtypes, on odd shapes (partial last vectors, row
 * counts that are not multiples of the 3-row tile, several blocks of B) and on row ranges (the split
 * between threads). Then the wrapper: the relaxed build's float32 products that take the blocked path
 * give the same bits on one thread and two, within float32 rounding of the TypeScript reference.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';
import { createWasmKernels, relaxedSimdSupported, wasmBytes, type WasmKernels } from '../src/kernels/wasm/index.ts';
import { referenceKernels } from '../src/kernels/index.ts';
import { Random } from '../src/tensor/random.ts';

const rng = new Random(11);
type Exports = Record<string, (...a: number[]) => number>;

function rawExports(relaxed: boolean): { x: Exports; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1024, maximum: 1024 });
  const module = new WebAssembly.Module(wasmBytes(false, relaxed) as BufferSource);
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('wasm kernel aborted'); } } });
  return { x: instance.exports as Exports, memory };
}

function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

// (transA, m, n, k): the layers' shapes, odd sizes, a long k (several blocks of B's rows), a wide n (several
// blocks of its vectors), one row, one column.
const SHAPES: [boolean, number, number, number][] = [
  [false, 100, 100, 4320], [true, 4320, 100, 100], [false, 128, 100, 100], [true, 100, 100, 128],
  [false, 7, 37, 300], [true, 11, 53, 17], [false, 1, 9, 5], [true, 5, 1, 3], [false, 31, 199, 129], [true, 4, 13, 1],
];

assert.ok(relaxedSimdSupported(), 'relaxed SIMD available in this Node (node-helper.ts sets the V8 flag)');

for (const relaxed of [false, true]) {
  describe(`gemmBlocked, ${relaxed ? 'relaxed-SIMD' : 'plain-SIMD'} build`, () => {
    const { x, memory } = rawExports(relaxed);
    const base = (x.heapBase() + 4095) & ~4095;
    for (const f32 of [true, false]) {
      it(`equals the row passes bit for bit in ${f32 ? 'float32' : 'float64'} (dense and sparse A, accumulating or not, split rows)`, () => {
        const sz = f32 ? 4 : 8;
        const heap = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
        for (const [transA, m, n, k] of SHAPES) {
          for (const density of [1, 0.4]) {
            for (const acc of [0, 1]) {
              const A = base, B = A + m * k * sz + 64, C1 = B + k * n * sz + 64, C2 = C1 + m * n * sz + 64, S = C2 + m * n * sz + 64;
              for (let i = 0; i < m * k; i++) heap[A / sz + i] = rng.random() < density ? rng.random() * 2 - 1 : 0;
              for (let i = 0; i < k * n; i++) heap[B / sz + i] = rng.random() * 2 - 1;
              for (let i = 0; i < m * n; i++) heap[C1 / sz + i] = heap[C2 / sz + i] = rng.random() - 0.5;
              // Sentinels past C's end: a partial last vector must store only its lanes.
              for (let i = 0; i < 8 / (sz / 4); i++) heap[C1 / sz + m * n + i] = 7.25;
              const t = f32 ? '_f32' : '_f64';
              // The blocked kernel in two row ranges (as the threads split it), the row passes whole.
              const h = 3 * Math.floor(m / 6);
              x[`gemmBlocked${t}`](transA ? 1 : 0, m, n, k, A, B, C1, acc, 0, h);
              x[`gemmBlocked${t}`](transA ? 1 : 0, m, n, k, A, B, C1, acc, h, m);
              if (transA) x[`gemmTN${t}`](m, n, k, A, B, C2, acc, S, 0, m);
              else x[`gemmNN${t}`](m, n, k, A, B, C2, acc, S);
              const what = `${transA ? 'Aᵀ·B' : 'A·B'} ${m}×${n}×${k}, ${density * 100} % non-zero, acc ${acc}`;
              sameBits(heap.subarray(C1 / sz, C1 / sz + m * n), heap.subarray(C2 / sz, C2 / sz + m * n), what);
              for (let i = 0; i < 8 / (sz / 4); i++) assert.equal(heap[C1 / sz + m * n + i], 7.25, `${what}: written past C's end`);
            }
          }
        }
      });
    }
  });
}

/**
 * A float32 product op(A)·op(B) [+ C] of random operands through `gemm` of two kernel sets (one thread,
 * two): the same bits on both, and each value within float32 rounding of the reference — k products and
 * k additions, one rounding each (fused: one per term), against the reference's double-precision sum
 * rounded once.
 */
function float32OnOneAndTwo(one: WasmKernels, two: WasmKernels, transA: boolean, transB: boolean, m: number, n: number, k: number, accumulate: boolean): void {
  const data = (len: number) => Float32Array.from({ length: len }, () => rng.random() * 2 - 1);
  const a = data(m * k), b = data(k * n), c0 = data(m * n);
  const runs = [one, two].map((wk) => {
    const put = (v: Float32Array) => {
      const arr = wk.heap.allocate(true, v.length)! as Float32Array;
      arr.set(v);
      return arr;
    };
    const c = put(c0);
    wk.kernels.gemm(transA, transB, m, n, k, put(a), put(b), c, accumulate);
    return c;
  });
  const what = `gemm(${transA}, ${transB}) ${m}×${n}×${k} accumulate ${accumulate}`;
  sameBits(runs[1], runs[0], `${what}: two threads`);
  const ref = Float32Array.from(c0);
  referenceKernels.gemm(transA, transB, m, n, k, a, b, ref, accumulate);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let mag = accumulate ? Math.abs(c0[i * n + j]) : 0;
      for (let p = 0; p < k; p++) mag += Math.abs((transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]));
      const got = runs[0][i * n + j], want = ref[i * n + j];
      if (!(Math.abs(got - want) <= (k + 2) * 2 ** -23 * mag)) assert.fail(`${what} [${i}, ${j}]: ${got} vs ${want} (Σ|terms| ${mag})`);
    }
  }
}

describe('the blocked path through gemm (relaxed build, float32)', () => {
  const one = createWasmKernels({ relaxed: true });
  const two = createWasmKernels({ relaxed: true, helper: createNodeHelper });
  after(() => two.stopHelper());

  it('gives the same bits on one thread and two, within float32 rounding of the reference', async () => {
    for (let i = 0; i < 200 && !two.helperReady(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(two.helperReady(), 'helper thread started');
    for (const [transA, m, n, k] of [[false, 100, 100, 4320], [true, 4320, 100, 100], [false, 301, 37, 257], [true, 129, 64, 1031]] as const) {
      for (const accumulate of [false, true]) float32OnOneAndTwo(one, two, transA, false, m, n, k, accumulate);
    }
  });
});

describe('A·Bᵀ from packed panels of B (gemmPanels)', () => {
  for (const relaxed of [false, true]) {
    it(`${relaxed ? 'relaxed' : 'plain'} build: equals B transposed whole, then the row passes, bit for bit (both dtypes, dense and sparse A, accumulating or not, column ranges, partial strips)`, () => {
      // The same products in the same order (A's non-zeros, p ascending, from C or zero) with the same
      // operations: only where B's values are read from differs.
      const { x, memory } = rawExports(relaxed);
      const base = (x.heapBase() + 4095) & ~4095;
      for (const f32 of [true, false]) {
        const sz = f32 ? 4 : 8;
        const t = f32 ? '_f32' : '_f64';
        const heap = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
        // (m, n, k): Affine 4320→100's and 1024→50's dx, chapter 6's, odd sizes, n below, at and past a strip,
        // more rows than are listed at a time (256).
        for (const [m, n, k] of [[100, 4320, 100], [100, 1024, 50], [128, 100, 100], [7, 11, 33], [1, 1, 1], [4, 53, 129], [3, 26, 64], [5, 27, 3], [2, 105, 40], [600, 61, 37]]) {
          for (const density of [1, 0.4]) {
            for (const acc of [0, 1]) {
              const A = base, B = A + m * k * sz + 64, C1 = B + n * k * sz + 64, C2 = C1 + m * n * sz + 64, T = C2 + m * n * sz + 64, S = T + n * k * sz + 64;
              for (let i = 0; i < m * k; i++) heap[A / sz + i] = rng.random() < density ? rng.random() * 2 - 1 : 0;
              for (let i = 0; i < n * k; i++) heap[B / sz + i] = rng.random() * 2 - 1;
              for (let i = 0; i < m * n; i++) heap[C1 / sz + i] = heap[C2 / sz + i] = rng.random() - 0.5;
              for (let i = 0; i < 8 / (sz / 4); i++) heap[C1 / sz + m * n + i] = 7.25;
              // Panels in two column ranges (a split that is not a whole strip), the transposition's path whole.
              const h = Math.floor(n / 2);
              x[`gemmPanels${t}`](m, n, k, A, B, C1, acc, S, 0, h);
              x[`gemmPanels${t}`](m, n, k, A, B, C1, acc, S, h, n);
              x[`transpose${t}`](n, k, B, T);
              x[`gemmNN${t}`](m, n, k, A, T, C2, acc, S);
              const what = `${f32 ? 'float32' : 'float64'} ${m}×${n}×${k}, ${density * 100} % non-zero, acc ${acc}`;
              sameBits(heap.subarray(C1 / sz, C1 / sz + m * n), heap.subarray(C2 / sz, C2 / sz + m * n), what);
              for (let i = 0; i < 8 / (sz / 4); i++) assert.equal(heap[C1 / sz + m * n + i], 7.25, `${what}: written past C's end`);
            }
          }
        }
      }
    });
  }

  it('float32 through gemm (k ≥ 32: panels): the same bits on one thread and two, within float32 rounding of the reference', async () => {
    const one = createWasmKernels({ relaxed: true });
    const two = createWasmKernels({ relaxed: true, helper: createNodeHelper });
    try {
      for (let i = 0; i < 200 && !two.helperReady(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(two.helperReady(), 'helper thread started');
      for (const [m, n, k] of [[100, 4320, 100], [100, 1024, 50], [3, 7, 33], [37, 301, 129]]) {
        for (const accumulate of [false, true]) float32OnOneAndTwo(one, two, false, true, m, n, k, accumulate);
      }
    } finally {
      await two.stopHelper();
    }
  });
});
