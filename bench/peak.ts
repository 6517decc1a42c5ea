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

// The timed loop, in the thread it runs in: the best of 5 runs of `iters` iterations, in GFLOP/s
// (an iteration is 12 accumulators × a multiply and an add × the lanes).
const RUN = `
const run = (bytes, f32, iters) => {
  const probe = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports[f32 ? 'probe_f32' : 'probe_f64'];
  probe(1000000);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    probe(iters);
    best = Math.min(best, performance.now() - t0);
  }
  return (12 * 2 * (f32 ? 4 : 2) * iters) / (best / 1000) / 1e9;
};
`;

function inWorker(bytes: Uint8Array, f32: boolean, iters: number): Promise<number> {
  const w = new Worker(`${RUN}\nconst { parentPort, workerData: d } = require('node:worker_threads');\nparentPort.postMessage(run(d.bytes, d.f32, d.iters));`, {
    eval: true,
    workerData: { bytes, f32, iters },
  });
  return new Promise((resolve, reject) => {
    w.once('message', (v: number) => {
      resolve(v);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

export interface Peak {
  /** GFLOP/s of one thread, and of two threads at once (their sum), per dtype. */
  float32: { oneThread: number; twoThreads: number };
  float64: { oneThread: number; twoThreads: number };
}

/** Measures the ceiling (a few seconds). */
export async function measurePeak(iters = 50_000_000): Promise<Peak> {
  const bytes = compileProbe();
  const out = {} as Peak;
  for (const f32 of [true, false]) {
    const one = await inWorker(bytes, f32, iters);
    const [a, b] = await Promise.all([inWorker(bytes, f32, iters), inWorker(bytes, f32, iters)]);
    out[f32 ? 'float32' : 'float64'] = { oneThread: one, twoThreads: a + b };
  }
  return out;
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
  /** The issue's target: ScratchNet this many times faster than NumPy. */
  target: number;
}

/** The ceiling table: each workload's time at the ceiling against the time its target asks for. */
export function ceilingLines(peak: Peak, workloads: Workload[]): string[] {
  const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
  return [
    `The ceiling (bench/peak.ts: independent vector multiplies and adds, no loads): float32 ${peak.float32.oneThread.toFixed(1)} GFLOP/s on one thread, ${peak.float32.twoThreads.toFixed(1)} on two; float64 ${peak.float64.oneThread.toFixed(1)} and ${peak.float64.twoThreads.toFixed(1)}.`,
    'A step cannot take less than its arithmetic at the two-thread ceiling; a target that asks for less cannot be met on this machine, by any kernel.',
    '',
    '| workload | dtype | GFLOP | time at the ceiling | ScratchNet (measured) | ScratchNet’s GFLOP/s (share of the ceiling) | NumPy (measured) | target | time the target asks for | reachable? |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...workloads.map((w) => {
      const ceiling = peak[w.dtype].twoThreads;
      const floor = w.flops / (ceiling * 1e9);
      const asked = w.numpySeconds / w.target;
      const rate = w.flops / w.scratchNetSeconds / 1e9;
      return `| ${w.name} | ${w.dtype} | ${(w.flops / 1e9).toFixed(3)} | ${ms(floor)} | ${ms(w.scratchNetSeconds)} | ${rate.toFixed(1)} (${((100 * rate) / ceiling).toFixed(0)} %) | ${ms(w.numpySeconds)} | ≥ ${w.target}× NumPy | ${ms(asked)} | ${asked < floor ? `no: it would need ${(floor / asked).toFixed(2)}× the ceiling` : `only at ≥ ${((100 * floor) / asked).toFixed(0)} % of the ceiling`} |`;
    }),
  ];
}
