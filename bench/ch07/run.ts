/**
 * Chapters 7–8 benchmark: the book's SimpleConvNet and DeepConvNet training step (batch 100, Adam lr 0.001,
 * the loss after the update) in ScratchNet (WASM SIMD kernels, 2 threads), NumPy (the book's code,
 * transcribed in bench/ch07/numpy_convnet.py: float64 as the book computes, and float32) and TF.js 4.22
 * (bench/ch07/tfjs_convnet.ts: cpu backend; the wasm backend cannot train a conv net, its error is
 * recorded). Each program is a child process that times its own steps (median of --steps, after 2 warm-up
 * steps) and one epoch's evaluation (1000 + 1000 images); the 20-epoch time is extrapolated as the book's
 * Trainer spends it: 12 000 steps, 20 evaluations of 2 × 1000 images, a final one of 10 000, the loading.
 * Systems alternate, round after round. Writes bench/ch07/results-ch07.md.
 *
 *   node --import tsx bench/ch07/run.ts [--rounds 3] [--steps 10] [--nets simple,deep]
 *        [--tfjs-steps 2] [--tfjs-rounds 1] [--tfjs-deep] [--skip-tfjs]
 *        [--numpy-blas-threads N] [--full-train-size N]
 *
 * --numpy-blas-threads sets OPENBLAS_NUM_THREADS for NumPy (default: unset, OpenBLAS's own choice — on a
 * busy 2-core machine 1 thread can be several times faster than its spinning 2). --full-train-size N also
 * runs one real NumPy 20-epoch SimpleConvNet training on the first N training images (the book's
 * commented-out shortcut uses 5000) and reports its time and accuracy.
 *
 * ScratchNet is timed by bench/ch07/scratchnet_step.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileAtomic } from '../../src/io/atomic.ts';
import { benchArgs } from '../args.ts';
import { ensureTfjsInstalled, median, root } from '../systems.ts';

const values = benchArgs(
  `node --import tsx bench/ch07/run.ts [--rounds 3] [--steps 10] [--nets simple,deep] [--tfjs-steps 2]
     [--tfjs-rounds 1] [--tfjs-deep] [--skip-tfjs] [--numpy-blas-threads N] [--full-train-size N]

SimpleConvNet's and DeepConvNet's training step (batch 100, Adam) in ScratchNet, NumPy (float64 and
float32) and TF.js, alternating; writes bench/ch07/results-ch07.md. --numpy-blas-threads sets
OPENBLAS_NUM_THREADS; --full-train-size N also times one real NumPy 20-epoch SimpleConvNet run on the first
N training images.`,
  {
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '10' },
    nets: { type: 'string', default: 'simple,deep' },
    'tfjs-steps': { type: 'string', default: '2' },
    'tfjs-rounds': { type: 'string', default: '1' },
    'tfjs-deep': { type: 'boolean', default: false },
    'skip-tfjs': { type: 'boolean', default: false },
    'numpy-blas-threads': { type: 'string' },
    'full-train-size': { type: 'string', default: '0' },
  },
  { rounds: 1, steps: 1, 'tfjs-steps': 1, 'tfjs-rounds': 1, 'numpy-blas-threads': 1, 'full-train-size': 0 },
);
const rounds = Number(values.rounds);
const steps = Number(values.steps);
const tfjsSteps = Number(values['tfjs-steps']);
const tfjsRounds = Number(values['tfjs-rounds']);
const nets = values.nets.split(',').filter(Boolean) as ('simple' | 'deep')[];
const blasThreads = values['numpy-blas-threads'];
const fullTrainSize = Number(values['full-train-size']);
const here = join(root, 'bench/ch07');
const TIME = '/usr/bin/time';

type Result = Record<string, unknown> & { peakRssMB: number };

/** Runs a command; returns its last JSON line, with the peak RSS from /usr/bin/time when present. */
async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', 'MAXRSS_KB=%M', cmd, ...args] : [cmd, ...args];
  const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`);
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`${cmd}: no JSON result in ${out.slice(-500)}`);
  const result = JSON.parse(line) as Record<string, unknown>;
  const rss = /MAXRSS_KB=(\d+)/.exec(err);
  return { ...result, peakRssMB: rss ? Number(rss[1]) / 1024 : Number(result.peakRssMB) };
}

interface System {
  name: string;
  net: 'simple' | 'deep';
  dtype: 'float32' | 'float64';
  /** The ScratchNet row of the same net and dtype is the baseline of the ratio. */
  scratchNet?: boolean;
  rounds: number;
  run: () => Promise<Result>;
}

/**
 * ScratchNet's step, timed in a child process by bench/ch07/scratchnet_step.ts; `besideCeiling` measures the
 * ceiling before each step too (its probe threads add to the process's RSS: a run of its own).
 */
export function scratchNetStep(net: 'simple' | 'deep', dtype: 'float32' | 'float64', stepCount: number, seed: number, besideCeiling = false): Promise<Result> {
  return measure(process.execPath, ['--import', 'tsx', join(here, 'scratchnet_step.ts'), '--net', net, '--dtype', dtype, '--steps', String(stepCount), '--seed', String(seed), '--kernels', 'wasm', '--threads', '2', ...(besideCeiling ? ['--beside-ceiling'] : [])]);
}

const numpyEnv = blasThreads ? { ...process.env, OPENBLAS_NUM_THREADS: blasThreads } : process.env;
const numpyStep = (net: string, dtype: string, stepCount: number, seed: number) =>
  measure('python3', [join(here, 'numpy_convnet.py'), '--net', net, '--dtype', dtype, '--steps', String(stepCount), '--seed', String(seed)], numpyEnv);
const tfjsStep = (net: string, backend: string, stepCount: number, seed: number) =>
  measure(process.execPath, ['--import', 'tsx', join(here, 'tfjs_convnet.ts'), '--net', net, '--backend', backend, '--steps', String(stepCount), '--seed', String(seed)]);

const NET_NAME = { simple: 'SimpleConvNet', deep: 'DeepConvNet' } as const;
const systems: System[] = [];
let seed = 1;
const nextSeed = () => seed++;
for (const net of nets) {
  for (const dtype of ['float32', 'float64'] as const) {
    systems.push({ name: 'ScratchNet (WASM SIMD, 2 threads)', net, dtype, scratchNet: true, rounds, run: () => scratchNetStep(net, dtype, steps, nextSeed()) });
  }
  systems.push({ name: 'NumPy, the book’s code', net, dtype: 'float64', rounds, run: () => numpyStep(net, 'float64', steps, nextSeed()) });
  systems.push({ name: 'NumPy, the book’s code in float32', net, dtype: 'float32', rounds, run: () => numpyStep(net, 'float32', steps, nextSeed()) });
  if (!values['skip-tfjs'] && (net === 'simple' || values['tfjs-deep'])) {
    systems.push({ name: 'TF.js 4.22, cpu backend', net, dtype: 'float32', rounds: tfjsRounds, run: () => tfjsStep(net, 'cpu', tfjsSteps, nextSeed()) });
  }
}

let wasmError = 'not run (--skip-tfjs)';
if (!values['skip-tfjs']) {
  ensureTfjsInstalled();
  const r = await tfjsStep('simple', 'wasm', 1, 1);
  wasmError = typeof r.error === 'string' ? `fails: “${r.error}”` : `trains (${Number(r.medianSeconds).toFixed(3)} s/step)`;
  console.log(`TF.js wasm backend, SimpleConvNet: ${wasmError}`);
}

const results = new Map<System, Result[]>(systems.map((s) => [s, []]));
for (let round = 1; round <= rounds; round++) {
  for (const s of systems) {
    if (round > s.rounds) continue;
    const r = await s.run();
    results.get(s)!.push(r);
    console.log(
      `round ${round}/${rounds}  ${NET_NAME[s.net].padEnd(13)} ${s.name.padEnd(36)} ${s.dtype}  median ${Number(r.medianSeconds).toFixed(3)} s/step (cpu ${Number(r.medianCpuSeconds).toFixed(3)})  eval ${Number(r.evalSeconds2x1000).toFixed(2)} s  RSS ${r.peakRssMB.toFixed(0)} MB`,
    );
  }
}

// Each ScratchNet step's share of the ceiling measured just before it (one more run per net and dtype).
const besideCeiling = new Map<System, Result>();
for (const s of systems.filter((x) => x.scratchNet)) {
  const r = await scratchNetStep(s.net, s.dtype, steps, nextSeed(), true);
  besideCeiling.set(s, r);
  console.log(`beside the ceiling  ${NET_NAME[s.net].padEnd(13)} ${s.dtype}  median ${Number(r.medianSeconds).toFixed(3)} s/step, ceiling ${Number(r.medianCeilingBeside).toFixed(1)} GFLOP/s, share ${(100 * Number(r.medianShareBeside)).toFixed(0)} %`);
}

let fullRun = '';
if (fullTrainSize > 0) {
  console.log(`NumPy full SimpleConvNet run, 20 epochs on ${fullTrainSize} training images …`);
  const r = await measure('python3', [join(here, 'numpy_convnet.py'), '--net', 'simple', '--epochs', '20', '--train-size', String(fullTrainSize), '--seed', '1', '--quiet'], numpyEnv);
  fullRun = [
    `## One real NumPy run (the book's code, float64): SimpleConvNet, 20 epochs on the first ${fullTrainSize} training images`,
    '',
    `${r.iterations} iterations, evaluation on 1000 + 1000 images per epoch and the full test set at the end: ${Number(r.seconds).toFixed(1)} s ` +
      `(of which evaluation ${Number(r.evalSeconds).toFixed(1)} s, loading ${Number(r.loadSeconds).toFixed(1)} s), final test accuracy ${Number(r.testAcc).toFixed(4)}, peak RSS ${r.peakRssMB.toFixed(0)} MB.`,
    '',
  ].join('\n');
  console.log(fullRun);
}

