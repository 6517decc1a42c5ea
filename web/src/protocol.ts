/** Messages between the page and the training Worker. */
import type { EpochRecord, TrainConfig, TrainStatus } from '../../src/index.ts';

export type ToWorker =
  | { type: 'start'; config: TrainConfig }
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
  | { type: 'progress'; iteration: number; losses: number[]; itPerSec: number }
  | { type: 'epoch'; record: EpochRecord; params: ParamsMessage }
  | { type: 'done'; status: TrainStatus; iterations: number; seconds: number; divergedAt?: number; params: ParamsMessage }
  | { type: 'gradcheck'; diffs: Record<'W1' | 'b1' | 'W2' | 'b2', number>; seconds: number }
  | { type: 'error'; message: string };
