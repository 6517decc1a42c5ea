/**
 * `scratchnet weight-init-compare` — the book's ch06/weight_init_compare.py: MultiLayerNet(784,
 * [100, 100, 100, 100], 10) with weights of std 0.01, Xavier's and He's initial values, trained by SGD
 * (lr 0.01) on the same mini-batches of 128 for 2000 iterations (figure 6-15).
 */
import type { Command } from 'commander';
import { MultiLayerNet } from '../../nets/multi-layer-net.ts';
import { SGD } from '../../optimizers/index.ts';
import { smoothedLossSpec } from '../../plot/ch06-specs.ts';
import { positiveInt, positiveNumber } from '../options.ts';
import { compareOnSameBatches } from './compare-loop.ts';
import { smoothCurve } from './numeric.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  iters: number;
  batchSize: number;
  hidden: number[];
  lr: number;
  trainSize?: number;
}

/** The book's `weight_init_types`, in its order: printed name → `weight_init_std`. */
export const WEIGHT_INIT_TYPES: readonly [string, number | string][] = [
  ['std=0.01', 0.01],
  ['Xavier', 'sigmoid'],
  ['He', 'relu'],
];

export function registerWeightInitCompare(program: Command): void {
  const cmd = program
    .command('weight-init-compare')
    .description("the book's ch06/weight_init_compare.py: std 0.01 vs Xavier vs He initial weights on MNIST (figure 6-15)")
    .option('--iters <n>', 'iterations (mini-batches) (the book: 2000)', positiveInt, 2000)
    .option('--batch-size <n>', 'images per mini-batch, drawn with replacement (the book: 128)', positiveInt, 128)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100)', sizeList, [100, 100, 100, 100])
    .option('--lr <x>', "SGD's learning rate (the book: 0.01)", positiveNumber, 0.01)
    .option('--train-size <n>', 'draw batches from the first n training images only (default: all)', positiveInt);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
The hidden layers use ReLU (MultiLayerNet's default), as in the book's script. Prints the book's lines
every 100 iterations; writes weight-init-compare.svg/.png (smoothed losses, y from 0 to 2.5) and
losses.json to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('weight-init-compare', flags, async (ctx) => {
      const { train } = ctx.mnist();
      const split = flags.trainSize === undefined ? train : firstImages(train, flags.trainSize, '--train-size');
      // One SGD for all, as the book (SGD keeps no state).
      const optimizer = new SGD(flags.lr);
      const contestants = WEIGHT_INIT_TYPES.map(([name, weightInitStd]) => ({
        name,
        network: new MultiLayerNet({ inputSize: split.pixels, hiddenSizeList: flags.hidden, outputSize: 10, weightInitStd, rng: ctx.rng }),
        optimizer,
      }));
      const { losses, iterationsDone } = await compareOnSameBatches(ctx, split, contestants, { iters: flags.iters, batchSize: flags.batchSize });
      ctx.writeJson('losses.json', {
        script: 'ch06/weight_init_compare.py',
        seed: ctx.seed,
        iterations: iterationsDone,
        batchSize: flags.batchSize,
        lr: flags.lr,
        hiddenSizeList: flags.hidden,
        weightInitTypes: Object.fromEntries(WEIGHT_INIT_TYPES),
        losses,
      });
      ctx.figure('weight-init-compare', smoothedLossSpec(contestants.map((c) => ({ name: c.name, values: smoothCurve(losses[c.name]) })), { yMax: 2.5, legendOrient: 'right' }));
    });
  });
}
