/**
 * The saved-model format: one JSON document for any network (browser-safe to read and write).
 *
 * ```json
 * { "format": "scratchnet-model", "formatVersion": 2, "kind": "MultiLayerNetExtend", "dtype": "float64",
 *   "config": { "inputSize": 784, "hiddenSizeList": [100, 100], "outputSize": 10, "useBatchnorm": true },
 *   "params": { "W1": { "shape": [784, 100], "data": [ … ] }, "b1": …, "gamma1": …, … },
 *   "state": { "runningMean1": { "shape": [100], "data": [ … ] }, … },
 *   "meta": { … free-form: how it was trained … } }
 * ```
 * Version 1 files (`"kind": "TwoLayerNet"` with `"sizes"` instead of `"config"`, no `"state"`) still load.
 *
 * Numbers are written with JavaScript's shortest round-trip form, so float64 weights come back bit for
 * bit. Reading validates everything — format, version, kind, config, every key and shape, every number
 * for the declared dtype — before allocating the network.
 *
 * This file knows no concrete network: `restoreNetwork` builds one through a `NetworkKind` (its config
 * check, parameter shapes and constructor), and `nets/registry.ts` maps kinds to them.
 */
import { MAX_LAYER_SIZE, MAX_PARAMS, type Network, type NetworkConfig, type NetworkKind } from '../nets/network.ts';
import { Tensor, type DType } from '../tensor/tensor.ts';

export const MODEL_FORMAT = 'scratchnet-model';
/** The version this code writes; it reads 1 and 2. */
export const MODEL_FORMAT_VERSION = 2;
export { MAX_LAYER_SIZE, MAX_PARAMS };
/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A tensor as the document stores it. */
export interface StoredTensor {
  shape: number[];
  /** Plain numbers in a JSON document; a typed array when the tensor came from a binary file. */
  data: number[] | Float32Array | Float64Array;
}

export interface ModelDocument {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  kind: string;
  dtype: DType;
  config: NetworkConfig;
  params: Record<string, StoredTensor>;
  state: Record<string, StoredTensor>;
  meta?: Record<string, unknown>;
}

function stored(t: Tensor): StoredTensor {
  return { shape: [...t.shape], data: Array.from(t.data) };
}

/** The network as a model document. */
export function modelToDocument(net: Network, meta?: Record<string, unknown>): ModelDocument {
  const params: Record<string, StoredTensor> = {};
  for (const key of Object.keys(net.params)) params[key] = stored(net.params[key]);
  const state: Record<string, StoredTensor> = {};
  const netState = net.state;
  for (const key of Object.keys(netState)) state[key] = stored(netState[key]);
  const doc: ModelDocument = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: net.kind,
    dtype: net.dtype,
    config: net.config,
    params,
    state,
  };
  if (meta) doc.meta = meta;
  return doc;
}

/**
 * The network's contents with copies of its arrays (typed arrays, not number lists): what another thread
 * needs to build the same network (`restoreNetwork`), bit for bit, without a model document's number
 * lists — for SimpleConvNet-sized weights those cost tens of milliseconds each way.
 */
export function modelContents(net: Network): ModelContents {
  const copies = (group: Record<string, Tensor>): Record<string, StoredTensor> => {
    const out: Record<string, StoredTensor> = {};
    for (const key of Object.keys(group)) out[key] = { shape: [...group[key].shape], data: group[key].data.slice() };
    return out;
  };
  return { formatVersion: MODEL_FORMAT_VERSION, kind: net.kind, dtype: net.dtype, config: net.config, params: copies(net.params), state: copies(net.state) };
}

/** The network as JSON text (what `scratchnet train` writes to model.json). */
export function serializeModel(net: Network, meta?: Record<string, unknown>): string {
  return Array.from(serializeModelChunks(net, meta)).join('');
}

/**
 * `serializeModel`'s text in pieces of at most `numbersPerChunk` numbers, for writing a large model
 * (SimpleConvNet's 432 000 weights: 9 MB of text) without holding it whole: `JSON.stringify` of the
 * document built a number array, the string and its bytes at once (+40 MB of peak memory at the end of
 * `train-convnet`). The pieces joined are exactly `JSON.stringify(modelToDocument(net, meta))` + "\n".
 */
