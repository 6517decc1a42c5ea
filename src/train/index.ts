export { train, BOOK_CONFIG, iterPerEpoch, countEpochs, validateConfig, twoLayerNetSpec } from './train.ts';
export type { TrainConfig, TrainResult, TrainParts, NetworkSpec } from './train.ts';
export { TrainingLoop, yieldToEventLoop } from './loop.ts';
export type { TrainHooks, TrainStatus, EpochRecord, LoopOptions } from './loop.ts';
export { evaluateAccuracy, networkAccuracy, dataSource, Evaluator } from './evaluate.ts';
export type { Dataset, DataSource, EvaluatorOptions, PendingEvaluation } from './evaluate.ts';
export { gradientCheck, gradientDifferences } from './gradient-check.ts';
