/**
 * The machine's ceiling for WASM SIMD arithmetic: how many floating-point operations per second a loop of
 * nothing but independent vector multiplies and adds reaches (12 accumulators, `a = a·m + d`, no loads),
 * in f32x4 and f64x2 lanes, on one thread and on two at once. No real kernel does better: it also loads
 * its operands. The benchmark uses it to say how far a training step is from the fastest it could be, and
 * whether a speed target is reachable at all on this machine (bench/results.md, "Ceiling").
 *
 *   node --import tsx bench/peak.ts            (prints one JSON line)
 *
 * The probe is compiled here with the project's AssemblyScript (plain SIMD, as the kernels), not shipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const SOURCE = `
function probe<T>(iters: i32): f64 {
  const m = v128.splat<T>(<T>0.9999999), d = v128.splat<T>(<T>1e-7);
  let a0 = v128.splat<T>(<T>1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (let i = 0; i < iters; i++) {
    a0 = v128.add<T>(v128.mul<T>(a0, m), d); a1 = v128.add<T>(v128.mul<T>(a1, m), d);
    a2 = v128.add<T>(v128.mul<T>(a2, m), d); a3 = v128.add<T>(v128.mul<T>(a3, m), d);
    a4 = v128.add<T>(v128.mul<T>(a4, m), d); a5 = v128.add<T>(v128.mul<T>(a5, m), d);
    a6 = v128.add<T>(v128.mul<T>(a6, m), d); a7 = v128.add<T>(v128.mul<T>(a7, m), d);
    a8 = v128.add<T>(v128.mul<T>(a8, m), d); a9 = v128.add<T>(v128.mul<T>(a9, m), d);
    a10 = v128.add<T>(v128.mul<T>(a10, m), d); a11 = v128.add<T>(v128.mul<T>(a11, m), d);
  }
  const s = v128.add<T>(v128.add<T>(v128.add<T>(a0, a1), v128.add<T>(a2, a3)), v128.add<T>(v128.add<T>(a4, a5), v128.add<T>(a6, a7)));
  const t = v128.add<T>(v128.add<T>(s, v128.add<T>(a8, a9)), v128.add<T>(a10, a11));
  return <f64>v128.extract_lane<T>(t, 0);
}
export function probe_f32(iters: i32): f64 { return probe<f32>(iters); }
export function probe_f64(iters: i32): f64 { return probe<f64>(iters); }
`;

/** Compiles the probe; returns the module bytes. */
function compileProbe(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-peak-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), SOURCE);
    const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
    execFileSync(process.execPath, [asc, join(dir, 'probe.ts'), '--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert', '--outFile', join(dir, 'probe.wasm')], { stdio: 'inherit' });
    return new Uint8Array(readFileSync(join(dir, 'probe.wasm')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The probe in a thread that stays: per message, the best of `runs` runs of `iters` iterations, in GFLOP/s
// (an iteration is 12 accumulators × a multiply and an add × the lanes).
const SERVE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const probes = [true, false].map((f32) => new WebAssembly.Instance(new WebAssembly.Module(d.bytes)).exports[f32 ? 'probe_f32' : 'probe_f64']);
parentPort.on('message', ({ f32, iters, runs }) => {
  const probe = probes[f32 ? 0 : 1];
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    probe(iters);
    best = Math.min(best, performance.now() - t0);
  }
  parentPort.postMessage((12 * 2 * (f32 ? 4 : 2) * iters) / (best / 1000) / 1e9);
});`;

/**
 * The two-thread ceiling measured on demand, beside the work it is the ceiling of: on this shared machine
 * the speed of both cores changes from minute to minute (runs of the same step differ by up to 1.7×), so a
 * share of the ceiling is steadiest with the ceiling measured just before each timed step.
 */
export interface CeilingProbe {
  /** GFLOP/s of the probe on two threads at once (their sum), one run of about `ms` milliseconds each. */
  twoThreads(dtype: 'float32' | 'float64', ms?: number): Promise<number>;
  /** GFLOP/s of the best of `runs` runs of `iters` iterations, on one thread or on two at once (the sum of each one's best). */
  best(dtype: 'float32' | 'float64', threads: 1 | 2, iters: number, runs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startCeilingProbe(): Promise<CeilingProbe> {
  const bytes = compileProbe();
  const threads = [0, 1].map(() => {
    const worker = new Worker(SERVE, { eval: true, workerData: { bytes } });
    const t = { worker, pending: undefined as { resolve(v: number): void; reject(e: Error): void } | undefined };
    worker.on('message', (v: number) => t.pending?.resolve(v));
    worker.on('error', (e: Error) => t.pending?.reject(e));
    return t;
  });
  const once = (t: (typeof threads)[number], f32: boolean, iters: number, runs: number) =>
    new Promise<number>((resolve, reject) => {
      t.pending = { resolve, reject };
      t.worker.postMessage({ f32, iters, runs });
    });
  const best = async (dtype: 'float32' | 'float64', count: 1 | 2, iters: number, runs: number) => {
    const each = await Promise.all(threads.slice(0, count).map((t) => once(t, dtype === 'float32', iters, runs)));
    return each.reduce((a, b) => a + b, 0);
  };
  // A first run per thread and dtype compiles the probe's optimized code.
  for (const f32 of [true, false]) await Promise.all(threads.map((w) => once(w, f32, 1_000_000, 1)));
  return {
    best,
    twoThreads(dtype, ms = 10) {
      // About 48 GFLOP/s per thread in float32 here, 24 in float64: iterations for ~ms milliseconds.
      const f32 = dtype === 'float32';
      return best(dtype, 2, Math.round(((ms / 1000) * (f32 ? 48e9 : 24e9)) / (12 * 2 * (f32 ? 4 : 2))), 1);
    },
    async close() {
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}

export interface Peak {
  /** GFLOP/s of one thread, and of two threads at once (their sum), per dtype. */
  float32: { oneThread: number; twoThreads: number };
  float64: { oneThread: number; twoThreads: number };
}

/** Measures the ceiling (a few seconds). */
export async function measurePeak(iters = 50_000_000): Promise<Peak> {
  const probe = await startCeilingProbe();
  try {
    const out = {} as Peak;
    for (const dtype of ['float32', 'float64'] as const) {
      out[dtype] = { oneThread: await probe.best(dtype, 1, iters, 5), twoThreads: await probe.best(dtype, 2, iters, 5) };
    }
    return out;
  } finally {
    await probe.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await measurePeak()));
}

// ---- What a training step must compute: multiply-adds, counted from the layer shapes ----------------

/** Multiply-adds of one image through a layer: forward = dW; dx the same unless it is the first layer. */
interface LayerMacs {
  macs: number;
  first?: boolean;
}

const CONV_NETS: Record<'simple' | 'deep', LayerMacs[]> = {
  // Conv 1→30 5×5 on 28×28 (24×24 outputs), Affine 4320→100, Affine 100→10.
  simple: [{ macs: 576 * 25 * 30, first: true }, { macs: 4320 * 100 }, { macs: 100 * 10 }],
  // The book's DeepConvNet: six 3×3 convolutions (outputs 28², 28², 14², 16² (pad 2), 8², 8²), Affine 1024→50→10.
  deep: [
    { macs: 784 * 9 * 16, first: true },
    { macs: 784 * 144 * 16 },
    { macs: 196 * 144 * 32 },
    { macs: 256 * 288 * 32 },
    { macs: 64 * 288 * 64 },
    { macs: 64 * 576 * 64 },
    { macs: 1024 * 50 },
    { macs: 50 * 10 },
  ],
};

/**
 * Floating-point operations (2 per multiply-add) of one Trainer step of a conv net at batch 100: the
 * forward pass of the gradient, dW of every layer, dx of all but the first, and the forward pass of the
 * loss the book's Trainer computes after the update. Pooling, ReLU and the update are not counted.
 */
export function convStepFlops(net: 'simple' | 'deep', batch = 100): number {
  let macs = 0;
  for (const l of CONV_NETS[net]) macs += 2 * l.macs + l.macs + (l.first ? 0 : l.macs);
  return 2 * macs * batch;
}

/**
 * Floating-point operations of optimizer-compare-mnist's iterations: 4 × MultiLayerNet 784-[100×4]-10,
 * batch 128, each a gradient and a loss after the update. `density` is the fraction of non-zero pixels:
 * ScratchNet's products skip the zeros of the images (x·W1 twice and xᵀ·dout), so its count is smaller
 * than the dense one NumPy computes.
 */
export function optimizerCompareFlops(iters: number, density: number): number {
  const batch = 128;
  // 784→100, then 100→100 three times, then 100→10.
  let macs = 3 * 784 * 100 * density; // x·W1 (gradient), x·W1 (the loss after the update), xᵀ·dout
  for (const m of [100 * 100, 100 * 100, 100 * 100, 100 * 10]) macs += 4 * m; // two forwards, dW, dx
  return 2 * macs * batch * 4 * iters;
}

/** One workload of the ceiling table. */
export interface Workload {
  name: string;
  dtype: 'float32' | 'float64';
  /** Floating-point operations ScratchNet's kernels must do. */
  flops: number;
  scratchNetSeconds: number;
  numpySeconds: number;
  /** The target: a share of the two-thread ceiling, or ScratchNet this many times faster than NumPy. */
  target: { share: number } | { ratio: number };
  /** The same workload's measured seconds in the previous results.md, when it has the row. */
  beforeSeconds?: number;
  /** A run of its own with the two-thread ceiling measured just before each step: medians of the step, that ceiling and the step's share of it. */
  besideCeiling?: { medianSeconds: number; ceiling: number; share: number };
}

/** Seconds from a cell such as "21.8 ms" or "18.22 s"; undefined otherwise. */
function parseSeconds(cell: string): number | undefined {
  const m = /^([\d.]+) (ms|s)$/.exec(cell.trim());
  return m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : undefined;
}

/**
 * The measured seconds of each workload (key `name|dtype`) in a previous results.md's ceiling table —
 * its "ScratchNet (measured)" or "now" column, whichever the table has.
 */
export function previousWorkloadSeconds(markdown: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('## The ceiling'));
  if (start < 0) return out;
  let column = -1;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (column < 0) {
      column = cells.findIndex((c) => c === 'ScratchNet (measured)' || c === 'now (measured)');
      continue;
    }
    const seconds = parseSeconds(cells[column] ?? '');
    if (seconds !== undefined) out.set(`${cells[0]}|${cells[1]}`, seconds);
  }
  return out;
}

/** The ceiling table: each workload's time at the ceiling, its share of it (before → now), and its target. */
export function ceilingLines(peak: Peak, workloads: Workload[]): string[] {
  const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
  const share = (w: Workload, seconds: number) => (100 * (w.flops / seconds / 1e9)) / peak[w.dtype].twoThreads;
  return [
    `The ceiling (bench/peak.ts: independent vector multiplies and adds, no loads, measured in this run): float32 ${peak.float32.oneThread.toFixed(1)} GFLOP/s on one thread, ${peak.float32.twoThreads.toFixed(1)} on two; float64 ${peak.float64.oneThread.toFixed(1)} and ${peak.float64.twoThreads.toFixed(1)}.`,
    'A step cannot take less than its arithmetic at the two-thread ceiling. "Before" is the previous results.md (another run: compare shares, which each run measures against its own ceiling, with care — the machine is noisy).',
    '',
    '"Beside the ceiling" is a run of its own that measures the two-thread ceiling just before each step (~10 ms of probe) and takes the median of each step\'s share of it: the machine\'s speed changes from minute to minute, and this share does not depend on the moment the ceiling above was measured.',
    '',
    '| workload | dtype | GFLOP | time at the ceiling | before (measured, share) | now (measured) | now: GFLOP/s (share of the ceiling) | beside the ceiling: step, ceiling, share | NumPy (measured) | target | met? |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...workloads.map((w) => {
      const ceiling = peak[w.dtype].twoThreads;
      const floor = w.flops / (ceiling * 1e9);
      const rate = w.flops / w.scratchNetSeconds / 1e9;
      const before = w.beforeSeconds === undefined ? '–' : `${ms(w.beforeSeconds)} (${share(w, w.beforeSeconds).toFixed(0)} %)`;
      let target: string;
      let met: string;
      if ('share' in w.target) {
        target = `≥ ${(100 * w.target.share).toFixed(0)} % of the ceiling`;
        met = share(w, w.scratchNetSeconds) >= 100 * w.target.share ? 'yes' : `no (needs ${ms(floor / w.target.share)})`;
      } else {
        const ratio = w.numpySeconds / w.scratchNetSeconds;
        target = `≥ ${w.target.ratio}× NumPy`;
        met = ratio >= w.target.ratio ? `yes (${ratio.toFixed(2)}×)` : `no (${ratio.toFixed(2)}×; needs ${ms(w.numpySeconds / w.target.ratio)}, ${((100 * floor) / (w.numpySeconds / w.target.ratio)).toFixed(0)} % of the ceiling)`;
      }
      const b = w.besideCeiling;
      const beside = b ? `${ms(b.medianSeconds)}, ${b.ceiling.toFixed(1)} GFLOP/s, ${(100 * b.share).toFixed(0)} %` : '–';
      return `| ${w.name} | ${w.dtype} | ${(w.flops / 1e9).toFixed(3)} | ${ms(floor)} | ${before} | ${ms(w.scratchNetSeconds)} | ${rate.toFixed(1)} (${((100 * rate) / ceiling).toFixed(0)} %) | ${beside} | ${ms(w.numpySeconds)} | ${target} | ${met} |`;
    }),
  ];
}
