/**
 * Integer and bool tensors: NumPy's printing (test/fixtures/numpy-int-printing.json, written by
 * make-int-printing-fixtures.py from numpy itself), promotion, weak scalars, casting, and property tests
 * of wrapping integer arithmetic against a BigInt reference.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { setPrintOptions, type PrintOptions } from '../src/tensor/format.ts';
import {
  Mask,
  Tensor,
  arange,
  full,
  ones,
  tensor,
  zeros,
  type AnyTensor,
  type DType,
  type TensorDType,
} from '../src/tensor/tensor.ts';
import {
  add,
  argmax,
  div,
  dot,
  equal,
  exp,
  greater,
  lessEqual,
  maskedFill,
  max,
  maximum,
  mean,
  minimum,
  mul,
  sub,
  sum,
  take,
  transpose,
} from '../src/tensor/ops.ts';

type Encoded = number | 'nan' | 'inf' | '-inf';
const decode = (v: Encoded): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

interface PrintCase {
  name: string;
  dtype: 'int32' | 'uint8' | 'bool';
  shape: number[];
  data: number[];
  options: Partial<PrintOptions>;
  str: string;
  repr: string;
}
type OpName = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';
interface ScalarCase {
  array: TensorDType;
  op: OpName;
  scalar: number;
  dtype?: string;
  values?: Encoded[];
  error?: string;
}
interface CastCase {
  from: TensorDType;
  to: TensorDType;
  x: Encoded[];
  y: number[];
}
interface ArangeCase {
  args: [number, number, number];
  dtype: 'int32' | 'uint8';
  y?: number[];
  error?: string;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-int-printing.json', import.meta.url), 'utf8')) as {
  numpy: string;
  cases: PrintCase[];
  promotion: Record<OpName, Record<TensorDType, Record<TensorDType, string>>>;
  scalars: ScalarCase[];
  casts: CastCase[];
  aranges: ArangeCase[];
};

const DTYPES: TensorDType[] = ['float64', 'float32', 'int32', 'uint8', 'bool'];
const OPS = { add, sub, mul, div, maximum, minimum } as const;
const apply = (op: OpName, a: AnyTensor | number, b: AnyTensor | number): AnyTensor =>
  (OPS[op] as (a: AnyTensor | number, b: AnyTensor | number) => AnyTensor)(a, b);

after(() => setPrintOptions());

describe(`int32, uint8 and bool arrays print as NumPy ${fixture.numpy} prints them (${fixture.cases.length} arrays)`, () => {
  it('covers every dtype, 0-d to 4-d, empty and summarised arrays', () => {
    for (const dtype of ['int32', 'uint8', 'bool']) assert.ok(fixture.cases.some((c) => c.dtype === dtype));
    for (let ndim = 0; ndim <= 4; ndim++) assert.ok(fixture.cases.some((c) => c.shape.length === ndim));
    assert.ok(fixture.cases.some((c) => c.data.length > 1000));
    assert.ok(fixture.cases.some((c) => c.data.length === 0));
  });

  for (const c of fixture.cases) {
    it(`${c.name} ${c.dtype} (${c.shape.join(',')})`, () => {
      setPrintOptions();
      setPrintOptions(c.options);
      try {
        const t = tensor(c.data, { shape: c.shape, dtype: c.dtype });
        assert.equal(t.dtype, c.dtype);
        assert.equal(String(t), c.str, 'str');
        assert.equal(t.repr(), c.repr, 'repr');
        assert.equal(inspect(t), c.str, 'util.inspect');
      } finally {
        setPrintOptions();
      }
    });
  }

  it("the book's examples", () => {
    const x = tensor([-1.0, 1.0, 2.0]);
    const y = x.gt(0);
    assert.equal(String(y), '[False  True  True]');
    assert.equal(y.repr(), 'array([False,  True,  True])');
    assert.equal(String(y.astype('int32')), '[0 1 1]');
    assert.equal(y.astype('int32').repr(), 'array([0, 1, 1], dtype=int32)');
    assert.equal(String(tensor([-1, 2, 10], { dtype: 'int32' })), '[-1  2 10]');
    assert.equal(String(tensor([[1, 2], [3, 4]], { dtype: 'int32' })), '[[1 2]\n [3 4]]');
    assert.equal(tensor([1, 2], { dtype: 'uint8' }).repr(), 'array([1, 2], dtype=uint8)');
    assert.equal(tensor([true, false]).repr(), 'array([ True, False])');
    assert.equal(String(tensor(5, { dtype: 'int32' })), '5');
    assert.equal(tensor(5, { dtype: 'int32' }).repr(), 'array(5, dtype=int32)');
  });
});

describe('promotion: the dtype of a op b, as NumPy gives it', () => {
  for (const op of Object.keys(fixture.promotion) as OpName[]) {
    it(`${op}: all ${DTYPES.length}×${DTYPES.length} pairs`, () => {
      for (const a of DTYPES) {
        for (const b of DTYPES) {
          const expected = fixture.promotion[op][a][b];
          const x = ones([2], { dtype: a });
          const y = ones([2], { dtype: b });
          if (expected === 'error') {
            assert.throws(() => apply(op, x, y), /numpy boolean subtract, the `-` operator, is not supported/, `${a} ${op} ${b}`);
          } else {
            assert.equal(apply(op, x, y).dtype, expected, `${a} ${op} ${b}`);
          }
        }
      }
    });
  }

  it('the table as observed (float32 with int32 is float64; with uint8 and bool float32)', () => {
    const f32 = ones([1], { dtype: 'float32' });
    assert.equal(add(f32, ones([1], { dtype: 'int32' })).dtype, 'float64');
    assert.equal(add(f32, ones([1], { dtype: 'uint8' })).dtype, 'float32');
    assert.equal(add(f32, ones([1], { dtype: 'bool' })).dtype, 'float32');
    assert.equal(add(ones([1], { dtype: 'bool' }), ones([1], { dtype: 'bool' })).dtype, 'bool');
    assert.equal(div(ones([1], { dtype: 'int32' }), ones([1], { dtype: 'int32' })).dtype, 'float64');
  });
});

describe('plain numbers are weak scalars (NumPy 2): an integer keeps an integer dtype, a fraction makes float64', () => {
  for (const c of fixture.scalars) {
    it(`${c.array} ${c.op} ${c.scalar}`, () => {
      const x = tensor([3, 1, 0], { dtype: c.array });
      // NumPy's default integer is int64, ours int32: bool with a Python int gives int32 here.
      const dtype = c.dtype === 'int64' ? 'int32' : c.dtype;
      const values = c.values?.map(decode);
      // …and the Python int must fit int32 (NumPy checks it against int64 there).
      const inInt32 = (v: number): boolean => v >= -(2 ** 31) && v < 2 ** 31;
      const fits = values === undefined || c.dtype !== 'int64' || (inInt32(c.scalar) && values.every(inInt32));
      if (c.error !== undefined || !fits) {
        const message = c.error ?? `Python integer ${c.scalar} out of bounds for int32`;
        assert.throws(() => apply(c.op, x, c.scalar), { message: `${c.op}: ${message}` });
        return;
      }
      const r = apply(c.op, x, c.scalar);
      assert.equal(r.dtype, dtype);
      assert.deepEqual([...r.data], values);
      // and the same with the number on the left, where the op is symmetric
      if (c.op !== 'sub' && c.op !== 'div') assert.equal(apply(c.op, c.scalar, x).dtype, dtype);
    });
  }
});

describe('casting: astype as NumPy on x86-64', () => {
  for (const c of fixture.casts) {
    it(`${c.from} → ${c.to}: ${c.x.join(', ')}`, () => {
      const x = tensor(c.x.map(decode), { dtype: c.from });
      const y = x.astype(c.to);
      assert.equal(y.dtype, c.to);
      assert.deepEqual([...y.data], c.y);
    });
  }

  it('astype to the same dtype is the tensor itself; copy always copies', () => {
    const x = tensor([1, 2], { dtype: 'int32' });
    assert.equal(x.astype('int32'), x);
    const c = x.copy();
    assert.notEqual(c.data, x.data);
    assert.equal(c.dtype, 'int32');
    assert.ok(x.astype('bool') instanceof Mask, 'every bool tensor the library makes is a Mask');
  });
});

describe('arange with integer dtypes fills as NumPy does', () => {
  for (const c of fixture.aranges) {
    it(`arange(${c.args.join(', ')}, dtype=${c.dtype})`, () => {
      const [start, stop, step] = c.args;
      if (c.error !== undefined) {
        assert.throws(() => arange(start, stop, step, { dtype: c.dtype }), { message: `arange: ${c.error}` });
        return;
      }
      const t = arange(start, stop, step, { dtype: c.dtype });
      assert.equal(t.dtype, c.dtype);
      assert.deepEqual([...t.data], c.y);
    });
  }

  it('the default stays float64 (existing code relies on it)', () => {
    assert.equal(arange(0, 3).dtype, 'float64');
    assert.throws(() => arange(0, 3, 1, { dtype: 'bool' }), /arange: no fill-function for data-type bool/);
  });
});

describe('creating integer and bool tensors', () => {
  it('tensor, zeros, ones, full with a dtype', () => {
    assert.deepEqual(tensor([1.9, -2.9, 0], { dtype: 'int32' }).toArray(), [1, -2, 0]);
    assert.equal(zeros([2, 2], { dtype: 'uint8' }).data.constructor, Uint8Array);
    assert.equal(ones([3], { dtype: 'int32' }).data.constructor, Int32Array);
    assert.deepEqual(ones([2], { dtype: 'bool' }).toArray(), [true, true]);
    assert.deepEqual(full([2], 7, { dtype: 'uint8' }).toArray(), [7, 7]);
    assert.deepEqual(tensor([[true], [false]]).toArray(), [[true], [false]]);
    assert.equal(tensor([[true], [false]]).dtype, 'bool');
    assert.equal(tensor([]).dtype, 'float64');
    assert.equal(tensor(tensor([1, 2], { dtype: 'uint8' })).dtype, 'uint8', 'a tensor keeps its dtype');
    assert.equal(tensor(new Int32Array([1, 2])).dtype, 'float64', 'typed arrays other than Float32Array stay float64 unless a dtype is given');
    assert.equal(tensor(new Int32Array([1, 2]), { dtype: 'int32' }).dtype, 'int32');
  });

  it('refuses values an integer dtype cannot hold, with NumPy\'s messages', () => {
    assert.throws(() => tensor([300], { dtype: 'uint8' }), { message: 'tensor: Python integer 300 out of bounds for uint8' });
    assert.throws(() => tensor([-1.5], { dtype: 'uint8' }), { message: 'tensor: Python integer -1 out of bounds for uint8' });
    assert.throws(() => tensor([2 ** 31], { dtype: 'int32' }), { message: 'tensor: Python integer 2147483648 out of bounds for int32' });
    assert.throws(() => tensor([NaN], { dtype: 'int32' }), { message: 'tensor: cannot convert float NaN to integer' });
    assert.throws(() => tensor([Infinity], { dtype: 'int32' }), { message: 'tensor: cannot convert float infinity to integer' });
    assert.deepEqual(tensor([NaN, 0, -0.5], { dtype: 'bool' }).toArray(), [true, false, true]);
    assert.throws(() => tensor([1], { dtype: 'int8' as never }), /tensor: unknown dtype "int8" \(allowed: 'float64', 'float32'\) — or 'int32', 'uint8', 'bool'/);
    assert.throws(() => zeros([1], { dtype: 'int64' as never }), /zeros: unknown dtype "int64"/);
  });

  it('the Tensor constructor takes the dtype from the array, or bool for a Uint8Array', () => {
    assert.equal(new Tensor(new Int32Array(2), [2], 'int32').dtype, 'int32');
    assert.equal(new Tensor(new Uint8Array(2) as never, [2]).dtype, 'uint8');
    assert.equal(new Tensor(new Uint8Array(2), [2], 'bool').dtype, 'bool');
    assert.throws(() => new Tensor(new Float64Array(2) as never, [2], 'int32'), /Tensor: a Float64Array cannot hold int32 values/);
    assert.throws(() => new Tensor(new Uint8Array(2) as never, [2], 'int32'), /Tensor: a Uint8Array cannot hold int32 values/);
  });

  it('get, item, set, fill and toArray: numbers, booleans for bool (as NumPy\'s tolist)', () => {
    const t = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    assert.equal(t.get(1, 0), 3);
    t.set(-7.9, 1, 0);
    assert.equal(t.get(-1, 0), -7, 'a[i] = -7.9 stores -7');
    assert.deepEqual(t.toArray(), [[1, 2], [-7, 4]]);
    assert.throws(() => tensor([1], { dtype: 'uint8' }).fill(-1), { message: 'fill: Python integer -1 out of bounds for uint8' });
    const b = tensor([true, false]);
    assert.equal(b.get(0), true);
    b.fill(2);
    assert.deepEqual([...b.data], [1, 1], 'fill(2) on bool stores True (1)');
    b.set(false, 1);
    assert.deepEqual(b.toArray(), [true, false]);
    assert.equal(tensor(true).item(), true);
    assert.equal(tensor(3, { dtype: 'uint8' }).item(), 3);
  });
});

describe('ops on integer and bool tensors', () => {
  const i32 = (v: number[] | number[][]) => tensor(v, { dtype: 'int32' });

  it('int32 arithmetic wraps; uint8 wraps; bool + and * are or/and', () => {
    assert.deepEqual(add(i32([2147483647]), 1).toArray(), [-2147483648]);
    assert.deepEqual(mul(i32([65536]), i32([65536])).toArray(), [0]);
    assert.deepEqual(sub(tensor([1], { dtype: 'uint8' }), 2).toArray(), [255]);
    assert.deepEqual(mul(tensor([16], { dtype: 'uint8' }), 17).toArray(), [16]);
    assert.deepEqual(add(tensor([true, false, false]), tensor([true, true, false])).toArray(), [true, true, false]);
    assert.deepEqual(mul(tensor([true, false, true]), tensor([true, true, false])).toArray(), [true, false, false]);
    assert.deepEqual(add(tensor([true, false]), 1).repr(), 'array([2, 1], dtype=int32)');
  });

  it('broadcasts like the float ops', () => {
    const r = add(i32([[1], [2]]), tensor([10, 20, 30], { dtype: 'uint8' }));
    assert.equal(r.dtype, 'int32');
    assert.deepEqual(r.toArray(), [[11, 21, 31], [12, 22, 32]]);
    assert.deepEqual(mul(i32([[1, 2]]), tensor([0.5])).toArray(), [[0.5, 1]]);
  });

  it('true division of integers gives float64', () => {
    const r = div(i32([1, 2, 0]), i32([2, 0, 0]));
    assert.equal(r.dtype, 'float64');
    assert.deepEqual([...r.data], [0.5, Infinity, NaN]);
  });

  it('comparisons give bool tensors (Masks), also between dtypes and with numbers', () => {
    const m = greater(i32([1, 2, 3]), 1.5);
    assert.ok(m instanceof Mask && m instanceof Tensor);
    assert.equal(m.dtype, 'bool');
    assert.deepEqual(m.toArray(), [false, true, true]);
    assert.deepEqual(tensor([1], { dtype: 'uint8' }).lt(1000).toArray(), [true], 'no overflow error for comparisons');
    assert.deepEqual(equal(i32([16777217]), tensor([16777216], { dtype: 'float32' })).toArray(), [false], 'int32 vs float32 compares in float64');
    const x = tensor([1.0, -0.5]);
    assert.equal(lessEqual(x, 0).count(), 1);
    assert.deepEqual(x.le(0).toArray(), [false, true]);
    assert.deepEqual(x.ge(1).toArray(), [true, false]);
    assert.deepEqual(x.eq(1).toArray(), [true, false]);
    assert.deepEqual(x.ne(1).toArray(), [false, true]);
    // the book's accuracy: np.sum(y == t) / N
    const y = tensor([1, 2, 0, 0], { dtype: 'int32' });
    const t = tensor([1, 2, 1, 0], { dtype: 'uint8' });
    assert.equal(sum(y.eq(t)) / y.size, 0.75);
  });

  it('maskedFill on integer tensors; the mask must be bool', () => {
    const x = i32([1, -2, 3]);
    assert.deepEqual(maskedFill(x, x.le(0), 0).toArray(), [1, 0, 3]);
    assert.throws(() => maskedFill(x, x as never, 0), /maskedAssign: the mask must be a bool tensor, got int32/);
  });

  it('reductions: numbers for the whole tensor; axis sums are int32, argmax is int32, mean float64', () => {
    const x = i32([[1, 5, 2], [7, 0, 7]]);
    assert.equal(sum(x), 22);
    assert.equal(max(x), 7);
    assert.equal(argmax(x), 3);
    assert.equal(mean(x), 22 / 6);
    assert.equal(x.sum({ axis: 0 }).repr(), 'array([8, 5, 9], dtype=int32)');
    assert.equal(x.max({ axis: 1 }).repr(), 'array([5, 7], dtype=int32)');
    assert.equal(x.argmax({ axis: 1 }).repr(), 'array([1, 0], dtype=int32)');
    assert.equal(mean(x, { axis: 1 }).dtype, 'float64');
    assert.equal(tensor([[true, false], [true, true]]).sum({ axis: 1 }).repr(), 'array([1, 2], dtype=int32)');
    assert.equal(tensor([[0.1, 0.9], [0.8, 0.2]]).argmax({ axis: 1 }).dtype, 'int32', 'argmax over an axis of floats is int32 too');
    assert.throws(() => i32([2147483647, 1]).sum({ axis: 0 }), /sum: the result 2147483648 overflows int32/);
  });

  it('transpose, reshape and take keep the dtype', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'uint8' });
    assert.equal(transpose(x).repr(), 'array([[1, 4],\n       [2, 5],\n       [3, 6]], dtype=uint8)');
    assert.equal(x.reshape(3, 2).dtype, 'uint8');
    assert.ok(tensor([true, false, true, true]).reshape(2, 2) instanceof Mask);
    assert.deepEqual(take(x, [1]).toArray(), [[4, 5, 6]]);
  });

  it('kernels are float: dot, exp and log refuse integer and bool tensors by name', () => {
    const x = i32([1, 2]);
    assert.throws(() => dot(x as never, tensor([1, 2])), { message: "dot: int32 tensors are not supported (kernels are float); use .astype('float64')" });
    assert.throws(() => exp(tensor([true]) as never), { message: "exp: bool tensors are not supported (kernels are float); use .astype('float64')" });
    assert.throws(() => (x as unknown as Tensor).log(), /log: int32 tensors are not supported/);
    assert.equal(dot(x.astype('float64'), tensor([1, 2])).item(), 5);
  });

  it("in place: NumPy's same_kind rule", () => {
    const x = i32([1, 2]);
    x.iadd(1).imul(tensor([2, 3], { dtype: 'uint8' }));
    assert.deepEqual(x.toArray(), [4, 9]);
    assert.throws(() => x.iadd(0.5), { message: "iadd: Cannot cast ufunc 'add' output from dtype('float64') to dtype('int32') with casting rule 'same_kind'" });
    assert.throws(() => tensor([1], { dtype: 'uint8' }).iadd(i32([1])), /Cannot cast ufunc 'add' output from dtype\('int32'\) to dtype\('uint8'\)/);
    const u = tensor([1, 2], { dtype: 'uint8' });
    u.isub(3);
    assert.deepEqual(u.toArray(), [254, 255], 'uint8 -= 3 wraps');
    const f = tensor([0.5, 1], { dtype: 'float32' });
    f.iadd(i32([1, 2]));
    assert.deepEqual(f.toArray(), [1.5, 3]);
    const g = zeros([2], { dtype: 'int32' }).assign(tensor([1.9, -300.5]));
    assert.deepEqual(g.toArray(), [1, -300], 'assign casts as astype');
  });

  it('float code is untouched: a float tensor with a number keeps its dtype', () => {
    assert.equal(add(tensor([1], { dtype: 'float32' }), 2.5).dtype, 'float32');
    assert.equal(tensor([1], { dtype: 'float32' }).add(tensor([1], { dtype: 'uint8' })).dtype, 'float32');
  });
});

describe('types', () => {
  it('plain Tensor is float; ops on int tensors are typed by promotion', () => {
    // Compile-time checks (npx tsc -p .): these lines would not type-check with the wrong types.
    const f: Tensor = tensor([1, 2]);
    const fdata: Float64Array | Float32Array = f.data;
    const i = tensor([1, 2], { dtype: 'int32' });
    const idata: Int32Array = i.data;
    const sumF: Tensor<'float64'> = i.add(tensor([1, 2], { dtype: 'float64' }));
    const sumI: Tensor<'int32'> = i.add(tensor([1], { dtype: 'uint8' }));
    const q: Tensor<'float64'> = i.div(i);
    const m: Mask = i.gt(1);
    const am: Tensor<'int32'> = f.reshape(1, 2).argmax({ axis: 1 });
    const dt: DType = f.dtype;
    const stillFloat: Tensor = f.add(i);
    // @ts-expect-error an int tensor is not a (float) Tensor
    const bad: Tensor = i;
    assert.ok([fdata, idata, sumF, sumI, q, m, am, dt, stillFloat, bad].every((v) => v !== undefined));
  });
});

// --- Property tests: wrapping integer arithmetic against BigInt, promotion against the table ---

const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255], bool: [0, 1] } as const;
type IntLike = keyof typeof INT_RANGE;

function wrap(dtype: IntLike, v: bigint): number {
  if (dtype === 'int32') return Number(BigInt.asIntN(32, v));
  if (dtype === 'uint8') return Number(BigInt.asUintN(8, v));
  return v !== 0n ? 1 : 0;
}

function reference(op: 'add' | 'sub' | 'mul' | 'maximum' | 'minimum', dtype: IntLike, x: number, y: number): number {
  const a = BigInt(x);
  const b = BigInt(y);
  if (dtype === 'bool') return op === 'add' || op === 'maximum' ? x | y : x & y;
  switch (op) {
    case 'add':
      return wrap(dtype, a + b);
    case 'sub':
      return wrap(dtype, a - b);
    case 'mul':
      return wrap(dtype, a * b);
    case 'maximum':
      return x > y ? x : y;
    case 'minimum':
      return x < y ? x : y;
  }
}

const intDtype = fc.constantFrom<IntLike>('int32', 'uint8', 'bool');
const anyDtype = fc.constantFrom<TensorDType>(...DTYPES);
const valuesOf = (dtype: IntLike, n: number) =>
  fc.array(fc.integer({ min: INT_RANGE[dtype][0], max: INT_RANGE[dtype][1] }), { minLength: n, maxLength: n });

describe('properties', () => {
  it('integer add/sub/mul/maximum/minimum equal a BigInt reference with wrapping, for every pair of integer dtypes', () => {
    const ops = fc.constantFrom('add', 'sub', 'mul', 'maximum', 'minimum' as const);
    const cases = fc
      .tuple(intDtype, intDtype, ops, fc.integer({ min: 1, max: 8 }))
      .chain(([da, db, op, n]) => fc.tuple(fc.constant(da), fc.constant(db), fc.constant(op), valuesOf(da, n), valuesOf(db, n)));
    fc.assert(
      fc.property(cases, ([da, db, op, xs, ys]) => {
        const result = fixture.promotion[op][da][db] as IntLike | 'error';
        const a = tensor(xs, { dtype: da });
        const b = tensor(ys, { dtype: db });
        if (result === 'error') {
          assert.throws(() => apply(op, a, b), /boolean subtract/);
          return;
        }
        const r = apply(op, a, b);
        assert.equal(r.dtype, result);
        assert.deepEqual([...r.data], xs.map((x, i) => reference(op, result, x, ys[i])));
      }),
      { numRuns: 600 },
    );
  });

  it('a number with an int32/uint8 tensor: integers that fit keep the dtype and wrap; fractions give float64', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<IntLike>('int32', 'uint8'),
        fc.constantFrom('add', 'sub', 'mul' as const),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        (dtype, op, xs, s) => {
          const a = tensor(xs, { dtype });
          const [lo, hi] = INT_RANGE[dtype];
          if (Number.isInteger(s) && (s < lo || s > hi)) {
            assert.throws(() => apply(op, a, s), /out of bounds/);
            return;
          }
          const r = apply(op, a, s);
          if (!Number.isInteger(s)) {
            assert.equal(r.dtype, 'float64');
            const f = { add: (x: number) => x + s, sub: (x: number) => x - s, mul: (x: number) => x * s }[op];
            assert.deepEqual([...r.data], xs.map(f));
            return;
          }
          assert.equal(r.dtype, dtype);
          assert.deepEqual([...r.data], xs.map((x) => reference(op, dtype, x, s)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('mixed int/float results equal float64 arithmetic on the exact values, rounded to the result dtype', () => {
    fc.assert(
      fc.property(anyDtype, anyDtype, fc.constantFrom('add', 'sub', 'mul', 'div' as const), fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }), (da, db, op, xs) => {
        const result = fixture.promotion[op][da][db];
        if (result === 'error' || !(result === 'float64' || result === 'float32')) return;
        const a = tensor(xs.map((x) => (da === 'bool' ? x % 2 : x)), { dtype: da });
        const b = tensor(xs.map((x) => (db === 'bool' ? 1 : x + 1)), { dtype: db });
        const r = apply(op, a, b);
        assert.equal(r.dtype, result);
        const f = { add: (x: number, y: number) => x + y, sub: (x: number, y: number) => x - y, mul: (x: number, y: number) => x * y, div: (x: number, y: number) => x / y }[op];
        const round = result === 'float32' ? Math.fround : (v: number) => v;
        assert.deepEqual([...r.data], [...a.data].map((x, i) => round(f(x, b.data[i]))));
      }),
      { numRuns: 300 },
    );
  });

  it('astype to an integer dtype and back: int32 → uint8 wraps like BigInt.asUintN(8); float → int32 truncates', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 10 }), (xs) => {
        const t = tensor(xs, { dtype: 'int32' });
        assert.deepEqual([...t.astype('uint8').data], xs.map((x) => Number(BigInt.asUintN(8, BigInt(x)))));
        assert.deepEqual([...t.astype('float64').astype('int32').data], xs);
        assert.deepEqual([...tensor(xs.map((x) => x / 7)).astype('int32').data], xs.map((x) => Math.trunc(x / 7) + 0));
      }),
      { numRuns: 200 },
    );
  });
});
