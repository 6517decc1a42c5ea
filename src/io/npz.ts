/**
 * NumPy's `.npz` archives (`np.savez`, `np.savez_compressed`, `np.load`): a ZIP of `.npy` members, read
 * and written with fflate (ZIP64 entries, which NumPy writes, included). Browser-safe on bytes; the
 * `load`/`save` functions add the file system in Node.
 *
 * Safe by construction: the members' declared sizes are checked before anything is inflated (each at
 * most the limit, all together too), each member inflates into a buffer of its declared size and must
 * fill it exactly, and a malformed archive is an error naming the file — never a hang or an
 * out-of-memory crash.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { AnyTensor } from '../tensor/tensor.ts';
import { asBytes } from '../util/bytes.ts';
import { MAX_FILE_BYTES, readFileBytes, writeFileAtomic } from './atomic.ts';
import { encodeNpy, parseNpy } from './npy.ts';

/** The most bytes an archive may inflate to, all members together. */
export const MAX_NPZ_INFLATED_BYTES = MAX_FILE_BYTES;

export interface NpzEntries {
  /** The `.npy` members by name without `.npy`, in archive order. */
  arrays: Record<string, AnyTensor>;
  /** Every other member's bytes by its full name (e.g. ScratchNet's `scratchnet.json`). */
  other: Record<string, Uint8Array>;
}

/**
 * Every member of an `.npz` archive's bytes: the arrays, and the other members as bytes.
 *
 * @example
 * const { arrays, other } = parseNpzEntries(bytes, 'model.npz');
 */
export function parseNpzEntries(source: Uint8Array | ArrayBuffer, name = 'npz'): NpzEntries {
  const bytes = asBytes(source, 'parseNpzEntries', 'loadNpz');
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) fail('not an .npz file (not a ZIP archive)');
  let total = 0;
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (file.compression !== 0 && file.compression !== 8) fail(`member ${file.name} uses compression method ${file.compression} (stored and deflate are read)`);
        if (!Number.isSafeInteger(file.originalSize) || file.originalSize < 0 || !Number.isSafeInteger(file.size) || file.size < 0) fail(`member ${file.name}: its sizes are not valid (a malformed archive)`);
        if (file.size > bytes.length) fail(`member ${file.name} declares ${file.size} compressed bytes in a ${bytes.length}-byte file (truncated or malformed)`);
        if (file.compression === 0 && file.originalSize !== file.size) fail(`member ${file.name} is stored, but declares ${file.originalSize} bytes and holds ${file.size}`);
        // Deflate cannot expand data more than ~1032 times: a larger declared size is a bomb or a lie.
        if (file.compression === 8 && file.originalSize > file.size * 1032 + 1024) fail(`member ${file.name} declares ${file.originalSize} bytes from ${file.size} compressed bytes, more than deflate can produce (a zip bomb or a malformed archive)`);
        total += file.originalSize;
        if (total > MAX_NPZ_INFLATED_BYTES) fail(`the members declare more than ${MAX_NPZ_INFLATED_BYTES} bytes in all (the limit)`);
        declared.set(file.name, file.originalSize);
        return true;
      },
    });
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith(`${name}: `)) throw e;
    return fail(`not a valid ZIP archive (${message}): truncated or malformed`);
  }
  const arrays: Record<string, AnyTensor> = {};
  const other: Record<string, Uint8Array> = {};
  for (const [member, data] of Object.entries(files)) {
    if (data.length !== declared.get(member)) fail(`member ${member} inflates to ${data.length} bytes, its header says ${declared.get(member)} (corrupt archive)`);
    if (member.endsWith('.npy')) arrays[member.slice(0, -4)] = parseNpy(data, `${name}: ${member}`);
    else other[member] = data;
  }
  return { arrays, other };
}

/**
 * The arrays of an `.npz` archive's bytes by name (members not ending in `.npy` are skipped; see
 * `parseNpzEntries`).
 *
 * @example
 * const { W1, b1 } = parseNpz(bytes);   // np.savez('p.npz', W1=W1, b1=b1)
 */
export function parseNpz(source: Uint8Array | ArrayBuffer, name = 'npz'): Record<string, AnyTensor> {
  return parseNpzEntries(asBytes(source, 'parseNpz', 'loadNpz'), name).arrays;
}

export interface EncodeNpzOptions {
  /** Deflate the members, as `np.savez_compressed` (default false: stored, as `np.savez`). */
  compressed?: boolean;
  /** More members, stored as they are by their full names. */
  extra?: Readonly<Record<string, Uint8Array>>;
}

/**
 * An `.npz` archive of `arrays` (members `name.npy`), which `np.load` reads.
 *
 * @example
 * const bytes = encodeNpz(net.params, { compressed: true });
 */
export function encodeNpz(arrays: Readonly<Record<string, AnyTensor>>, options: EncodeNpzOptions = {}): Uint8Array {
  const level = options.compressed ? 6 : 0;
  const entries: Zippable = {};
  for (const [key, t] of Object.entries(arrays)) entries[`${key}.npy`] = [encodeNpy(t), { level }];
  for (const [key, data] of Object.entries(options.extra ?? {})) {
    if (`${key}` in entries) throw new Error(`encodeNpz: member ${key} is given twice`);
    entries[key] = [data, { level: 0 }];
  }
  // A fixed date keeps the bytes the same for the same arrays.
  return zipSync(entries, { mtime: new Date(1980, 0, 1) });
}

/**
 * The arrays of an `.npz` file: a path (read in Node) or its bytes.
 *
 * @example
 * const { x_train } = loadNpz('mnist.npz');
 */
export function loadNpz(source: string | Uint8Array | ArrayBuffer): Record<string, AnyTensor> {
  if (typeof source === 'string') return parseNpz(readFileBytes(source, 'loadNpz'), source);
  return parseNpz(asBytes(source, 'loadNpz', 'loadNpz'));
}

/**
 * Writes `arrays` as an `.npz` file (`{ compressed: true }`: as `np.savez_compressed`), atomically. Node only.
 *
 * @example
 * saveNpz('params.npz', net.params, { compressed: true });   // Python: dict(np.load('params.npz'))
 */
export function saveNpz(path: string, arrays: Readonly<Record<string, AnyTensor>>, options: EncodeNpzOptions = {}): void {
  writeFileAtomic(path, encodeNpz(arrays, options), 'saveNpz');
}
