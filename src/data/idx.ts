/**
 * The IDX file format of MNIST (and Fashion-MNIST), parsed from bytes — no Node API, so the browser
 * uses it too. Only unsigned-byte data (type 0x08) is supported: that is what these data sets use.
 *
 * Layout: magic `00 00 <type> <rank>`, then `rank` big-endian uint32 dimensions, then the data.
 */
export interface IdxArray {
  readonly dims: readonly number[];
  /** The data bytes: a view into the input, not a copy. */
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = { 0x08: 'ubyte', 0x09: 'byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/**
 * Parses an IDX file. `name` (usually the file path) is used in error messages; `expectedRank`, when
 * given, must match the file's.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedRank?: number): IdxArray {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
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
  if (size > 2 ** 31) fail(`declares ${size} elements, more than this reader supports (2^31)`);
  const available = bytes.length - headerLength;
  if (available < size) fail(`truncated: dimensions [${dims.join(', ')}] need ${size} data bytes, found ${available}`);
  if (available > size) fail(`${available - size} unexpected bytes after the ${size} data bytes of dimensions [${dims.join(', ')}]`);
  return { dims, data: bytes.subarray(headerLength, headerLength + size) };
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
