/**
 * File access for `io/`: reading a file's bytes with a size limit, and writing files so that a crash never
 * leaves a half-written one. `node:fs` is looked up when a function is called, not imported, so every
 * module of `io/` stays importable in a browser (where calling these throws and says so).
 */
type Fs = typeof import('node:fs');

interface NodeProcess {
  pid?: number;
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;

/** `node:fs`, or an error naming `op` outside Node. */
export function nodeFs(op: string): Fs {
  const fs = proc()?.getBuiltinModule?.('node:fs') as Fs | undefined;
  if (fs === undefined) throw new Error(`${op}: reading and writing files needs Node (>= 20.16); in a browser pass the file's bytes (e.g. readNetwork(bytes), loadPickle(bytes))`);
  return fs;
}

/** A file larger than this is refused before it is read (the book's largest params file is 3.5 MB). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** The bytes of a file, refused (naming it) when missing, a directory, or larger than `limit`. */
export function readFileBytes(path: string, op: string, limit = MAX_FILE_BYTES): Uint8Array {
  const fs = nodeFs(op);
  let stat: import('node:fs').Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new Error(`${path}: no such file`);
  }
  if (stat.isDirectory()) throw new Error(`${path}: is a directory, not a file`);
  if (stat.size > limit) throw new Error(`${path}: ${stat.size} bytes is too large (limit ${limit})`);
  return fs.readFileSync(path);
}

function splitPath(path: string): [dir: string, base: string] {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? ['.', path] : [path.slice(0, cut) || '/', path.slice(cut + 1)];
}

/**
 * Writes `data` to a temporary file beside `path`, flushes it, then renames it over `path`: readers see
 * the old file or the new one, never a partial one. `data` may be pieces of text (e.g.
 * `serializeModelChunks`), written one after another without joining them; if producing a piece throws,
 * the temporary file is removed and `path` is left as it was.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string | Uint8Array>, op = 'writeFileAtomic'): void {
  const fs = nodeFs(op);
  const [dir, base] = splitPath(path);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${dir}/.${base}.tmp-${proc()?.pid ?? 0}-${Date.now()}`;
  const encoder = new TextEncoder();
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      const pieces = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const piece of pieces) {
        const bytes = typeof piece === 'string' ? encoder.encode(piece) : piece;
        let off = 0;
        while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    // Node's write errors (EFBIG, ENOSPC) name no file: say which one could not be written.
    if (e instanceof Error && !e.message.includes(path)) e.message = `${path}: ${e.message}`;
    throw e;
  }
}
