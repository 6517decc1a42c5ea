/** Node-only: ending worker threads without terminating them mid-work. */
import type { Worker } from 'node:worker_threads';

/**
 * Resolves once `worker` has exited (`exited`, a promise made before the thread was asked to end),
 * terminating it if that takes longer than `ms`. The ScratchNet threads end by themselves when asked
 * (the kernel helper leaves its loop, the plot thread closes its port): terminating a thread that still
 * has work of its own in flight — a module loading, a file being written — can abort the whole process
 * (FATAL ERROR … SIGABRT, nodejs/node#38418), which `terminate()` is kept for as a last resort.
 */
export async function gracefulExit(worker: Worker, exited: Promise<void>, ms = 1000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Both keep the process alive while it waits (the threads are unref'd so as never to hold it otherwise).
  worker.ref();
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
  } finally {
    clearTimeout(timer);
  }
}
