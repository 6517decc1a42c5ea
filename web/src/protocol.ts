/** Messages between the page and the training Worker. */
import type { EpochRecord, TrainConfig, TrainStatus } from '../../src/index.ts';

export type ToWorker =
  /** `run` numbers the runs: messages of a run the page has since reset are ignored. */
  | { type: 'start'; run: number; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'gradcheck'; seed: number };

export interface ParamsMessage {
  sizes: [number, number, number];
  W1: Float64Array | Float32Array;
  b1: Float64Array | Float32Array;
  W2: Float64Array | Float32Array;
  b2: Float64Array | Float32Array;
}

export type FromWorker =
  | { type: 'ready'; trainCount: number; testCount: number; loadMs: number; kernels: 'wasm-simd' | 'typescript' }
  | { type: 'progress'; run: number; iteration: number; losses: number[]; itPerSec: number }
  | { type: 'epoch'; run: number; record: EpochRecord; params: ParamsMessage }
  | { type: 'done'; run: number; status: TrainStatus; iterations: number; seconds: number; divergedAt?: number; params: ParamsMessage }
  | { type: 'gradcheck'; diffs: Record<'W1' | 'b1' | 'W2' | 'b2', number>; seconds: number }
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
