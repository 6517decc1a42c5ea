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

/**
 * An eval'd CommonJS script for `new Worker(script, { eval: true, workerData })` that imports the module
 * at `workerData.module` and calls its export `workerData.entry(parentPort, workerData)`. Run from source
 * (`node --import tsx`), the module is TypeScript, and tsx's loader — which Node 20 does not carry into
 * worker threads, `--import` or not — is registered in the thread first, from `workerData.tsx` (resolved
 * by the caller: the thread's own resolution would start from the working directory).
 */
export const MODULE_WORKER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const loader = workerData.tsx ? import(workerData.tsx).then((api) => api.register()) : Promise.resolve();
loader.then(() => import(workerData.module)).then((m) => m[workerData.entry](parentPort, workerData));
`;

/** `workerData.tsx` for MODULE_WORKER_SCRIPT: tsx's API where `moduleUrl` is TypeScript, else undefined. */
export function tsxLoaderFor(moduleUrl: string): string | undefined {
  return moduleUrl.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
}
