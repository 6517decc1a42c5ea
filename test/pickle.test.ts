import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPickle, loadPickleFile } from '../src/node.ts';

const dir = fileURLToPath(new URL('./fixtures/pickle/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as Record<string, Record<string, { shape: number[]; dtype: string; data: number[] }>>;

describe('loadPickle: NumPy-pickled dicts of arrays (as the book saves params)', () => {
  for (const [file, arrays] of Object.entries(expected)) {
    it(`reads ${file} (names, order, shapes, dtype, values; Fortran order returned in C order)`, () => {
      const got = loadPickleFile(`${dir}${file}`);
      assert.deepEqual(Object.keys(got), Object.keys(arrays));
      for (const [key, e] of Object.entries(arrays)) {
        assert.deepEqual(got[key].shape, e.shape, `${key} shape`);
        assert.equal(got[key].dtype, e.dtype, `${key} dtype`);
        assert.deepEqual(Array.from(got[key].data), e.data, `${key} values`);
      }
    });
  }

  it('reads bytes at any offset of a larger buffer (browser use)', () => {
    const bytes = readFileSync(`${dir}p4-f4.pkl`);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const got = loadPickle(padded.subarray(3), { name: 'p4-f4.pkl' });
    assert.deepEqual(Array.from(got.b1.data), expected['p4-f4.pkl'].b1.data);
  });
});

describe('loadPickle refuses anything else, naming the file and the offset', () => {
  const cases: [string, RegExp][] = [
    ['posix-system.pkl', /posix-system\.pkl: offset 14: global posix\.system is not allowed/],
    ['builtins-eval.pkl', /builtins-eval\.pkl: offset \d+: global builtins\.eval is not allowed/],
    ['truncated.pkl', /truncated\.pkl: offset \d+: truncated/],
    ['huge-shape.pkl', /huge-shape\.pkl: offset \d+: ndarray of shape \(100000,100000,100000\) has more than 50000000 elements/],
    ['short-data.pkl', /short-data\.pkl: offset \d+: ndarray of shape \(3,\) and dtype f8 needs 24 bytes, the data has 16/],
    ['int64.pkl', /int64\.pkl: offset \d+: dtype 'i8' is not supported \(float32 'f4' and float64 'f8' only\)/],
    ['not-a-dict.pkl', /not-a-dict\.pkl: offset \d+: the pickle holds a list, not a dict of arrays/],
    ['protocol5.pkl', /protocol5\.pkl: offset 0: pickle protocol 5 is not supported/],
  ];
  for (const [file, pattern] of cases) {
    it(file, () => {
      assert.throws(() => loadPickleFile(`${dir}${file}`), pattern);
    });
  }

  it('hostile lengths, unknown opcodes, bad memo references and non-pickles', () => {
    // BINBYTES claiming 4 GB in a 12-byte file
    assert.throws(() => loadPickle(Uint8Array.from([0x80, 3, 0x42, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 0x2e]), { name: 'len' }), /len: offset 2: truncated: BINBYTES needs 4294967295 bytes, 4 left/);
    // BINBYTES8 with a length beyond 2^53
    assert.throws(() => loadPickle(Uint8Array.from([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0x2e]), { name: 'len8' }), /len8: offset 2: length .* is too large/);
    // INST (0x69) is not on the allow-list
    assert.throws(() => loadPickle(Uint8Array.from([0x80, 2, 0x69, 0x6f, 0x73, 0x0a]), { name: 'inst' }), /inst: offset 2: opcode 0x69 \("i"\) is not allowed/);
    // BINGET of a memo entry never stored
    assert.throws(() => loadPickle(Uint8Array.from([0x80, 3, 0x68, 7, 0x2e]), { name: 'memo' }), /memo: offset 2: memo entry 7 does not exist/);
    // An empty dict is fine; text is not a pickle
    assert.deepEqual(loadPickle(Uint8Array.from([0x80, 3, 0x7d, 0x2e])), {});
    assert.throws(() => loadPickle(new TextEncoder().encode('{"format": 1}'), { name: 'model.json' }), /model\.json: offset 0: not a pickle of protocol 2 or later/);
    assert.throws(() => loadPickle(new Uint8Array(0), { name: 'empty' }), /empty: offset 0: not a pickle/);
    // A size limit of the caller's choosing
    assert.throws(() => loadPickleFile(`${dir}p3-f8.pkl`, { maxElements: 5 }), /p3-f8\.pkl: offset \d+: ndarray of shape \(2,3,2,2\) has more than 5 elements/);
    assert.throws(() => loadPickleFile(`${dir}missing.pkl`), /missing\.pkl: no such file/);
  });
});
