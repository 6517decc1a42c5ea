/**
 * `optimizer-compare-mnist` side by side: ScratchNet against the book's NumPy code
 * (bench/ch06/numpy_optimizer_compare.py), both float64 weights and arithmetic (the book's images are
 * float32 / 255, promoted by the first product; ScratchNet's are float64). Two measures, alternating
 * the systems round by round:
 *
 * - whole process: `scratchnet optimizer-compare-mnist` as `npx` runs it (dist/cli/bin.js, built first when
 *   src/ is newer; start-up, data, training, the figure) against `python3 numpy_optimizer_compare.py` (start-up, data, training, a do-nothing plot);
 * - in process: the training loop alone (4 networks × N iterations on the same batches), timed inside
 *   each process (ScratchNet's: bench/ch06/loop.ts, a fresh process per round).
 *
 * The machines are shared and noisy (a busy machine slows OpenBLAS's threads far more than one thread):
 * read ratios from quiet runs. `--blas-threads N` sets OPENBLAS_NUM_THREADS for NumPy (default: its own).
 *
 * With --others (as `npm run bench` runs it), every other chapter-6 command once with the book's settings
 * (`--seed 1`): its whole-process time and peak RSS, for the memory limit of all the chapter-6 commands.
 *
 *     npx tsx bench/ch06/run.ts [--iters 2000] [--rounds 1] [--threads 1|2] [--blas-threads N] [--others]
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from '../args.ts';
import { cliBuilt, cliInTempDir, limitText, mbOf, median, wall } from '../systems.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface OptimizerCompareOptions {
  iters: number;
  rounds: number;
  threads: 1 | 2;
  /** OPENBLAS_NUM_THREADS for NumPy; undefined: its own default. */
  blasThreads?: string;
  /** Also run every other chapter-6 command once (`OTHER_CH06_COMMANDS`): its whole-process time and peak RSS. */
  others?: boolean;
}

/** The chapter-6 commands besides optimizer-compare-mnist, in the book's order, each with the book's settings (its defaults). */
export const OTHER_CH06_COMMANDS = [
  'optimizer-compare-naive',
  'weight-init-activation-histogram',
  'weight-init-compare',
  'batch-norm-test',
  'batch-norm-gradient-check',
  'overfit-weight-decay',
  'overfit-dropout',
  'hyperparameter-optimization',
] as const;

export interface OptimizerCompareResult {
  /** The markdown section. */
  lines: string[];
  /** Median seconds of each training loop (in process). */
  scratchNetLoopSeconds: number;
  numpyLoopSeconds: number;
}

/**
 * Runs both measures, alternating the systems round by round; ScratchNet's loop in a process of its own
 * each round (bench/ch06/loop.ts), as NumPy's.
 */
