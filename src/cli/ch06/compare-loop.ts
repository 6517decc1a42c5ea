/**
 * The loop shared by optimizer_compare_mnist.py and weight_init_compare.py: several networks trained on
 * the same mini-batches, each step's loss kept, and every 100 iterations the book's report:
 *
 *     ===========iteration:0===========
 *     SGD:2.3025…
 */
import type { MnistSplit } from '../../data/mnist.ts';
import type { Network } from '../../nets/network.ts';
import type { Optimizer } from '../../optimizers/optimizer.ts';
import { pyFloat } from '../../train/trainer.ts';
import { BatchDrawer } from './batches.ts';
import type { RunContext } from './run.ts';

export interface Contestant {
  /** The name the book prints (`SGD`, `std=0.01`, …). */
  name: string;
  network: Network;
  optimizer: Optimizer;
}

export interface CompareResult {
  /** Per contestant, the loss after each update, on that update's batch. */
  losses: Record<string, number[]>;
  iterationsDone: number;
}

export async function compareOnSameBatches(
  ctx: Pick<RunContext, 'rng' | 'print' | 'progress' | 'stopRequested'>,
  split: MnistSplit,
  contestants: readonly Contestant[],
  options: { iters: number; batchSize: number; reportEvery?: number },
): Promise<CompareResult> {
  const every = options.reportEvery ?? 100;
  const batches = new BatchDrawer(split, options.batchSize, ctx.rng, contestants[0]?.network.dtype ?? 'float64');
  const losses: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.name, []]));
  const bar = ctx.progress(options.iters, 'iterations');
  let i = 0;
  let lastYield = performance.now();
  for (; i < options.iters && !ctx.stopRequested(); i++) {
    batches.draw();
    for (const c of contestants) {
      const grads = c.network.gradient(batches.x, batches.t);
      c.optimizer.update(c.network.params, grads);
      losses[c.name].push(c.network.loss(batches.x, batches.t));
    }
    if (i % every === 0) {
      ctx.print(`===========iteration:${i}===========`);
      // The book computes each loss again here; on the same batch and weights it is the value just kept.
      for (const c of contestants) ctx.print(`${c.name}:${pyFloat(losses[c.name][i])}`);
    }
    if (performance.now() - lastYield > 100) {
      bar.update(i + 1, contestants.map((c) => `${c.name} ${losses[c.name][i].toFixed(3)}`).join('  '));
      // A turn for the event loop: signals, the progress bar, the figure thread's messages.
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  bar.stop();
  return { losses, iterationsDone: i };
}
