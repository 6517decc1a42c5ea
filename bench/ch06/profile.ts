/**
 * Where `scratchnet optimizer-compare-mnist` (the book's ch06/optimizer_compare_mnist.py: four
 * MultiLayerNet(784, [100, 100, 100, 100], 10), SGD, Momentum, AdaGrad and Adam, each trained on the same
 * batches of 128, float64) spends its time, kernel by kernel: wraps every entry of the active `kernels`
 * with a timer (the products with their shapes) and prints a table per kernel with its share.
 *
 *   node --import tsx bench/ch06/profile.ts [--iters 300] [--threads 2] [--no-timers]
 */
import { parseArgs } from 'node:util';
import { BatchDrawer } from '../../src/cli/ch06/batches.ts';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { kernels, type Kernels } from '../../src/kernels/index.ts';
import { MultiLayerNet } from '../../src/nets/multi-layer-net.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { Random } from '../../src/tensor/random.ts';

const { values } = parseArgs({
  options: {
    iters: { type: 'string', default: '300' },
    threads: { type: 'string', default: '2' },
    'no-timers': { type: 'boolean', default: false },
  },
});
const iters = Number(values.iters);
selectKernels('wasm', values.threads);
await new Promise((r) => setTimeout(r, 300));
const { train } = loadMnistSplits();

const total = new Map<string, { ms: number; calls: number; macs: number }>();
const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
if (!values['no-timers'])
  for (const name of Object.keys(kernels) as (keyof Kernels)[]) {
    const f = table[name];
    if (typeof f !== 'function') continue;
    table[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = f(...args);
      const ms = performance.now() - t0;
      let key: string = name;
      let macs = 0;
      if (name === 'gemm') {
        const [ta, tb, m, n, k] = args as [boolean, boolean, number, number, number];
        key = `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k}`;
        macs = m * n * k;
      }
      const e = total.get(key) ?? { ms: 0, calls: 0, macs: 0 };
      e.ms += ms;
      e.calls++;
      e.macs += macs;
      total.set(key, e);
      return r;
    };
  }

const rng = new Random(1);
const contestants = ['SGD', 'Momentum', 'AdaGrad', 'Adam'].map((name) => ({
  network: new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100, 100, 100], outputSize: 10, rng }),
  optimizer: createOptimizer(name),
}));
const batches = new BatchDrawer(train, 128, rng, 'float64');
const step = () => {
  batches.draw();
  for (const c of contestants) {
    const grads = c.network.gradient(batches.x, batches.t);
    c.optimizer.update(c.network.params, grads);
    c.network.loss(batches.x, batches.t);
  }
};
for (let i = 0; i < 20; i++) step();
total.clear();
const t0 = performance.now();
for (let i = 0; i < iters; i++) step();
const runMs = performance.now() - t0;
const rows = [...total.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`optimizer-compare step (4 nets), ${values.threads} thread(s), ${iters} iterations: ${((1000 * runMs) / iters).toFixed(0)} µs per iteration`);
console.log('| kernel | calls/iter | µs/iter | share | GFLOP/s (dense count) |');
console.log('|---|---|---|---|---|');
let sum = 0;
for (const [key, e] of rows) {
  sum += e.ms;
  const gf = e.macs ? ((2 * e.macs) / (e.ms / 1000) / 1e9).toFixed(1) : '';
  console.log(`| ${key} | ${(e.calls / iters).toFixed(2)} | ${((1000 * e.ms) / iters).toFixed(1)} | ${((100 * e.ms) / runMs).toFixed(1)} % | ${gf} |`);
}
if (!values['no-timers']) console.log(`| (outside kernels) | | ${((1000 * (runMs - sum)) / iters).toFixed(1)} | ${((100 * (runMs - sum)) / runMs).toFixed(1)} % | |`);
process.exit(0);
