/** Messages between the page and the training Worker. */
import type { DType, EpochRecord, NetworkConfig, TrainConfig, TrainStatus } from '../../src/index.ts';

export type ToWorker =
  /** `run` numbers the runs: messages of a run the page has since reset are ignored. */
  | { type: 'start'; run: number; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'gradcheck'; seed: number };

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
  /**
   * What failed: loading MNIST (the Worker cannot train then), a run (`run` says which; the Worker is
   * ready for the next one), or a gradient check. `message` is the library's own (English) text.
   */
  | { type: 'error'; stage: 'load' } & ErrorText
  | { type: 'error'; stage: 'train'; run: number } & ErrorText
  | { type: 'error'; stage: 'gradcheck' } & ErrorText;

interface ErrorText {
  message: string;
}
