/** The typed arrays a tensor may sit on. */
export type FloatArray = Float64Array | Float32Array;

/** Work started on another thread (see `predictTwoLayerAsync`). */
export interface PendingWork {
  /** True once the work is done and its results are written (never blocks). */
  done(): boolean;
  /** Blocks until the work is done and its results are written. */
  wait(): void;
}
