/**
 * ConvReluPool against the layers one by one, in one process: two nets of the same weights (one built with
 * `fuseConvReluPool: false`), each with its own Adam, take alternate steps on the same batches (the order
 * swapped every step), so both see the same moments of a noisy machine. Prints the median and the fastest
 * step of each.
 *
 *   node --import tsx bench/ch07/fuse-ab.ts [simple|deep] [float32|float64] [steps, default 20]
 */
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { bufferTensor } from '../../src/internal/buffers.ts';
import { kernels } from '../../src/kernels/index.ts';
import { DeepConvNet } from '../../src/nets/deep-conv-net.ts';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.ts';
import { Adam } from '../../src/optimizers/adam.ts';
import { Random } from '../../src/tensor/random.ts';
const net = process.argv[2] ?? 'deep';
const dtype = (process.argv[3] ?? 'float64') as 'float32' | 'float64';
const steps = Number(process.argv[4] ?? 20);
selectKernels('wasm', '2');
await new Promise((r) => setTimeout(r, 300));
const { train } = loadMnistSplits();
const make = (fuse: boolean) => (net === 'deep' ? new DeepConvNet({ dtype, seed: 1, fuseConvReluPool: fuse }) : new SimpleConvNet({ dtype, seed: 1, fuseConvReluPool: fuse }));
const nets = [make(true), make(false)];
const opts = [new Adam(0.001), new Adam(0.001)];
const rng = new Random(5);
const mask = new Uint32Array(100);
const x = bufferTensor([100, 1, 28, 28], dtype);
const t = new Float64Array(100);
const times: number[][] = [[], []];
for (let s = 0; s < steps + 2; s++) {
  rng.choice(train.count, 100, mask);
  for (const k of s % 2 ? [1, 0] : [0, 1]) {
    const t0 = performance.now();
    train.gatherImages(mask, x.data);
    train.gatherLabels(mask, t);
    kernels.keepRows(x.data, 100, 784);
    const g = nets[k].gradient(x, t);
    opts[k].update(nets[k].params, g);
    nets[k].loss(x, t, true);
    if (s >= 2) times[k].push(performance.now() - t0);
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`${net} ${dtype}: fused ${med(times[0]).toFixed(1)} ms, layers one by one ${med(times[1]).toFixed(1)} ms (min ${Math.min(...times[0]).toFixed(1)} / ${Math.min(...times[1]).toFixed(1)})`);
process.exit(0);
