/**
 * The book's SimpleConvNet (ch07) and DeepConvNet (ch08) training step in TF.js 4.22, for the chapters 7–8
 * benchmark: the same layers and sizes (NHWC, as TF.js convolves), the same initial scales (0.01 · randn for
 * SimpleConvNet, He √(2/fan-in) for DeepConvNet), the book's Dropout (a 0/1 mask in training, × 0.5 at test),
 * batches of 100 drawn with replacement, Adam lr 0.001, and the loss recomputed after the update (as the
 * book's Trainer records it). Float32 (TF.js has no float64).
 *
 * TF.js is installed for the benchmarks only, under bench/tfjs (`npm ci --prefix bench/tfjs`); it is loaded
 * from there. The wasm backend has no Conv2DBackpropFilter kernel: with `--backend wasm` the step fails and
 * this prints the error as its JSON result (`"error": …`) and exits 0 — that is the finding.
 *
 *   node --import tsx bench/ch07/tfjs_convnet.ts [--net simple|deep] [--backend cpu|wasm] [--steps 5] [--seed 1]
 *
 * Prints one JSON line: seconds per step (each after 2 warm-up steps), min/median, the time of one
 * epoch's evaluation (1000 training + 1000 test images in batches of 100) and the peak RSS.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as TF from '@tensorflow/tfjs';
import { Random, loadMnistSplits } from '../../src/node.ts';

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: 'simple' },
    backend: { type: 'string', default: 'cpu' },
    steps: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'eval-samples': { type: 'string', default: '1000' },
  },
});
const net = values.net;
if (net !== 'simple' && net !== 'deep') throw new Error(`--net must be simple or deep, got ${net}`);
const steps = Number(values.steps);
const evalSamples = Number(values['eval-samples']);
const tfjsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'tfjs');
const requireTf = createRequire(join(tfjsDir, 'package.json'));
const tf = requireTf('@tensorflow/tfjs') as typeof TF;
const base = { system: `tfjs-${values.backend}`, tfjs: tf.version.tfjs, net, dtype: 'float32', batch: 100 };

if (values.backend === 'wasm') {
  const wasm = requireTf('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (p: string) => void };
  wasm.setWasmPaths(`${dirname(requireTf.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
}
if (!(await tf.setBackend(values.backend))) throw new Error(`TF.js backend ${values.backend} is not available`);
await tf.ready();

const startLoad = performance.now();
const { train, test } = loadMnistSplits();
const loadSeconds = (performance.now() - startLoad) / 1000;
const rng = new Random(Number(values.seed));

const randn = (shape: number[], std: number) => {
  const a = new Float32Array(shape.reduce((p, d) => p * d, 1));
  rng.fillNormal(a, 0, std);
  return tf.variable(tf.tensor(a, shape));
};
const zeros = (n: number) => tf.variable(tf.zeros([n]));
const bookDropout = (x: TF.Tensor, training: boolean) => (training ? x.mul(tf.randomUniform(x.shape).greater(0.5).toFloat()) : x.mul(0.5));

/** One network: its variables (in the book's order) and its forward pass (scores, before the softmax). */
interface Net {
  vars: TF.Variable[];
  forward: (x: TF.Tensor4D, training: boolean) => TF.Tensor2D;
}

function simpleConvNet(): Net {
  // Conv 30 filters 5×5 → 24×24, pool 2×2 → 12×12, Affine 4320 → 100 → 10.
  const W1 = randn([5, 5, 1, 30], 0.01); // TF.js filters are (FH, FW, C, FN)
  const b1 = zeros(30);
  const W2 = randn([12 * 12 * 30, 100], 0.01);
  const b2 = zeros(100);
  const W3 = randn([100, 10], 0.01);
  const b3 = zeros(10);
  return {
    vars: [W1, b1, W2, b2, W3, b3],
    forward: (x) => {
      const c = tf.relu(tf.conv2d(x, W1 as TF.Tensor4D, 1, 'valid').add(b1)) as TF.Tensor4D;
      const p = tf.maxPool(c, 2, 2, 'valid');
      const h = tf.relu(p.reshape([x.shape[0], -1]).matMul(W2).add(b2)) as TF.Tensor2D;
      return h.matMul(W3).add(b3) as TF.Tensor2D;
    },
  };
}

