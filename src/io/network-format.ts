/**
 * The one place that turns networks into file bytes and back, for every format (browser-safe: bytes in,
 * bytes out; `network-file.ts` adds the file system).
 *
 * | format | extension | what it holds | who reads it |
 * |---|---|---|---|
 * | `json` | `.json` | ScratchNet's model file: kind, config, dtype, params, state, meta | ScratchNet |
 * | `pkl` | `.pkl` | the book's `save_params` layout: a pickled dict of NumPy arrays by the book's names | the book's `load_params`, `pickle.load` |
 * | `npz` | `.npz` | NumPy arrays by name, plus `scratchnet.json` (kind, config, dtype) | `np.load` |
 * | `safetensors` | `.safetensors` | arrays by name, kind/config/dtype in `__metadata__` | PyTorch, `safetensors` |
 * | `onnx` | `.onnx` | the inference graph (scores before softmax); written only | ONNX Runtime |
 *
 * Reading needs no key-name guessing: a file that names its kind and config (JSON, and ScratchNet's own
 * `.npz` / `.safetensors`) is built from them; a bare dict of arrays (the book's `.pkl`, an `.npz` written
 * by NumPy) is matched against each registered kind — the config its shapes imply (`fromShapes`), or its
 * default config — and kept only where the kind's `describe()` declares exactly those shapes.
 */
import { networkKind, registeredKinds } from '../nets/registry.ts';
import { MAX_PARAMS, type Network, type NetworkConfig, type NetworkKind } from '../nets/network.ts';
import { formatShape } from '../tensor/shape.ts';
import { checkDtype, Tensor, type AnyTensor, type DType } from '../tensor/tensor.ts';
import { asBytes } from '../util/bytes.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, readModelDocument, restoreNetwork, serializeModelChunks, type ModelContents, type StoredTensor } from './model-format.ts';
import { parseNpzEntries, encodeNpz } from './npz.ts';
import { loadPickle } from './pickle.ts';
import { encodePickle } from './pickle-writer.ts';
import { encodeSafetensors, parseSafetensors } from './safetensors.ts';

export type ParamsFormat = 'json' | 'pkl' | 'npz' | 'safetensors' | 'onnx';
export const PARAMS_FORMATS: readonly ParamsFormat[] = ['json', 'pkl', 'npz', 'safetensors', 'onnx'];
/** The member of ScratchNet's `.npz` files that names the network (`np.load` lists it beside the arrays). */
export const NPZ_HEADER = 'scratchnet.json';

/** The ONNX exporter, registered by `io/onnx.ts` when it loads (importing the package loads it). */
let onnxExporter: ((net: Network, options: { dtype: DType }) => Uint8Array) | undefined;

/**
 * Installs `exportOnnx` for `encodeNetwork(net, 'onnx')` and `saveNetwork('x.onnx', net)`: `io/onnx.ts` does
 * it when it loads, so the ONNX schema (onnx-proto, ~50 ms to load) is loaded only where ONNX is used — not
 * by every start of the CLI.
 */
export function registerOnnxExporter(exporter: (net: Network, options: { dtype: DType }) => Uint8Array): void {
  onnxExporter = exporter;
}

/** The format a path's extension names, or an error listing the ones there are. */
export function formatOfPath(path: string, op: string): ParamsFormat {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  const ext = m ? m[1].toLowerCase() : '';
  const format = ext === 'pickle' ? 'pkl' : ext;
  if ((PARAMS_FORMATS as readonly string[]).includes(format)) return format as ParamsFormat;
  throw new Error(`${op}: ${path}: cannot tell the format from the extension ${ext ? `'.${ext}'` : '(none)'} (use .json, .pkl, .npz, .safetensors or .onnx)`);
}

/** The format of a file's bytes, from its first bytes (not its name), or undefined. */
export function sniffFormat(bytes: Uint8Array): ParamsFormat | undefined {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pkl';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'npz';
  // safetensors: an 8-byte little-endian header length, then the JSON header. Checked before JSON: the
  // length's low byte may itself be '{' (a header of 123, 379, … bytes); JSON text never has two NULs there.
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return 'json';
  return undefined;
}

