/**
 * `scratchnet train-convnet` — the book's ch07/train_convnet.py: SimpleConvNet (30 filters 5×5, hidden
 * 100) trained by the Trainer: 20 epochs, batches of 100, Adam lr 0.001, 1000 samples evaluated per epoch.
 */
import type { Command } from 'commander';
import { SimpleConvNet } from '../../nets/simple-conv-net.ts';
import { registerTrainConv } from './train-conv.ts';

export function registerTrainConvnet(program: Command): void {
  registerTrainConv(program, {
    name: 'train-convnet',
    script: 'ch07/train_convnet.py',
    description: "the book's ch07/train_convnet.py: SimpleConvNet on MNIST, trained by the Trainer (Adam, 20 epochs); saves the weights",
    bookParamsFile: 'params.pkl',
    timeNote: 'The book\'s 20 epochs are 12000 steps; for a short run use e.g. --epochs 1 --train-size 5000.',
    create: ({ dtype, rng }) =>
      new SimpleConvNet({ inputDim: [1, 28, 28], convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01, dtype, rng }),
  });
}
