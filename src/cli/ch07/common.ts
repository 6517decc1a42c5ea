/**
 * What the chapter-7/8 commands share beyond the chapter-6 run context (`runCh06`): `--dtype`,
 * `--params FILE` (ScratchNet's model file or the book's pickled `.pkl`), loading a conv net from it
 * (refused with exit 2 before any work when the file does not fit), and predictions over a split in
 * chunks of 100 images, with the inputs as the book's `load_mnist` gives them (float32).
 */
import { Option } from 'commander';
import type { MnistSplit } from '../../data/mnist.ts';
import { bufferTensor } from '../../internal/buffers.ts';
import { loadModel } from '../../io/model-file.ts';
import { readModelDocument } from '../../io/model-format.ts';
import { loadPickle } from '../../io/pickle.ts';
import { readFileBytes } from '../../io/pickle-file.ts';
import type { ConvNetBase } from '../../nets/conv-net.ts';
import { DeepConvNet } from '../../nets/deep-conv-net.ts';
import { buildNetwork } from '../../nets/registry.ts';
import { SimpleConvNet } from '../../nets/simple-conv-net.ts';
import type { DType, Tensor } from '../../tensor/tensor.ts';
import { UsageError } from '../errors.ts';
import { existingFile } from '../options.ts';

export type ConvKind = 'SimpleConvNet' | 'DeepConvNet';

/** `--dtype float64|float32`. */
export function dtypeOption(defaultDtype: DType, what = 'number type of the weights and activations'): Option {
  return new Option('--dtype <type>', what).choices(['float64', 'float32']).default(defaultDtype);
}

/** `--params FILE`, required. */
export function paramsOption(what: string): Option {
  return new Option('--params <file>', what).argParser(existingFile).makeOptionMandatory();
}

/**
 * A `kind` network with the weights of `path`: a pickled dict of arrays (the book's `params.pkl`,
 * `deep_convnet_params.pkl`: the book's default architecture) or ScratchNet's model file (its own
 * config). Any problem with the file is a usage error naming `--params`.
 */
export function loadConvNet(kind: ConvKind, path: string, dtype: DType): ConvNetBase {
  try {
    const bytes = readFileBytes(path, `${kind}.loadParams`);
    if (bytes[0] === 0x80) {
      const net = kind === 'SimpleConvNet' ? new SimpleConvNet({ dtype, seed: 0 }) : new DeepConvNet({ dtype, seed: 0 });
      net.loadParams(path);
      return net;
    }
    const stored = loadModel(path);
    if (stored.kind !== kind) throw new Error(`is a ${stored.kind} model, not a ${kind}`);
    if (stored.dtype === dtype) return stored as ConvNetBase;
    const net = buildNetwork(kind, stored.config, { dtype, seed: 0 }) as ConvNetBase;
    net.assignParams(stored.params, path);
    return net;
  } catch (e) {
    throw new UsageError(`--params ${path}: ${stripPath((e as Error).message, path)}`);
  }
}

/** `np.float32(k) / 255` for each byte k, as the book's `load_mnist(normalize=True)` (float32 division). */
const PIXEL = Float64Array.from({ length: 256 }, (_, k) => Math.fround(k / 255));

/**
 * A conv net of the kind the file holds, with its weights: a pickled dict (`W8` present: the book's
 * DeepConvNet, else its SimpleConvNet, both with the book's default architecture) or ScratchNet's model
 * file of either kind (its own config).
 */
export function loadAnyConvNet(path: string, dtype: DType): ConvNetBase {
  let kind: ConvKind;
  try {
    const bytes = readFileBytes(path, 'loadParams');
    if (bytes[0] === 0x80) {
      kind = 'W8' in loadPickle(bytes, { name: path }) ? 'DeepConvNet' : 'SimpleConvNet';
    } else {
      const doc = readModelDocument(new TextDecoder().decode(bytes), path);
      if (doc.kind !== 'SimpleConvNet' && doc.kind !== 'DeepConvNet') throw new Error(`is a ${doc.kind} model, not a SimpleConvNet or DeepConvNet`);
      kind = doc.kind;
    }
  } catch (e) {
    throw new UsageError(`--params ${path}: ${stripPath((e as Error).message, path)}`);
  }
  return loadConvNet(kind, path, dtype);
}

function stripPath(message: string, path: string): string {
  return message.startsWith(path) ? message.slice(path.length).replace(/^:\s*/, '') : message;
}

/** Predictions in chunks of this many images (the book's `batch_size = 100`). */
export const CHUNK = 100;

/**
 * Feeds the images of `split` (first `count`), `CHUNK` at a time, shaped `[n, ...inputShape]` in
 * `dtype`, pixels `k/255` rounded to float32 as the book's `load_mnist(normalize=True)` stores them,
 * then passed through `transform` (e.g. rounding to float16), to `visit(x, start)`.
 */
export function forEachChunk(
  split: MnistSplit,
  count: number,
  inputShape: readonly number[],
  dtype: DType,
  visit: (x: Tensor, start: number) => void,
  transform?: (data: Float32Array | Float64Array) => void,
  chunk = CHUNK,
): void {
  const size = Math.min(chunk, count);
  const full = bufferTensor([size, ...inputShape], dtype, 'forEachChunk');
  for (let start = 0; start < count; start += chunk) {
    const rows = Math.min(chunk, count - start);
    const x = rows === size ? full : bufferTensor([rows, ...inputShape], dtype, 'forEachChunk');
    split.copyImages(start, rows, x.data, false);
    const d = x.data;
    for (let i = 0; i < d.length; i++) d[i] = PIXEL[d[i]];
    transform?.(d);
    visit(x, start);
  }
}

/** The index of the largest of each row of `y` (N, classes): the book's `np.argmax(y, axis=1)` (first on ties). */
export function argmaxRows(y: Tensor, out: Int32Array, offset: number): void {
  const [n, c] = y.shape;
  const d = y.data;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[r * c + j] > d[r * c + best]) best = j;
    out[offset + r] = best;
  }
}

/** The predicted class of the first `count` images of `split` (test mode), and how many are right. */
export function predictSplit(
  net: { predict(x: Tensor, trainFlg?: boolean): Tensor; readonly inputShape: readonly number[] },
  split: MnistSplit,
  count: number,
  dtype: DType,
  options: { transform?: (data: Float32Array | Float64Array) => void; onChunk?: (done: number) => void; shouldStop?: () => boolean; chunk?: number } = {},
): { predicted: Int32Array; correct: number; done: number } {
  const predicted = new Int32Array(count);
  let done = 0;
  try {
    forEachChunk(
      split,
      count,
      net.inputShape,
      dtype,
      (x, start) => {
        if (options.shouldStop?.()) throw STOP;
        argmaxRows(net.predict(x, false), predicted, start);
        done = start + x.shape[0];
        options.onChunk?.(done);
      },
      options.transform,
      options.chunk,
    );
  } catch (e) {
    if (e !== STOP) throw e;
  }
  let correct = 0;
  for (let i = 0; i < done; i++) if (predicted[i] === split.labels[i]) correct++;
  return { predicted: predicted.subarray(0, done), correct, done };
}

const STOP = Symbol('stop');
