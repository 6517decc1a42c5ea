/**
 * ConvReluPool against the layers one by one, in one process: two nets of the same weights (one built with
 * `fuseConvReluPool: false`), each with its own Adam (bench/ch07/conv-step.ts), take alternate steps on the
 * same batches (the order swapped every step), so both see the same moments of a noisy machine. Prints the
 * median and the fastest step of each.
 *
 *   node --import tsx bench/ch07/fuse-ab.ts [simple|deep] [float32|float64] [steps, default 20]
 */
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { convStep } from './conv-step.ts';

const net = process.argv[2] === 'simple' ? 'simple' : 'deep';
const dtype = checkDtype('fuse-ab', process.argv[3] ?? 'float64');
const steps = Number(process.argv[4] ?? 20);
selectKernels('wasm', '2');
await new Promise((r) => setTimeout(r, 300)); // let the helper thread start
const { train } = loadMnistSplits();
const runs = [convStep(net, dtype, 1, train, true), convStep(net, dtype, 1, train, false)];
const times: number[][] = [[], []];
for (let s = 0; s < steps + 2; s++) {
  for (const k of s % 2 ? [1, 0] : [0, 1]) {
    const t0 = performance.now();
    runs[k].step();
    if (s >= 2) times[k].push(performance.now() - t0);
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`${net} ${dtype}: fused ${med(times[0]).toFixed(1)} ms, layers one by one ${med(times[1]).toFixed(1)} ms (fastest ${Math.min(...times[0]).toFixed(1)} / ${Math.min(...times[1]).toFixed(1)})`);
process.exit(0);
