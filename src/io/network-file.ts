/**
 * Networks to and from files, in every format (see `network-format.ts`): `saveNetwork` / `loadNetwork`,
 * and what every network's `saveParams` / `loadParams` / `toJSON` call (registered below, so `nets/`
 * needs no import from here). `node:fs` is looked up when a file is touched, so this module also loads
 * in a browser, where the byte-level functions (`readNetwork`, `encodeNetwork`) are the ones to use.
 */
import type { Network } from '../nets/network.ts';
import { registerNetworkIO, type ParamsTarget } from '../nets/network-io.ts';
import type { DType, Tensor } from '../tensor/tensor.ts';
import { readFileBytes, writeFileAtomic } from './atomic.ts';
import { modelToDocument } from './model-format.ts';
import { encodeNetworkChunks, formatOfPath, networkFromArrays, parseModel, readNetworkArrays, type EncodeNetworkOptions, type NetworkArrays, type ParamsFormat } from './network-format.ts';
import { loadPickle } from './pickle.ts';

export interface SaveNetworkOptions extends EncodeNetworkOptions {
  /** The format; default: the one `path`'s extension names (`.json`, `.pkl`, `.npz`, `.safetensors`, `.onnx`). */
  format?: ParamsFormat;
}

/**
 * Writes `net` to `path` atomically (a crash leaves the old file or the new one) in the format its
 * extension names. JSON is written in pieces, never held whole.
 *
 * @example
 * saveNetwork('params.pkl', net);          // the book's `save_params` layout
 * saveNetwork('model.safetensors', net);   // for PyTorch
 * saveNetwork('model.onnx', net);          // for ONNX Runtime
 */
export function saveNetwork(path: string, net: Network, options: SaveNetworkOptions = {}): void {
  const format = options.format ?? formatOfPath(path, 'saveNetwork');
  writeFileAtomic(path, encodeNetworkChunks(net, format, options), 'saveNetwork');
}

/** Every array of a params file, and the network it names where it names one. */
export function readNetworkFile(path: string, op = 'readNetworkFile'): NetworkArrays {
  return readNetworkArrays(readFileBytes(path, op), path);
}

/**
 * The network in a params file of any format ScratchNet reads — the format from the file's bytes, the
 * kind from the file (JSON, ScratchNet's `.npz` / `.safetensors`) or from its arrays' shapes (a bare dict
 * such as the book's `params.pkl`); see `identifyNetwork`.
 *
 * @example
 * const net = loadNetwork('ch07/params.pkl');   // a SimpleConvNet with the book's trained weights
 * net.accuracy(xTest, tTest);
 */
export function loadNetwork(path: string, options: { dtype?: DType } = {}): Network {
  return networkFromArrays(readNetworkFile(path, 'loadNetwork'), { name: path, ...options });
}

/**
 * Copies a params file's arrays into `net` (what `net.loadParams(path)` does): every parameter must be
 * there with `net`'s shape, and a file that names another kind of network is refused; state arrays
 * (BatchNorm's running statistics) are restored where the file has them. Nothing is copied unless all fits.
 */
export function loadParamsInto(net: ParamsTarget, path: string): void {
  const file = readNetworkFile(path, `${net.kind}.loadParams`);
  if (file.kind !== undefined && file.kind !== net.kind) throw new Error(`${path}: is a ${file.kind}, not a ${net.kind}`);
  const stateKeys = new Set(net.stateKeys ?? Object.keys(net.state));
  const params: Record<string, Tensor> = {};
  const state: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(file.arrays)) (stateKeys.has(key) ? state : params)[key] = t;
  net.assignParams(params, path);
  if (Object.keys(state).length > 0) net.setState!(state);
}

registerNetworkIO({
  saveParams: (net, path) => saveNetwork(path, net),
  loadParams: loadParamsInto,
  toDocument: (net) => modelToDocument(net),
  parseModel: (source, name, kind) => parseModel(source, name, kind),
  readArrays: (source, name, op) => (typeof source === 'string' ? readNetworkArrays(readFileBytes(source, op), source, 'pkl').arrays : loadPickle(source, { name: name ?? 'pickle' })),
});
