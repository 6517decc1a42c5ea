/**
 * What `train-convnet` (the book's ch07/train_convnet.py) and `train-deepnet` (ch08/train_deepnet.py)
 * share: a conv net trained by the book's Trainer (20 epochs, batches of 100, Adam lr 0.001, 1000 samples
 * evaluated per epoch), the book's lines, the final test accuracy, the weights as ScratchNet's model file,
 * the history, and the accuracy per epoch as a figure.
 */
import type { Command } from 'commander';
import type { ConvNetBase } from '../../nets/conv-net.ts';
import { convAccuracySpec } from '../../plot/ch07-specs.ts';
import type { Random } from '../../tensor/random.ts';
import type { DType } from '../../tensor/tensor.ts';
import { pyFloat, Trainer } from '../../train/trainer.ts';
import { RunError } from '../errors.ts';
import { positiveInt, positiveNumber } from '../options.ts';
import { commonOptions, firstImages, runCh06, type CommonFlags } from '../ch06/run.ts';
import { dtypeOption } from './common.ts';

interface Flags extends CommonFlags {
  epochs: number;
  batchSize: number;
  lr: number;
  trainSize?: number;
  testSize?: number;
  evaluateSampleNum: number;
  verbose?: boolean;
  dtype: DType;
}

export interface TrainConvSpec {
  name: string;
  script: string;
  description: string;
  /** The file the book's script saves (ScratchNet writes its own model file instead). */
  bookParamsFile: string;
  /** One step's rough cost, for the help text. */
  timeNote: string;
  create(options: { dtype: DType; rng: Random }): ConvNetBase;
}

export function registerTrainConv(program: Command, spec: TrainConvSpec): void {
  const cmd = program
    .command(spec.name)
    .description(spec.description)
    .option('--epochs <n>', 'epochs (the book: 20)', positiveInt, 20)
    .option('--batch-size <n>', 'images per mini-batch (the book: 100)', positiveInt, 100)
    .option('--lr <x>', "Adam's learning rate (the book: 0.001)", positiveNumber, 0.001)
    .option('--train-size <n>', 'training images, the first n (default: all 60000, as the book)', positiveInt)
    .option('--test-size <n>', 'test images, the first n (default: all 10000, as the book)', positiveInt)
    .option('--evaluate-sample-num <n>', "images of each set evaluated per epoch (the book's evaluate_sample_num_per_epoch: 1000)", positiveInt, 1000)
    .option('--verbose', 'also print the book\'s "train loss:…" line after every step (as the book\'s Trainer does)')
    .addOption(dtypeOption('float64', 'number type of the weights and activations (the book: float64)'));
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's Trainer lines: "=== epoch:N, train acc:…, test acc:… ===" each epoch, then
"=============== Final Test Accuracy ===============", "test acc:…" (the whole test set) and "Saved
Network Parameters!". The book's Trainer also prints "train loss:…" after every step (12000 lines for
the book's 20 epochs): here only with --verbose. Writes ${spec.bookParamsFile} (the book's save_params
layout: the book's own load_params reads it), params.json (ScratchNet's model file; both are read back by
--params of visualize-filter, misclassified-mnist, half-float-network, and by predict and export),
history.json and ${spec.name}.svg/.png (train and test accuracy per epoch) to --out. Ctrl-C or SIGTERM stops after the current step and still writes all of them.
${spec.timeNote}`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06(spec.name, flags, async (ctx) => {
      const { train: allTrain, test: allTest } = ctx.mnist();
      const train = flags.trainSize === undefined ? allTrain : firstImages(allTrain, flags.trainSize, '--train-size');
      const test = flags.testSize === undefined ? allTest : firstImages(allTest, flags.testSize, '--test-size', 'test');
      const network = spec.create({ dtype: flags.dtype, rng: ctx.rng });
      const trainer = new Trainer(network, train, undefined, test, undefined, {
        epochs: flags.epochs,
        miniBatchSize: flags.batchSize,
        optimizer: 'Adam',
        optimizerParam: { lr: flags.lr },
        evaluateSampleNumPerEpoch: flags.evaluateSampleNum,
        verbose: flags.verbose === true,
        print: ctx.print,
        rng: ctx.rng,
        evalBatchSize: 100,
      });
      const bar = ctx.progress(trainer.maxIter, 'iterations');
      let last = '';
      const status = await trainer.train({
        shouldStop: ctx.stopRequested,
        onIteration: (i, loss) => bar.update(i + 1, `epoch ${trainer.currentEpoch}/${flags.epochs} | loss ${loss.toFixed(3)}${last}`),
        onEpoch: (e) => {
          last = ` | test acc ${e.testAcc.toFixed(3)}`;
          if (!trainer.verbose) ctx.print(`=== epoch:${e.epoch}, train acc:${pyFloat(e.trainAcc)}, test acc:${pyFloat(e.testAcc)} ===`);
        },
      });
      bar.stop();
      if (!trainer.verbose) {
        ctx.print('=============== Final Test Accuracy ===============');
        ctx.print(`test acc:${pyFloat(trainer.finalTestAcc as number)}`);
      }
      const run = {
        script: spec.script,
        seed: ctx.seed,
        status,
        iterations: trainer.currentIter,
        trainSize: train.count,
        testSize: test.count,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        optimizer: 'Adam',
        lr: flags.lr,
        evaluateSampleNumPerEpoch: flags.evaluateSampleNum,
        dtype: flags.dtype,
      };
      if (status !== 'diverged') {
        ctx.writeModel('params.json', network, run);
        ctx.writeModel(spec.bookParamsFile, network);
        ctx.print('Saved Network Parameters!');
      }
      ctx.writeJson('history.json', { ...run, trainAcc: trainer.trainAccList, testAcc: trainer.testAccList, finalTestAcc: trainer.finalTestAcc, trainLoss: trainer.trainLossList });
      ctx.figure(spec.name, convAccuracySpec(trainer.trainAccList, trainer.testAccList, { title: `${network.kind}${status === 'stopped' ? ` (stopped after ${trainer.currentIter} steps)` : ''}` }));
      if (status === 'diverged') throw new RunError(`the loss became ${pyFloat(trainer.trainLossList.at(-1) as number)} at step ${trainer.currentIter}: the weights were not saved (try a smaller --lr)`);
    }, { figuresAfterRelease: true });
  });
}
