/**
 * Where the chapter-5 run (`scratchnet train`: TwoLayerNet 784→50→10, SGD, batch 100) spends its time,
 * kernel by kernel: every kernel timed (bench/kernel-timer.ts, the products with their shapes), then
 * --iters iterations through `train` (evaluations every epoch on the other thread, as the CLI; with
 * --no-eval only the first), and a table per kernel with its share of the run. --no-timers times the run
 * alone (the timers cost a little).
 *
 *   node --import tsx bench/ch05/profile.ts [--dtype float64|float32] [--iters 3000] [--threads 2] [--no-eval] [--no-timers]
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { BOOK_CONFIG, train } from '../../src/train/train.ts';
import { printTable, timeKernels } from '../kernel-timer.ts';

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
const totals = values['no-timers'] ? new Map() : timeKernels();

const config = { ...BOOK_CONFIG, iters, seed: 42, dtype, ...(values['no-eval'] ? { evalEvery: 1e9 } : {}) };
const t0 = performance.now();
await train(data, config);
const runMs = performance.now() - t0;
console.log(`TwoLayerNet ${dtype}, ${values.threads} thread(s), ${iters} iterations: ${runMs.toFixed(0)} ms, ${((1000 * runMs) / iters).toFixed(0)} µs per iteration`);
printTable(totals, runMs, iters, 'iter', 'µs');
process.exit(0);
