/**
 * ScratchNet's optimizer-compare-mnist training loop alone, timed in a process of its own (bench/ch06/run.ts
 * runs it once per round): the command's own loop (compareOnSameBatches) over its four networks —
 * MultiLayerNet(784, [100]*4, 10) with SGD, Momentum, AdaGrad and Adam, batches of 128 — printing nothing.
 * A fresh process per round: in one long-lived process the rounds' networks piled up on the kernels' heap
 * and the helper thread of the first round was stopped for good, so later rounds ran slower (14.9, 18.9
 * and 27.8 s for the same loop in one run).
 *
 *   node --import tsx bench/ch06/loop.ts --seed 1 --iters 2000 --threads 2     (prints one JSON line)
 */
import { parseArgs } from 'node:util';
import { bootComparison, compareOnSameBatches } from '../../src/cli/ch06/compare-loop.ts';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { MultiLayerNet } from '../../src/nets/multi-layer-net.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { Random } from '../../src/tensor/random.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, iters: { type: 'string', default: '2000' }, threads: { type: 'string', default: '2' } } });
selectKernels('wasm', values.threads);
await new Promise((r) => setTimeout(r, 300)); // let the helper thread start
// As the command: the second thread loads while the images are read.
const boot = bootComparison({ threads: Number(values.threads) }, 4);
const { train } = loadMnistSplits();
const rng = new Random(Number(values.seed));
const contestants = ['sgd', 'momentum', 'adagrad', 'adam'].map((name) => ({
  name,
  network: new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100, 100, 100], outputSize: 10, rng }),
  optimizer: createOptimizer(name),
}));
// The command's context, silent: no lines, no progress bar, never asked to stop.
const quiet = { rng, threads: Number(values.threads), print: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }), stopRequested: () => false };
const t0 = performance.now();
await compareOnSameBatches(quiet, train, contestants, { iters: Number(values.iters), batchSize: 128, boot });
console.log(JSON.stringify({ trainSeconds: (performance.now() - t0) / 1000 }));
process.exit(0);
