/**
 * Where the networks reach their files: the book's `save_params` / `load_params` (and `toJSON`) are
 * methods of every network, but reading and writing formats is `io/`'s work, and `io/` builds networks
 * through the registry, so `nets/` cannot import it. `io/network-file.ts` registers its implementation
 * here when it is loaded — which importing the package (`scratchnet`, `scratchnet/browser`) always does —
 * as TensorFlow.js's platform modules register their save and load handlers.
 */
import type { ModelDocument } from '../io/model-format.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Network } from './network.ts';

/** A network `loadParams` can fill: it checks and copies params itself (`LayerNet.assignParams`). */
export interface ParamsTarget extends Network {
  assignParams(values: Readonly<Record<string, Tensor>>, source?: string): void;
  /** The state names it can hold, whether or not the state exists yet. */
  readonly stateKeys?: readonly string[];
}

export interface NetworkIO {
  /** Writes the network's params (and state) to `path` in the format its extension names. */
  saveParams(net: Network, path: string): void;
  /** Reads `path` (any supported format) and copies its params (and state) into `net`. */
  loadParams(net: ParamsTarget, path: string): void;
  /** The network as ScratchNet's model document. */
  toDocument(net: Network): ModelDocument;
  /** A network of `kind` from model JSON text or a parsed document. */
  parseModel(source: string | unknown, name: string | undefined, kind: string): Network;
  /** The arrays of a params file (a path, or its bytes) by name, e.g. the book's `sample_weight.pkl`. */
  readArrays(source: string | Uint8Array, name: string | undefined, op: string): Record<string, Tensor>;
}

let registered: NetworkIO | undefined;

/** Installs the file formats (called once by `io/network-file.ts`). */
export function registerNetworkIO(io: NetworkIO): void {
  registered = io;
}

/** The registered implementation, or an error naming `op` and what to import. */
export function networkIO(op: string): NetworkIO {
  if (registered === undefined) {
    throw new Error(`${op}: no file formats are loaded; import it from the package ('scratchnet'), which loads them, or load io/network-file.ts first`);
  }
  return registered;
}
