/**
 * Chapter 7's training step, timed: SimpleConvNet (the book's defaults) trained by the book's Trainer
 * (batch 100, Adam lr 0.001, the loss after the update). The page's Worker runs it on its MNIST for
 * `npm run bench` (bench/browser.ts), which runs the same function in Node to compare.
 */
import { SimpleConvNet, Trainer, type DType, type MnistSplits } from '../../src/index.ts';

export function timeConvSteps(data: MnistSplits, steps: number, seed: number, dtype: DType): { stepMs: number[]; lastLoss: number } {
  const net = new SimpleConvNet({ seed, dtype });
  const trainer = new Trainer(net, data.train, undefined, data.test, undefined, {
    miniBatchSize: 100,
    optimizer: 'Adam',
    optimizerParam: { lr: 0.001 },
    evaluateSampleNumPerEpoch: 1000,
    evalBatchSize: 100,
    seed: seed + 1000,
  });
  // Two warm-up steps; the first also evaluates 1000 + 1000 images, as the book's Trainer does at step 0.
  let lastLoss = trainer.trainStep();
  lastLoss = trainer.trainStep();
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    lastLoss = trainer.trainStep();
    stepMs.push(performance.now() - t0);
  }
  return { stepMs, lastLoss };
}
