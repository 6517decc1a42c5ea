/**
 * Where a conv net's training step spends its time, kernel by kernel: wraps every entry of the active
 * `kernels` with a timer (and the products with their shapes), runs warm-up steps, then --steps timed
 * steps of the bench's Trainer step (scratchnet_step.ts), and prints a table per kernel and per product
 * shape with the share of the step and the GFLOP/s of each product.
 *
 *   node --import tsx bench/ch07/profile.ts [--net simple|deep] [--dtype float32|float64] [--steps 5] [--threads 2]
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { kernels, type Kernels } from '../../src/kernels/index.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { convStep } from './conv-step.ts';

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'deep' },
    dtype: { type: 'string', default: 'float32' },
    steps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
  },
});
const dtype = checkDtype('profile', values.dtype);
const steps = Number(values.steps);
selectKernels('wasm', values.threads);
await new Promise((r) => setTimeout(r, 300));

const { train } = loadMnistSplits();
const netName = values.net === 'simple' ? 'simple' : 'deep';
const { step } = convStep(netName, dtype, 1, train);

let timing = false;
const total = new Map<string, { ms: number; calls: number; macs: number }>();
const add = (key: string, ms: number, macs: number) => {
  const e = total.get(key) ?? { ms: 0, calls: 0, macs: 0 };
  e.ms += ms;
  e.calls++;
  e.macs += macs;
  total.set(key, e);
};
const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of Object.keys(kernels) as (keyof Kernels)[]) {
  const f = table[name];
  if (typeof f !== 'function') continue;
  table[name] = (...args: unknown[]) => {
    if (!timing) return f(...args);
    const t0 = performance.now();
    const r = f(...args);
    const ms = performance.now() - t0;
    if (name === 'gemm') {
      const [ta, tb, m, n, k] = args as [boolean, boolean, number, number, number];
      add(`gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k}`, ms, m * n * k);
    } else if (name === 'convForward') {
      const [, n, c, h, w, , fn, fh, fw, , pad] = args as number[];
      const oh = h + 2 * pad - fh + 1, ow = w + 2 * pad - fw + 1;
      add(`convForward ${c}→${fn} ${h}×${w} ${fh}×${fw}`, ms, n * oh * ow * c * fh * fw * fn);
    } else if (name === 'convBackwardFilter') {
      const [, n, c, h, w, , fn, fh, fw, , pad] = args as number[];
      const oh = h + 2 * pad - fh + 1, ow = w + 2 * pad - fw + 1;
      add(`convBackwardFilter ${c}→${fn} ${h}×${w} ${fh}×${fw}`, ms, n * oh * ow * c * fh * fw * fn);
    } else if (name === 'convBackwardData') {
      const [, n, fn, , c, h, w, fh, fw] = args as number[];
      add(`convBackwardData ${c}→${fn} ${h}×${w} ${fh}×${fw}`, ms, n * h * w * c * fh * fw * fn);
    } else add(name, ms, 0);
    return r;
  };
}

for (let i = 0; i < 3; i++) step();
timing = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const stepMs = (performance.now() - t0) / steps;
timing = false;
const rows = [...total.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`${netName} ${dtype}, ${values.threads} thread(s): ${stepMs.toFixed(1)} ms per step`);
console.log('| kernel | calls/step | ms/step | share | GFLOP/s |');
console.log('|---|---|---|---|---|');
let sum = 0;
for (const [key, e] of rows) {
  sum += e.ms;
  const gf = e.macs ? ((2 * e.macs) / (e.ms / 1000) / 1e9).toFixed(1) : '';
  console.log(`| ${key} | ${(e.calls / steps).toFixed(0)} | ${(e.ms / steps).toFixed(2)} | ${((100 * e.ms) / steps / stepMs).toFixed(1)} % | ${gf} |`);
}
console.log(`| (outside kernels) | | ${(stepMs - sum / steps).toFixed(2)} | ${((100 * (stepMs - sum / steps)) / stepMs).toFixed(1)} % | |`);
process.exit(0);
