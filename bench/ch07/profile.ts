/**
 * Where a conv net's training step spends its time, kernel by kernel: every kernel timed
 * (bench/kernel-timer.ts, the products and convolutions with their shapes), warm-up steps, then --steps timed
 * steps of the bench's Trainer step (scratchnet_step.ts), and prints a table per kernel and per product
 * shape with the share of the step and the GFLOP/s of each product.
 *
 *   node --import tsx bench/ch07/profile.ts [--net simple|deep] [--dtype float32|float64] [--steps 5] [--threads 2]
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { describeGemm, printTable, timeKernels, type Describe } from '../kernel-timer.ts';
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
/** The products with their shapes and multiply-adds: gemm, and the convolution kernels. */
const describe: Describe = (name, args) => {
  if (name === 'convForward' || name === 'convBackwardFilter' || name === 'convReluPoolForward') {
    const [, n, c, h, w, , fn, fh, fw, , pad] = args as number[];
    const oh = h + 2 * pad - fh + 1, ow = w + 2 * pad - fw + 1;
    return { key: `${name} ${c}→${fn} ${h}×${w} ${fh}×${fw}`, macs: n * oh * ow * c * fh * fw * fn };
  }
  if (name === 'convPoolBackwardParams') {
    // Counted as convBackwardFilter's dense work (the kernel reads only the pooled gradient's non-zeros).
    const [, n, c, h, w, , , fn, fh, fw, , pad] = args as number[];
    const oh = h + 2 * pad - fh + 1, ow = w + 2 * pad - fw + 1;
    return { key: `${name} ${c}→${fn} ${h}×${w} ${fh}×${fw}`, macs: n * oh * ow * c * fh * fw * fn };
  }
  if (name === 'convPoolBackwardData') {
    // Counted as convBackwardData's dense work (the kernel reads only the pooled gradient's non-zeros).
    const [, , n, fn, , c, h, w, fh, fw] = args as number[];
    return { key: `${name} ${c}→${fn} ${h}×${w} ${fh}×${fw}`, macs: n * h * w * c * fh * fw * fn };
  }
  if (name === 'convBackwardData') {
    const [, n, fn, , c, h, w, fh, fw] = args as number[];
    return { key: `convBackwardData ${c}→${fn} ${h}×${w} ${fh}×${fw}`, macs: n * h * w * c * fh * fw * fn };
  }
  return describeGemm(name, args);
};
const totals = timeKernels(describe, () => timing);

for (let i = 0; i < 3; i++) step();
timing = true;
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const stepMs = (performance.now() - t0) / steps;
timing = false;
console.log(`${netName} ${dtype}, ${values.threads} thread(s): ${stepMs.toFixed(1)} ms per step`);
printTable(totals, stepMs * steps, steps, 'step', 'ms');
process.exit(0);
