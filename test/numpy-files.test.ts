/**
 * NumPy's files with the real NumPy on the other side (python3 + NumPy write, ScratchNet reads; ScratchNet
 * writes, NumPy reads — test/fixtures/numpy_files.py), safetensors read back by a few lines of Python, the
 * book's pickle layout loaded by `pickle.load` with warnings as errors, round-trip properties, and hostile
 * files refused with clear errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import {
  encodeNpy,
  encodeNpz,
  encodePickle,
  encodeSafetensors,
  loadNpy,
  loadNpz,
  loadPickle,
  parseNpy,
  parseNpz,
  parseSafetensors,
  saveNpy,
  saveNpz,
  savePickle,
  saveSafetensors,
  tensor,
  Tensor,
  type AnyTensor,
} from '../src/node.ts';

const SCRIPT = fileURLToPath(new URL('./fixtures/numpy_files.py', import.meta.url));
const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const NO_NUMPY = python.status === 0 ? false : `python3 with NumPy not found (${(python.stderr || python.error?.message || '').trim().split('\n').at(-1)}): the NumPy round trips are skipped`;

function runPython(args: string[]): string {
  const r = spawnSync('python3', ['-W', 'error', SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

interface Described {
  shape: number[];
  dtype: string;
  values: (number | string)[];
  c_contiguous?: boolean;
  type?: string;
}

/** A value as the fixtures write it: a number, or 'inf' / '-inf' / 'nan' for the non-finite ones. */
function num(v: number | string): number {
  return typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : NaN;
}

