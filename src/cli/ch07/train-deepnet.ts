/**
 * `scratchnet train-deepnet` — the book's ch08/train_deepnet.py: DeepConvNet (six 3×3 convolutions, He
 * initial values, Dropout) trained by the Trainer with the same settings as train_convnet.py.
 */
import type { Command } from 'commander';
import { DeepConvNet } from '../../nets/deep-conv-net.ts';
import { registerTrainConv } from './train-conv.ts';

export function registerTrainDeepnet(program: Command): void {
  registerTrainConv(program, {
    name: 'train-deepnet',
    script: 'ch08/train_deepnet.py',
    description: "the book's ch08/train_deepnet.py: DeepConvNet on MNIST, trained by the Trainer (Adam, 20 epochs); saves the weights",
    bookParamsFile: 'deep_convnet_params.pkl',
    timeNote: "DeepConvNet's steps are ~8-10x SimpleConvNet's (the book's 20 epochs: ~45 min in float32, ~1.4 h in float64 on 2 cores, as npm run bench estimates them); for a short run use e.g. --epochs 1 --train-size 2000.",
    create: ({ dtype, rng }) => new DeepConvNet({ dtype, rng }),
  });
}
