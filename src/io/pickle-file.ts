/**
 * Node-only file access for the book's pickled parameter files (and the conv nets' `saveParams` /
 * `loadParams`). `node:fs` is looked up when a function is called, not imported, so the networks that
 * offer these methods stay importable in a browser (where calling them throws and says so).
 */
import type { Tensor } from '../tensor/tensor.ts';
import { loadPickle, type LoadPickleOptions } from './pickle.ts';

/** A pickle file larger than this is refused before it is read (the book's largest is 3.5 MB). */
export const MAX_PICKLE_FILE_BYTES = 512 * 1024 * 1024;

type Fs = typeof import('node:fs');

/** `node:fs`, or an error naming `op` outside Node. */
export function nodeFs(op: string): Fs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as Fs | undefined;
  if (fs === undefined) throw new Error(`${op}: reading and writing files needs Node (>= 20.16); in a browser use loadPickle(bytes) or serializeModel`);
  return fs;
}

/** The bytes of a file, refused (naming it) when missing or larger than `limit`. */
export function readFileBytes(path: string, op: string, limit = MAX_PICKLE_FILE_BYTES): Uint8Array {
  const fs = nodeFs(op);
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch {
    throw new Error(`${path}: no such file`);
  }
  if (size > limit) throw new Error(`${path}: ${size} bytes is too large (limit ${limit})`);
  return fs.readFileSync(path);
}

/** Writes a file through a temporary one and a rename, so a crash never leaves a half-written file. */
export function writeFileBytes(path: string, data: string | Uint8Array, op: string): void {
  const fs = nodeFs(op);
  const tmp = `${path}.tmp-${(globalThis as { process?: { pid?: number } }).process?.pid ?? 0}-${Date.now()}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof Error && !e.message.includes(path)) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

/**
 * Reads a NumPy-pickled dict of arrays (e.g. the book's `ch07/params.pkl`) into tensors by name; errors
 * name the file and the byte offset. See `loadPickle`.
 */
export function loadPickleFile(path: string, options: Omit<LoadPickleOptions, 'name'> = {}): Record<string, Tensor> {
  return loadPickle(readFileBytes(path, 'loadPickleFile'), { ...options, name: path });
}
