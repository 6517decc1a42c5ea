/**
 * `scratchnet hyperparameter-optimization` — the book's ch06/hyperparameter_optimization.py: a random
 * search over the learning rate (10^U(−6, −2)) and the weight decay (10^U(−8, −4)) of MultiLayerNet(784,
 * [100 × 6], 10), each trial 50 epochs of SGD on 400 training images, judged on 100 validation images
 * split off after shuffling (figure 6-24).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { MultiLayerNet } from '../../nets/multi-layer-net.ts';
import { accuracyGridSpec } from '../../plot/ch06-specs.ts';
import { pyFloat, Trainer } from '../../train/trainer.ts';
import { UsageError } from '../errors.ts';
import { releaseDeadBuffers } from '../memory.ts';
import { positiveInt } from '../options.ts';
import { pow10, shuffleDataset } from './numeric.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  trials: number;
  epochs: number;
  trainSize: number;
  validationRate: number;
  batchSize: number;
  hidden: number[];
  best: number;
}

export interface Trial {
  lr: number;
  weightDecay: number;
  valAcc: number[];
  trainAcc: number[];
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError('must be a number in (0, 1) (e.g. 0.2).');
  return n;
}

export function registerHyperparameterOptimization(program: Command): void {
  const cmd = program
    .command('hyperparameter-optimization')
    .description("the book's ch06/hyperparameter_optimization.py: random search of learning rate and weight decay on a validation set (figure 6-24)")
    .option('--trials <n>', 'random trials (the book: 100)', positiveInt, 100)
    .option('--epochs <n>', 'epochs per trial (the book: 50)', positiveInt, 50)
    .option('--train-size <n>', 'training images, the first n, before the validation split (the book: 500)', positiveInt, 500)
    .option('--validation-rate <x>', 'fraction held out for validation after shuffling (the book: 0.2)', rate, 0.2)
    .option('--batch-size <n>', 'images per mini-batch (the book: 100)', positiveInt, 100)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100,100,100)', sizeList, [100, 100, 100, 100, 100, 100])
    .option('--best <n>', 'trials drawn and listed at the end (the book: 20)', positiveInt, 20);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's line per trial ("val acc:… | lr:…, weight decay:…"), then the best trials
("Best-N(val acc:…) | lr:…, weight decay:…"). Writes hyperparameter-optimization.svg/.png (validation
accuracy solid, training accuracy dashed, per epoch) and trials.json to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('hyperparameter-optimization', flags, async (ctx) => {
      const data = firstImages(ctx.mnist().train, flags.trainSize, '--train-size');
      const validationNum = Math.trunc(data.count * flags.validationRate);
      if (validationNum < 1 || validationNum >= data.count) {
        throw new UsageError(`--validation-rate ${flags.validationRate} of ${data.count} images leaves ${validationNum} for validation and ${data.count - validationNum} for training: both need at least one`);
      }
      const shuffled = shuffleDataset(data, ctx.rng);
      const val = shuffled.slice(0, validationNum);
      const train = shuffled.slice(validationNum);
      const iterPerTrial = Math.trunc(flags.epochs * Math.max(train.count / flags.batchSize, 1));
      const bar = ctx.progress(flags.trials * iterPerTrial, 'iterations');
      const trials: Trial[] = [];
      for (let n = 0; n < flags.trials && !ctx.stopRequested(); n++) {
        // The previous trial's network is dead: its heap blocks are freed before a new one is made.
        await releaseDeadBuffers();
        // As the book: the weight decay first, then the learning rate; uniform(a, b) = a + (b − a)·u.
        const weightDecay = pow10(-4 + (-8 - -4) * ctx.rng.random());
        const lr = pow10(-2 + (-6 - -2) * ctx.rng.random());
        const network = new MultiLayerNet({ inputSize: train.pixels, hiddenSizeList: flags.hidden, outputSize: 10, weightDecayLambda: weightDecay, rng: ctx.rng });
        const trainer = new Trainer(network, train, undefined, val, undefined, {
          epochs: flags.epochs,
          miniBatchSize: flags.batchSize,
          optimizer: 'sgd',
          optimizerParam: { lr },
          verbose: false,
          rng: ctx.rng,
        });
        const status = await trainer.train({
          shouldStop: ctx.stopRequested,
          onIteration: (i) => bar.update(n * iterPerTrial + i + 1, `trial ${n + 1}/${flags.trials}`),
        });
        if (status === 'stopped') break;
        const trial: Trial = { lr, weightDecay, valAcc: trainer.testAccList, trainAcc: trainer.trainAccList };
        trials.push(trial);
        ctx.print(`val acc:${pyFloat(trial.valAcc.at(-1) ?? NaN)} | lr:${pyFloat(lr)}, weight decay:${pyFloat(weightDecay)}`);
      }
      bar.stop();
      ctx.print('=========== Hyper-Parameter Optimization Result ===========');
      // Stable, as Python's sorted(…, reverse=True): equal accuracies keep the order they were tried in.
      const best = [...trials].sort((a, b) => (b.valAcc.at(-1) ?? -1) - (a.valAcc.at(-1) ?? -1)).slice(0, flags.best);
      best.forEach((t, i) => ctx.print(`Best-${i + 1}(val acc:${pyFloat(t.valAcc.at(-1) ?? NaN)}) | lr:${pyFloat(t.lr)}, weight decay:${pyFloat(t.weightDecay)}`));
      ctx.writeJson('trials.json', {
        script: 'ch06/hyperparameter_optimization.py',
        seed: ctx.seed,
        trainSize: train.count,
        validationSize: val.count,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        hiddenSizeList: flags.hidden,
        trials,
      });
      const panels = best.map((t, i) => ({
        title: `Best-${i + 1}`,
        series: [
          { name: 'validation', values: t.valAcc },
          { name: 'train', values: t.trainAcc },
        ],
      }));
      if (panels.length > 0) ctx.figure('hyperparameter-optimization', accuracyGridSpec(panels, { columns: Math.min(5, panels.length), xTitle: 'epochs', xAxis: false }));
    });
  });
}
