/** Node-only: saving and loading model files. */
import { readFileSync, statSync } from 'node:fs';
import type { Network } from '../nets/network.ts';
import { parseModel } from '../nets/registry.ts';
import { writeFileAtomic } from './atomic.ts';
import { serializeModelChunks } from './model-format.ts';

/** A model file larger than this is refused before it is read (the 784-50-10 net is under 1 MB). */
export const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024;

export function saveModel(path: string, net: Network, meta?: Record<string, unknown>): void {
  writeFileAtomic(path, serializeModelChunks(net, meta));
}

export function loadModel(path: string): Network {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new Error(`${path}: no such model file`);
  }
  if (size > MAX_MODEL_FILE_BYTES) throw new Error(`${path}: ${size} bytes is too large for a model file (limit ${MAX_MODEL_FILE_BYTES})`);
  return parseModel(readFileSync(path, 'utf8'), path);
}
