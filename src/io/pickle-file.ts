/**
 * File access for the book's pickled parameter files. `node:fs` is looked up when a function is called
 * (see `atomic.ts`), so this module stays importable in a browser.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { MAX_FILE_BYTES, nodeFs, readFileBytes, writeFileAtomic } from './atomic.ts';
import { loadPickle, type LoadPickleOptions } from './pickle.ts';

export { nodeFs, readFileBytes };

/** A pickle file larger than this is refused before it is read (the book's largest is 3.5 MB). */
export const MAX_PICKLE_FILE_BYTES = MAX_FILE_BYTES;

/** Writes a file atomically (see `writeFileAtomic`); errors name `op` outside Node. */
export function writeFileBytes(path: string, data: string | Uint8Array, op: string): void {
  writeFileAtomic(path, data, op);
}

/**
 * Reads a NumPy-pickled dict of arrays (e.g. the book's `ch07/params.pkl`) into tensors by name; errors
 * name the file and the byte offset. See `loadPickle`.
 */
export function loadPickleFile(path: string, options: Omit<LoadPickleOptions, 'name'> = {}): Record<string, Tensor> {
  return loadPickle(readFileBytes(path, 'loadPickleFile'), { ...options, name: path });
}
