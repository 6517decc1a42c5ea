/**
 * `scratchnet batch-norm-gradient-check` — the book's ch06/batch_norm_gradient_check.py:
 * MultiLayerNetExtend(784, [100, 100], 10) with Batch Normalization, its backprop gradients against
 * numerical ones on the first training image, printing `<key>:<mean absolute difference>` per parameter.
 */
import type { Command } from 'commander';
import { bufferTensor } from '../../internal/buffers.ts';
import { MultiLayerNetExtend } from '../../nets/multi-layer-net-extend.ts';
import { gradientDifferences } from '../../train/gradient-check.ts';
import { pyFloat } from '../../train/trainer.ts';
import { positiveInt } from '../options.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  count: number;
  hidden: number[];
  batchnorm: boolean;
}

export function registerBatchNormGradientCheck(program: Command): void {
  const cmd = program
    .command('batch-norm-gradient-check')
    .description("the book's ch06/batch_norm_gradient_check.py: backprop vs numerical gradients of a BatchNorm network on MNIST")
    .option('--count <n>', 'training images in the batch (the book: 1)', positiveInt, 1)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100)', sizeList, [100, 100])
    .option('--no-batchnorm', 'the same network without Batch Normalization');
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints "<parameter>:<mean |backprop - numerical|>" for W1, b1, gamma1, beta1, … in the book's order
(float64). With one image, Batch Normalization normalises each unit over a batch of one: its output is
beta whatever the input, so the gradients of everything before it are zero both ways. And beta starts
at 0, on ReLU's kink, where backprop takes the slope as 0 and the numerical gradient sees half of it:
beta of the last BatchNorm layer differs for that reason. --count 2 or more checks the network for
real. Writes gradient-check.json to --out (no figure: the book's script draws none).`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('batch-norm-gradient-check', flags, async (ctx) => {
      const train = firstImages(ctx.mnist().train, flags.count, '--count');
      const network = new MultiLayerNetExtend({ inputSize: train.pixels, hiddenSizeList: flags.hidden, outputSize: 10, useBatchnorm: flags.batchnorm, rng: ctx.rng });
      const xBatch = bufferTensor([train.count, train.pixels], 'float64');
      train.copyImages(0, train.count, xBatch.data);
      const tBatch = Array.from(train.labels);
      const diffs = gradientDifferences(network, xBatch, tBatch);
      for (const key of Object.keys(network.params)) ctx.print(`${key}:${pyFloat(diffs[key])}`);
      ctx.writeJson('gradient-check.json', { script: 'ch06/batch_norm_gradient_check.py', seed: ctx.seed, count: train.count, hiddenSizeList: flags.hidden, useBatchnorm: flags.batchnorm, differences: diffs });
    });
  });
}
