/**
 * ScratchNet's SimpleConvNet / DeepConvNet training step, timed as bench/ch07/numpy_convnet.py and
 * bench/ch07/tfjs_convnet.ts time theirs: a batch of 100 drawn with replacement, `net.gradient(x, t)`,
 * `new Adam(0.001).update(net.params, grads)`, the loss after the update (in training mode, as the book's
 * `loss` runs Dropout), 2 warm-up steps first; then one epoch's evaluation as the book's Trainer does it
 * (1000 training + 1000 test images, batches of 100).
 *
 *   node --import tsx bench/ch07/scratchnet_step.ts [--net simple|deep] [--dtype float32|float64]
 *        [--steps 10] [--seed 1] [--kernels wasm|ts] [--threads 1|2] [--beside-ceiling]
 *
 * Prints one JSON line (the same fields as the NumPy and TF.js scripts). With --beside-ceiling, the
 * two-thread ceiling (bench/peak.ts) is measured just before each timed step (~10 ms of probe, not timed),
 * and the line adds each step's share of it: the machine's speed changes from minute to minute, and a
 * step and the ceiling measured minutes apart can differ by that alone.
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';
import { networkAccuracy } from '../../src/train/evaluate.ts';
import { convStepFlops, startCeilingProbe } from '../peak.ts';
import { median } from '../systems.ts';
import { CONV_STEP_BATCH, convStep } from './conv-step.ts';

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'simple' },
    dtype: { type: 'string', default: 'float32' },
    steps: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    kernels: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '2' },
    'eval-samples': { type: 'string', default: '1000' },
    'beside-ceiling': { type: 'boolean', default: false },
  },
});
const netName = values.net;
if (netName !== 'simple' && netName !== 'deep') throw new Error(`--net must be simple or deep, got ${netName}`);
const dtype = checkDtype('scratchnet_step', values.dtype);
const steps = Number(values.steps);
const seed = Number(values.seed);
const evalSamples = Number(values['eval-samples']);
const choice = selectKernels(values.kernels, values.threads);
await new Promise((r) => setTimeout(r, 300)); // let the helper thread start

const t0Load = performance.now();
const { train, test } = loadMnistSplits();
const loadSeconds = (performance.now() - t0Load) / 1000;
const { net, step } = convStep(netName, dtype, seed, train);
const batch = CONV_STEP_BATCH;

const probe = values['beside-ceiling'] ? await startCeilingProbe() : undefined;
for (let i = 0; i < 2; i++) step();
const times: number[] = [];
const cpu: number[] = [];
const ceilings: number[] = [];
let loss = NaN;
for (let i = 0; i < steps; i++) {
  if (probe) ceilings.push(await probe.twoThreads(dtype));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  loss = step();
  times.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e6);
}
await probe?.close();
const t0 = performance.now();
const trainAcc = networkAccuracy(net, train, { limit: evalSamples, batchSize: 100 });
const testAcc = networkAccuracy(net, test, { limit: evalSamples, batchSize: 100 });
const evalSeconds = (performance.now() - t0) / 1000;
const medianStep = median(times);
// Each step's GFLOP/s over the ceiling measured just before it.
const besideCeiling = probe
  ? { medianCeilingBeside: median(ceilings), medianShareBeside: median(times.map((t, i) => convStepFlops(netName, batch) / t / 1e9 / ceilings[i])) }
  : {};
const extrapolatedFullRunSeconds = 12000 * medianStep + 20 * evalSeconds + (10000 / (2 * evalSamples)) * evalSeconds + loadSeconds;
console.log(
  JSON.stringify({
    system: 'scratchnet',
    kernels: choice.kernels,
    threads: choice.threads,
    net: netName,
    dtype,
    batch,
    mode: 'steps',
    steps,
    secondsPerStep: times,
    minSeconds: Math.min(...times),
    medianSeconds: medianStep,
    medianCpuSeconds: [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)],
    evalSeconds2x1000: evalSeconds,
    loadSeconds,
    extrapolatedFullRunSeconds,
    lastLoss: loss,
    trainAcc,
    testAcc,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    ...besideCeiling,
  }),
);
process.exit(0);
