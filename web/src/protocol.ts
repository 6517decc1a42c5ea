/** Messages between the page and the training Worker. */
import type { DType, EpochRecord, NetworkConfig, TrainConfig, TrainStatus } from '../../src/index.ts';

export type ToWorker =
  /** `run` numbers the runs: messages of a run the page has since reset are ignored. */
  | { type: 'start'; run: number; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'gradcheck'; seed: number }
  /**
   * Times chapter 7's SimpleConvNet training steps (the book's Trainer step: batch 100, Adam lr 0.001, the
   * loss after the update) on this Worker's MNIST and kernels — what `npm run bench` compares with Node.
   */
  | { type: 'convSteps'; steps: number; seed: number; dtype: DType };

/**
 * A trained network as the Worker posts it: any network of the contract (`kind`, `config`, `dtype`), its
 * parameters and state as typed arrays (copied, so the Worker keeps training on its own).
 */
export interface ParamsMessage {
  kind: string;
  config: NetworkConfig;
  dtype: DType;
  params: Record<string, Float64Array | Float32Array>;
  state: Record<string, { shape: number[]; data: Float64Array | Float32Array }>;
}

export type FromWorker =
  | { type: 'ready'; trainCount: number; testCount: number; loadMs: number; kernels: 'wasm-simd' | 'typescript' }
  | { type: 'progress'; run: number; iteration: number; losses: number[]; itPerSec: number }
  | { type: 'epoch'; run: number; record: EpochRecord; params: ParamsMessage }
  | { type: 'done'; run: number; status: TrainStatus; iterations: number; seconds: number; divergedAt?: number; params: ParamsMessage }
  | { type: 'gradcheck'; diffs: Record<string, number>; seconds: number }
  /** Each timed step's milliseconds (after 2 warm-up steps, the first of which evaluates as the book's does). */
  | { type: 'convSteps'; stepMs: number[]; lastLoss: number; kernels: 'wasm-simd' | 'typescript' }
  /**
   * What failed: loading MNIST (the Worker cannot train then), a run (`run` says which; the Worker is
   * ready for the next one), or a gradient check. `message` is the library's own (English) text.
   */
  | { type: 'error'; stage: 'load' } & ErrorText
  | { type: 'error'; stage: 'train'; run: number } & ErrorText
  | { type: 'error'; stage: 'gradcheck' } & ErrorText
  | { type: 'error'; stage: 'convSteps' } & ErrorText;

interface ErrorText {
  message: string;
}
