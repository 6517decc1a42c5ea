export { train, BOOK_CONFIG, iterPerEpoch, countEpochs, validateConfig } from './train.ts';
export type { TrainConfig, TrainHooks, TrainResult, TrainStatus, EpochRecord } from './train.ts';
export { evaluateAccuracy } from './evaluate.ts';
export { gradientCheck } from './gradient-check.ts';
