/**
 * `scratchnet overfit-dropout` — the book's ch06/overfit_dropout.py: MultiLayerNetExtend(784, [100 × 6],
 * 10) with Dropout (ratio 0.2) on 300 training images, trained by the book's Trainer (SGD lr 0.01,
 * batches of 100, 301 epochs, verbose), and train vs test accuracy per epoch (figure 6-23).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { MultiLayerNetExtend } from '../../nets/multi-layer-net-extend.ts';
import { trainTestAccuracySpec } from '../../plot/ch06-specs.ts';
import { Trainer } from '../../train/trainer.ts';
import { positiveInt, positiveNumber } from '../options.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  dropout: boolean;
  dropoutRatio: number;
  epochs: number;
  trainSize: number;
  testSize?: number;
  batchSize: number;
  lr: number;
  hidden: number[];
}

function ratio(value: string): number {
  const n = positiveNumber(value);
  if (n >= 1) throw new InvalidArgumentError('must be a number in (0, 1) (e.g. 0.2).');
  return n;
}

export function registerOverfitDropout(program: Command): void {
  const cmd = program
    .command('overfit-dropout')
    .description("the book's ch06/overfit_dropout.py: a 7-layer net with Dropout on 300 images, trained by the Trainer (figure 6-23)")
    .option('--dropout-ratio <x>', 'the fraction of neurons dropped (the book: 0.2)', ratio, 0.2)
    .option('--no-dropout', 'no Dropout layers (the book\'s use_dropout = False)')
    .option('--epochs <n>', 'epochs (the book: 301)', positiveInt, 301)
    .option('--train-size <n>', 'training images, the first n (the book: 300)', positiveInt, 300)
    .option('--test-size <n>', 'test images, the first n (default: all 10000, as the book)', positiveInt)
    .option('--batch-size <n>', 'images per mini-batch (the book: 100)', positiveInt, 100)
    .option('--lr <x>', "SGD's learning rate (the book: 0.01)", positiveNumber, 0.01)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100,100,100)', sizeList, [100, 100, 100, 100, 100, 100]);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the Trainer's verbose lines as the book: "train loss:…" each iteration, "=== epoch:N, train acc:…,
test acc:… ===" each epoch, and the final test accuracy. Writes overfit-dropout.svg/.png and history.json
to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('overfit-dropout', flags, async (ctx) => {
      const { train: allTrain, test: allTest } = ctx.mnist();
      const train = firstImages(allTrain, flags.trainSize, '--train-size');
      const test = flags.testSize === undefined ? allTest : firstImages(allTest, flags.testSize, '--test-size', 'test');
      const network = new MultiLayerNetExtend({
        inputSize: train.pixels,
        hiddenSizeList: flags.hidden,
        outputSize: 10,
        useDropout: flags.dropout,
        dropoutRation: flags.dropoutRatio,
        rng: ctx.rng,
      });
      const trainer = new Trainer(network, train, undefined, test, undefined, {
        epochs: flags.epochs,
        miniBatchSize: flags.batchSize,
        optimizer: 'sgd',
        optimizerParam: { lr: flags.lr },
        verbose: true,
        print: ctx.print,
        rng: ctx.rng,
      });
      const bar = ctx.progress(trainer.maxIter, 'iterations');
      const status = await trainer.train({
        shouldStop: ctx.stopRequested,
        onIteration: (i, loss) => bar.update(i + 1, `loss ${loss.toFixed(3)}`),
      });
      bar.stop();
      ctx.writeJson('history.json', {
        script: 'ch06/overfit_dropout.py',
        seed: ctx.seed,
        status,
        trainSize: train.count,
        testSize: test.count,
        useDropout: flags.dropout,
        dropoutRatio: flags.dropoutRatio,
        epochs: flags.epochs,
        lr: flags.lr,
        batchSize: flags.batchSize,
        hiddenSizeList: flags.hidden,
        trainAcc: trainer.trainAccList,
        testAcc: trainer.testAccList,
        finalTestAcc: trainer.finalTestAcc,
        trainLoss: trainer.trainLossList,
      });
      ctx.figure(
        'overfit-dropout',
        trainTestAccuracySpec(trainer.trainAccList, trainer.testAccList, { title: flags.dropout ? `Dropout ratio ${flags.dropoutRatio}` : 'without Dropout' }),
      );
    });
  });
}
