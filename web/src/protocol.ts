/** Messages between the page and its one Worker, which holds MNIST and trains for every tab. */
import type { DType, EpochRecord, NetworkConfig, TrainConfig, TrainStatus } from '../../src/index.ts';

/**
 * Which tab a run belongs to: each channel has at most one run at a time, and several channels train at
 * once (the BatchNorm tab runs two), taking turns on the Worker's thread.
 */
export type Channel = 'train' | 'bn-with' | 'bn-without' | 'overfit' | 'cnn';

/** The part of MNIST a run uses: the first this many images of each split (default: all). */
export interface DataSlice {
  trainCount?: number;
  testCount?: number;
}

export type ToWorker =
  /** `run` numbers the runs of a channel: messages of a run the page has since reset are ignored. */
  | { type: 'start'; channel: Channel; run: number; config: TrainConfig; data?: DataSlice }
  | { type: 'pause'; channel: Channel }
  | { type: 'resume'; channel: Channel }
  | { type: 'stop'; channel: Channel }
  | { type: 'gradcheck'; seed: number }
  /** A params file the page read (the book's `.pkl`, ScratchNet's `.npz` / `.safetensors` / `model.json`): identified, built, evaluated on the whole test set. */
  | { type: 'loadParams'; channel: Channel; name: string; bytes: Uint8Array }
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

/** The first test images, sent once with `ready`: what the page shows networks on without loading MNIST itself. */
export interface SampleImages {
  count: number;
  /** `count` × 784 bytes (28 × 28, row by row). */
  images: Uint8Array;
  labels: Uint8Array;
}

export type FromWorker =
  | { type: 'ready'; trainCount: number; testCount: number; loadMs: number; kernels: 'wasm-simd' | 'typescript'; sample: SampleImages }
  | { type: 'progress'; channel: Channel; run: number; iteration: number; losses: number[]; itPerSec: number }
  | { type: 'epoch'; channel: Channel; run: number; record: EpochRecord; params: ParamsMessage }
  | { type: 'done'; channel: Channel; run: number; status: TrainStatus; iterations: number; seconds: number; divergedAt?: number; params: ParamsMessage }
  | { type: 'loaded'; channel: Channel; name: string; testAcc: number; params: ParamsMessage }
  | { type: 'gradcheck'; diffs: Record<string, number>; seconds: number }
  /** Each timed step's milliseconds (after 2 warm-up steps, the first of which evaluates as the book's does). */
  | { type: 'convSteps'; stepMs: number[]; lastLoss: number; kernels: 'wasm-simd' | 'typescript' }
  /**
   * What failed: loading MNIST (the Worker cannot train then), a run (`run` says which; the Worker is
   * ready for the next one), a params file, or a gradient check. `message` is the library's own (English) text.
   */
  | { type: 'error'; stage: 'load' } & ErrorText
  | { type: 'error'; stage: 'train'; channel: Channel; run: number } & ErrorText
  | { type: 'error'; stage: 'loadParams'; channel: Channel; name: string } & ErrorText
  | { type: 'error'; stage: 'gradcheck' } & ErrorText
  | { type: 'error'; stage: 'convSteps' } & ErrorText;

interface ErrorText {
  message: string;
}
