/**
 * Where `scratchnet optimizer-compare-mnist` (the book's ch06/optimizer_compare_mnist.py: four
 * MultiLayerNet(784, [100, 100, 100, 100], 10), SGD, Momentum, AdaGrad and Adam, each trained on the same
 * batches of 128, float64) spends its time, kernel by kernel: every kernel timed (bench/kernel-timer.ts,
 * the products with their shapes), 20 warm-up iterations, then a table per kernel with its share.
 *
 *   node --import tsx bench/ch06/profile.ts [--iters 300] [--threads 2] [--no-timers]
 */
import { parseArgs } from 'node:util';
import { BatchDrawer } from '../../src/cli/ch06/batches.ts';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { MultiLayerNet } from '../../src/nets/multi-layer-net.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { Random } from '../../src/tensor/random.ts';
import { describeGemm, printTable, timeKernels } from '../kernel-timer.ts';

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

let timing = false;
const totals = values['no-timers'] ? new Map() : timeKernels(describeGemm, () => timing);

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
timing = true;
const t0 = performance.now();
for (let i = 0; i < iters; i++) step();
const runMs = performance.now() - t0;
console.log(`optimizer-compare step (4 nets), ${values.threads} thread(s), ${iters} iterations: ${((1000 * runMs) / iters).toFixed(0)} µs per iteration`);
printTable(totals, runMs, iters, 'iter', 'µs');
process.exit(0);
