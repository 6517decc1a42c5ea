/** The chapter-6 scripts as commands (`scratchnet optimizer-compare-naive`, …). */
import type { Command } from 'commander';
import { registerBatchNormGradientCheck } from './batch-norm-gradient-check.ts';
import { registerBatchNormTest } from './batch-norm-test.ts';
import { registerHyperparameterOptimization } from './hyperparameter-optimization.ts';
import { registerOverfitDropout } from './overfit-dropout.ts';
import { registerOverfitWeightDecay } from './overfit-weight-decay.ts';
import { registerOptimizerCompareMnist } from './optimizer-compare-mnist.ts';
import { registerOptimizerCompareNaive } from './optimizer-compare-naive.ts';
import { registerWeightInitActivationHistogram } from './weight-init-activation-histogram.ts';
import { registerWeightInitCompare } from './weight-init-compare.ts';

export function registerCh06(program: Command): void {
  registerOptimizerCompareNaive(program);
  registerOptimizerCompareMnist(program);
  registerWeightInitActivationHistogram(program);
  registerWeightInitCompare(program);
  registerBatchNormTest(program);
  registerBatchNormGradientCheck(program);
  registerOverfitWeightDecay(program);
  registerOverfitDropout(program);
  registerHyperparameterOptimization(program);
}
