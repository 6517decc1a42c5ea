/** The typed arrays a tensor may sit on. */
export type FloatArray = Float64Array | Float32Array;
