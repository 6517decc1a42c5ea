/**
 * `scratchnet optimizer-compare-mnist` — the book's ch06/optimizer_compare_mnist.py: one
 * MultiLayerNet(784, [100, 100, 100, 100], 10) per optimizer, all trained on the same mini-batches of
 * 128 for 2000 iterations, and the smoothed loss curves (figure 6-9).
 */
import { Command, InvalidArgumentError } from 'commander';
import { MultiLayerNet } from '../../nets/multi-layer-net.ts';
import { createOptimizer, isOptimizerName } from '../../optimizers/index.ts';
import { smoothedLossSpec } from '../../plot/ch06-specs.ts';
import { positiveInt } from '../options.ts';
import { bootComparison, compareOnSameBatches, type CompareResult, type Contestant } from './compare-loop.ts';
import { smoothCurve } from './numeric.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  iters: number;
  batchSize: number;
  hidden: number[];
  optimizers: string[];
  trainSize?: number;
}

/** The book's class names, by the names `createOptimizer` takes. */
const BOOK_NAMES: Record<string, string> = { sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adagrad: 'AdaGrad', rmsprop: 'RMSprop', adam: 'Adam' };

function optimizerList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = names.filter((n) => !isOptimizerName(n));
  if (names.length === 0 || bad.length > 0) {
    throw new InvalidArgumentError(`must be a comma-separated list of ${Object.values(BOOK_NAMES).join(', ')} (any case)${bad.length ? `; not ${bad.join(', ')}` : ''}.`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError('names an optimizer twice.');
  return names;
}

export function registerOptimizerCompareMnist(program: Command): void {
  const cmd = program
    .command('optimizer-compare-mnist')
    .description("the book's ch06/optimizer_compare_mnist.py: SGD, Momentum, AdaGrad and Adam training the same 5-layer net on MNIST (figure 6-9)")
    .option('--iters <n>', 'iterations (mini-batches) (the book: 2000)', positiveInt, 2000)
    .option('--batch-size <n>', 'images per mini-batch, drawn with replacement (the book: 128)', positiveInt, 128)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100)', sizeList, [100, 100, 100, 100])
    .option('--optimizers <names>', 'optimizers to compare, with the book\'s default parameters (the book: SGD,Momentum,AdaGrad,Adam; also Nesterov, RMSprop)', optimizerList, ['sgd', 'momentum', 'adagrad', 'adam'])
    .option('--train-size <n>', 'draw batches from the first n training images only (default: all)', positiveInt);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's lines every 100 iterations (===========iteration:N=========== then <optimizer>:<loss>).
Writes optimizer-compare-mnist.svg/.png (the smoothed losses, y from 0 to 1, as the book) and
losses.json (every loss) to --out. Optimizer parameters as the book's defaults: SGD lr 0.01, Momentum
lr 0.01 momentum 0.9, AdaGrad lr 0.01, Adam lr 0.001 beta1 0.9 beta2 0.999.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('optimizer-compare-mnist', flags, async (ctx) => {
      // The second thread loads while the images are read and the networks built.
      const boot = bootComparison(ctx, flags.optimizers.length);
      let contestants: Contestant[];
      let result: CompareResult;
      try {
        const { train } = ctx.mnist();
        const split = flags.trainSize === undefined ? train : firstImages(train, flags.trainSize, '--train-size');
        // As the book: every network's weights first (He's initial values), in the optimizers' order, then the batches.
        contestants = flags.optimizers.map((key) => ({
          name: BOOK_NAMES[key],
          network: new MultiLayerNet({ inputSize: split.pixels, hiddenSizeList: flags.hidden, outputSize: 10, rng: ctx.rng }),
          optimizer: createOptimizer(key),
        }));
        result = await compareOnSameBatches(ctx, split, contestants, { iters: flags.iters, batchSize: flags.batchSize, boot });
      } finally {
        // Not reached (the images or a network failed): the thread ends once loaded.
        await boot?.abandon();
      }
      const { losses, iterationsDone } = result;
      ctx.writeJson('losses.json', {
        script: 'ch06/optimizer_compare_mnist.py',
        seed: ctx.seed,
        iterations: iterationsDone,
        batchSize: flags.batchSize,
        hiddenSizeList: flags.hidden,
        optimizers: contestants.map((c) => ({ name: c.name, param: c.optimizer.toJSON() })),
        losses,
      });
      ctx.figure('optimizer-compare-mnist', smoothedLossSpec(contestants.map((c) => ({ name: c.name, values: smoothCurve(losses[c.name]) })), { yMax: 1 }));
    });
  });
}
