/** Node-only: files written so that a crash never leaves a half-written one. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to a temporary file beside `path`, flushes it, then renames it over `path`: readers see
 * the old file or the new one, never a partial one. `data` may be pieces of text (e.g.
 * `serializeModelChunks`), written one after another without joining them; if producing a piece throws,
 * the temporary file is removed and `path` is left as it was.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const pieces = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for (const piece of pieces) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        let off = 0;
        while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    // Node's write errors (EFBIG, ENOSPC) name no file: say which one could not be written.
    if (e instanceof Error && !e.message.includes(path)) e.message = `${path}: ${e.message}`;
    throw e;
  }
}
