/**
 * What the chapter-7/8 commands share beyond the chapter-6 run context (`runCh06`): `--dtype`,
 * `--params FILE` (any params file: the book's pickled `.pkl`, ScratchNet's model file, `.npz`, `.safetensors`), loading a conv net from it
 * (refused with exit 2 before any work when the file does not fit), and predictions over a split in
 * chunks of 100 images, with the inputs as the book's `load_mnist` gives them (float32).
 */
import { InvalidArgumentError, Option } from 'commander';
import type { MnistSplit } from '../../data/mnist.ts';
import { bufferTensor } from '../../internal/buffers.ts';
import { loadNetwork } from '../../io/network-file.ts';
import { ConvNetBase } from '../../nets/conv-net.ts';
import type { DType, Tensor } from '../../tensor/tensor.ts';
import { UsageError } from '../errors.ts';
import { existingFile } from '../options.ts';

/** `--dtype float64|float32`. */
export function dtypeOption(defaultDtype: DType, what = 'number type of the weights and activations'): Option {
  return new Option('--dtype <type>', what).choices(['float64', 'float32']).default(defaultDtype);
}

/** Where the book's weight files come from, and which command writes an equivalent one. */
export const BOOK_FILES = {
  sampleWeight: "the book's ch03/sample_weight.pkl is in its repository (oreilly-japan/deep-learning-from-scratch); ScratchNet has no command that writes that network's weights",
  params: "the book's ch07/params.pkl is in its repository (oreilly-japan/deep-learning-from-scratch); `scratchnet train-convnet` writes an equivalent params.pkl",
  deepParams: "the book's ch08/deep_convnet_params.pkl is in its repository (oreilly-japan/deep-learning-from-scratch); `scratchnet train-deepnet` writes an equivalent deep_convnet_params.pkl",
} as const;

/** `--params FILE`, required; a missing file's error says where to get the book's (`bookFile`). */
export function paramsOption(what: string, bookFile?: string): Option {
  return new Option('--params <file>', what)
    .argParser((value: string) => {
      try {
        return existingFile(value);
      } catch (e) {
        if (bookFile === undefined) throw e;
        throw new InvalidArgumentError(`no such file: ${value} (${bookFile})`);
      }
    })
    .makeOptionMandatory();
}

/**
 * The conv net in `path`, with its weights, in `dtype`: any params file `loadNetwork` reads — the book's
 * `params.pkl` / `deep_convnet_params.pkl` (identified by their arrays' shapes), ScratchNet's model file,
 * `.npz` or `.safetensors` of either kind. Any problem with the file is a usage error naming `--params`.
 */
export function loadAnyConvNet(path: string, dtype: DType): ConvNetBase {
  try {
    const net = loadNetwork(path, { dtype });
    if (!(net instanceof ConvNetBase)) throw new Error(`is a ${net.kind}, not a SimpleConvNet or DeepConvNet`);
    return net;
  } catch (e) {
    throw new UsageError(`--params ${path}: ${stripPath((e as Error).message, path)}`);
  }
}

/** `np.float32(k) / 255` for each byte k, as the book's `load_mnist(normalize=True)` (float32 division). */
const PIXEL = Float64Array.from({ length: 256 }, (_, k) => Math.fround(k / 255));

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
