// Chapter 6 in a few lines: the book's common/trainer.py training MultiLayerNetExtend (BatchNorm,
// He initial weights) with Adam — on MNIST kept as bytes, so no float copy of the data is held.
// Run: npx tsx examples/trainer.ts [epochs]
import { MultiLayerNetExtend, Trainer, loadMnistSplits } from '../src/node.ts';

const { train, test } = loadMnistSplits();
const network = new MultiLayerNetExtend({
  inputSize: 784,
  hiddenSizeList: [100, 100, 100],
  outputSize: 10,
  weightInitStd: 'he', // √(2/n), as the book's 'relu'
  useBatchnorm: true,
  seed: 1,
});
const trainer = new Trainer(network, train.slice(0, 10000), undefined, test, undefined, {
  epochs: Number(process.argv[2] ?? 3),
  miniBatchSize: 100,
  optimizer: 'Adam',
  optimizerParam: { lr: 0.001 },
  evaluateSampleNumPerEpoch: 1000,
  seed: 2,
});
await trainer.train({
  onEpoch: ({ epoch, trainAcc, testAcc }) => console.log(`epoch ${epoch}: train acc ${trainAcc.toFixed(3)}, test acc ${testAcc.toFixed(3)}`),
});
console.log(`final test accuracy: ${trainer.finalTestAcc!.toFixed(4)} (${trainer.maxIter} iterations)`);
console.log(`params: ${Object.keys(network.params).join(', ')}`);
console.log(`state:  ${Object.keys(network.state).join(', ')}`);
