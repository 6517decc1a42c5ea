/**
 * `npm run bench:accuracy`: the final test accuracy of the book's full run (10 000 iterations, batch
 * 100, lr 0.1) over seeds 1…N, in ScratchNet (float32, as the benchmark) and in NumPy (the book's code).
 * One run's accuracy depends on its seed (the initial weights and the batches); this shows by how much,
 * for both. Prints a table and writes bench/accuracy.md.
 *
 *   npm run bench:accuracy -- [--seeds N]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { median, numpy, root, scratchNet } from './systems.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '10' } } });
const seeds = Number(values.seeds);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be an integer >= 1, got ${values.seeds}`);

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
].join('\n');
writeFileAtomic(join(root, 'bench/accuracy.md'), md);
console.log(`\n${md}`);
