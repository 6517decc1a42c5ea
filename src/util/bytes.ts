/** What every byte-level reader (`io/`, `data/`) accepts, and the error for anything else. */

/**
 * `source` as a `Uint8Array` (a Node `Buffer` is one; an `ArrayBuffer` or another typed array's bytes are
 * viewed, not copied). Anything else is refused with an error that names `op` and its file-reading twin:
 * `loadPickle: takes the file's bytes (a Uint8Array), got the string "params.pkl"; to read a file use
 * loadPickleFile("params.pkl")`.
 */
export function asBytes(source: unknown, op: string, twin: string | ((path: string) => string)): Uint8Array {
  const call = (path: string) => (typeof twin === 'string' ? `${twin}(${path})` : twin(path));
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === 'string') {
    throw new TypeError(`${op}: takes the file's bytes (a Uint8Array), got the string ${JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source)}; to read a file use ${call(JSON.stringify(source.slice(0, 200)))}`);
  }
  const what = source === null ? 'null' : Array.isArray(source) ? 'an array' : typeof source === 'object' ? `an object (${(source as object).constructor?.name ?? 'Object'})` : typeof source;
  throw new TypeError(`${op}: takes the file's bytes (a Uint8Array or an ArrayBuffer), got ${what}; to read a file use ${call('path')}`);
}
