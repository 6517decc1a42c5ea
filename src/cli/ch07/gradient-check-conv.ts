/**
 * `scratchnet gradient-check-conv` — the book's ch07/gradient_check.py: a small SimpleConvNet (input
 * (1, 10, 10), 10 filters 3×3, hidden 10, output 10) on one random image (uniform in [0, 1)) with label 1,
 * its backprop gradients against numerical ones, printing `<key> <mean absolute difference>` per
 * parameter as the book's `print(key, …)` does.
 */
import type { Command } from 'commander';
import { SimpleConvNet } from '../../nets/simple-conv-net.ts';
import { bufferTensor } from '../../internal/buffers.ts';
import type { DType } from '../../tensor/tensor.ts';
import { gradientDifferences } from '../../train/gradient-check.ts';
import { pyFloat } from '../../train/trainer.ts';
import { kernelsOption, threadsOption } from '../options.ts';
import { commonOptions, runCh06, type CommonFlags } from '../ch06/run.ts';
import { dtypeOption } from './common.ts';

interface Flags extends CommonFlags {
  dtype: DType;
}

export function registerGradientCheckConv(program: Command): void {
  const cmd = program
    .command('gradient-check-conv')
    .description("the book's ch07/gradient_check.py: backprop vs numerical gradients of a small SimpleConvNet on a random image")
    .addOption(dtypeOption('float64', 'number type (the book: float64; float32 is too coarse for numerical gradients)'))
    .addOption(kernelsOption())
    .addOption(threadsOption());
  commonOptions(cmd, { mnist: false }).addHelpText(
    'after',
    `
Prints "<parameter> <mean |numerical - backprop|>" for W1, b1, W2, b2, W3, b3, as the book's
print(key, …) (a space between them). The weights (std 0.01) and then the image are drawn from the
run's generator (--seed). Writes gradient-check.json to --out (no figure: the book's script draws none).`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('gradient-check-conv', flags, async (ctx) => {
      const network = new SimpleConvNet({
        inputDim: [1, 10, 10],
        convParam: { filterNum: 10, filterSize: 3, pad: 0, stride: 1 },
        hiddenSize: 10,
        outputSize: 10,
        weightInitStd: 0.01,
        dtype: flags.dtype,
        rng: ctx.rng,
      });
      const x = bufferTensor([1, 1, 10, 10], flags.dtype, 'gradient-check-conv');
      ctx.rng.fillUniform(x.data);
      const t = [1];
      const diffs = gradientDifferences(network, x, t);
      for (const key of Object.keys(network.params)) ctx.print(`${key} ${pyFloat(diffs[key])}`);
      ctx.writeJson('gradient-check.json', { script: 'ch07/gradient_check.py', seed: ctx.seed, dtype: flags.dtype, x: Array.from(x.data), t, differences: diffs });
    });
  });
}
