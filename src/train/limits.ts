/**
 * What a training run needs, computed before any of it is allocated, so a run that cannot finish is
 * refused at once with the limit it breaks — instead of crashing later with "Invalid typed array length"
 * or, worse, after hours of training with nothing saved.
 *
 * Browser-safe: the memory budget and the engine's typed-array limit are passed in (the CLI derives the
 * budget from the machine's memory).
 */
import type { DType } from '../tensor/tensor.ts';

/** The settings of a chapter-5 run that decide its size (the TwoLayerNet's hidden layer among them). */
export interface RunSize {
  iters: number;
  batchSize: number;
  hiddenSize: number;
  dtype: DType;
}

/** The longest text JSON gives a float64 (e.g. `-2.2250738585072014e-308`), plus its comma. */
export const JSON_CHARS_PER_NUMBER = 25;

/** The longest string V8 (Node 20, 64-bit) can hold: 2^29 − 24 characters. */
export const MAX_STRING_CHARS = 2 ** 29 - 24;

/**
 * The most iterations a run may have: `history.json` keeps every iteration's loss as text, and the whole
 * document is one string, so 10 million losses (at most 250 MB of text) stay well inside
 * `MAX_STRING_CHARS`.
 */
export const MAX_ITERS = 10_000_000;

/** Room left in a string for everything but the numbers (config, epochs, keys). */
const TEXT_SLACK = 16 * 1024 * 1024;

/** Vega, resvg, the runtime itself: memory a run needs whatever its size. */
const FIXED_OVERHEAD_BYTES = 256 * 1024 * 1024;

/** Rows the TypeScript evaluation predicts at once (kernels/predict.ts). */
const EVAL_ROWS = 100;

export interface DataShape {
  pixels: number;
  trainCount: number;
  testCount: number;
  /** Number of classes (MNIST: 10). */
  classes?: number;
}

export interface RunNeeds {
  /** Parameters of the network. */
  params: number;
  /** Bytes of memory the whole run needs, the data set included. */
  bytes: number;
  /** The longest typed array the run allocates: what it holds and its length (elements). */
  largestArray: { what: string; length: number };
  /** Characters of `model.json`, at most. */
  modelChars: number;
  /** Characters of the losses in `history.json`, at most. */
  historyChars: number;
}

/** Bytes and array lengths a `train` run of `config` on data of `shape` needs. */
export function runNeeds(config: RunSize, shape: DataShape): RunNeeds {
  const { iters, batchSize: B, hiddenSize: H, dtype } = config;
  const { pixels, trainCount, testCount } = shape;
  const C = shape.classes ?? 10;
  const e = dtype === 'float32' ? 4 : 8;
  const params = pixels * H + H + H * C + C;
  // The network, its gradients, the evaluator's copy of the weights and the copy taken off the WASM heap
  // after training; then model.json as text, twice (the string and its UTF-8 bytes).
  const netBytes = params * (4 * e + 2 * JSON_CHARS_PER_NUMBER);
  // The batch (as floats, its indices and labels), the first Affine's dx, and per hidden unit the Affine
  // output, ReLU output, mask and dx, the second Affine's dx; scores, softmax and their gradients.
  const batchBytes = B * (2 * pixels * e + 4 + 1 + H * (4 * e + 1) + 4 * C * e);
  // The losses, and history.json: an array of numbers, the text, and its UTF-8 bytes.
  const historyChars = iters * JSON_CHARS_PER_NUMBER;
  const lossBytes = iters * (8 + 8) + 2 * historyChars;
  // Predictions of a whole split, and the rows the TypeScript evaluation works through at once.
  const evalBytes = Math.max(trainCount, testCount) * 4 + EVAL_ROWS * (pixels + 2 * H + C) * e + EVAL_ROWS * H;
  const dataBytes = (trainCount + testCount) * (pixels + 1);
  return {
    params,
    bytes: netBytes + batchBytes + lossBytes + evalBytes + dataBytes + FIXED_OVERHEAD_BYTES,
    largestArray: [
      { what: `W1 (${pixels} × ${H})`, length: pixels * H },
      { what: `the batch (${B} × ${pixels})`, length: B * pixels },
      { what: `the hidden layer's output (${B} × ${H})`, length: B * H },
      { what: `the losses (${iters})`, length: iters },
    ].reduce((a, b) => (b.length > a.length ? b : a)),
    modelChars: params * JSON_CHARS_PER_NUMBER,
    historyChars,
  };
}

