/** ScratchNet's JSON model file by path (what `scratchnet train` writes): `saveNetwork` / `loadNetwork` in JSON. */
import type { Network } from '../nets/network.ts';
import { loadNetwork, saveNetwork } from './network-file.ts';

/** Writes `net` (and `meta`, e.g. how it was trained) as ScratchNet's model JSON, atomically. */
export function saveModel(path: string, net: Network, meta?: Record<string, unknown>): void {
  saveNetwork(path, net, { format: 'json', ...(meta ? { meta } : {}) });
}

/** The network in a model file; any params format `loadNetwork` reads is accepted. */
export function loadModel(path: string): Network {
  return loadNetwork(path);
}
