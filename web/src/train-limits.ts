/**
 * What the Train tab lets you start: the form's ranges, checked before anything is sent to the Worker.
 * The library (`validateConfig`) accepts any positive sizes, but a hidden or batch size of 1e9 asks for
 * arrays no engine can allocate ("Invalid typed array length"); within these ranges every array fits
 * (where the kernels' 256 MiB WASM heap is full they fall back to the TypeScript kernels, slower).
 */
export const LIMITS = {
  hidden: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 10000 },
  iters: { min: 1, max: 100000 },
} as const;

export interface Settings {
  hidden: number;
  lr: number;
  batchSize: number;
  iters: number;
  seed: number;
}

export type Problem =
  | { kind: 'integer'; field: keyof typeof LIMITS; min: number; max: number }
  | { kind: 'lr' }
  | { kind: 'seed'; max: number };

/** The first thing wrong with the settings (and the fields to mark), or undefined when they can be trained. */
export function checkSettings(s: Settings): { problem: Problem; fields: (keyof Settings)[] } | undefined {
  for (const field of ['hidden', 'batchSize', 'iters'] as const) {
    const { min, max } = LIMITS[field];
    const v = s[field];
    if (!Number.isInteger(v) || v < min || v > max) return { problem: { kind: 'integer', field, min, max }, fields: [field] };
  }
  if (!Number.isFinite(s.lr) || s.lr <= 0) return { problem: { kind: 'lr' }, fields: ['lr'] };
  if (!Number.isSafeInteger(s.seed) || s.seed < 0) return { problem: { kind: 'seed', max: Number.MAX_SAFE_INTEGER }, fields: ['seed'] };
  return undefined;
}
