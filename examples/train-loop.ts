// The one training loop: `train()` builds any network of the registry from a spec and any of the six
// optimizers by name, and reports through hooks — the same loop the CLI's `train`, the book's Trainer and
// the web page's Worker drive. Here chapter 7's SimpleConvNet with Adam, evaluated every 50 iterations.
// Run: npx tsx examples/train-loop.ts [iterations]
import { loadMnistSplits, train, TrainingLoop, buildNetwork, createOptimizer, Random, kernelBackend } from '../src/node.ts';

console.log(`kernels: ${kernelBackend()}`); // 'wasm-simd': the package switches to them when it is imported

const { train: trainSet, test } = loadMnistSplits();
const iters = Number(process.argv[2] ?? 200);
const result = await train(
  { train: trainSet, test },
  {
    network: { kind: 'SimpleConvNet', config: { inputDim: [1, 28, 28], convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10 } },
    optimizer: 'Adam',
    optimizerParam: { lr: 0.001 },
    iters,
    batchSize: 100,
    seed: 1,
    dtype: 'float32',
    evalEvery: 50,
    evaluateSampleNumPerEpoch: 1000,
  },
  { onEpoch: (r) => console.log(`iteration ${r.iteration}: loss ${r.loss.toFixed(3)}, train acc ${r.trainAcc.toFixed(3)}, test acc ${r.testAcc.toFixed(3)}`) },
);
console.log(`${result.status} after ${result.iterationsDone} iterations (${result.net.kind})`);

// Step by step: the loop itself, one iteration per call (what a UI drives between frames).
const rng = new Random(7);
const net = buildNetwork('TwoLayerNet', { inputSize: 784, hiddenSize: 50, outputSize: 10, weightInitStd: 0.01 }, { rng });
const loop = new TrainingLoop({ network: net, optimizer: createOptimizer('SGD', { lr: 0.1 }), train: trainSet, test: test.slice(0, 1000), batchSize: 100, rng, iters: 100, evalEvery: 600, evalBatchSize: 1000 });
for (let i = 0; i < 3; i++) console.log(`step ${loop.iteration}: loss ${loop.step().toFixed(4)}`);
console.log(`first evaluation: test acc ${loop.records[0].testAcc}`);
