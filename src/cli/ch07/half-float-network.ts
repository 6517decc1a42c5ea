/**
 * `scratchnet half-float-network --params FILE` — the book's ch08/half_float_network.py: a trained
 * DeepConvNet's test accuracy with its weights as they are, then with the weights and the input images
 * rounded to float16 (`astype(np.float16)`: round half to even, subnormals), printed as the book prints
 * them (its "caluculate" included: readers compare the lines).
 */
import type { Command } from 'commander';
import type { DType } from '../../tensor/tensor.ts';
import { pyFloat } from '../../train/trainer.ts';
import { positiveInt } from '../options.ts';
import { commonOptions, firstImages, runCh06, type CommonFlags } from '../ch06/run.ts';
import { BOOK_FILES, dtypeOption, loadAnyConvNet, paramsOption, predictSplit } from './common.ts';
import { roundArrayToFloat16 } from './float16.ts';

interface Flags extends CommonFlags {
  params: string;
  testSize: number;
  dtype: DType;
}

export function registerHalfFloatNetwork(program: Command): void {
  const cmd = program
    .command('half-float-network')
    .description("the book's ch08/half_float_network.py: a trained DeepConvNet's accuracy with float64 weights, then with weights and inputs rounded to float16")
    .addOption(paramsOption("the learned weights: the book's ch08/deep_convnet_params.pkl or a model file of train-deepnet (params.json); a SimpleConvNet's work too", BOOK_FILES.deepParams))
    .option('--test-size <n>', "test images, the first n (the book's sampled = 10000)", positiveInt, 10000)
    .addOption(dtypeOption('float64', 'number type of the arithmetic (the book: float64 first)'));
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's lines: "caluculate accuracy (float64) ... " (float32 with --dtype float32), the
accuracy, "caluculate accuracy (float16) ... " and the accuracy with every weight and input pixel
rounded to float16 (exactly as NumPy's astype(np.float16)). The rounded values are then computed in
--dtype: the book's NumPy also computes in float16, whose results round each operation further, so
its float16 accuracy may differ in the last digit. Writes half-float.json to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('half-float-network', flags, async (ctx) => {
      const net = loadAnyConvNet(flags.params, flags.dtype);
      const test = firstImages(ctx.mnist().test, flags.testSize, '--test-size', 'test');
      const bar = ctx.progress(2 * test.count, 'images');
      ctx.print(`caluculate accuracy (${flags.dtype}) ... `);
      const full = predictSplit(net, test, test.count, flags.dtype, { onChunk: (n) => bar.update(n), shouldStop: ctx.stopRequested });
      const fullAcc = full.done === 0 ? 0 : full.correct / full.done;
      ctx.print(pyFloat(fullAcc));
      const results: Record<string, unknown> = { [flags.dtype]: { images: full.done, correct: full.correct, accuracy: fullAcc } };
      if (!ctx.stopRequested()) {
        for (const p of Object.values(net.params)) roundArrayToFloat16(p.data);
        ctx.print('caluculate accuracy (float16) ... ');
        const half = predictSplit(net, test, test.count, flags.dtype, {
          transform: roundArrayToFloat16,
          onChunk: (n) => bar.update(test.count + n),
          shouldStop: ctx.stopRequested,
        });
        const halfAcc = half.done === 0 ? 0 : half.correct / half.done;
        ctx.print(pyFloat(halfAcc));
        results.float16 = { images: half.done, correct: half.correct, accuracy: halfAcc, arithmetic: flags.dtype };
      }
      bar.stop();
      ctx.writeJson('half-float.json', { script: 'ch08/half_float_network.py', params: flags.params, kind: net.kind, testSize: test.count, results });
    });
  });
}
