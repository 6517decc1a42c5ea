export { train, BOOK_CONFIG, iterPerEpoch, countEpochs, validateConfig } from './train.ts';
export type { TrainConfig, TrainHooks, TrainResult, TrainStatus, EpochRecord, TrainParts } from './train.ts';
export { evaluateAccuracy, networkAccuracy, cloneNetwork, dataSource } from './evaluate.ts';
export type { Dataset, DataSource } from './evaluate.ts';
export { gradientCheck, gradientDifferences } from './gradient-check.ts';
