/** Node-only: returning a finished run's memory to the system before the figures are drawn. */
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Asks V8 for full collections now, so the freed images and WASM memory are returned to the system
 * before the plots are drawn (otherwise whether they are depends on GC timing, and the run's peak memory
 * with it). V8 releases array-buffer memory on a background thread, and the WASM memory only after a
 * second collection (measured): two rounds, each with a short pause.
 */
export async function collectGarbage(): Promise<void> {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (let round = 0; round < 2; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch {
    // Not essential: only the peak memory depends on it.
  }
}
