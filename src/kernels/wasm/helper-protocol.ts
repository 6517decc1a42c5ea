/**
 * The control block shared by the main thread and the kernel helper thread (Node): on one
 * SharedArrayBuffer, CONTROL_INTS i32 (SEQ, DONE, OP, READY, accessed with Atomics) and then ARG_COUNT
 * float64 arguments (addresses, lengths and the optimizers' hyperparameters alike: a float64 holds every
 * i32 exactly). The main thread writes the arguments and the task, then bumps SEQ (a sequentially
 * consistent store: the helper that sees the new SEQ sees the arguments); the helper runs it and sets DONE.
 */
export const SEQ = 0;
export const DONE = 1;
export const OP = 2;
export const READY = 15;
export const CONTROL_INTS = 16;
/** The most arguments a task takes. */
export const ARG_COUNT = 12;
/** Bytes of the shared control block. */
export const CONTROL_BYTES = CONTROL_INTS * 4 + ARG_COUNT * 8;

/** Task codes: which exported kernel the helper runs. */
export const HELPER_OPS = ['gemmNN_f32', 'gemmNN_f64', 'gemmTN_f32', 'gemmTN_f64', 'predictTwoLayer_f32', 'predictTwoLayer_f64', 'gatherRows_f32', 'gatherRows_f64', 'keptFirst_f32', 'keptFirst_f64', 'keptTN_f32', 'keptTN_f64', 'allFiniteTo_f32', 'allFiniteTo_f64', 'gemmBlocked_f32', 'gemmBlocked_f64', 'gemmPanels_f32', 'gemmPanels_f64', 'reluForward_f32', 'reluForward_f64', 'reluBackward_f32', 'reluBackward_f64', 'applyMask_f32', 'applyMask_f64', 'axpy_f32', 'axpy_f64',
  'momentumUpdate_f32', 'momentumUpdate_f64', 'nesterovUpdate_f32', 'nesterovUpdate_f64', 'adaGradUpdate_f32', 'adaGradUpdate_f64', 'rmspropUpdate_f32', 'rmspropUpdate_f64', 'adamUpdate_f32', 'adamUpdate_f64',
  // Chapter 7 (src/kernels/wasm/conv.ts: CONV_HELPER_OPS); each takes the address of its argument block.
  'convForward_f32', 'convForward_f64', 'convBackwardFilter_f32', 'convBackwardFilter_f64', 'sumChannels_f32', 'sumChannels_f64', 'maxPoolForward_f32', 'maxPoolForward_f64', 'maxPoolBackward_f32', 'maxPoolBackward_f64', 'convPoolBackward_f32', 'convPoolBackward_f64', 'convPoolBackwardData_f32', 'convPoolBackwardData_f64'] as const;
export const OP_SHUTDOWN = -1;

/** The second thread of the WASM kernels: runs one half of a large product (or prediction) while the caller does the other. */
export interface KernelHelper {
  /** True once the helper thread is waiting for work (tasks are only ever given to a ready helper). */
  ready(): boolean;
  /** Starts `HELPER_OPS[op](...args)` on the helper thread. */
  start(op: number, args: readonly number[]): void;
  /** Waits until the started task has finished. */
  join(): void;
  /** True when the started task has finished (never blocks). */
  done(): boolean;
  /** Stops the thread; resolves once it is gone (and no longer holds the shared memory). */
  close(): Promise<void>;
}