/** What a params file holds: every array by name, and the network it names, where it names one. */
export interface NetworkArrays {
  /** Float tensors: integer and bool arrays of a file are converted to float64 (exactly). */
  arrays: Record<string, Tensor>;
  kind?: string;
  config?: NetworkConfig;
  dtype?: DType;
  meta?: Record<string, unknown>;
}

interface Header {
  kind: string;
  dtype: DType;
  config: NetworkConfig;
  meta?: Record<string, unknown>;
}

function readHeader(text: string, name: string, where: string): Header {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: ${where} is not valid JSON (${(e as Error).message})`);
  }
  const d = doc as Record<string, unknown>;
  if (typeof d !== 'object' || d === null || d.format !== MODEL_FORMAT) throw new Error(`${name}: ${where} is not a ScratchNet header (format ${JSON.stringify(d?.format)})`);
  if (typeof d.kind !== 'string') throw new Error(`${name}: ${where}: "kind" must name a network, got ${JSON.stringify(d.kind)}`);
  if (typeof d.config !== 'object' || d.config === null || Array.isArray(d.config)) throw new Error(`${name}: ${where}: "config" must be an object`);
  let dtype: DType;
  try {
    dtype = checkDtype(`${name}: ${where}`, d.dtype);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const header: Header = { kind: d.kind, dtype, config: d.config as NetworkConfig };
  if (typeof d.meta === 'object' && d.meta !== null) header.meta = d.meta as Record<string, unknown>;
  return header;
}

function headerOf(net: Network, meta?: Record<string, unknown>): Header & { format: string; formatVersion: number } {
  return { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, kind: net.kind, dtype: net.dtype, config: net.config, ...(meta ? { meta } : {}) };
}

function storedToTensor(s: StoredTensor, dtype: DType): Tensor {
  return new Tensor(dtype === 'float32' ? Float32Array.from(s.data) : Float64Array.from(s.data), s.shape);
}

/**
 * Every array of a params file's bytes (`format` sniffed from the bytes when not given), with the
 * network the file names where it names one. `name` (e.g. the path) starts every error.
 */
export function readNetworkArrays(source: Uint8Array | ArrayBuffer, name = 'params', format?: ParamsFormat): NetworkArrays {
  const bytes = asBytes(source, 'readNetworkArrays', 'loadNetwork');
  const fmt = format ?? sniffFormat(bytes);
  switch (fmt) {
    case 'json': {
      const doc = readModelDocument(new TextDecoder().decode(bytes), name);
      const arrays: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(doc.params)) arrays[k] = storedToTensor(v, doc.dtype);
      for (const [k, v] of Object.entries(doc.state)) arrays[k] = storedToTensor(v, doc.dtype);
      return { arrays, kind: doc.kind, config: doc.config, dtype: doc.dtype, ...(doc.meta ? { meta: doc.meta } : {}) };
    }
    case 'pkl':
      return { arrays: loadPickle(bytes, { name }) };
    case 'npz': {
      const { arrays: raw, other } = parseNpzEntries(bytes, name);
      const arrays = floats(raw);
      const head = other[NPZ_HEADER];
      if (head === undefined) return { arrays };
      return { arrays, ...readHeader(new TextDecoder().decode(head), name, NPZ_HEADER) };
    }
    case 'safetensors': {
      const { tensors: raw, metadata } = parseSafetensors(bytes, name);
      const tensors = floats(raw);
      if (metadata.format !== MODEL_FORMAT) return { arrays: tensors };
      const text = JSON.stringify({ format: metadata.format, kind: metadata.kind, dtype: metadata.dtype, config: tryJson(metadata.config), meta: tryJson(metadata.meta) });
      return { arrays: tensors, ...readHeader(text, name, '__metadata__') };
    }
    case 'onnx':
      throw new Error(`${name}: ONNX files are written, not read, by ScratchNet (load the .json, .pkl, .npz or .safetensors params it was exported from)`);
    default:
      throw new Error(`${name}: not a params file ScratchNet reads (expected ScratchNet's model JSON, a pickled dict of NumPy arrays (.pkl), an .npz or a .safetensors file)`);
  }
}

