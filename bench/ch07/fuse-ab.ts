/**
 * ConvReluPool against the layers one by one, in one process: two nets of the same weights (one built with
 * `fuseConvReluPool: false`), each with its own Adam (bench/ch07/conv-step.ts), take alternate steps on the
 * same batches (the order swapped every step), so both see the same moments of a noisy machine. Prints the
 * median and the fastest step of each.
 *
 * With `backward`, both nets run ConvReluPool, and the second one's backward pass is the layers' own in
 * turn (Pooling.backward, then Convolution.backward or backwardParams) instead of convPoolBackwardParams:
 * what the pooled-gradient kernel saves.
 *
 *   node --import tsx bench/ch07/fuse-ab.ts [simple|deep] [float32|float64] [steps, default 20] [backward]
 */
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { ConvReluPool } from '../../src/layers/conv-relu-pool.ts';
import { checkDtype, type Tensor } from '../../src/tensor/tensor.ts';
import { convStep } from './conv-step.ts';

const net = process.argv[2] === 'simple' ? 'simple' : 'deep';
const dtype = checkDtype('fuse-ab', process.argv[3] ?? 'float64');
const steps = Number(process.argv[4] ?? 20);
selectKernels('wasm', '2');
await new Promise((r) => setTimeout(r, 300)); // let the helper thread start
const { train } = loadMnistSplits();
const backwardOnly = process.argv[5] === 'backward';
const runs = [convStep(net, dtype, 1, train, true), convStep(net, dtype, 1, train, backwardOnly)];
if (backwardOnly) {
  for (const step of (runs[1].net as unknown as { steps: readonly unknown[] }).steps) {
    if (!(step instanceof ConvReluPool)) continue;
    const { conv, relu, pool } = step;
    step.backward = (dout: Tensor) => conv.backward(pool.backward(relu.backward(dout)));
    step.backwardParams = (dout: Tensor) => void conv.backwardParams(pool.backward(relu.backward(dout)));
  }
}
const times: number[][] = [[], []];
for (let s = 0; s < steps + 2; s++) {
  for (const k of s % 2 ? [1, 0] : [0, 1]) {
    const t0 = performance.now();
    runs[k].step();
    if (s >= 2) times[k].push(performance.now() - t0);
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const second = backwardOnly ? 'backward by the layers in turn' : 'layers one by one';
console.log(`${net} ${dtype}: fused ${med(times[0]).toFixed(1)} ms, ${second} ${med(times[1]).toFixed(1)} ms (fastest ${Math.min(...times[0]).toFixed(1)} / ${Math.min(...times[1]).toFixed(1)})`);
process.exit(0);