function assertValues(t: AnyTensor, e: Described, what: string): void {
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  const got = Array.from(t.data as ArrayLike<number>);
  const want = e.values.map(num);
  assert.equal(got.length, want.length, `${what}: size`);
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: ${got[i]} !== ${want[i]}`);
}

/** What each NumPy dtype becomes (values exact). */
const EXPECTED_DTYPE: Record<string, string> = {
  f8: 'float64', f4: 'float32', f2: 'float32', i1: 'int32', i2: 'int32', i4: 'int32', i8: 'float64', u1: 'uint8', u2: 'int32', u4: 'float64', u8: 'float64', b1: 'bool',
};

describe('NumPy writes, ScratchNet reads (.npy of every dtype, order and version; .npz)', { skip: NO_NUMPY }, () => {
  let dir: string;
  let expected: Record<string, Described | Record<string, Described>>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scratchnet-npy-'));
    runPython(['write', dir]);
    expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every .npy: shape, dtype and every value exact (big-endian, Fortran order, 0-d, empty, ±inf, -0, subnormals, versions 1–3)', () => {
    const npys = Object.keys(expected).filter((k) => k.endsWith('.npy'));
    assert.ok(npys.length >= 25, `${npys.length} files`);
    for (const file of npys) {
      const e = expected[file] as Described;
      const t = loadNpy(join(dir, file));
      assert.equal(t.dtype, EXPECTED_DTYPE[e.dtype.slice(1)], `${file}: dtype ${e.dtype}`);
      assertValues(t, e, file);
    }
  });

  it('np.savez and np.savez_compressed (ZIP64 headers, deflate): every member, in order', () => {
    for (const file of ['plain.npz', 'compressed.npz']) {
      const e = expected[file] as Record<string, Described>;
      const got = loadNpz(join(dir, file));
      assert.deepEqual(Object.keys(got), Object.keys(e), file);
      for (const [k, v] of Object.entries(e)) assertValues(got[k], v, `${file}:${k}`);
    }
  });

  it('hostile files are clear errors naming the file, and return at once', () => {
    const cases: [string, RegExp][] = [
      ['object.npy', /object\.npy: dtype '\|O' is an object array: it needs pickle \(which can run code\)/],
      ['truncated.npy', /truncated\.npy: truncated: shape \(3, 4\) of f8 needs 96 bytes of data, the file has 91/],
      ['longer.npy', /longer\.npy: the header's shape \(3, 4\) of f8 needs 96 bytes of data, the file has 104/],
      ['lying.npy', /lying\.npy: truncated: shape \(9, 4\) of f8 needs 288 bytes/],
      ['huge-shape.npy', /huge-shape\.npy: shape \(99999, 99999\) has 9999800001 elements, more than the 50000000/],
      ['bad-magic.npy', /bad-magic\.npy: not a \.npy file/],
      ['structured.npy', /structured\.npy: dtype .* is a structured dtype/],
      ['string.npy', /string\.npy: dtype '<U2' is not supported/],
      ['bomb.npz', /bomb\.npz: member x\.npy declares 4294967280 bytes from \d+ compressed bytes, more than deflate can produce/],
      ['undersized.npz', /undersized\.npz: (member x\.npy inflates to|x\.npy)/],
      ['truncated.npz', /truncated\.npz: not a valid ZIP archive/],
      ['garbage.npz', /garbage\.npz: not a valid ZIP archive/],
    ];
    for (const [file, pattern] of cases) {
      const t0 = performance.now();
      assert.throws(() => (file.endsWith('.npz') ? loadNpz(join(dir, file)) : loadNpy(join(dir, file))), pattern, file);
      assert.ok(performance.now() - t0 < 2000, `${file} answered at once`);
    }
  });
});

describe('ScratchNet writes, NumPy reads', { skip: NO_NUMPY }, () => {
  it('.npy, .npz (stored and deflated), .safetensors and the book\'s .pkl: every value bit for bit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-npw-'));
    try {
      const arrays: Record<string, Tensor> = {
        W1: new Tensor(Float64Array.of(0.1, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308), [2, 3]),
        b1: new Tensor(Float32Array.of(1.5, -2.25, 3e-38, 0.1), [4]),
        c: tensor(2.5),
        e: new Tensor(new Float64Array(0), [0, 3]),
      };
      const extra: Record<string, AnyTensor> = { i: tensor([[-5, 7], [2147483647, -2147483648]], { dtype: 'int32' }), u: tensor([0, 255, 7], { dtype: 'uint8' }), m: tensor([1, 0, 1], { dtype: 'bool' }) };
      for (const [k, t] of Object.entries({ ...arrays, ...extra })) saveNpy(join(dir, `${k}.npy`), t);
      saveNpz(join(dir, 'stored.npz'), { ...arrays, ...extra });
      saveNpz(join(dir, 'deflated.npz'), { ...arrays, ...extra }, { compressed: true });
      saveSafetensors(join(dir, 'model.safetensors'), { ...arrays, ...extra }, { kind: 'Test' });
      savePickle(join(dir, 'params.pkl'), arrays);
      const read = JSON.parse(runPython(['read', dir])) as Record<string, unknown>;
      const all = { ...arrays, ...extra };
      const codes: Record<string, string> = { float64: '<f8', float32: '<f4', int32: '<i4', uint8: '|u1', bool: '|b1' };
      const check = (got: Described, t: AnyTensor, what: string) => {
        assert.equal(got.dtype, codes[t.dtype], `${what} dtype`);
        assertValues(t, got, what);
      };
      for (const [k, t] of Object.entries(all)) {
        const got = read[`${k}.npy`] as Described;
        check(got, t, `${k}.npy`);
        assert.equal(got.c_contiguous, true);
      }
      for (const file of ['stored.npz', 'deflated.npz']) {
        const got = read[file] as Record<string, Described>;
        assert.deepEqual(Object.keys(got), Object.keys(all), file);
        for (const [k, t] of Object.entries(all)) check(got[k], t, `${file}:${k}`);
      }
      const st = read['model.safetensors'] as { arrays: Record<string, Described>; metadata: Record<string, string> };
      assert.deepEqual(st.metadata, { kind: 'Test' });
      for (const [k, t] of Object.entries(all)) check(st.arrays[k], t, `safetensors:${k}`);
      const pkl = read['params.pkl'] as { keys: string[]; arrays: Record<string, Described> };
      assert.deepEqual(pkl.keys, Object.keys(arrays), 'a dict in the given order');
      for (const [k, t] of Object.entries(arrays)) {
        check(pkl.arrays[k], t, `pkl:${k}`);
        assert.equal(pkl.arrays[k].type, 'ndarray');
        assert.equal(pkl.arrays[k].c_contiguous, true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Random tensors: shapes up to 4-D with zero-size dims, float32/float64 values incl. -0, ±inf, NaN, subnormals. */
const arbTensor = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), fc.boolean(), fc.integer())
  .map(([shape, f32, seed]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const specials = [0, -0, Infinity, -Infinity, NaN, 5e-324, 1e-310, 3.4028234663852886e38, -1.5];
    const data = f32 ? new Float32Array(size) : new Float64Array(size);
    let s = seed >>> 0;
    for (let i = 0; i < size; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[i] = s % 5 === 0 ? specials[s % specials.length] : (s / 2 ** 32 - 0.5) * 10 ** ((s % 11) - 5);
    }
    return new Tensor(data, shape);
  });

function sameTensor(a: AnyTensor, b: AnyTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  return true;
}

describe('round trips (properties)', () => {
  it('encodeNpy → parseNpy, encodeNpz → parseNpz, encodeSafetensors → parseSafetensors, encodePickle → loadPickle give the same tensors', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/), arbTensor, { minKeys: 1, maxKeys: 4 }), fc.boolean(), (arrays, compressed) => {
        for (const t of Object.values(arrays)) if (!sameTensor(parseNpy(encodeNpy(t)), t)) return false;
        const npz = parseNpz(encodeNpz(arrays, { compressed }));
        const st = parseSafetensors(encodeSafetensors(arrays)).tensors;
        const pkl = loadPickle(encodePickle(arrays as Record<string, Tensor>));
        for (const back of [npz, st, pkl]) {
          if (JSON.stringify(Object.keys(back)) !== JSON.stringify(Object.keys(arrays))) return false;
          for (const k of Object.keys(arrays)) if (!sameTensor(back[k], arrays[k])) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });

  it('the .npy header is padded so the data starts at a multiple of 64 bytes, as NumPy writes it', () => {
    for (const shape of [[], [3], [2, 3], [100000, 2]]) {
      const bytes = encodeNpy(new Tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), shape));
      const headerLength = bytes[8] | (bytes[9] << 8);
      assert.equal((10 + headerLength) % 64, 0, `shape ${shape}`);
      assert.equal(bytes[10 + headerLength - 1], 0x0a, 'ends in a newline');
    }
  });
});

describe('safetensors: hostile headers are clear errors', () => {
  const good = encodeSafetensors({ a: tensor([1, 2, 3]), b: tensor([4]) });
  const withHeader = (header: unknown, dataBytes = 32): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + dataBytes);
    new DataView(out.buffer).setUint32(0, json.length, true);
    out.set(json, 8);
    return out;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 5), /x: 5 bytes is too short/],
    ['header past the end', good.subarray(0, 20), /x: header length \d+ runs past the end of the 20-byte file/],
    ['header length absurd', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x7b), /x: header length \d+ is larger than the 100000000 bytes allowed/],
    ['bad JSON', withHeader('{"a":') .map((v, i) => (i === 8 ? 0x7b : v)), /x: header is not valid JSON|x: header is not a JSON object/],
    ['overlap', withHeader({ a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, b: { dtype: 'F64', shape: [2], data_offsets: [8, 24] } }, 24), /x: b: data starts at 8, expected 16/],
    ['offsets beyond the data', withHeader({ a: { dtype: 'F64', shape: [8], data_offsets: [0, 64] } }, 32), /x: a: data_offsets \[0, 64\] are outside the 32 bytes of data/],
    ['shape and bytes disagree', withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, 16), /x: a: data_offsets \[0, 16\] hold 16 bytes, shape \[3\] of F32 needs 12/],
    ['unknown dtype', withHeader({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, 8), /x: a: unsupported dtype "C64"/],
    ['metadata not strings', withHeader({ __metadata__: { n: 3 } }, 0), /x: __metadata__\.n must be a string/],
  ];
  for (const [what, bytes, pattern] of cases) {
    it(what, () => assert.throws(() => parseSafetensors(bytes, 'x'), pattern));
  }
  it('a zip member that is not .npy is skipped by parseNpz and kept by parseNpzEntries-based readers', () => {
    const zip = zipSync({ 'a.npy': encodeNpy(tensor([1, 2])), 'notes.txt': new TextEncoder().encode('hi') });
    assert.deepEqual(Object.keys(parseNpz(zip)), ['a']);
  });
  it('readers given a path name their file-reading twin', () => {
    assert.throws(() => parseNpy('x.npy' as never), /parseNpy: takes the file's bytes \(a Uint8Array\), got the string "x\.npy"; to read a file use loadNpy\("x\.npy"\)/);
    assert.throws(() => parseNpz('x.npz' as never), /parseNpz: .* use loadNpz\("x\.npz"\)/);
    assert.throws(() => parseSafetensors('m.safetensors' as never), /parseSafetensors: .* use loadSafetensors\("m\.safetensors"\)/);
    assert.throws(() => loadNpy(42 as never), /loadNpy: takes the file's bytes \(a Uint8Array or an ArrayBuffer\), got number/);
  });
});