export interface Limits {
  /** Bytes of memory a run may use. */
  memoryBytes: number;
  /** The longest typed array the engine allows (Node 20: 2^32 elements). */
  maxArrayLength: number;
}

/** Names of the settings in messages: the library's config keys, or the CLI's flags. */
export interface SettingNames {
  iters: string;
  batchSize: string;
  hiddenSize: string;
}

export const CONFIG_NAMES: SettingNames = { iters: 'iters', batchSize: 'batchSize', hiddenSize: 'hiddenSize' };

function mb(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MB`;
}

/**
 * The reasons a run cannot be done within `limits`, each naming the setting, the value and the limit;
 * empty when it can.
 */
export function runProblems(config: RunSize, shape: DataShape, limits: Limits, names: SettingNames = CONFIG_NAMES): string[] {
  const problems: string[] = [];
  if (config.iters > MAX_ITERS) {
    problems.push(`${names.iters} ${config.iters} is too many: at most ${MAX_ITERS} (history.json keeps every iteration's loss, and it is written as one text)`);
  }
  // model.json is one text: at most MAX_STRING_CHARS characters.
  const maxParams = Math.floor((MAX_STRING_CHARS - TEXT_SLACK) / JSON_CHARS_PER_NUMBER);
  const C = shape.classes ?? 10;
  const maxHidden = Math.floor((maxParams - C) / (shape.pixels + 1 + C));
  if (config.hiddenSize > maxHidden) {
    problems.push(`${names.hiddenSize} ${config.hiddenSize} is too large for ${shape.pixels}-pixel images: at most ${maxHidden} (model.json is written as one text of at most ${MAX_STRING_CHARS} characters)`);
  }
  const { largestArray, bytes } = runNeeds(config, shape);
  if (problems.length === 0 && largestArray.length > limits.maxArrayLength) {
    problems.push(
      `${names.batchSize} ${config.batchSize}, ${names.hiddenSize} ${config.hiddenSize}: ${largestArray.what} would be an array of ${largestArray.length} numbers; ` +
        `JavaScript allows at most ${limits.maxArrayLength}`,
    );
  }
  if (problems.length === 0 && bytes > limits.memoryBytes) {
    problems.push(
      `this run needs about ${mb(bytes)} of memory (${names.batchSize} ${config.batchSize}, ${names.hiddenSize} ${config.hiddenSize}, ` +
        `${names.iters} ${config.iters}, ${config.dtype}); the limit is ${mb(limits.memoryBytes)}` +
        ` — try a smaller ${bytesDriver(config, shape)}`,
    );
  }
  return problems;
}

/** The setting that accounts for most of a run's memory, as a flag or config name hint. */
function bytesDriver(config: RunSize, shape: DataShape): string {
  const base = runNeeds({ ...config, iters: 1, batchSize: 1, hiddenSize: 1 }, shape).bytes;
  const by = (c: Partial<typeof config>) => runNeeds({ ...config, iters: 1, batchSize: 1, hiddenSize: 1, ...c }, shape).bytes - base;
  const parts: [string, number][] = [
    ['batch size', by({ batchSize: config.batchSize, hiddenSize: config.hiddenSize }) - by({ hiddenSize: config.hiddenSize })],
    ['hidden size', by({ hiddenSize: config.hiddenSize })],
    ['number of iterations', by({ iters: config.iters })],
  ];
  parts.sort((a, b) => b[1] - a[1]);
  return parts[0][0];
}
