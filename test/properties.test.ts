/** Property tests (fast-check) of tensor semantics against element-by-element references. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { add, dot, maximum, mul, softmax, sub, sum, tensor, type Tensor } from '../src/index.ts';

const dim = fc.integer({ min: 1, max: 4 });
const value = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });

/** A shape and a compatible broadcast partner: each dim kept, set to 1, or dropped from the front. */
const broadcastPair = fc
  .array(dim, { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 0, max: shape.length }),
    ),
  )
  .map(([shape, ones, drop]) => [shape, shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop)] as const);

function filled(shape: readonly number[], values: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => values[i % values.length]), { shape });
}

/** Reads `x` at a full output index under NumPy broadcasting (trailing alignment, size-1 repeats). */
function readBroadcast(x: Tensor, index: number[]): number {
  const offset = index.length - x.ndim;
  let flat = 0;
  for (let d = 0; d < x.ndim; d++) flat = flat * x.shape[d] + (x.shape[d] === 1 ? 0 : index[offset + d]);
  return x.data[flat];
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let f = 0; f < n; f++) {
    const idx = new Array<number>(shape.length);
    let r = f;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}

describe('broadcasting (property)', () => {
  const ops = [
    ['add', add, (p: number, q: number) => p + q],
    ['sub', sub, (p: number, q: number) => p - q],
    ['mul', mul, (p: number, q: number) => p * q],
    ['maximum', maximum, (p: number, q: number) => Math.max(p, q)],
  ] as const;
  for (const [name, op, ref] of ops) {
    it(`${name} equals an element-by-element reference, in either operand order`, () => {
      fc.assert(
        fc.property(broadcastPair, fc.array(value, { minLength: 1, maxLength: 30 }), fc.boolean(), ([sa, sb], vals, swap) => {
          const a = filled(swap ? sb : sa, vals);
          const b = filled(swap ? sa : sb, vals.slice().reverse());
          const out = op(a, b);
          assert.deepEqual([...out.shape], sa);
          for (const idx of indices(out.shape)) {
            const i = out.shape.length ? idx.reduce((f, v, d) => f * out.shape[d] + v, 0) : 0;
            assert.equal(out.data[i], ref(readBroadcast(a, idx), readBroadcast(b, idx)));
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('dot with transpose flags (property)', () => {
  it('equals a naive triple loop for every combination of flags', () => {
    fc.assert(
      fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.array(value, { minLength: 1, maxLength: 20 }), fc.boolean(), (m, k, n, tA, tB, vals, withZeros) => {
        // Zeros exercise the kernels' skip-zero path.
        const v = withZeros ? vals.map((x, i) => (i % 3 === 0 ? 0 : x)) : vals;
        const a = filled(tA ? [k, m] : [m, k], v);
        const b = filled(tB ? [n, k] : [k, n], v.slice().reverse());
        const out = dot(a, b, { transA: tA, transB: tB });
        assert.deepEqual([...out.shape], [m, n]);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += (tA ? a.get(p, i) : a.get(i, p)) * (tB ? b.get(j, p) : b.get(p, j));
            assert.ok(Math.abs(out.get(i, j) - s) <= 1e-12 * (1 + Math.abs(s)), `(${i},${j}): ${out.get(i, j)} vs ${s}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('softmax (property)', () => {
  it('rows are positive and sum to 1, even for huge scores', () => {
    fc.assert(
      fc.property(dim, dim, fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 16 }), (rows, cols, vals) => {
        const y = softmax(filled([rows, cols], vals));
        const sums = sum(y, { axis: 1 });
        for (let r = 0; r < rows; r++) assert.ok(Math.abs(sums.data[r] - 1) < 1e-12, `row ${r} sums to ${sums.data[r]}`);
        assert.ok(y.data.every((p) => p >= 0 && p <= 1 && Number.isFinite(p)));
      }),
      { numRuns: 200 },
    );
  });

  it('is unchanged by adding a constant to a row', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 10 }), value, (vals, c) => {
        const a = softmax(tensor(vals));
        const b = softmax(add(tensor(vals), c));
        for (let i = 0; i < vals.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-12);
      }),
    );
  });
});
