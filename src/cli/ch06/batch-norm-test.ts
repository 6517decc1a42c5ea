/**
 * `scratchnet batch-norm-test` — the book's ch06/batch_norm_test.py: for 16 scales of the initial
 * weights (logspace(0, −4, 16)), MultiLayerNetExtend(784, [100 × 5], 10) with and without Batch
 * Normalization, trained side by side by SGD (lr 0.01) on the same mini-batches of 100 drawn from 1000
 * training images, the training accuracy each epoch for 20 epochs (figure 6-19).
 */
import type { Command } from 'commander';
import { MultiLayerNetExtend } from '../../nets/multi-layer-net-extend.ts';
import { SGD } from '../../optimizers/index.ts';
import { accuracyGridSpec } from '../../plot/ch06-specs.ts';
import { networkAccuracy } from '../../train/evaluate.ts';
import { pyFloat } from '../../train/trainer.ts';
import { releaseDeadBuffers } from '../memory.ts';
import { positiveInt, positiveNumber } from '../options.ts';
import { BatchDrawer } from './batches.ts';
import { logspace } from './numeric.ts';
import { commonOptions, firstImages, runCh06, sizeList, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  scales: number;
  epochs: number;
  trainSize: number;
  batchSize: number;
  lr: number;
  hidden: number[];
}

export interface ScaleResult {
  weightScale: number;
  trainAcc: number[];
  bnTrainAcc: number[];
}

export function registerBatchNormTest(program: Command): void {
  const cmd = program
    .command('batch-norm-test')
    .description("the book's ch06/batch_norm_test.py: training accuracy with and without Batch Normalization for 16 initial weight scales (figure 6-19)")
    .option('--scales <n>', 'weight scales, logspace(0, -4, n) (the book: 16)', positiveInt, 16)
    .option('--epochs <n>', 'epochs per scale (the book: 20)', positiveInt, 20)
    .option('--train-size <n>', 'training images, the first n (the book: 1000)', positiveInt, 1000)
    .option('--batch-size <n>', 'images per mini-batch (the book: 100)', positiveInt, 100)
    .option('--lr <x>', "SGD's learning rate (the book: 0.01)", positiveNumber, 0.01)
    .option('--hidden <sizes>', 'hidden layer sizes (the book: 100,100,100,100,100)', sizeList, [100, 100, 100, 100, 100]);
  commonOptions(cmd, { mnist: true }).addHelpText(
    'after',
    `
Prints the book's lines: "============== i/16 ==============" for each scale, then each epoch
"epoch:N | <accuracy without BatchNorm> - <accuracy with BatchNorm>". Writes batch-norm-test.svg/.png
(a 4-column grid) and results.json to --out. --scales 4 runs logspace(0, -4, 4) = 1, 0.046…, 0.0021…, 0.0001.`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('batch-norm-test', flags, async (ctx) => {
      const train = firstImages(ctx.mnist().train, flags.trainSize, '--train-size');
      const scales = logspace(0, -4, flags.scales);
      const bar = ctx.progress(flags.scales * flags.epochs, 'epochs');
      const results: ScaleResult[] = [];
      const iterPerEpoch = Math.max(train.count / flags.batchSize, 1);
      let epochsDone = 0;
      let lastYield = performance.now();
      for (const [s, w] of scales.entries()) {
        if (ctx.stopRequested()) break;
        // The previous scale's two networks are dead: their heap blocks are freed before new ones are made.
        await releaseDeadBuffers();
        ctx.print(`============== ${s + 1}/${flags.scales} ==============`);
        const common = { inputSize: train.pixels, hiddenSizeList: flags.hidden, outputSize: 10, weightInitStd: w, rng: ctx.rng };
        const bnNetwork = new MultiLayerNetExtend({ ...common, useBatchnorm: true });
        const network = new MultiLayerNetExtend(common);
        const optimizer = new SGD(flags.lr);
        const result: ScaleResult = { weightScale: w, trainAcc: [], bnTrainAcc: [] };
        results.push(result);
        const batches = new BatchDrawer(train, flags.batchSize, ctx.rng);
        for (let i = 0; result.trainAcc.length < flags.epochs && !ctx.stopRequested(); i++) {
          batches.draw();
          for (const net of [bnNetwork, network]) optimizer.update(net.params, net.gradient(batches.x, batches.t));
          if (i % iterPerEpoch === 0) {
            const trainAcc = networkAccuracy(network, train);
            const bnTrainAcc = networkAccuracy(bnNetwork, train);
            ctx.print(`epoch:${result.trainAcc.length} | ${pyFloat(trainAcc)} - ${pyFloat(bnTrainAcc)}`);
            result.trainAcc.push(trainAcc);
            result.bnTrainAcc.push(bnTrainAcc);
            bar.update(++epochsDone, `W:${pyFloat(w)}  ${trainAcc.toFixed(3)} - ${bnTrainAcc.toFixed(3)}`);
          }
          if (performance.now() - lastYield > 100) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        }
      }
      bar.stop();
      ctx.writeJson('results.json', {
        script: 'ch06/batch_norm_test.py',
        seed: ctx.seed,
        trainSize: train.count,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        lr: flags.lr,
        hiddenSizeList: flags.hidden,
        results,
      });
      const panels = results.map((r) => ({
        title: `W:${pyFloat(r.weightScale)}`,
        series: [
          { name: 'Batch Normalization', values: r.bnTrainAcc },
          { name: 'Normal(without BatchNorm)', values: r.trainAcc },
        ],
      }));
      ctx.figure('batch-norm-test', accuracyGridSpec(panels, { columns: Math.min(4, panels.length), xTitle: 'epochs' }));
    });
  });
}
