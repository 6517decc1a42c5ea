// Chapters 7–8 with the book's own trained weights: its pickled parameter files (ch07/params.pkl for
// SimpleConvNet, ch08/deep_convnet_params.pkl for DeepConvNet, from the book's repository
// oreilly-japan/deep-learning-from-scratch) load as they are — read by a pickle reader that runs nothing
// and accepts only NumPy arrays — and predict the MNIST test set as the book's code does.
// Run: npx tsx examples/book-weights.ts path/to/params.pkl [test images, default all 10000]
import { DeepConvNet, SimpleConvNet, loadMnistSplits, loadPickleFile, networkAccuracy } from '../src/node.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx examples/book-weights.ts path/to/params.pkl [test images]');
  process.exit(2);
}
// The file is a dict of name → ndarray: W1, b1, … (SimpleConvNet: W1–W3, DeepConvNet: W1–W8).
const arrays = loadPickleFile(file);
console.log(Object.entries(arrays).map(([name, t]) => `${name} ${t.dtype} (${t.shape.join(', ')})`).join('\n'));
const network = 'W8' in arrays ? new DeepConvNet() : new SimpleConvNet();
network.loadParams(file); // the book's .pkl, or a params.json of `scratchnet train-convnet`
const { test } = loadMnistSplits();
const count = Math.min(Number(process.argv[3] ?? test.count), test.count);
console.log(`${network.kind}: test accuracy ${networkAccuracy(network, test.slice(0, count), { batchSize: 100 })} on ${count} images`);
