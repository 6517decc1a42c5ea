/**
 * Where the chapter-5 run (`scratchnet train`: TwoLayerNet 784→50→10, SGD, batch 100) spends its time,
 * kernel by kernel: wraps every entry of the active `kernels` with a timer (the products with their
 * shapes), then trains --iters iterations through `train` (evaluations every epoch on the other thread,
 * as the CLI) and prints a table per kernel with its share of the run.
 *
 *   node --import tsx bench/ch05/profile.ts [--dtype float64|float32] [--iters 3000] [--threads 2] [--no-eval]
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { kernels, type Kernels } from '../../src/kernels/index.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { BOOK_CONFIG, train } from '../../src/train/train.ts';

const { values } = parseArgs({
  options: {
    dtype: { type: 'string', default: 'float64' },
    iters: { type: 'string', default: '3000' },
    threads: { type: 'string', default: '2' },
    'no-eval': { type: 'boolean', default: false },
    'no-timers': { type: 'boolean', default: false },
  },
});
const dtype = checkDtype('profile', values.dtype);
const iters = Number(values.iters);
selectKernels('wasm', values.threads);
await new Promise((r) => setTimeout(r, 300));
const data = loadMnistSplits();

const total = new Map<string, { ms: number; calls: number; macs: number }>();
const add = (key: string, ms: number, macs: number) => {
  const e = total.get(key) ?? { ms: 0, calls: 0, macs: 0 };
  e.ms += ms;
  e.calls++;
  e.macs += macs;
  total.set(key, e);
};
const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
if (!values['no-timers'])
  for (const name of Object.keys(kernels) as (keyof Kernels)[]) {
    const f = table[name];
    if (typeof f !== 'function') continue;
    table[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = f(...args);
      const ms = performance.now() - t0;
      if (name === 'gemm') {
        const [ta, tb, m, n, k] = args as [boolean, boolean, number, number, number];
        add(`gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k}`, ms, m * n * k);
      } else add(name, ms, 0);
      return r;
    };
  }

const config = { ...BOOK_CONFIG, iters, seed: 42, dtype, ...(values['no-eval'] ? { evalEvery: 1e9 } : {}) };
const t0 = performance.now();
await train(data, config);
const runMs = performance.now() - t0;
const rows = [...total.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`TwoLayerNet ${dtype}, ${values.threads} thread(s), ${iters} iterations: ${runMs.toFixed(0)} ms, ${((1000 * runMs) / iters).toFixed(0)} µs per iteration`);
console.log('| kernel | calls/iter | µs/iter | share | GFLOP/s (dense count) |');
console.log('|---|---|---|---|---|');
let sum = 0;
for (const [key, e] of rows) {
  sum += e.ms;
  const gf = e.macs ? ((2 * e.macs) / (e.ms / 1000) / 1e9).toFixed(1) : '';
  console.log(`| ${key} | ${(e.calls / iters).toFixed(2)} | ${((1000 * e.ms) / iters).toFixed(1)} | ${((100 * e.ms) / runMs).toFixed(1)} % | ${gf} |`);
}
console.log(`| (outside kernels) | | ${((1000 * (runMs - sum)) / iters).toFixed(1)} | ${((100 * (runMs - sum)) / runMs).toFixed(1)} % | |`);
process.exit(0);
