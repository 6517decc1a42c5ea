/**
 * `scratchnet optimizer-compare-naive` — the book's ch06/optimizer_compare_naive.py: SGD, Momentum,
 * AdaGrad and Adam minimising f(x, y) = x²/20 + y² from (−7, 2), each path on the function's contours
 * (figure 6-8).
 */
import type { Command } from 'commander';
import { optimizerPath } from '../../optimizers/surface.ts';
import { optimizerPathsSpec, type OptimizerPath } from '../../plot/ch06-specs.ts';
import { positiveInt, positiveNumber } from '../options.ts';
import { commonOptions, runCh06, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  steps: number;
  sgdLr: number;
  momentumLr: number;
  adagradLr: number;
  adamLr: number;
}

/** The optimizers and learning rates of the book's figure, in its order. */
export const NAIVE_OPTIMIZERS = [
  { name: 'SGD', key: 'sgd', flag: 'sgdLr', lr: 0.95 },
  { name: 'Momentum', key: 'momentum', flag: 'momentumLr', lr: 0.1 },
  { name: 'AdaGrad', key: 'adagrad', flag: 'adagradLr', lr: 1.5 },
  { name: 'Adam', key: 'adam', flag: 'adamLr', lr: 0.3 },
] as const;

export function registerOptimizerCompareNaive(program: Command): void {
  const cmd = program
    .command('optimizer-compare-naive')
    .description("the book's ch06/optimizer_compare_naive.py: SGD, Momentum, AdaGrad and Adam on f(x, y) = x²/20 + y² (figure 6-8)")
    .option('--steps <n>', 'updates of each optimizer (the book: 30)', positiveInt, 30)
    .option('--sgd-lr <x>', "SGD's learning rate", positiveNumber, 0.95)
    .option('--momentum-lr <x>', "Momentum's learning rate", positiveNumber, 0.1)
    .option('--adagrad-lr <x>', "AdaGrad's learning rate", positiveNumber, 1.5)
    .option('--adam-lr <x>', "Adam's learning rate", positiveNumber, 0.3);
  commonOptions(cmd, { mnist: false }).addHelpText(
    'after',
    `
Prints nothing, as the book's script; writes optimizer-compare-naive.svg/.png (the 2×2 figure) and
paths.json (every point) to --out. No random numbers are drawn: --seed changes nothing.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('optimizer-compare-naive', flags, async (ctx) => {
      const paths: OptimizerPath[] = NAIVE_OPTIMIZERS.map((o) => {
        const lr = flags[o.flag];
        const { x, y } = optimizerPath(o.key, lr, flags.steps);
        // The book draws the positions before each update: the first `steps` points.
        return { name: o.name, lr, x: x.slice(0, flags.steps), y: y.slice(0, flags.steps) };
      });
      ctx.writeJson('paths.json', { function: 'x**2 / 20 + y**2', start: [-7, 2], steps: flags.steps, paths });
      ctx.figure('optimizer-compare-naive', optimizerPathsSpec(paths));
    });
  });
}
