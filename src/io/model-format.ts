/**
 * The saved-model format: one JSON document (browser-safe to read and write).
 *
 * ```json
 * { "format": "scratchnet-model", "formatVersion": 1, "kind": "TwoLayerNet", "dtype": "float64",
 *   "sizes": { "inputSize": 784, "hiddenSize": 50, "outputSize": 10 },
 *   "params": { "W1": { "shape": [784, 50], "data": [ … ] }, "b1": …, "W2": …, "b2": … },
 *   "meta": { … free-form: how it was trained … } }
 * ```
 * Numbers are written with JavaScript's shortest round-trip form, so float64 weights come back bit for
 * bit. Reading validates everything before allocating anything large.
 */
import { PARAM_KEYS, TwoLayerNet, paramShapes, type ParamKey } from '../nets/two-layer-net.ts';
import type { DType } from '../tensor/tensor.ts';

export const MODEL_FORMAT = 'scratchnet-model';
export const MODEL_FORMAT_VERSION = 1;
/** Refuse sizes no MNIST-scale model has (guards against absurd or hostile files). */
export const MAX_LAYER_SIZE = 1_000_000;
export const MAX_PARAMS = 50_000_000;

export interface ModelDocument {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  kind: 'TwoLayerNet';
  dtype: DType;
  sizes: { inputSize: number; hiddenSize: number; outputSize: number };
  params: Record<ParamKey, { shape: number[]; data: number[] }>;
  meta?: Record<string, unknown>;
}

/** The network as a model document. */
export function modelToDocument(net: TwoLayerNet, meta?: Record<string, unknown>): ModelDocument {
  const params = {} as ModelDocument['params'];
  for (const key of PARAM_KEYS) params[key] = { shape: [...net.params[key].shape], data: Array.from(net.params[key].data) };
  const doc: ModelDocument = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: 'TwoLayerNet',
    dtype: net.dtype,
    sizes: { inputSize: net.inputSize, hiddenSize: net.hiddenSize, outputSize: net.outputSize },
    params,
  };
  if (meta) doc.meta = meta;
  return doc;
}

/** The network as JSON text (what `scratchnet train` writes to model.json). */
export function serializeModel(net: TwoLayerNet, meta?: Record<string, unknown>): string {
  return `${JSON.stringify(modelToDocument(net, meta))}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a model from JSON text or a parsed document, validating format, version, sizes, keys, shapes
 * and every number. `name` (e.g. the file path) starts every error message.
 */
export function parseModel(source: string | unknown, name = 'model'): TwoLayerNet {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  let doc: unknown = source;
  if (typeof source === 'string') {
    try {
      doc = JSON.parse(source);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message}); the file may be truncated`);
    }
  }
  if (!isObject(doc)) return fail('not a model document (expected a JSON object)');
  if (doc.format !== MODEL_FORMAT) fail(`not a ScratchNet model (format is ${JSON.stringify(doc.format)}, expected "${MODEL_FORMAT}")`);
  if (doc.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`unsupported formatVersion ${JSON.stringify(doc.formatVersion)} (this version reads ${MODEL_FORMAT_VERSION})`);
  }
  if (doc.kind !== 'TwoLayerNet') fail(`unsupported kind ${JSON.stringify(doc.kind)} (expected "TwoLayerNet")`);
  if (doc.dtype !== 'float64' && doc.dtype !== 'float32') fail(`unknown dtype ${JSON.stringify(doc.dtype)} (allowed: "float64", "float32")`);
  const sizes = doc.sizes;
  if (!isObject(sizes)) return fail('missing "sizes"');
  const size = (key: string): number => {
    const v = sizes[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_LAYER_SIZE) {
      fail(`sizes.${key} must be an integer from 1 to ${MAX_LAYER_SIZE}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const inputSize = size('inputSize');
  const hiddenSize = size('hiddenSize');
  const outputSize = size('outputSize');
  const total = inputSize * hiddenSize + hiddenSize + hiddenSize * outputSize + outputSize;
  if (total > MAX_PARAMS) fail(`declares ${total} parameters, more than the ${MAX_PARAMS} this reader accepts`);
  const params = doc.params;
  if (!isObject(params)) return fail('missing "params"');
  const expected = paramShapes(inputSize, hiddenSize, outputSize);
  const extra = Object.keys(params).filter((k) => !(PARAM_KEYS as readonly string[]).includes(k));
  if (extra.length) fail(`unexpected parameter ${extra.map((k) => JSON.stringify(k)).join(', ')} (expected W1, b1, W2, b2)`);
  const values = {} as Record<ParamKey, ArrayLike<number>>;
  for (const key of PARAM_KEYS) {
    const p = params[key];
    if (!isObject(p)) return fail(`missing parameter "${key}"`);
    const shape = p.shape;
    const want = expected[key];
    if (!Array.isArray(shape) || shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
      fail(`${key} has shape ${JSON.stringify(shape)}, expected [${want.join(', ')}] for sizes ${inputSize}-${hiddenSize}-${outputSize}`);
    }
    const data = p.data;
    const count = want.reduce((a, b) => a * b, 1);
    if (!Array.isArray(data)) return fail(`${key}.data must be an array of numbers`);
    if (data.length !== count) fail(`${key}.data has ${data.length} numbers, shape [${want.join(', ')}] needs ${count}`);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key}.data[${i}] is ${JSON.stringify(v)}, not a finite number`);
    }
    values[key] = data as number[];
  }
  const net = new TwoLayerNet(inputSize, hiddenSize, outputSize, 0, { seed: 0, dtype: doc.dtype as DType });
  net.setParams(values);
  return net;
}