function deepConvNet(): Net {
  const convs: [filters: number, pad: number][] = [[16, 1], [16, 1], [32, 1], [32, 2], [64, 1], [64, 1]];
  const vars: TF.Variable[] = [];
  const conv: { W: TF.Variable; b: TF.Variable; pad: number }[] = [];
  let channels = 1;
  for (const [fn, pad] of convs) {
    const W = randn([3, 3, channels, fn], Math.sqrt(2 / (channels * 9)));
    const b = zeros(fn);
    vars.push(W, b);
    conv.push({ W, b, pad });
    channels = fn;
  }
  const W7 = randn([64 * 4 * 4, 50], Math.sqrt(2 / (64 * 4 * 4)));
  const b7 = zeros(50);
  const W8 = randn([50, 10], Math.sqrt(2 / 50));
  const b8 = zeros(10);
  vars.push(W7, b7, W8, b8);
  return {
    vars,
    forward: (x, training) => {
      let a: TF.Tensor4D = x;
      conv.forEach(({ W, b, pad }, i) => {
        a = tf.relu(tf.conv2d(a, W as TF.Tensor4D, 1, pad).add(b)) as TF.Tensor4D;
        if (i % 2 === 1) a = tf.maxPool(a, 2, 2, 'valid'); // 28 → 14, 16 → 8, 8 → 4
      });
      let h: TF.Tensor = tf.relu(a.reshape([x.shape[0], -1]).matMul(W7).add(b7));
      h = bookDropout(h, training);
      return bookDropout((h as TF.Tensor2D).matMul(W8).add(b8), training) as TF.Tensor2D;
    },
  };
}

const model = net === 'simple' ? simpleConvNet() : deepConvNet();
const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
const batch = 100;
const mask = new Uint32Array(batch);
const xBuf = new Float32Array(batch * 784);
const tBuf = new Float64Array(batch);

const lossOf = (x: TF.Tensor4D, t: TF.Tensor2D) => tf.losses.softmaxCrossEntropy(t, model.forward(x, true)) as TF.Scalar;

function step(): number {
  rng.choice(train.count, batch, mask);
  train.gatherImages(mask, xBuf);
  train.gatherLabels(mask, tBuf);
  return tf.tidy(() => {
    const x = tf.tensor4d(xBuf, [batch, 28, 28, 1]);
    const t = tf.oneHot(tf.tensor1d(Int32Array.from(tBuf), 'int32'), 10).toFloat() as TF.Tensor2D;
    optimizer.minimize(() => lossOf(x, t), false, model.vars);
    return lossOf(x, t).dataSync()[0]; // the book records the loss after the update
  });
}

function accuracy(split: typeof train, n: number): number {
  let correct = 0;
  const buf = new Float32Array(batch * 784);
  for (let s = 0; s + batch <= n; s += batch) {
    split.copyImages(s, batch, buf);
    correct += tf.tidy(() => {
      const pred = model.forward(tf.tensor4d(buf, [batch, 28, 28, 1]), false).argMax(1);
      const labels = tf.tensor1d(Int32Array.from(split.labels.subarray(s, s + batch)), 'int32');
      return pred.equal(labels).sum().dataSync()[0];
    });
  }
  return correct / n;
}

try {
  for (let i = 0; i < 2; i++) step();
  const times: number[] = [];
  const cpu: number[] = [];
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    loss = step();
    times.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const t0 = performance.now();
  const trainAcc = accuracy(train, evalSamples);
  const testAcc = accuracy(test, evalSamples);
  const evalSeconds = (performance.now() - t0) / 1000;
  const s = [...times].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  const extrapolatedFullRunSeconds = 12000 * median + 20 * evalSeconds + (10000 / (2 * evalSamples)) * evalSeconds + loadSeconds;
  console.log(JSON.stringify({ ...base, mode: 'steps', steps, secondsPerStep: times, minSeconds: s[0], medianSeconds: median, medianCpuSeconds: [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)], evalSeconds2x1000: evalSeconds, loadSeconds, extrapolatedFullRunSeconds, lastLoss: loss, trainAcc, testAcc, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
} catch (e) {
  console.log(JSON.stringify({ ...base, mode: 'steps', error: (e as Error).message, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}
process.exit(0);
