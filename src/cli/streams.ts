/**
 * Standard output closed by its reader (`scratchnet train | head -1`): the writes that follow fail with
 * EPIPE, which Node reports as an 'error' event — unhandled, that is a stack trace and a run lost before
 * its files are written. The CLI's output is only a report of the work, so a reader that has gone away
 * is no reason to stop it: from then on that stream's output is dropped, quietly, and the work goes on.
 */
import type { Writable } from 'node:stream';

const closed = new WeakSet<Writable>();

/** True once `stream`'s reader has gone away (its writes are dropped). */
export function isClosed(stream: Writable): boolean {
  return closed.has(stream);
}

function tolerate(stream: Writable): void {
  if (stream.listeners('error').some((l) => (l as { scratchnetEpipe?: boolean }).scratchnetEpipe)) return;
  const onError = Object.assign(
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ERR_STREAM_WRITE_AFTER_END') {
        closed.add(stream);
        return;
      }
      throw e;
    },
    { scratchnetEpipe: true },
  );
  stream.on('error', onError);
}

/** Makes EPIPE on stdout and stderr harmless (see above). Safe to call more than once. */
export function tolerateClosedOutput(): void {
  tolerate(process.stdout);
  tolerate(process.stderr);
}