/** The file's arrays as float tensors (an integer or bool array of an `.npz` becomes float64, exactly). */
function floats(arrays: Readonly<Record<string, AnyTensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(arrays)) out[k] = t.dtype === 'float32' || t.dtype === 'float64' ? (t as Tensor) : t.astype('float64');
  return out;
}

function tryJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function shapeList(arrays: Readonly<Record<string, { shape: readonly number[] }>>): string {
  return Object.entries(arrays).map(([k, v]) => `${k} ${formatShape(v.shape)}`).join(', ');
}

/** Whether `describe(config)` declares exactly the arrays' params (and a subset of its state). */
function fits(kind: NetworkKind, config: NetworkConfig, shapes: Readonly<Record<string, readonly number[]>>): boolean {
  let declared;
  try {
    declared = kind.describe(config);
  } catch {
    return false;
  }
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  for (const [k, s] of Object.entries(declared.params)) if (shapes[k] === undefined || !same(shapes[k], s)) return false;
  for (const k of Object.keys(shapes)) {
    if (k in declared.params) continue;
    if (!(k in declared.state) || !same(shapes[k], declared.state[k])) return false;
  }
  return true;
}

/**
 * The kind and config of a bare dict of arrays: the first registered kind (in registry order, so a
 * 784-50-10 dict is a `TwoLayerNet` rather than a one-hidden-layer `MultiLayerNet`) whose `describe()`
 * declares exactly these shapes, for the config its shapes imply or its default config.
 */
export function identifyNetwork(arrays: Readonly<Record<string, { shape: readonly number[] }>>, name = 'params'): { kind: string; config: NetworkConfig } {
  const shapes: Record<string, readonly number[]> = {};
  for (const [k, v] of Object.entries(arrays)) shapes[k] = v.shape;
  const kinds = registeredKinds();
  for (const kind of kinds) {
    const candidates: NetworkConfig[] = [];
    const guessed = kind.fromShapes?.(shapes);
    if (guessed !== undefined) candidates.push(guessed);
    candidates.push({});
    for (const config of candidates) {
      if (fits(kind, config, shapes)) return { kind: kind.kind, config };
    }
  }
  throw new Error(`${name}: the arrays (${shapeList(arrays) || 'none'}) match no network kind's parameters (tried ${kinds.map((k) => k.kind).join(', ')})`);
}

export interface ReadNetworkOptions {
  /** The file's name or path, to start error messages. */
  name?: string;
  /** The network's dtype; default: the file's (a pickle's arrays decide: float32 arrays → float32). */
  dtype?: DType;
  /** Skip sniffing the bytes. */
  format?: ParamsFormat;
}

/** Splits a file's arrays into a kind's params and state, restores the network through the registry. */
export function networkFromArrays(contents: NetworkArrays, options: ReadNetworkOptions = {}): Network {
  const name = options.name ?? 'params';
  const { kind, config } = contents.kind !== undefined && contents.config !== undefined ? { kind: contents.kind, config: contents.config } : identifyNetwork(contents.arrays, name);
  const k = networkKind(kind, name);
  let declaredState: Record<string, readonly number[]> = {};
  try {
    declaredState = k.describe(config).state;
  } catch {
    // restoreNetwork reports the config's problem.
  }
  const first = Object.values(contents.arrays)[0];
  const dtype = options.dtype ?? contents.dtype ?? (first?.dtype === 'float32' ? 'float32' : 'float64');
  let total = 0;
  const doc: ModelContents = { formatVersion: MODEL_FORMAT_VERSION, kind, dtype, config, params: {}, state: {} };
  for (const [key, t] of Object.entries(contents.arrays)) {
    total += t.size;
    if (total > MAX_PARAMS) throw new Error(`${name}: holds more than the ${MAX_PARAMS} numbers this reader accepts`);
    (key in declaredState ? doc.state : doc.params)[key] = { shape: [...t.shape], data: t.data };
  }
  if (contents.meta) doc.meta = contents.meta;
  return restoreNetwork(doc, k, name);
}

