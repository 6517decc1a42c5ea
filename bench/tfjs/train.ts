/**
 * The book's TwoLayerNet and train_neuralnet.py loop in TF.js with the WASM backend (tfjs-node cannot
 * install here), for the side-by-side benchmark: same sizes, init (std 0.01), batches of 100 drawn with
 * replacement, SGD lr 0.1, the loss recomputed after each update, and train/test accuracy every 600
 * iterations. Prints one JSON line. Run: node --import tsx bench/tfjs/train.ts [--seed N] [--iters N]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Random, loadMnistSplits } from '../../src/node.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, iters: { type: 'string', default: '10000' } } });
const seed = Number(values.seed);
const iters = Number(values.iters);

const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '');
setWasmPaths(`${wasmDir}/`);
await tf.setBackend('wasm');
await tf.ready();

const start = performance.now();
const { train, test } = loadMnistSplits();
const toTensor = (images: Uint8Array, n: number): tf.Tensor2D => tf.tidy(() => tf.tensor2d(images, [n, 784], 'int32').toFloat().div(255));
const xTrain = toTensor(train.images, train.count);
const xTest = toTensor(test.images, test.count);
const tTrain = tf.tensor1d(Int32Array.from(train.labels), 'int32');
const tTest = tf.tensor1d(Int32Array.from(test.labels), 'int32');
const tTrainOneHot = tf.oneHot(tTrain, 10).toFloat();

const rng = new Random(seed);
const randn = (r: number, c: number) => {
  const a = new Float32Array(r * c);
  rng.fillNormal(a, 0, 0.01);
  return tf.tensor2d(a, [r, c]);
};
const W1 = tf.variable(randn(784, 50));
const b1 = tf.variable(tf.zeros([50]));
const W2 = tf.variable(randn(50, 10));
const b2 = tf.variable(tf.zeros([10]));

const predict = (x: tf.Tensor2D) => tf.relu(x.matMul(W1).add(b1)).matMul(W2).add(b2) as tf.Tensor2D;
const lossOf = (x: tf.Tensor2D, t: tf.Tensor2D) => tf.losses.softmaxCrossEntropy(t, predict(x)) as tf.Scalar;
const accuracy = (x: tf.Tensor2D, t: tf.Tensor1D) =>
  tf.tidy(() => {
    let correct = 0;
    for (let s = 0; s < x.shape[0]; s += 10000) {
      const n = Math.min(10000, x.shape[0] - s);
      const pred = predict(x.slice([s, 0], [n, 784])).argMax(1);
      correct += (pred.equal(t.slice([s], [n])).sum().dataSync() as Int32Array)[0];
    }
    return correct / x.shape[0];
  });

const lr = 0.1;
const batch = new Uint32Array(100);
let trainAcc = 0;
let testAcc = 0;
for (let i = 0; i < iters; i++) {
  rng.choice(train.count, 100, batch);
  tf.tidy(() => {
    const idx = tf.tensor1d(Int32Array.from(batch), 'int32');
    const x = tf.gather(xTrain, idx) as tf.Tensor2D;
    const t = tf.gather(tTrainOneHot, idx) as tf.Tensor2D;
    const { grads } = tf.variableGrads(() => lossOf(x, t));
    for (const v of [W1, b1, W2, b2]) v.assign(v.sub(grads[v.name].mul(lr)));
    lossOf(x, t).dataSync(); // the book records the loss after the update
  });
  if (i % 600 === 0) {
    trainAcc = accuracy(xTrain, tTrain);
    testAcc = accuracy(xTest, tTest);
  }
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ system: 'tfjs-wasm', tfjs: tf.version.tfjs, seconds, trainAcc, testAcc, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
