/**
 * The WASM kernels that are one export call each, as a table: one descriptor per kernel (its operands —
 * pointer in, pointer out, scalar — in the export's order, the lengths it reads and writes, the
 * reference it falls back to) bound by one function, `bindKernel`. Adding such a kernel is a TypeScript
 * reference, an AssemblyScript body with `_f32` / `_f64` exports and one entry here.
 *
 * The binder does what every wrapper did by hand: forgets the kept rows an output overwrites, carries
 * the dtype (the width of the first float operand; every other float operand must have it), checks the
 * lengths, passes arrays on the heap by address and copies the others through temporary blocks (element
 * by element through cached views of the heap: no allocation per call), and runs the reference kernel
 * when the operands do not fit or the heap is full — leaving the heap as it was.
 *
 * The products, the batch gather and the fused prediction (helper thread, kept rows, scratch slots) have
 * their own wrappers (gemm.ts, predict.ts, conv.ts).
 */
import type { Kernels } from '../index.ts';
import type { FloatArray } from '../types.ts';
import type { KernelHelper } from './helper-protocol.ts';
import type { WasmHeap } from './heap.ts';

/** An argument of the public kernel, by position. */
type Args = readonly unknown[];

/** One argument of the export. */
export type Operand =
  /** Argument `at` of the kernel, a number, passed as is. */
  | { scalar: number }
  /** A number computed from the kernel's arguments (e.g. a length). */
  | { value: (a: Args) => number }
  /**
   * Argument `at`, an array, passed by address: `len(a)` elements are read (and written, when `out`).
   * `kind`: float data of the call's dtype (default), BatchNorm statistics (the dtype's width, or
   * float64 under float32 data: the export's `_f32s64` variant), or bytes (masks, images).
   */
  | { at: number; len: (a: Args) => number; out?: boolean; kind?: 'float' | 'stats' | 'bytes' };

export interface KernelDescriptor {
  /** The kernel's name in `Kernels`, and the stem of its exports (`${name}_f32`, `${name}_f64`). */
  name: SimpleKernel;
  /** The export's arguments, in order. */
  operands: readonly Operand[];
  /** Conditions besides the operands' dtypes and lengths (else the reference runs). */
  valid?: (a: Args) => boolean;
  /** Only arrays already on the heap run on WASM (copying would cost more than the reference's loop). */
  heapOnly?: boolean;
  /**
   * Elementwise: the first operand is the element count and element i of every array depends only on
   * element i of the others (and the scalars). Long calls on the heap are split in two halves between the
   * threads — each element computed as on one thread.
   */
  split?: boolean;
}

/**
 * Elementwise kernels shorter than this stay on one thread (the start and join would cost more). At 8192
 * the 100-wide layers' activations (128×100) and weights (100×100) are split too, at the row where their
 * products split them, so each half stays on the core that computed it: the optimizer-compare step
 * (`node --import tsx bench/ch06/profile.ts --iters 100 --no-timers`, 8 runs of each, interleaved) took a
 * median 8.5 ms against 9.8 ms with 65 536.
 */
const ELEMENTWISE_SPLIT_MIN = 8192;

/** The kernels this table binds. */
export type SimpleKernel =
  | 'axpy' | 'bytesToFloat' | 'softmaxRows' | 'reluForward' | 'reluBackward' | 'addRowVector' | 'sumRows' | 'applyMask' | 'sigmoid'
  | 'momentumUpdate' | 'nesterovUpdate' | 'adaGradUpdate' | 'rmspropUpdate' | 'adamUpdate'
  | 'batchNormForwardTrain' | 'batchNormForwardTest' | 'batchNormBackwardTrain' | 'batchNormBackwardTest';

const len = (at: number) => (a: Args) => (a[at] as ArrayLike<number>).length;
const num = (at: number) => (a: Args) => a[at] as number;
const times = (i: number, j: number) => (a: Args) => (a[i] as number) * (a[j] as number);

