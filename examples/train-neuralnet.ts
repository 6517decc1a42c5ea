// The book's ch05/train_neuralnet.py, written the way the book writes it (allocating, readable).
// `npx scratchnet train` runs the same loop with progress, plots and a saved model.
// Run: npx tsx examples/train-neuralnet.ts [iters]
import { PARAM_KEYS, Random, TwoLayerNet, loadMnist, take } from '../src/node.ts';

// Read the data.
const [[xTrain, tTrain], [xTest, tTest]] = loadMnist({ normalize: true, oneHotLabel: true });

const network = new TwoLayerNet(784, 50, 10, 0.01, { seed: 42 });
const rng = new Random(42);

const itersNum = Number(process.argv[2] ?? 10000);
const trainSize = xTrain.shape[0];
const batchSize = 100;
const learningRate = 0.1;

const trainLossList: number[] = [];
const trainAccList: number[] = [];
const testAccList: number[] = [];

const iterPerEpoch = Math.max(trainSize / batchSize, 1);

for (let i = 0; i < itersNum; i++) {
  const batchMask = rng.choice(trainSize, batchSize);
  const xBatch = take(xTrain, batchMask);
  const tBatch = take(tTrain, batchMask);

  // Gradient by backpropagation.
  const grad = network.gradient(xBatch, tBatch);

  // Update: params[key] -= learningRate * grad[key], in place (the layers hold the same tensors).
  for (const key of PARAM_KEYS) network.params[key].isub(grad[key].mul(learningRate));

  const loss = network.loss(xBatch, tBatch);
  trainLossList.push(loss);

  if (i % iterPerEpoch === 0) {
    const trainAcc = network.accuracy(xTrain, tTrain);
    const testAcc = network.accuracy(xTest, tTest);
    trainAccList.push(trainAcc);
    testAccList.push(testAcc);
    console.log(trainAcc, testAcc);
  }
}