/**
 * A network from a params file's bytes in any format ScratchNet reads (sniffed from the bytes): the
 * network the file names, or the kind its arrays' shapes identify (see `identifyNetwork`).
 *
 * @example
 * const net = readNetwork(await (await fetch('params.pkl')).arrayBuffer(), { name: 'params.pkl' });
 * net.kind; // 'SimpleConvNet'
 */
export function readNetwork(source: Uint8Array | ArrayBuffer, options: ReadNetworkOptions = {}): Network {
  const name = options.name ?? 'params';
  return networkFromArrays(readNetworkArrays(asBytes(source, 'readNetwork', 'loadNetwork'), name, options.format), options);
}

/**
 * Reads a model of any registered kind from JSON text (e.g. the contents of `model.json`) or a parsed
 * document, validating everything; `name` (e.g. the file path) starts every error message. `kind`, when
 * given, is the kind the document must be.
 */
export function parseModel(source: string | unknown, name = 'model', kind?: string): Network {
  const contents = readModelDocument(source, name);
  if (kind !== undefined && contents.kind !== kind) throw new Error(`${name}: is a ${contents.kind}, not a ${kind}`);
  return restoreNetwork(contents, networkKind(contents.kind, name), name);
}

export interface EncodeNetworkOptions {
  /** Free-form facts stored with the model (JSON, `.npz` header, safetensors `__metadata__`). */
  meta?: Record<string, unknown>;
  /** `.npz` only: deflate the arrays (`np.savez_compressed`). Default true. */
  compressed?: boolean;
  /** `.onnx` only: the graph's number type (default float32). */
  onnxDtype?: DType;
}

/** Params then state, by name: what every array format stores. */
function allArrays(net: Network): Record<string, Tensor> {
  return { ...net.params, ...net.state };
}

/** The text pieces of a JSON model file (joined, `serializeModel`'s text). */
export function encodeNetworkChunks(net: Network, format: ParamsFormat, options: EncodeNetworkOptions = {}): Iterable<string | Uint8Array> {
  switch (format) {
    case 'json':
      return serializeModelChunks(net, options.meta);
    case 'pkl':
      return [encodePickle(allArrays(net))];
    case 'npz': {
      const head = new TextEncoder().encode(`${JSON.stringify(headerOf(net, options.meta))}\n`);
      return [encodeNpz(allArrays(net), { compressed: options.compressed ?? true, extra: { [NPZ_HEADER]: head } })];
    }
    case 'safetensors': {
      const metadata: Record<string, string> = { format: MODEL_FORMAT, formatVersion: String(MODEL_FORMAT_VERSION), kind: net.kind, dtype: net.dtype, config: JSON.stringify(net.config) };
      if (options.meta) metadata.meta = JSON.stringify(options.meta);
      return [encodeSafetensors(allArrays(net), metadata)];
    }
    case 'onnx':
      if (onnxExporter === undefined) throw new Error(`encodeNetwork: ONNX export is not loaded; import { exportOnnx } from 'scratchnet' (or import its io/onnx.ts) first`);
      return [onnxExporter(net, { dtype: options.onnxDtype ?? 'float32' })];
  }
}

/**
 * The network as the bytes of a params file in `format` (see the table above).
 *
 * @example
 * const bytes = encodeNetwork(net, 'safetensors'); // for torch / safetensors.safe_open
 */
export function encodeNetwork(net: Network, format: ParamsFormat, options: EncodeNetworkOptions = {}): Uint8Array {
  const pieces = [...encodeNetworkChunks(net, format, options)].map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of pieces) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
