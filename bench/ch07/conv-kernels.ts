/**
 * Steps per second of SimpleConvNet / DeepConvNet training (batch 100, Adam, the loss after the update as
 * the Trainer records it), timed in-process, and with --profile the time spent in each kernel (by name and
 * product shape) over the timed steps.
 *
 *   node --import tsx bench/ch07/conv-kernels.ts [--net simple|deep] [--dtype float32|float64]
 *        [--threads 1|2] [--kernels wasm|ts] [--steps 20] [--profile] [--reference-conv]
 *
 * --reference-conv keeps the TypeScript conv/pooling kernels (im2col, col2im, pooling, convolution
 * entries) while the rest run on WASM: the "before" of the chapter-7 kernels in the same process kind.
 * Prints one JSON line (median seconds per step, steps/s, peak RSS) and, with --profile, a table.
 */
import { parseArgs } from 'node:util';
import { selectKernels } from '../../src/cli/options.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { bufferTensor } from '../../src/internal/buffers.ts';
import { kernels, referenceKernels, type Kernels } from '../../src/kernels/index.ts';
import { DeepConvNet } from '../../src/nets/deep-conv-net.ts';
import { SimpleConvNet } from '../../src/nets/simple-conv-net.ts';
import { Adam } from '../../src/optimizers/adam.ts';
import { Random } from '../../src/tensor/random.ts';
import { checkDtype } from '../../src/tensor/tensor.ts';

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'simple' },
    dtype: { type: 'string', default: 'float32' },
    steps: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    kernels: { type: 'string', default: 'wasm' },
    threads: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    'reference-conv': { type: 'boolean', default: false },
  },
});
const netName = values.net;
if (netName !== 'simple' && netName !== 'deep') throw new Error(`--net must be simple or deep, got ${netName}`);
const dtype = checkDtype('conv-kernels', values.dtype);
const steps = Number(values.steps);
const seed = Number(values.seed);
const choice = selectKernels(values.kernels, values.threads);
await new Promise((r) => setTimeout(r, 300)); // let the helper thread start

const CONV_KERNELS = ['im2col', 'col2im', 'maxPoolForward', 'maxPoolBackward', 'addChannelBias', 'sumChannels', 'convForward', 'convBackwardFilter', 'convBackwardData'] as const;
if (values['reference-conv']) {
  const k = kernels as Record<string, unknown>;
  const r = referenceKernels as Record<string, unknown>;
  for (const name of CONV_KERNELS) if (name in r) k[name] = r[name];
  // The layer's forward before kernels.convForward: per image im2col, the active gemm; then the bias.
  const gemm = kernels.gemm;
  kernels.convForward = (xs, n, c, h, w, W, fn, fh, fw, stride, pad, b, col, out) => {
    const spatial = (Math.floor((h + 2 * pad - fh) / stride) + 1) * (Math.floor((w + 2 * pad - fw) / stride) + 1);
    const kk = c * fh * fw;
    const img = c * h * w;
    for (let i = 0; i < n; i++) {
      referenceKernels.im2col(xs.subarray(i * img, (i + 1) * img), 1, c, h, w, fh, fw, stride, pad, col);
      gemm(false, true, fn, spatial, kk, W, col, out.subarray(i * fn * spatial, (i + 1) * fn * spatial));
    }
    referenceKernels.addChannelBias(out, n, fn, spatial, b, out);
  };
}

// Profiling: every kernel wrapped, time summed by name (and, for gemm, by shape).
const spent = new Map<string, { ms: number; calls: number }>();
let profiling = false;
if (values.profile) {
  const k = kernels as Record<string, unknown>;
  for (const name of Object.keys(k)) {
    const f = k[name];
    if (typeof f !== 'function') continue;
    k[name] = (...args: unknown[]) => {
      if (!profiling) return (f as (...a: unknown[]) => unknown)(...args);
      const t0 = performance.now();
      const r = (f as (...a: unknown[]) => unknown)(...args);
      const dt = performance.now() - t0;
      const key = name === 'gemm' ? `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ${args[2]}×${args[3]}×${args[4]}${args[8] ? ' acc' : ''}` : name;
      const e = spent.get(key) ?? { ms: 0, calls: 0 };
      e.ms += dt;
      e.calls++;
      spent.set(key, e);
      return r;
    };
  }
}

const { train } = loadMnistSplits();
const net = netName === 'simple' ? new SimpleConvNet({ dtype, seed }) : new DeepConvNet({ dtype, seed });
const opt = new Adam(0.001);
const rng = new Random(seed + 1000);
const batch = 100;
const mask = new Uint32Array(batch);
const x = bufferTensor([batch, ...net.inputShape], dtype);
const t = new Float64Array(batch);

function step(): number {
  rng.choice(train.count, batch, mask);
  train.gatherImages(mask, x.data);
  train.gatherLabels(mask, t);
  (kernels as Kernels).keepRows(x.data, batch, x.size / batch);
  const grads = net.gradient(x, t);
  opt.update(net.params, grads);
  return net.loss(x, t, true);
}

for (let i = 0; i < 3; i++) step();
const times: number[] = [];
let loss = NaN;
profiling = values.profile;
const total0 = performance.now();
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  loss = step();
  times.push(performance.now() - t0);
}
const totalMs = performance.now() - total0;
const s = [...times].sort((a, b) => a - b);
const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
console.log(
  JSON.stringify({
    net: netName,
    dtype,
    kernels: choice.kernels,
    threads: choice.threads,
    referenceConv: values['reference-conv'],
    steps,
    medianMs: Number(median.toFixed(2)),
    minMs: Number(s[0].toFixed(2)),
    stepsPerSecond: Number((1000 / median).toFixed(2)),
    lastLoss: loss,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
if (values.profile) {
  const rows = [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [key, e] of rows) {
    console.log(`${(e.ms / steps).toFixed(2).padStart(8)} ms/step  ${((100 * e.ms) / totalMs).toFixed(1).padStart(5)} %  ${String(e.calls / steps).padStart(6)} calls/step  ${key}`);
  }
}
process.exit(0);