export function* serializeModelChunks(net: Network, meta?: Record<string, unknown>, numbersPerChunk = 16384): Generator<string> {
  if (!(Number.isInteger(numbersPerChunk) && numbersPerChunk >= 1)) throw new RangeError(`serializeModelChunks: numbersPerChunk must be an integer >= 1, got ${numbersPerChunk}`);
  const head = { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, kind: net.kind, dtype: net.dtype, config: net.config };
  yield JSON.stringify(head).slice(0, -1);
  const tensors = function* (name: string, group: Record<string, Tensor>): Generator<string> {
    yield `,${JSON.stringify(name)}:{`;
    let first = true;
    for (const key of Object.keys(group)) {
      const t = group[key];
      yield `${first ? '' : ','}${JSON.stringify(key)}:{"shape":${JSON.stringify(t.shape)},"data":[`;
      first = false;
      for (let i = 0; i < t.data.length; i += numbersPerChunk) {
        // JSON.stringify of a plain array writes each number as the whole document's stringify would.
        const text = JSON.stringify(Array.from(t.data.subarray(i, i + numbersPerChunk)));
        yield `${i === 0 ? '' : ','}${text.slice(1, -1)}`;
      }
      yield ']}';
    }
    yield '}';
  };
  yield* tensors('params', net.params);
  yield* tensors('state', net.state);
  yield `${meta ? `,"meta":${JSON.stringify(meta)}` : ''}}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number as the file had it: `1e999` parses to Infinity, which JSON.stringify would show as null. */
function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * A document whose structure and numbers are valid (a version-1 file already converted to this layout);
 * shapes are checked against the network later.
 */
export type ModelContents = Omit<ModelDocument, 'format'>;

/**
 * Reads JSON text or a parsed document: format, version, kind, dtype, config, and every stored tensor
 * (a shape of whole numbers, a data array of that many numbers, each finite and in range for `dtype`).
 * Errors start with `name` (e.g. the file path) and say what is wrong where.
 */
export function readModelDocument(source: string | unknown, name = 'model'): ModelContents {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  let doc: unknown = source;
  if (typeof source === 'string') {
    // A byte-order mark (some editors write one) is not part of the JSON.
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    if (text.trim() === '') fail('the file is empty');
    try {
      doc = JSON.parse(text);
    } catch (e) {
      fail(`not valid JSON (${(e as Error).message}); the file may be truncated or not a model file`);
    }
  }
  if (!isObject(doc)) return fail('not a model document (expected a JSON object)');
  if (doc.format !== MODEL_FORMAT) fail(`not a ScratchNet model (format is ${describe(doc.format)}, expected "${MODEL_FORMAT}")`);
  const version = doc.formatVersion;
  if (version !== 1 && version !== 2) fail(`unsupported formatVersion ${describe(version)} (this version reads 1 and 2)`);
  if (typeof doc.kind !== 'string' || doc.kind === '') fail(`"kind" must name a network, got ${describe(doc.kind)}`);
  const kind = doc.kind as string;
  if (doc.dtype !== 'float64' && doc.dtype !== 'float32') fail(`unknown dtype ${describe(doc.dtype)} (allowed: "float64", "float32")`);
  const dtype = doc.dtype as DType;

  let config: NetworkConfig;
  if (version === 1) {
    // Version 1: a TwoLayerNet described by its three sizes.
    if (kind !== 'TwoLayerNet') fail(`unsupported kind ${describe(kind)} in a version 1 file (expected "TwoLayerNet")`);
    const sizes = doc.sizes;
    if (!isObject(sizes)) return fail('missing "sizes"');
    const size = (key: string): number => {
      const v = sizes[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_LAYER_SIZE) {
        fail(`sizes.${key} must be an integer from 1 to ${MAX_LAYER_SIZE}, got ${describe(v)}`);
      }
      return v as number;
    };
    config = { inputSize: size('inputSize'), hiddenSize: size('hiddenSize'), outputSize: size('outputSize') };
  } else {
    if (!isObject(doc.config)) return fail('missing "config" (an object of the network\'s settings)');
    config = doc.config as NetworkConfig;
  }

  let total = 0;
  const tensors = (field: string, required: boolean): Record<string, StoredTensor> => {
    const group = doc[field];
    if (group === undefined && !required) return {};
    if (!isObject(group)) return fail(`missing "${field}" (an object of named tensors)`);
    const out: Record<string, StoredTensor> = {};
    for (const key of Object.keys(group)) {
      const p = group[key];
      if (!isObject(p)) return fail(`${key} must be an object { "shape": [...], "data": [...] }`);
      const shape = p.shape;
      if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_PARAMS)) {
        return fail(`${key}.shape must be an array of whole numbers, got ${describe(shape)}`);
      }
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      total += count;
      if (total > MAX_PARAMS) fail(`holds more than the ${MAX_PARAMS} numbers this reader accepts`);
      const data = p.data;
      if (!Array.isArray(data)) return fail(`${key}.data must be an array of numbers`);
      if (data.length !== count) fail(`${key}.data has ${data.length} numbers, shape [${(shape as number[]).join(', ')}] needs ${count}`);
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (typeof v !== 'number') fail(`${key}.data[${i}] is ${describe(v)}, not a number`);
        if (!Number.isFinite(v)) fail(`${key}.data[${i}] is ${describe(v)} (too large for a float64 number), not a finite number`);
        if (dtype === 'float32' && Math.abs(v) > FLOAT32_MAX && !Number.isFinite(Math.fround(v))) {
          fail(`${key}.data[${i}] = ${describe(v)} is out of range for float32 (the largest float32 is ${FLOAT32_MAX})`);
        }
      }
      out[key] = { shape: shape as number[], data: data as number[] };
    }
    return out;
  };
  const params = tensors('params', true);
  const state = version === 1 ? {} : tensors('state', false);
  const contents: ModelContents = { formatVersion: version as number, kind, dtype, config, params, state };
  if (isObject(doc.meta)) contents.meta = doc.meta;
  return contents;
}

function checkShapes(what: string, stored: Record<string, StoredTensor>, expected: Record<string, readonly number[]>, fail: (m: string) => never, optional: boolean): void {
  const keys = Object.keys(expected);
  const extra = Object.keys(stored).filter((k) => !(k in expected));
  if (extra.length) fail(`unexpected ${what} ${extra.map((k) => JSON.stringify(k)).join(', ')} (expected ${keys.join(', ') || 'none'})`);
  for (const key of keys) {
    const p = stored[key];
    if (p === undefined) {
      if (optional) continue;
      fail(`missing ${what} "${key}"`);
    }
    const want = expected[key];
    if (p.shape.length !== want.length || p.shape.some((d, i) => d !== want[i])) {
      fail(`${key} has shape [${p.shape.join(',')}], expected [${want.join(', ')}]`);
    }
  }
}

/**
 * Builds the network a validated document describes, through its kind: the config is checked and the
 * parameter shapes it implies are compared with the stored ones before the network is allocated; then the
 * stored parameters and state are copied in.
 */
export function restoreNetwork<N extends Network>(contents: ModelContents, kind: NetworkKind<N>, name = 'model'): N {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (contents.kind !== kind.kind) fail(`is a ${contents.kind}, not a ${kind.kind}`);
  let shapes: ReturnType<NetworkKind<N>['describe']>;
  try {
    shapes = kind.describe(contents.config);
  } catch (e) {
    return fail(`config: ${(e as Error).message}`);
  }
  let declared = 0;
  for (const s of Object.values(shapes.params)) declared += s.reduce((a, b) => a * b, 1);
  if (declared > MAX_PARAMS) fail(`config describes ${declared} parameters, more than the ${MAX_PARAMS} this reader accepts`);
  const sizes = Object.entries(contents.config).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ');
  const withSizes = (m: string): never => fail(`${m} for ${contents.kind}(${sizes})`);
  checkShapes('parameter', contents.params, shapes.params, withSizes, false);
  checkShapes('state', contents.state, shapes.state, withSizes, true);
  const net = kind.create(contents.config, { dtype: contents.dtype, seed: 0 });
  for (const key of Object.keys(contents.params)) net.params[key].data.set(contents.params[key].data);
  const state: Record<string, Tensor> = {};
  for (const key of Object.keys(contents.state)) {
    const s = contents.state[key];
    state[key] = new Tensor(contents.dtype === 'float32' ? Float32Array.from(s.data) : Float64Array.from(s.data), s.shape);
  }
  if (Object.keys(state).length > 0) {
    if (!net.setState) fail(`${contents.kind} has no state to restore (${Object.keys(state).join(', ')})`);
    net.setState!(state);
  }
  return net;
}
