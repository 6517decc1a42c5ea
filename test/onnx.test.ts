/**
 * ONNX export, proven by running it: every network kind exported, loaded in ONNX Runtime (onnxruntime-web's
 * WASM backend, in Node), and its scores on real MNIST test images compared with ScratchNet's.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import {
  Adam,
  buildNetwork,
  DeepConvNet,
  exportOnnx,
  loadMnistSplits,
  MultiLayerNet,
  MultiLayerNetExtend,
  SimpleConvNet,
  Tensor,
  TwoLayerNet,
  type MnistSplits,
  type Network,
} from '../src/node.ts';
import { LayerNet } from '../src/nets/layer-net.ts';
import type { Layer } from '../src/layers/layer.ts';

ort.env.wasm.numThreads = 1;
let mnist: MnistSplits;
before(() => {
  mnist = loadMnistSplits();
});

/** `n` real MNIST test images from `start`, shaped for `net`, pixels / 255. */
function images(net: Network, start: number, n: number): Tensor {
  const size = net.inputShape.reduce((a, b) => a * b, 1);
  const data = net.dtype === 'float32' ? new Float32Array(n * size) : new Float64Array(n * size);
  mnist.test.copyImages(start, n, data);
  return new Tensor(data, [n, ...net.inputShape]);
}

/** A few Adam steps on real training images, so the weights (and BatchNorm's statistics) are not the initial ones. */
function train(net: Network, steps: number, batch: number): void {
  const opt = new Adam(0.001);
  const size = net.inputShape.reduce((a, b) => a * b, 1);
  for (let s = 0; s < steps; s++) {
    const data = net.dtype === 'float32' ? new Float32Array(batch * size) : new Float64Array(batch * size);
    mnist.train.copyImages(s * batch, batch, data);
    const t = Array.from(mnist.train.labels.subarray(s * batch, (s + 1) * batch));
    opt.update(net.params as Record<string, Tensor>, net.gradient(new Tensor(data, [batch, ...net.inputShape]), t) as Record<string, Tensor>);
  }
}

/**
 * The largest relative difference, each score against ScratchNet's, relative to the row's scale:
 * |a − b| / max(|a|, |b|, max_j |b_j|). Scores are logits, compared by size within a row; a float32 graph
 * and ScratchNet's float32 forward each round 784-long sums their own way, so a score near zero differs
 * by ~1e-6 of the row's largest score, a large relative error of that one score that says nothing of the
 * graph. The float64 graphs are held to 1e-12 by the same measure.
 */
function maxRelative(got: ArrayLike<number>, want: ArrayLike<number>, classes: number): number {
  let worst = 0;
  for (let r = 0; r < want.length / classes; r++) {
    let scale = 0;
    for (let j = 0; j < classes; j++) scale = Math.max(scale, Math.abs(want[r * classes + j]));
    for (let j = 0; j < classes; j++) {
      const a = got[r * classes + j];
      const b = want[r * classes + j];
      worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), scale));
    }
  }
  return worst;
}

function argmaxRows(v: ArrayLike<number>, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < v.length / classes; r++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (v[r * classes + j] > v[r * classes + best]) best = j;
    out.push(best);
  }
  return out;
}

async function runOnnx(bytes: Uint8Array, x: Tensor, dtype: 'float32' | 'float64'): Promise<ArrayLike<number>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    assert.deepEqual(session.inputNames, ['x']);
    assert.deepEqual(session.outputNames, ['scores']);
    const input = new ort.Tensor(dtype, dtype === 'float32' ? Float32Array.from(x.data) : Float64Array.from(x.data), [...x.shape]);
    const out = await session.run({ x: input });
    assert.deepEqual(out.scores.dims, [x.shape[0], 10]);
    return out.scores.data as Float32Array | Float64Array;
  } finally {
    await session.release();
  }
}

interface Case {
  name: string;
  make: () => Network;
  /** Also run a float64 graph (ONNX Runtime has no float64 Conv or MaxPool: fully connected nets only). */
  float64: boolean;
  steps: number;
}

