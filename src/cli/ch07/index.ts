/** The chapter-7 and -8 scripts (and ch03's neuralnet_mnist.py) as commands (`scratchnet train-convnet`, …). */
import type { Command } from 'commander';
import { registerGradientCheckConv } from './gradient-check-conv.ts';
import { registerHalfFloatNetwork } from './half-float-network.ts';
import { registerMisclassifiedMnist } from './misclassified-mnist.ts';
import { registerNeuralnetMnist } from './neuralnet-mnist.ts';
import { registerTrainConvnet } from './train-convnet.ts';
import { registerTrainDeepnet } from './train-deepnet.ts';
import { registerVisualizeFilter } from './visualize-filter.ts';

export function registerCh07(program: Command): void {
  registerNeuralnetMnist(program);
  registerTrainConvnet(program);
  registerVisualizeFilter(program);
  registerGradientCheckConv(program);
  registerTrainDeepnet(program);
  registerMisclassifiedMnist(program);
  registerHalfFloatNetwork(program);
}
