/**
 * The IDX file format of MNIST (and Fashion-MNIST), parsed from bytes — no Node API, so the browser
 * uses it too. Only unsigned-byte data (type 0x08) is supported: that is what these data sets use.
 *
 * Layout: magic `00 00 <type> <rank>`, then `rank` big-endian uint32 dimensions, then the data.
 */
import { asBytes } from '../util/bytes.ts';

export interface IdxArray {
  readonly dims: readonly number[];
  /** The data bytes: a view into the input, not a copy. */
  readonly data: Uint8Array;
}

/** What an IDX header promises: the dimensions and so the exact length of the whole file. */
export interface IdxHeader {
  readonly dims: readonly number[];
  /** Bytes of the header itself: 4 + 4 × rank. */
  readonly headerLength: number;
  /** Bytes of data the dimensions call for (one per element). */
  readonly dataLength: number;
  /** `headerLength + dataLength`: the exact length a well-formed file has. */
  readonly fileLength: number;
}

/**
 * The largest data this reader accepts, checked from the header before anything is allocated: 2^31
 * bytes (about 2.1 GB; the 60 000 MNIST training images are 47 MB).
 */
export const MAX_IDX_DATA_BYTES = 2 ** 31;

/** The longest IDX header (rank 4): enough leading bytes for `parseIdxHeader`. */
export const MAX_IDX_HEADER_LENGTH = 4 + 4 * 4;

const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

function failer(name: string): (what: string) => never {
  return (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
}

/**
 * Reads and checks an IDX header from the first bytes of a file (`bytes` may be only a prefix): magic,
 * type, rank, dimensions, and that the data they declare is within `MAX_IDX_DATA_BYTES`. This is what
 * lets a reader know the exact file length before it reads, inflates or allocates the rest.
 */
export function parseIdxHeader(bytes: Uint8Array, name: string, expectedRank?: number): IdxHeader {
  const fail = failer(name);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) fail('is gzip-compressed; decompress it before parsing');
  if (bytes.length < 4) fail(`too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`bad magic number 0x${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('')} (not an IDX file)`);
  }
  const type = bytes[2];
  if (type !== 0x08) {
    fail(`unsupported IDX data type 0x${type.toString(16).padStart(2, '0')} (${TYPE_NAMES[type] ?? 'unknown'}); only unsigned bytes (0x08) are supported`);
  }
  const rank = bytes[3];
  if (rank < 1 || rank > 4) fail(`unsupported rank ${rank} (expected 1 to 4 dimensions)`);
  if (expectedRank !== undefined && rank !== expectedRank) fail(`has rank ${rank}, expected ${expectedRank}`);
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) fail(`truncated header: ${bytes.length} bytes, need ${headerLength} for rank ${rank}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0 && i > 0) fail(`dimension ${i} is 0`);
    dims.push(d);
    size *= d;
  }
  if (size > MAX_IDX_DATA_BYTES) {
    fail(`dimensions [${dims.join(', ')}] declare ${size} data bytes, more than this reader accepts (${MAX_IDX_DATA_BYTES}, 2^31)`);
  }
  return { dims, headerLength, dataLength: size, fileLength: headerLength + size };
}

/** Checks that a file of `length` bytes is exactly what `header` declares; names the file if not. */
export function checkIdxLength(header: IdxHeader, length: number, name: string): void {
  const fail = failer(name);
  const available = length - header.headerLength;
  const { dataLength: size, dims } = header;
  if (available < size) fail(`truncated: dimensions [${dims.join(', ')}] need ${size} data bytes, found ${available}`);
  if (available > size) fail(`${available - size} unexpected bytes after the ${size} data bytes of dimensions [${dims.join(', ')}]`);
}

/**
 * Parses an IDX file. `name` (usually the file path) is used in error messages; `expectedRank`, when
 * given, must match the file's.
 */
export function parseIdx(source: Uint8Array | ArrayBuffer, name: string, expectedRank?: number): IdxArray {
  const bytes = asBytes(source, 'parseIdx', (path) => `parseIdx(readIdxFile(${path}), ${path})`);
  const header = parseIdxHeader(bytes, name, expectedRank);
  checkIdxLength(header, bytes.length, name);
  return { dims: header.dims, data: bytes.subarray(header.headerLength, header.fileLength) };
}

/** Encodes unsigned bytes as an IDX file (for tests and for writing small data sets). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
