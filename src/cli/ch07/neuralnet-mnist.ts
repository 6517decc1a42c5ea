/**
 * `scratchnet neuralnet-mnist --params FILE` — the book's ch03/neuralnet_mnist.py (batched as
 * neuralnet_mnist_batch.py, 100 images at a time): the three-layer sigmoid network of
 * sample_weight.pkl on MNIST's test set, printing `Accuracy:…` as the book.
 */
import type { Command } from 'commander';
import { SampleNet } from '../../nets/ch03-net.ts';
import type { DType } from '../../tensor/tensor.ts';
import { pyFloat } from '../../train/trainer.ts';
import { UsageError } from '../errors.ts';
import { positiveInt } from '../options.ts';
import { commonOptions, firstImages, runCh06, type CommonFlags } from '../ch06/run.ts';
import { BOOK_FILES, dtypeOption, paramsOption, predictSplit } from './common.ts';

interface Flags extends CommonFlags {
  params: string;
  batchSize: number;
  testSize?: number;
  dtype: DType;
}

export function registerNeuralnetMnist(program: Command): void {
  const cmd = program
    .command('neuralnet-mnist')
    .description("the book's ch03/neuralnet_mnist.py: inference with the trained weights of sample_weight.pkl on MNIST's test set")
    .addOption(paramsOption("the book's ch03/sample_weight.pkl (a pickled dict of W1, b1, W2, b2, W3, b3)", BOOK_FILES.sampleWeight))
    .option('--batch-size <n>', 'images per prediction (neuralnet_mnist_batch.py: 100)', positiveInt, 100)
    .option('--test-size <n>', 'test images, the first n (default: all 10000, as the book)', positiveInt)
    .addOption(dtypeOption('float32', 'number type of the arithmetic (the book: float32, as sample_weight.pkl and load_mnist store it)'));
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's line "Accuracy:…" (0.9352 with the book's sample_weight.pkl). Writes accuracy.json
to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('neuralnet-mnist', flags, async (ctx) => {
      let net: SampleNet;
      try {
        const stored = SampleNet.fromPickleFile(flags.params);
        net = new SampleNet(Object.fromEntries(Object.entries(stored.params).map(([k, t]) => [k, t.astype(flags.dtype)])), flags.params);
      } catch (e) {
        const message = (e as Error).message;
        throw new UsageError(`--params ${flags.params}: ${message.startsWith(flags.params) ? message.slice(flags.params.length).replace(/^:\s*/, '') : message}`);
      }
      const allTest = ctx.mnist().test;
      const inputs = net.params.W1.shape[0];
      if (inputs !== allTest.pixels) throw new UsageError(`--params ${flags.params}: W1 takes ${inputs} inputs, the images have ${allTest.pixels} pixels`);
      const test = flags.testSize === undefined ? allTest : firstImages(allTest, flags.testSize, '--test-size', 'test');
      const bar = ctx.progress(test.count, 'images');
      const model = { inputShape: [test.pixels], predict: (x: Parameters<SampleNet['predict']>[0]) => net.predict(x) };
      const r = predictSplit(model, test, test.count, flags.dtype, { chunk: flags.batchSize, onChunk: (n) => bar.update(n), shouldStop: ctx.stopRequested });
      bar.stop();
      const acc = r.done === 0 ? 0 : r.correct / r.done;
      ctx.print(`Accuracy:${pyFloat(acc)}`);
      ctx.writeJson('accuracy.json', { script: 'ch03/neuralnet_mnist.py', params: flags.params, dtype: flags.dtype, batchSize: flags.batchSize, images: r.done, correct: r.correct, accuracy: acc, status: r.done < test.count ? 'stopped' : 'completed' });
    });
  });
}