const cases: Case[] = [
  { name: 'TwoLayerNet', make: () => new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 }), float64: true, steps: 20 },
  { name: 'MultiLayerNet (relu)', make: () => new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100, 100], outputSize: 10, seed: 2 }), float64: true, steps: 20 },
  { name: 'MultiLayerNet (sigmoid)', make: () => new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 50], outputSize: 10, activation: 'sigmoid', weightInitStd: 'sigmoid', seed: 3 }), float64: true, steps: 20 },
  {
    name: 'MultiLayerNetExtend (BatchNorm + Dropout)',
    make: () => new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true, useDropout: true, dropoutRation: 0.15, seed: 4 }),
    float64: true,
    steps: 20,
  },
  { name: 'SimpleConvNet', make: () => new SimpleConvNet({ seed: 5 }), float64: false, steps: 3 },
  { name: 'DeepConvNet', make: () => new DeepConvNet({ seed: 6 }), float64: false, steps: 1 },
];

describe('exportOnnx: ONNX Runtime reproduces every kind of network on real MNIST', () => {
  for (const c of cases) {
    it(`${c.name}: float32 graph, dynamic batch (7 and 2 images), scores within 1e-5 relative of ScratchNet's float32 net, same classes`, async () => {
      const trained = c.make();
      train(trained, c.steps, 8);
      // The trained weights (and state) in a float32 network of the same config, as the graph holds them.
      const net = buildNetwork(trained.kind, trained.config, { dtype: 'float32', seed: 0 }) as LayerNet;
      net.setParams(trained.params);
      if (Object.keys(trained.state).length > 0) net.setState(trained.state);
      const bytes = exportOnnx(net);
      for (const n of [7, 2]) {
        const x = images(net, 100, n);
        const want = net.predict(x, false).data;
        const got = await runOnnx(bytes, x, 'float32');
        const rel = maxRelative(got, want, 10);
        assert.ok(rel <= 1e-5, `${c.name}: max relative difference ${rel}`);
        assert.deepEqual(argmaxRows(got, 10), argmaxRows(want, 10));
      }
    });
    if (c.float64) {
      it(`${c.name}: float64 graph matches within 1e-12 relative`, async () => {
        const net = c.make();
        train(net, c.steps, 8);
        const x = images(net, 0, 5);
        const got = await runOnnx(exportOnnx(net, { dtype: 'float64' }), x, 'float64');
        const rel = maxRelative(got, net.predict(x, false).data, 10);
        assert.ok(rel <= 1e-12, `${c.name}: max relative difference ${rel}`);
      });
    }
  }

  it('declares its input and output (names, dynamic batch, shapes), opset 13, producer scratchnet', () => {
    const net = new SimpleConvNet({ seed: 1 });
    const model = onnxProto.onnx.ModelProto.decode(exportOnnx(net));
    assert.equal(model.producerName, 'scratchnet');
    assert.equal(Number(model.opsetImport[0].version), 13);
    const graph = model.graph!;
    const dims = (v: onnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    assert.deepEqual(dims(graph.input![0]), ['N', 1, 28, 28]);
    assert.deepEqual(dims(graph.output![0]), ['N', 10]);
    assert.deepEqual(graph.node!.map((n) => n.opType), ['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm']);
  });

  it('refuses a layer with no ONNX equivalent, naming it', () => {
    class Identity implements Layer {
      forward(x: Tensor): Tensor {
        return x;
      }
      backward(dout: Tensor): Tensor {
        return dout;
      }
    }
    class Odd extends LayerNet {
      readonly kind = 'Odd';
      readonly config = {};
      constructor() {
        super({ layers: [['Same1', new Identity()]], dtype: 'float64', inputShape: [2], outputSize: 2 });
      }
    }
    assert.throws(() => exportOnnx(new Odd()), /exportOnnx: layer 'Same1' \(Identity\) has no ONNX equivalent/);
    assert.throws(() => exportOnnx({ kind: 'Plain', inputShape: [2], params: {} } as unknown as Network), /exportOnnx: Plain is not built from layers/);
  });
});
