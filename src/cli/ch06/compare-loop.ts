/**
 * The loop shared by optimizer_compare_mnist.py and weight_init_compare.py: several networks trained on
 * the same mini-batches (an even number of them on two threads, half on each: compare-thread.ts), each
 * step's loss kept, and every 100 iterations the book's report:
 *
 *     ===========iteration:0===========
 *     SGD:2.3025…
 */
import type { MnistSplit } from '../../data/mnist.ts';
import type { Network } from '../../nets/network.ts';
import type { Optimizer } from '../../optimizers/optimizer.ts';
import { pyFloat } from '../../train/trainer.ts';
import { stopKernelThreads } from '../../kernels/wasm/index.ts';
import { BatchDrawer } from './batches.ts';
import { bootCompareThread, startCompareThread, type CompareThread, type CompareThreadBoot } from './compare-thread.ts';
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

/** Whether `count` contestants train half on a second thread (see compareOnSameBatches). */
function trainsInHalves(ctx: Pick<RunContext, 'threads'>, count: number): boolean {
  return ctx.threads > 1 && count % 2 === 0;
}

/**
 * The second thread for `count` contestants, started now (before the images are read) so that it is ready
 * when the comparison begins; undefined where they will all train here. Pass it to compareOnSameBatches,
 * and `abandon` it if the comparison is never reached.
 */
export function bootComparison(ctx: Pick<RunContext, 'threads'>, count: number): CompareThreadBoot | undefined {
  return trainsInHalves(ctx, count) ? bootCompareThread() : undefined;
}

export async function compareOnSameBatches(
  ctx: Pick<RunContext, 'rng' | 'print' | 'progress' | 'stopRequested' | 'threads'>,
  split: MnistSplit,
  contestants: readonly Contestant[],
  options: { iters: number; batchSize: number; reportEvery?: number; boot?: CompareThreadBoot },
): Promise<CompareResult> {
  const every = options.reportEvery ?? 100;
  const batches = new BatchDrawer(split, options.batchSize, ctx.rng, contestants[0]?.network.dtype ?? 'float64');
  const losses: Record<string, number[]> = Object.fromEntries(contestants.map((c) => [c.name, []]));
  // With two threads and an even number of contestants, half of them train on a thread of their own
  // (compare-thread.ts), each product on one thread: on two cores that is faster than one network at a time
  // with each product split — optimizer-compare-mnist's 2000 iterations took 13.3–16.7 s against 18.3–23.7 s,
  // interleaved runs. Every other one goes there (SGD and AdaGrad here, Momentum and Adam there): AdaGrad's
  // and Adam's updates (a square root and a division per weight) take ~3× SGD's and Momentum's, and with
  // the first half on the thread this one waited for it ~0.5–0.8 s per 1000 iterations.
  // With three (weight-init-compare), two networks on one thread took as long as the three in turn
  // (17.7–17.8 s either way): an odd count trains here, in turn.
  const halves = trainsInHalves(ctx, contestants.length);
  const here = halves ? contestants.filter((_, k) => k % 2 === 0) : contestants;
  const there = halves ? contestants.filter((_, k) => k % 2 === 1) : [];
  // Asked to stop already (a signal while the data was read): no thread to start; a booted one is ended.
  const thread = there.length > 0 && !ctx.stopRequested() ? await startThread(split, there, options.batchSize, options.boot) : undefined;
  if (!thread) await options.boot?.abandon();
  const local = thread ? here : contestants;
  const bar = ctx.progress(options.iters, 'iterations');
  let i = 0;
  let lastYield = performance.now();
  try {
    for (; i < options.iters && !ctx.stopRequested(); i++) {
      batches.draw();
      if (thread) await thread.publish(i, batches.mask);
      for (const c of local) {
        const grads = c.network.gradient(batches.x, batches.t);
        c.optimizer.update(c.network.params, grads);
        losses[c.name].push(c.network.loss(batches.x, batches.t));
      }
      if (i % every === 0) {
        if (thread) {
          const theirs = await thread.lossesAt(i);
          there.forEach((c, j) => (losses[c.name][i] = theirs[j]));
        }
        ctx.print(`===========iteration:${i}===========`);
        // The book computes each loss again here; on the same batch and weights it is the value just kept.
        for (const c of contestants) ctx.print(`${c.name}:${pyFloat(losses[c.name][i])}`);
      }
      if (performance.now() - lastYield > 100) {
        bar.update(i + 1, local.map((c) => `${c.name} ${losses[c.name][i].toFixed(3)}`).join('  '));
        // A turn for the event loop: signals, the progress bar, the figure thread's messages.
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    if (thread) {
      const theirs = await thread.finish(i);
      there.forEach((c, k) => (losses[c.name] = Array.from({ length: i }, (_, j) => theirs[j * there.length + k])));
    }
  } catch (e) {
    await thread?.abandon();
    throw e;
  } finally {
    bar.stop();
  }
  return { losses, iterationsDone: i };
}

/**
 * The thread for `there` (`boot`, when one was started for them), with this thread's kernels on one thread
 * from now on (their helper stopped: the two cores are the two trainers'); undefined, and the kernels as
 * they were, where it cannot start.
 */
async function startThread(split: MnistSplit, there: readonly Contestant[], batchSize: number, boot: CompareThreadBoot | undefined): Promise<CompareThread | undefined> {
  let thread: CompareThread | undefined;
  try {
    const contestants = there.map((c) => ({ network: c.network, optimizer: { name: c.optimizer.name, param: c.optimizer.toJSON() } }));
    thread = boot ? await boot.start(split, contestants, batchSize) : await startCompareThread(split, contestants, batchSize);
  } catch {
    // A network the model format does not hold, say: the contestants train here, in turn.
    return undefined;
  }
  if (thread) {
    await stopKernelThreads();
    process.stderr.write(`training ${there.map((c) => c.name).join(', ')} on a second thread, the others on this one\n`);
  }
  return thread;
}