export async function optimizerCompareBench({ iters, rounds, threads, blasThreads, others = false }: OptimizerCompareOptions): Promise<OptimizerCompareResult> {
  const pythonEnv = blasThreads === undefined ? process.env : { ...process.env, OPENBLAS_NUM_THREADS: blasThreads, OMP_NUM_THREADS: blasThreads };
  const rows = { snWhole: [] as number[], npWhole: [] as number[], snIn: [] as number[], npIn: [] as number[], snRss: [] as number[], npRss: [] as number[] };
  await cliBuilt();
  for (let r = 1; r <= rounds; r++) {
    const sn = cliInTempDir(['optimizer-compare-mnist', '--seed', String(r), '--iters', String(iters), '--threads', String(threads)], 'scratchnet-bench-ch06-');
    rows.snWhole.push(sn.seconds);
    rows.snRss.push(sn.peakRssMB);
    const np = wall('python3', [join(root, 'bench/ch06/numpy_optimizer_compare.py'), '--seed', String(r), '--iters', String(iters)], pythonEnv);
    rows.npWhole.push(np.seconds);
    rows.npRss.push(np.peakRssMB);
    rows.npIn.push(JSON.parse(np.stdout.trim().split('\n').at(-1)!).trainSeconds as number);
    const loop = wall(process.execPath, ['--import', 'tsx', join(root, 'bench/ch06/loop.ts'), '--seed', String(r), '--iters', String(iters), '--threads', String(threads)]);
    rows.snIn.push(JSON.parse(loop.stdout.trim().split('\n').at(-1)!).trainSeconds as number);
    console.log(`round ${r}/${rounds}  optimizer-compare-mnist  ScratchNet ${rows.snWhole.at(-1)!.toFixed(1)} s (loop ${rows.snIn.at(-1)!.toFixed(1)} s)  NumPy ${np.seconds.toFixed(1)} s (loop ${rows.npIn.at(-1)!.toFixed(1)} s)`);
  }
  // The memory limit is for every chapter-6 command: each of the others once, `--seed 1`, as the README's table.
  const otherRuns: { command: string; seconds: number; peakRssMB: number }[] = [];
  for (const command of others ? OTHER_CH06_COMMANDS : []) {
    const run = cliInTempDir([command, '--seed', '1'], 'scratchnet-bench-ch06-');
    otherRuns.push({ command, seconds: run.seconds, peakRssMB: run.peakRssMB });
    console.log(`${command} --seed 1  ${run.seconds.toFixed(1)} s  peak RSS ${mbOf(run.peakRssMB)}`);
  }
  const python = execFileSync('python3', ['-c', 'import numpy, sys; print(sys.version.split()[0], "NumPy", numpy.__version__)']).toString().trim();
  const f = (s: number) => `${s.toFixed(1)} s`;
  const lines = [
    `optimizer-compare-mnist: 4 × MultiLayerNet(784, [100]*4, 10) (SGD, Momentum, AdaGrad, Adam), batch 128, ${iters} iterations, float64; median of ${rounds} round(s)`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; Python ${python}; ScratchNet WASM SIMD kernels, ${threads} thread(s); OpenBLAS threads: ${blasThreads ?? 'default'}; load average at the end ${loadavg()[0].toFixed(1)}`,
    '',
    "| measure | ScratchNet | NumPy (the book's code) | NumPy's time ÷ ScratchNet's |",
    '|---|---|---|---|',
    `| whole process (\`scratchnet optimizer-compare-mnist\` vs \`python3 bench/ch06/numpy_optimizer_compare.py\`) | ${f(median(rows.snWhole))} | ${f(median(rows.npWhole))} | ${(median(rows.npWhole) / median(rows.snWhole)).toFixed(2)}× |`,
    `| training loop (in process) | ${f(median(rows.snIn))} | ${f(median(rows.npIn))} | ${(median(rows.npIn) / median(rows.snIn)).toFixed(2)}× |`,
    `| peak RSS, whole process (median; largest of the rounds) | ${mbOf(median(rows.snRss))} (${mbOf(Math.max(...rows.snRss))}) | ${mbOf(median(rows.npRss))} (${mbOf(Math.max(...rows.npRss))}) | |`,
    ...(otherRuns.length === 0
      ? []
      : [
          '',
          "Every other chapter-6 command once (`scratchnet <command> --seed 1`: the book's settings, whole process, the figures and files written):",
          '',
          '| command | seconds (whole process) | peak RSS |',
          '|---|---|---|',
          ...otherRuns.map((o) => `| \`${o.command}\` | ${o.seconds.toFixed(1)} | ${mbOf(o.peakRssMB)} |`),
        ]),
    '',
    `Issue 25's memory limit for the chapter-6 commands: peak RSS ≤ 300 MB — ${limitText([...rows.snRss, ...otherRuns.map((o) => o.peakRssMB)], 300)}${otherRuns.length > 0 ? ', over every command above' : ' (optimizer-compare-mnist only)'}.`,
  ];
  return { lines, scratchNetLoopSeconds: median(rows.snIn), numpyLoopSeconds: median(rows.npIn) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const values = benchArgs(
    `node --import tsx bench/ch06/run.ts [--iters 2000] [--rounds 1] [--threads 2] [--blas-threads N] [--others]

optimizer-compare-mnist (4 MultiLayerNets, 4 optimizers) in ScratchNet and the book's NumPy code, whole
processes and the training loop in process. --blas-threads sets OPENBLAS_NUM_THREADS for NumPy. --others
also runs every other chapter-6 command once (--seed 1): its time and peak RSS (~3 min).`,
    { iters: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '1' }, threads: { type: 'string', default: '2' }, 'blas-threads': { type: 'string' }, others: { type: 'boolean', default: false } },
    { iters: 1, rounds: 1, threads: 1, 'blas-threads': 1 },
  );
  const { lines } = await optimizerCompareBench({
    iters: Number(values.iters),
    rounds: Number(values.rounds),
    threads: values.threads === '1' ? 1 : 2,
    blasThreads: values['blas-threads'],
    others: values.others === true,
  });
  console.log(lines.join('\n'));
}
