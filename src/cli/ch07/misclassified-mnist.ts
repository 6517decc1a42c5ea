/**
 * `scratchnet misclassified-mnist --params FILE` — the book's ch08/misclassified_mnist.py: DeepConvNet
 * with learned weights on MNIST's test set (in chunks of 100, test mode), the book's lines (test
 * accuracy, the first 20 misclassified as `{view index: (label, inference), ...}`), and the figure of
 * those digits with their labels and the network's answers.
 */
import type { Command } from 'commander';
import { misclassifiedSpec, type Misclassified } from '../../plot/ch07-specs.ts';
import type { DType } from '../../tensor/tensor.ts';
import { pyFloat } from '../../train/trainer.ts';
import { positiveInt } from '../options.ts';
import { commonOptions, firstImages, runCh06, type CommonFlags } from '../ch06/run.ts';
import { BOOK_FILES, dtypeOption, loadAnyConvNet, paramsOption, predictSplit } from './common.ts';

interface Flags extends CommonFlags {
  params: string;
  testSize?: number;
  maxView: number;
  dtype: DType;
}

export function registerMisclassifiedMnist(program: Command): void {
  const cmd = program
    .command('misclassified-mnist')
    .description("the book's ch08/misclassified_mnist.py: a trained DeepConvNet's test accuracy and its first 20 misclassified digits")
    .addOption(paramsOption("the learned weights: the book's ch08/deep_convnet_params.pkl or a model file of train-deepnet (params.json); a SimpleConvNet's work too", BOOK_FILES.deepParams))
    .option('--test-size <n>', 'test images, the first n (default: all 10000, as the book)', positiveInt)
    .option('--max-view <n>', 'misclassified digits shown (the book: 20)', positiveInt, 20)
    .addOption(dtypeOption('float64', 'number type of the weights and activations (the book: float64)'));
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's lines: "calculating test accuracy ... ", "test accuracy:…", "======= misclassified
result =======", "{view index: (label, inference), ...}" and the dict of the first --max-view
misclassified test images. Writes misclassified-mnist.svg/.png (those digits, "view: label → inference"
under each) and misclassified.json (accuracy and every misclassified index) to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('misclassified-mnist', flags, async (ctx) => {
      const net = loadAnyConvNet(flags.params, flags.dtype);
      const allTest = ctx.mnist().test;
      const test = flags.testSize === undefined ? allTest : firstImages(allTest, flags.testSize, '--test-size', 'test');
      ctx.print('calculating test accuracy ... ');
      const bar = ctx.progress(test.count, 'images');
      const { predicted, correct, done } = predictSplit(net, test, test.count, flags.dtype, { onChunk: (n) => bar.update(n), shouldStop: ctx.stopRequested });
      bar.stop();
      // The book divides by the size of the test set (here: of the images predicted, when stopped early).
      const acc = done === 0 ? 0 : correct / done;
      ctx.print(`test accuracy:${pyFloat(acc)}`);
      const wrong: number[] = [];
      for (let i = 0; i < done; i++) if (predicted[i] !== test.labels[i]) wrong.push(i);
      const shown = wrong.slice(0, flags.maxView);
      ctx.print('======= misclassified result =======');
      ctx.print('{view index: (label, inference), ...}');
      ctx.print(`{${shown.map((i, v) => `${v + 1}: (${test.labels[i]}, ${predicted[i]})`).join(', ')}}`);
      const items: Misclassified[] = shown.map((i) => {
        const pixels = new Float64Array(test.pixels);
        test.copyImages(i, 1, pixels);
        return { pixels, rows: test.rows, cols: test.cols, label: test.labels[i], inference: predicted[i] };
      });
      ctx.figure('misclassified-mnist', misclassifiedSpec(items, { title: `${net.kind}: misclassified test images (label → inference)` }));
      ctx.writeJson('misclassified.json', {
        script: 'ch08/misclassified_mnist.py',
        params: flags.params,
        kind: net.kind,
        dtype: flags.dtype,
        status: done < test.count ? 'stopped' : 'completed',
        images: done,
        correct,
        accuracy: acc,
        misclassified: wrong.map((i) => ({ index: i, label: test.labels[i], inference: predicted[i] })),
      });
    });
  });
}