const fmtTime = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
const stat = (s: System, key: string) => median(results.get(s)!.map((r) => Number(r[key])));
const tables = nets.map((net) => {
  const rows = systems
    .filter((s) => s.net === net)
    .map((s) => {
      const base = systems.find((b) => b.scratchNet && b.net === net && b.dtype === s.dtype);
      const step = stat(s, 'medianSeconds');
      const ratio = base ? (step / stat(base, 'medianSeconds')).toFixed(2) : 'n/a';
      const n = results.get(s)!.length;
      return `| ${s.scratchNet ? `**${s.name}**` : s.name} | ${s.dtype} | ${step.toFixed(3)} | ${stat(s, 'medianCpuSeconds').toFixed(3)} | ${stat(s, 'evalSeconds2x1000').toFixed(2)} | ${fmtTime(stat(s, 'extrapolatedFullRunSeconds'))} | ${ratio} | ${stat(s, 'peakRssMB').toFixed(0)} MB | ${n} × ${s.name.startsWith('TF.js') ? tfjsSteps : steps} |`;
    });
  return [
    `## ${NET_NAME[net]}`,
    '',
    '| system | dtype | median s/step | median CPU s/step | eval 2×1000 images (s) | extrapolated 20 epochs | × ScratchNet (same dtype) | peak RSS | rounds × steps |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
});

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')} at the end, Node ${process.version}`;
const python = execFileSync('python3', ['-c', 'import numpy, sys; print(sys.version.split()[0], "NumPy", numpy.__version__)']).toString().trim();
const argsLine = process.argv.slice(2).join(' ');
const md = [
  '# Chapters 7–8 benchmark: the conv nets’ training step',
  '',
  `Written by \`node --import tsx bench/ch07/run.ts${argsLine ? ` ${argsLine}` : ''}\` on ${new Date().toISOString()}.`,
  `Machine: ${machine}; Python ${python}${blasThreads ? `, OPENBLAS_NUM_THREADS=${blasThreads}` : ' (OpenBLAS threads: its default)'}.`,
  '',
  'One step = a batch of 100 drawn with replacement, gradient, Adam update (lr 0.001), the loss after the update — the book’s',
  '`Trainer.train_step` without its evaluation. Each row: the median over rounds of each process’s median step (after 2 warm-up',
  'steps), wall-clock and CPU (all threads). “Extrapolated 20 epochs” is the book’s `train_convnet.py` / `train_deepnet.py`',
  'run: 12 000 steps × the median step + 20 evaluations of 1000 training + 1000 test images + a final one of 10 000 test images',
  '(each at the measured evaluation speed) + loading MNIST. The book computes in float64 (its weights and its im2col buffers',
  'are float64; see numpy_convnet.py); the float32 NumPy rows are the same code with every buffer in float32.',
  'The machine is shared and noisy: compare ratios within this run, not seconds across runs.',
  '',
  ...tables,
  `TF.js 4.22 wasm backend: ${wasmError}.`,
  '',
  fullRun,
].join('\n');
writeFileAtomic(join(here, 'results-ch07.md'), md);
console.log(`\n${md}`);
// For npm run bench (bench/run.ts): the median step of each row, on one line.
const medians = systems.map((s) => {
  const beside = besideCeiling.get(s);
  return {
    net: s.net,
    dtype: s.dtype,
    system: s.scratchNet ? 'scratchnet' : s.name.startsWith('NumPy') ? 'numpy' : 'tfjs',
    medianSeconds: stat(s, 'medianSeconds'),
    ...(beside ? { besideCeiling: { medianSeconds: Number(beside.medianSeconds), ceiling: Number(beside.medianCeilingBeside), share: Number(beside.medianShareBeside) } } : {}),
  };
});
console.log(`RESULTS ${JSON.stringify(medians)}`);
process.exit(0);
