// The book's ch05/gradient_check.py. Run: npx tsx examples/gradient-check.ts
import { PARAM_KEYS, TwoLayerNet, loadMnist, take } from '../src/node.ts';

// Read the data (the book's load_mnist(normalize=True, one_hot_label=True)).
const [[xTrain, tTrain]] = loadMnist({ normalize: true, oneHotLabel: true });

const network = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });

const xBatch = take(xTrain, [0, 1, 2]);
const tBatch = take(tTrain, [0, 1, 2]);

const gradNumerical = network.numericalGradient(xBatch, tBatch);
const gradBackprop = network.gradient(xBatch, tBatch);

for (const key of PARAM_KEYS) {
  const a = gradBackprop[key].data;
  const b = gradNumerical[key].data;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
  console.log(`${key}:${diff / a.length}`);
}