/** `p`'s length (the optimizer updates work over the parameter's elements). */
const update = (scalars: number, arrays: number, outs: readonly boolean[]): Operand[] => {
  const p = scalars + arrays - 1;
  return [
    { value: len(p) },
    ...Array.from({ length: scalars }, (_, i): Operand => ({ scalar: i })),
    ...Array.from({ length: arrays }, (_, i): Operand => ({ at: scalars + i, len: len(p), out: outs[i] })),
  ];
};

/** BatchNorm's operands: `n`·`d` for the data rows, `d` for the per-feature vectors. */
const nd = times(1, 2);
const d = num(2);

export const SIMPLE_KERNELS: readonly KernelDescriptor[] = [
  // axpy(alpha, x, y): y += alpha·x over y's length.
  { name: 'axpy', split: true, operands: [{ value: len(2) }, { scalar: 0 }, { at: 1, len: len(2) }, { at: 2, len: len(2), out: true }] },
  // bytesToFloat(src, dst, scale)
  { name: 'bytesToFloat', operands: [{ value: len(0) }, { at: 0, len: len(0), kind: 'bytes' }, { at: 1, len: len(0), out: true }, { scalar: 2 }] },
  // softmaxRows(x, rows, cols, out)
  { name: 'softmaxRows', operands: [{ scalar: 1 }, { scalar: 2 }, { at: 0, len: times(1, 2) }, { at: 3, len: times(1, 2), out: true }], heapOnly: true },
  // reluForward(x, out, mask)
  { name: 'reluForward', split: true, operands: [{ value: len(0) }, { at: 0, len: len(0) }, { at: 1, len: len(0), out: true }, { at: 2, len: len(0), out: true, kind: 'bytes' }] },
  // reluBackward(dout, mask, dx)
  { name: 'reluBackward', split: true, operands: [{ value: len(0) }, { at: 0, len: len(0) }, { at: 1, len: len(0), kind: 'bytes' }, { at: 2, len: len(0), out: true }] },
  // addRowVector(x, bias, m, n, out)
  { name: 'addRowVector', operands: [{ scalar: 2 }, { scalar: 3 }, { at: 0, len: times(2, 3) }, { at: 1, len: num(3) }, { at: 4, len: times(2, 3), out: true }] },
  // sumRows(x, m, n, out)
  { name: 'sumRows', operands: [{ scalar: 1 }, { scalar: 2 }, { at: 0, len: times(1, 2) }, { at: 3, len: num(2), out: true }] },
  // sigmoid(x, out): e^x by a polynomial (kernels.ts), within ~1 ulp of the reference's Math.exp; not split.
  { name: 'sigmoid', operands: [{ value: len(0) }, { at: 0, len: len(0) }, { at: 1, len: len(0), out: true }] },
  // applyMask(x, mask, out)
  { name: 'applyMask', split: true, operands: [{ value: len(0) }, { at: 0, len: len(0) }, { at: 1, len: len(0), kind: 'bytes' }, { at: 2, len: len(0), out: true }] },
  // momentumUpdate(lr, momentum, v, g, p)
  { name: 'momentumUpdate', split: true, operands: update(2, 3, [true, false, true]) },
  // nesterovUpdate(lr, momentum, momentumSquared, stepScale, v, g, p)
  { name: 'nesterovUpdate', split: true, operands: update(4, 3, [true, false, true]) },
  // adaGradUpdate(lr, h, g, p)
  { name: 'adaGradUpdate', split: true, operands: update(1, 3, [true, false, true]) },
  // rmspropUpdate(lr, decayRate, oneMinusDecay, h, g, p)
  { name: 'rmspropUpdate', split: true, operands: update(3, 3, [true, false, true]) },
  // adamUpdate(lrT, oneMinusBeta1, oneMinusBeta2, m, v, g, p)
  { name: 'adamUpdate', split: true, operands: update(3, 4, [true, true, false, true]) },
  // batchNormForwardTrain(x, n, d, gamma, beta, eps, momentum, runningMean, runningVar, mu, variance, xc, xn, std, out)
  {
    name: 'batchNormForwardTrain',
    valid: (a) => (a[1] as number) > 0 && (a[2] as number) > 0,
    operands: [
      { at: 0, len: nd }, { scalar: 1 }, { scalar: 2 }, { at: 3, len: d }, { at: 4, len: d }, { scalar: 5 }, { scalar: 6 },
      { at: 7, len: d, out: true }, { at: 8, len: d, out: true }, { at: 9, len: d, out: true, kind: 'stats' }, { at: 10, len: d, out: true, kind: 'stats' },
      { at: 11, len: nd, out: true }, { at: 12, len: nd, out: true }, { at: 13, len: d, out: true }, { at: 14, len: nd, out: true },
    ],
  },
  // batchNormForwardTest(x, n, d, gamma, beta, eps, runningMean, runningVar, xc, xn, std, out)
  {
    name: 'batchNormForwardTest',
    valid: (a) => (a[1] as number) > 0 && (a[2] as number) > 0,
    operands: [
      { at: 0, len: nd }, { scalar: 1 }, { scalar: 2 }, { at: 3, len: d }, { at: 4, len: d }, { scalar: 5 }, { at: 6, len: d }, { at: 7, len: d },
      { at: 8, len: nd, out: true }, { at: 9, len: nd, out: true }, { at: 10, len: d, out: true }, { at: 11, len: nd, out: true },
    ],
  },
  // batchNormBackwardTrain(dout, n, d, gamma, xc, xn, std, dgamma, dbeta, dvar, dmu, dx)
  {
    name: 'batchNormBackwardTrain',
    valid: (a) => (a[1] as number) > 0 && (a[2] as number) > 0,
    operands: [
      { at: 0, len: nd }, { scalar: 1 }, { scalar: 2 }, { at: 3, len: d }, { at: 4, len: nd }, { at: 5, len: nd }, { at: 6, len: d },
      { at: 7, len: d, out: true }, { at: 8, len: d, out: true }, { at: 9, len: d, out: true, kind: 'stats' }, { at: 10, len: d, out: true, kind: 'stats' }, { at: 11, len: nd, out: true },
    ],
  },
  // batchNormBackwardTest(dout, n, d, gamma, xn, std, dgamma, dbeta, dx)
  {
    name: 'batchNormBackwardTest',
    valid: (a) => (a[1] as number) > 0 && (a[2] as number) > 0,
    operands: [{ at: 0, len: nd }, { scalar: 1 }, { scalar: 2 }, { at: 3, len: d }, { at: 4, len: nd }, { at: 5, len: d }, { at: 6, len: d, out: true }, { at: 7, len: d, out: true }, { at: 8, len: nd, out: true }],
  },
];

