/**
 * `npm run bench:accuracy`: the final test accuracy of the book's full run (10 000 iterations, batch
 * 100, lr 0.1) over seeds 1…N, in ScratchNet (float32, as the benchmark) and in NumPy (the book's code).
 * One run's accuracy depends on its seed (the initial weights and the batches); this shows by how much,
 * for both. Then, for the first seeds, ScratchNet replays NumPy's own random numbers (initial weights and
 * batches, bench/numpy_random.py): the same run, so it should end where NumPy's did.
 * Prints the tables and writes bench/accuracy.md.
 *
 *   npm run bench:accuracy -- [--seeds N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SGD, TwoLayerNet, evaluateAccuracy, loadMnistSplits, type DType } from '../src/node.ts';
import { bufferTensor } from '../src/internal/buffers.ts';
import { createNodeHelper } from '../src/kernels/wasm/node-helper.ts';
import { useWasmKernels } from '../src/kernels/wasm/index.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { benchArgs } from './args.ts';
import { median, numpy, root, scratchNet } from './systems.ts';

const values = benchArgs(
  `npm run bench:accuracy -- [--seeds N]

The book's chapter-5 run's final test accuracy over seeds 1..N (default 10) in ScratchNet and NumPy, then
ScratchNet replaying NumPy's own random numbers. Writes bench/accuracy.md.`,
  { seeds: { type: 'string', default: '10' } },
  { seeds: 1 },
);
const seeds = Number(values.seeds);

console.log('building dist/ …');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
const systems = [scratchNet, numpy];
const acc = new Map<string, number[]>(systems.map((s) => [s.name, []]));
for (let seed = 1; seed <= seeds; seed++) {
  for (const system of systems) {
    const r = await system.run(seed, 10000);
    acc.get(system.name)!.push(r.testAcc);
    console.log(`seed ${seed}/${seeds}  ${system.name.padEnd(24)} test acc ${r.testAcc.toFixed(4)}  (${r.seconds.toFixed(1)} s)`);
  }
}
const summary = systems.map((s) => {
  const a = acc.get(s.name)!;
  const mean = a.reduce((x, y) => x + y, 0) / a.length;
  const atLeast = a.filter((v) => v >= 0.97).length;
  return `| ${s.name} | ${s.dtype} | ${mean.toFixed(4)} | ${median(a).toFixed(4)} | ${Math.min(...a).toFixed(4)} | ${Math.max(...a).toFixed(4)} | ${atLeast} of ${a.length} |`;
});
// Replays: NumPy's random numbers, ScratchNet's training step (the loop of train(), the evaluation at
// every 600th iteration as the book's).
useWasmKernels({ helper: createNodeHelper });
const data = loadMnistSplits();
function replay(dir: string, dtype: DType): number {
  const read = (name: string) => new Uint8Array(readFileSync(join(dir, name))).buffer;
  const masks = new Uint32Array(read('masks.u32'));
  const net = new TwoLayerNet(784, 50, 10, 0, { seed: 0, dtype });
  net.setParams({ W1: new Float64Array(read('W1.f64')), W2: new Float64Array(read('W2.f64')) });
  const optimizer = new SGD(0.1);
  const x = bufferTensor([100, 784], dtype);
  const t = new Uint8Array(100);
  let testAcc = 0;
  for (let i = 0; i < masks.length / 100; i++) {
    const mask = masks.subarray(i * 100, (i + 1) * 100);
    data.train.gatherImages(mask, x.data);
    data.train.gatherLabels(mask, t);
    optimizer.update(net.params, net.gradient(x, t));
    net.loss(x, t);
    if (i % 600 === 0) testAcc = evaluateAccuracy(net, data.test);
  }
  return testAcc;
}
const replays = Math.min(seeds, 5);
const replayRows: string[] = [];
for (let seed = 1; seed <= replays; seed++) {
  const dir = mkdtempSync(join(tmpdir(), 'scratchnet-replay-'));
  try {
    execFileSync('python3', [join(root, 'bench/numpy_random.py'), String(seed), dir]);
    const [r64, r32] = [replay(dir, 'float64'), replay(dir, 'float32')];
    const own = acc.get(numpy.name)![seed - 1];
    replayRows.push(`| ${seed} | ${own.toFixed(4)} | ${r64.toFixed(4)} | ${r32.toFixed(4)} |`);
    console.log(`replay of NumPy's seed ${seed}: NumPy ${own.toFixed(4)}, ScratchNet float64 ${r64.toFixed(4)}, float32 ${r32.toFixed(4)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const perSeed = Array.from({ length: seeds }, (_, i) => `| ${i + 1} | ${systems.map((s) => acc.get(s.name)![i].toFixed(4)).join(' | ')} |`);
const md = [
  '# Final test accuracy over seeds',
  '',
  `Written by \`npm run bench:accuracy -- --seeds ${seeds}\` on ${new Date().toISOString()}: the book's full run (10000 iterations,`,
  'batch 100, lr 0.1, TwoLayerNet(784, 50, 10)), test accuracy at the last evaluation (iteration 9600), seeds 1…' + seeds + '.',
  'The two programs draw different random numbers from the same seed, so a seed is not the same run in both.',
  '',
  '| system | dtype | mean | median | min | max | runs ≥ 0.97 |',
  '|---|---|---|---|---|---|---|',
  ...summary,
  '',
  `| seed | ${systems.map((s) => s.name).join(' | ')} |`,
  `|---|${systems.map(() => '---').join('|')}|`,
  ...perSeed,
  '',
  '## The same random numbers',
  '',
  "ScratchNet replaying NumPy's random numbers for a seed (its initial W1, W2 and its 10000 batches, written by",
  '`bench/numpy_random.py`): the same run in both programs, so the final test accuracies should agree.',
  '',
  '| NumPy seed | NumPy, the book’s code | ScratchNet float64 | ScratchNet float32 |',
  '|---|---|---|---|',
  ...replayRows,
  '',
].join('\n');
writeFileAtomic(join(root, 'bench/accuracy.md'), md);
console.log(`\n${md}`);
