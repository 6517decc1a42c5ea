import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { format, inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import {
  Mask,
  arrayRepr,
  arrayStr,
  getPrintOptions,
  less,
  repr,
  round,
  setPrintOptions,
  tensor,
  type PrintDtype,
  type PrintOptions,
} from '../src/index.ts';
import { installDevtoolsFormatter } from '../src/tensor/devtools.ts';
import { TENSOR_DEVTOOLS_FORMATTER } from '../src/tensor/tensor.ts';

type Encoded = number | 'nan' | 'inf' | '-inf';

interface Case {
  name: string;
  dtype: PrintDtype;
  shape: number[];
  data: Encoded[];
  options: Partial<PrintOptions>;
  str: string;
  repr: string;
}

interface RoundTable {
  dtype: 'float64' | 'float32';
  decimals: number;
  x: Encoded[];
  y: Encoded[];
  ySigns: number[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-printing.json', import.meta.url), 'utf8')) as {
  numpy: string;
  cases: Case[];
  rounds: RoundTable[];
};

const decode = (v: Encoded): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** The case as ScratchNet holds it: a Tensor for floats, a Mask for booleans, plain data for integers. */
function build(c: Case): { toString(): string; repr(): string } {
  const values = c.data.map(decode);
  if (c.dtype === 'float64' || c.dtype === 'float32') return tensor(values, { shape: c.shape, dtype: c.dtype });
  if (c.dtype === 'bool') return new Mask(Uint8Array.from(values), c.shape);
  const printable = { data: values, shape: c.shape, dtype: c.dtype };
  return { toString: () => arrayStr(printable), repr: () => arrayRepr(printable) };
}

after(() => setPrintOptions());

describe(`printing matches NumPy ${fixture.numpy} (${fixture.cases.length} arrays)`, () => {
  it('has hundreds of arrays of every dtype and rank', () => {
    assert.ok(fixture.cases.length > 500);
    for (const dtype of ['float64', 'float32', 'int64', 'bool']) assert.ok(fixture.cases.some((c) => c.dtype === dtype));
    for (let ndim = 0; ndim <= 4; ndim++) assert.ok(fixture.cases.some((c) => c.shape.length === ndim));
  });

  for (const c of fixture.cases) {
    it(`${c.name} ${c.dtype} (${c.shape.join(',')})`, () => {
      setPrintOptions();
      setPrintOptions(c.options);
      try {
        const a = build(c);
        assert.equal(String(a), c.str, 'str');
        assert.equal(a.repr(), c.repr, 'repr');
      } finally {
        setPrintOptions();
      }
    });
  }
});

describe('np.round', () => {
  for (const table of fixture.rounds) {
    it(`${table.dtype}, decimals=${table.decimals}: every value bit for bit`, () => {
      const y = round(tensor(table.x.map(decode), { dtype: table.dtype }), table.decimals);
      const expected = table.y.map(decode);
      for (let i = 0; i < expected.length; i++) {
        const got = y.data[i];
        const ok = Number.isNaN(expected[i]) ? Number.isNaN(got) : got === expected[i] && (got < 0 || Object.is(got, -0)) === (table.ySigns[i] === 1);
        assert.ok(ok, `round(${table.x[i]}, ${table.decimals}) = ${got}, NumPy ${table.y[i]} (sign ${table.ySigns[i]})`);
      }
    });
  }
});

describe('how tensors print in JavaScript', () => {
  const t = tensor([[1, -0.5], [0, 3]]);
  const text = '[[ 1.  -0.5]\n [ 0.   3. ]]';

  it('String(t), template literals and util.inspect (console.log) all print NumPy\'s str', () => {
    assert.equal(String(t), text);
    assert.equal(`${t}`, text);
    assert.equal(inspect(t), text);
    assert.equal(format(t), text); // what console.log(t) writes
    assert.equal(format('x =', t), `x = ${text}`);
  });

  it('browser consoles: the DevTools formatter shows NumPy\'s str for tensors and masks, nothing else', () => {
    assert.deepEqual(TENSOR_DEVTOOLS_FORMATTER.header(t), ['div', { style: 'white-space: pre; font-family: monospace' }, text]);
    assert.equal(TENSOR_DEVTOOLS_FORMATTER.header(less(t, 0))?.[2], '[[False  True]\n [False False]]');
    assert.equal(TENSOR_DEVTOOLS_FORMATTER.header({ shape: [2, 2] }), null);
    assert.equal(TENSOR_DEVTOOLS_FORMATTER.header(null), null);
    assert.equal(TENSOR_DEVTOOLS_FORMATTER.hasBody(t), false);
    // Installed once, next to formatters other code put there; Node's globalThis is left alone.
    const page: { devtoolsFormatters?: unknown } = { devtoolsFormatters: ['other'] };
    installDevtoolsFormatter(TENSOR_DEVTOOLS_FORMATTER, page);
    installDevtoolsFormatter(TENSOR_DEVTOOLS_FORMATTER, page);
    assert.deepEqual(page.devtoolsFormatters, ['other', TENSOR_DEVTOOLS_FORMATTER]);
    assert.equal((globalThis as { devtoolsFormatters?: unknown }).devtoolsFormatters, undefined);
  });

  it('repr is NumPy\'s repr, as a method and a function', () => {
    assert.equal(t.repr(), 'array([[ 1. , -0.5],\n       [ 0. ,  3. ]])');
    assert.equal(repr(t), t.repr());
    assert.equal(repr(tensor([1, 2], { dtype: 'float32' })), 'array([1., 2.], dtype=float32)');
  });

  it('a mask prints as a boolean array', () => {
    const mask = less(t, 0.5);
    assert.equal(String(mask), '[[False  True]\n [ True False]]');
    assert.equal(inspect(mask), '[[False  True]\n [ True False]]');
    assert.equal(mask.repr(), 'array([[False,  True],\n       [ True, False]])');
  });

  it('setPrintOptions changes only what it is given; no argument restores the defaults', () => {
    setPrintOptions({ precision: 3 });
    assert.deepEqual(getPrintOptions(), { precision: 3, threshold: 1000, edgeitems: 3, linewidth: 75, suppress: false });
    assert.equal(String(tensor([1 / 3, 2])), '[0.333 2.   ]');
    setPrintOptions({ suppress: true });
    assert.equal(String(tensor([1e-5, 1 / 3])), '[0.    0.333]');
    setPrintOptions();
    assert.equal(String(tensor([1e-5, 1 / 3])), '[1.00000000e-05 3.33333333e-01]');
  });

  it('rejects bad print options with what is allowed', () => {
    assert.throws(() => setPrintOptions({ precision: -1 }), /precision must be a non-negative integer/);
    assert.throws(() => setPrintOptions({ threshold: NaN }), /threshold must be a non-negative integer or Infinity/);
    assert.throws(() => setPrintOptions({ colour: 1 } as unknown as Partial<PrintOptions>), /unknown option "colour"/);
    assert.deepEqual(getPrintOptions(), { precision: 8, threshold: 1000, edgeitems: 3, linewidth: 75, suppress: false });
  });

  it('threshold Infinity prints every element', () => {
    setPrintOptions({ threshold: Infinity });
    try {
      assert.ok(!String(tensor(new Float64Array(2000))).includes('...'));
    } finally {
      setPrintOptions();
    }
  });
});