/** What the binder needs of the backend. */
export interface TableContext {
  exports: Record<string, unknown>;
  heap: WasmHeap;
  /** Called with every array a kernel writes (the kept rows it overwrites are forgotten). */
  forget(out: ArrayBufferView): void;
  reference: Kernels;
  /** The helper thread when it is free to take half of a kernel now (split kernels), else undefined. */
  freeHelper?: () => KernelHelper | undefined;
  /** For a split kernel writing `bytes` bytes at `ptr`: where the threads own that matrix (the helper's elements first), or -1. */
  ownedSplit?: (ptr: number, bytes: number, sz: number) => number;
  /** The helper's task code of an export (`name` without its suffix) for the dtype. */
  helperOp?: (name: string, f32: boolean) => number;
}

/** 4 for a Float32Array, 8 for a Float64Array, else 0. */
function width(a: unknown): number {
  return a instanceof Float32Array ? 4 : a instanceof Float64Array ? 8 : 0;
}

/** The most arguments a kernel of the table takes (batchNormForwardTrain's 15). */
const MAX_ARGS = 15;

/** The kernel of `desc`, with its reference's signature. */
export function bindKernel(ctx: TableContext, desc: KernelDescriptor): Kernels[SimpleKernel] {
  const { heap, forget } = ctx;
  const reference = ctx.reference[desc.name] as (...a: unknown[]) => void;
  const exportOf = (suffix: string) => ctx.exports[`${desc.name}_${suffix}`] as ((...a: number[]) => void) | undefined;
  const runs = { f32: exportOf('f32'), f64: exportOf('f64'), f32s64: exportOf('f32s64') };
  // A descriptor whose exports are missing would fall back to the reference on every call, silently.
  const needsS64 = desc.operands.some((op) => 'at' in op && op.kind === 'stats');
  if (!runs.f32 || !runs.f64 || (needsS64 && !runs.f32s64)) throw new Error(`WASM kernels: the module has no ${desc.name}_f32 / _f64${needsS64 ? ' / _f32s64' : ''} export`);
  const ops = desc.operands;
  const arrays = ops.map((op, i) => ('at' in op ? i : -1)).filter((i) => i >= 0);
  const written = arrays.filter((i) => (ops[i] as { out?: boolean }).out === true);
  // The operand an ownership split is looked up by: the last one written (axpy's y, an update's params).
  const lastWritten = written.at(-1) ?? 0;
  // Reused on every call: the arguments, the export's arguments, the temporary blocks.
  const argv: unknown[] = new Array(MAX_ARGS).fill(undefined);
  const callArgs: number[] = new Array(ops.length).fill(0);
  const temps: number[] = new Array(ops.length).fill(-1);
  const splitArgs: number[] = new Array(ops.length).fill(0);
  /** Bytes per element of operand i at float width `sz`: 1 for a byte array, 0 for a scalar (a split never offsets it). */
  const elementBytes = (i: number, sz: number): number => {
    const op = ops[i];
    return 'at' in op ? (op.kind === 'bytes' ? 1 : sz) : 0;
  };
  if (desc.split && !('value' in ops[0])) throw new Error(`WASM kernels: ${desc.name} cannot be split (its first operand must be the length)`);
  // Views of the whole heap (its memory never grows, so they stay valid).
  const f32 = new Float32Array(heap.buffer);
  const f64 = new Float64Array(heap.buffer);
  const u8 = new Uint8Array(heap.buffer);

  const copyIn = (arr: ArrayLike<number>, ptr: number, n: number, w: number): void => {
    if (w === 8) for (let i = 0, j = ptr >> 3; i < n; i++) f64[j + i] = arr[i];
    else if (w === 4) for (let i = 0, j = ptr >> 2; i < n; i++) f32[j + i] = arr[i];
    else for (let i = 0; i < n; i++) u8[ptr + i] = arr[i];
  };
  const copyOut = (arr: { [i: number]: number }, ptr: number, n: number, w: number): void => {
    if (w === 8) for (let i = 0, j = ptr >> 3; i < n; i++) arr[i] = f64[j + i];
    else if (w === 4) for (let i = 0, j = ptr >> 2; i < n; i++) arr[i] = f32[j + i];
    else for (let i = 0; i < n; i++) arr[i] = u8[ptr + i];
  };
  const release = (): void => {
    for (const i of arrays) {
      if (temps[i] >= 0) heap.release(temps[i]);
      temps[i] = -1;
    }
  };

  /** Runs the export, or returns false (nothing written) when the reference must. */
  const tryWasm = (): boolean => {
    if (desc.valid && !desc.valid(argv)) return false;
    // The dtype: the first float operand's width; the others must have it.
    let sz = 0;
    let stats = 0;
    for (const i of arrays) {
      const op = ops[i] as Extract<Operand, { at: number }>;
      const arr = argv[op.at] as ArrayLike<number> & ArrayBufferView;
      const kind = op.kind ?? 'float';
      if (kind === 'bytes') {
        if (!(arr instanceof Uint8Array)) return false;
      } else {
        const w = width(arr);
        if (kind === 'stats') {
          if (stats === 0) stats = w;
          if (w !== stats) return false;
        } else {
          if (sz === 0) sz = w;
          if (w !== sz) return false;
        }
      }
      if (arr.length < op.len(argv)) return false;
    }
    if (sz === 0 || (stats !== 0 && stats !== sz && !(sz === 4 && stats === 8))) return false;
    const run = sz === 8 ? runs.f64 : stats === 8 ? runs.f32s64 : runs.f32;
    if (!run) return false;
    // Addresses: in place on the heap, else a temporary block with a copy.
    let copied = false;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if ('scalar' in op) callArgs[i] = argv[op.scalar] as number;
      else if ('value' in op) callArgs[i] = op.value(argv);
      else {
        const arr = argv[op.at] as ArrayLike<number> & ArrayBufferView;
        if (heap.owns(arr)) {
          callArgs[i] = arr.byteOffset;
          continue;
        }
        if (desc.heapOnly) return false;
        const n = op.len(argv);
        const w = op.kind === 'bytes' ? 1 : width(arr);
        const ptr = heap.alloc(n * w);
        if (ptr < 0) return false;
        temps[i] = ptr;
        copied = true;
        copyIn(arr, ptr, n, w);
        callArgs[i] = ptr;
      }
    }
    // A matrix the threads own by halves (ctx.owned: W1 of the kept rows' products) is cut where they own it.
    const splits = desc.split === true && !copied;
    const owned = splits && ctx.ownedSplit ? ctx.ownedSplit(callArgs[lastWritten], callArgs[0] * sz, sz) : -1;
    const helper = splits && (owned > 0 || callArgs[0] >= ELEMENTWISE_SPLIT_MIN) ? ctx.freeHelper?.() : undefined;
    if (helper && ctx.helperOp) {
      // Elements [0, h) here, [h, n) there (h a multiple of 16: whole vectors on both sides) — or, for an
      // owned matrix, [0, h) there and [h, n) here.
      const n = callArgs[0];
      const h = owned > 0 ? owned : (n >> 1) & ~15;
      const hereAt = owned > 0 ? h : 0;
      const thereAt = owned > 0 ? 0 : h;
      const thereLen = owned > 0 ? h : n - h;
      for (let i = 0; i < ops.length; i++) splitArgs[i] = i === 0 ? thereLen : callArgs[i] + thereAt * elementBytes(i, sz);
      helper.start(ctx.helperOp(desc.name, sz === 4), splitArgs);
      callArgs[0] = n - thereLen;
      for (let i = 1; i < ops.length; i++) callArgs[i] += hereAt * elementBytes(i, sz);
      try {
        Reflect.apply(run, undefined, callArgs);
      } finally {
        helper.join();
      }
    } else Reflect.apply(run, undefined, callArgs);
    for (const i of written) {
      if (temps[i] < 0) continue;
      const op = ops[i] as Extract<Operand, { at: number }>;
      const arr = argv[op.at] as FloatArray | Uint8Array;
      copyOut(arr, temps[i], op.len(argv), op.kind === 'bytes' ? 1 : width(arr));
    }
    return true;
  };

  function kernel(a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown, a10?: unknown, a11?: unknown, a12?: unknown, a13?: unknown, a14?: unknown): void {
    argv[0] = a0;
    argv[1] = a1;
    argv[2] = a2;
    argv[3] = a3;
    argv[4] = a4;
    argv[5] = a5;
    argv[6] = a6;
    argv[7] = a7;
    argv[8] = a8;
    argv[9] = a9;
    argv[10] = a10;
    argv[11] = a11;
    argv[12] = a12;
    argv[13] = a13;
    argv[14] = a14;
    for (const i of written) forget(argv[(ops[i] as { at: number }).at] as ArrayBufferView);
    let done: boolean;
    try {
      done = tryWasm();
    } finally {
      release();
    }
    // (Arguments past the kernel's own are undefined: a default parameter takes its default.)
    if (!done) Reflect.apply(reference, undefined, argv);
    // Nothing of this call is kept (the arrays may be large).
    argv.fill(undefined);
  }
  return kernel as unknown as Kernels[SimpleKernel];
}

/** Every kernel of the table, bound. */
export function bindTable(ctx: TableContext): Pick<Kernels, SimpleKernel> {
  const out: Partial<Record<SimpleKernel, unknown>> = {};
  for (const desc of SIMPLE_KERNELS) out[desc.name] = bindKernel(ctx, desc);
  return out as Pick<Kernels, SimpleKernel>;
}
