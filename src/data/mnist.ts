import { parseIdx } from './idx.ts';
import { kernels } from '../kernels/index.ts';
import type { FloatArray } from '../kernels/types.ts';
import { allocate, Tensor, type DType } from '../tensor/tensor.ts';

/**
 * The valid indices of `count` images in words, for messages: "images 0–9999", "image 0 only", or
 * "no images" (never "images 0–-1").
 */
export function describeImageRange(count: number): string {
  if (count <= 0) return 'no images';
  if (count === 1) return 'image 0 only';
  return `images 0–${count - 1}`;
}

/** The number of classes in MNIST and Fashion-MNIST. */
export const MNIST_CLASSES = 10;

export interface LoadMnistOptions {
  /** Scale pixels to [0, 1] (default true); otherwise keep 0–255 as floats. */
  normalize?: boolean;
  /** Images as rows of 784 values (default true); otherwise N×1×28×28. */
  flatten?: boolean;
  /** Labels as one-hot rows (default false); otherwise label indices. */
  oneHotLabel?: boolean;
  /** dtype of the returned tensors (default `'float64'`). */
  dtype?: DType;
}

/** `[[xTrain, tTrain], [xTest, tTest]]`, as the book's `load_mnist` returns it. */
export type MnistTensors = [[Tensor, Tensor], [Tensor, Tensor]];

/**
 * One split of an MNIST-format data set, kept compact: one byte per pixel and per label (~47 MB for
 * the 60 000 training images, against ~376 MB as float64). Convert only what you need: a batch, a
 * slice, or (like the book) the whole split with `toTensors`.
 */
export class MnistSplit {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /**
   * What `images` and `labels` are views of, held so it stays alive as long as the split (and its
   * slices) do: WASM heap blocks are freed when the array they were handed out as is collected.
   */
  private readonly owner: unknown;

  constructor(images: Uint8Array, labels: Uint8Array, rows: number, cols: number, owner?: unknown) {
    const pixels = rows * cols;
    if (pixels === 0 || images.length % pixels !== 0) {
      throw new Error(`MnistSplit: ${images.length} image bytes are not a whole number of ${rows}×${cols} images`);
    }
    if (images.length / pixels !== labels.length) {
      throw new Error(`MnistSplit: ${images.length / pixels} images but ${labels.length} labels`);
    }
    this.images = images;
    this.labels = labels;
    this.count = labels.length;
    this.rows = rows;
    this.cols = cols;
    this.owner = owner;
  }

  /** Pixels per image (784 for MNIST). */
  get pixels(): number {
    return this.rows * this.cols;
  }

  /** Builds a split from the bytes of an images file and a labels file, validating both. */
  static fromIdx(imageBytes: Uint8Array, labelBytes: Uint8Array, imageName: string, labelName: string, classes = MNIST_CLASSES): MnistSplit {
    const images = parseIdx(imageBytes, imageName, 3);
    const labels = parseIdx(labelBytes, labelName, 1);
    const [n, rows, cols] = images.dims;
    if (labels.dims[0] !== n) {
      throw new Error(`${imageName} has ${n} images but ${labelName} has ${labels.dims[0]} labels`);
    }
    for (let i = 0; i < labels.data.length; i++) {
      if (labels.data[i] >= classes) {
        throw new Error(`${labelName}: label ${labels.data[i]} at index ${i} is out of range 0–${classes - 1}`);
      }
    }
    return new MnistSplit(images.data, labels.data, rows, cols, [imageBytes, labelBytes]);
  }

  /** A split of images `start` to `end` (a view: no bytes are copied). */
  slice(start: number, end: number = this.count): MnistSplit {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.count || start > end) {
      throw new Error(`MnistSplit.slice: range [${start}, ${end}) is not within [0, ${this.count}]`);
    }
    const p = this.pixels;
    return new MnistSplit(this.images.subarray(start * p, end * p), this.labels.subarray(start, end), this.rows, this.cols, this.owner);
  }

  /**
   * Writes the images at `indices` into `out` as rows of `pixels` values (scaled to [0, 1] when
   * `normalize`): the per-batch conversion that keeps the whole set as bytes.
   */
  gatherImages(indices: ArrayLike<number>, out: FloatArray, normalize = true): void {
    for (let r = 0; r < indices.length; r++) {
      const idx = indices[r];
      if (!(idx >= 0 && idx < this.count)) throw new Error(`MnistSplit.gatherImages: index ${idx} is out of range: the split has ${describeImageRange(this.count)}`);
    }
    kernels.gatherRows(this.images, this.pixels, indices, out, normalize ? 1 / 255 : 1);
  }

  /** Writes images `start`…`start + n - 1` into `out` (contiguous: no index array needed). */
  copyImages(start: number, n: number, out: FloatArray, normalize = true): void {
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > this.count) {
      throw new Error(`MnistSplit.copyImages: images ${start} to ${start + n - 1} are out of range: the split has ${describeImageRange(this.count)}`);
    }
    const p = this.pixels;
    kernels.bytesToFloat(this.images.subarray(start * p, (start + n) * p), out, normalize ? 1 / 255 : 1);
  }

  /** Writes the labels at `indices` into `out`. */
  gatherLabels(indices: ArrayLike<number>, out: { [i: number]: number }): void {
    for (let r = 0; r < indices.length; r++) out[r] = this.labels[indices[r]];
  }

  /** The whole split as tensors, like the book's `load_mnist` (this is where memory is spent). */
  toTensors(options: LoadMnistOptions = {}): [x: Tensor, t: Tensor] {
    const { normalize = true, flatten = true, oneHotLabel = false, dtype = 'float64' } = options;
    const x = allocate(dtype, this.count * this.pixels);
    this.copyImages(0, this.count, x, normalize);
    const xShape = flatten ? [this.count, this.pixels] : [this.count, 1, this.rows, this.cols];
    let t: Tensor;
    if (oneHotLabel) {
      t = new Tensor(allocate(dtype, this.count * MNIST_CLASSES), [this.count, MNIST_CLASSES]);
      for (let i = 0; i < this.count; i++) t.data[i * MNIST_CLASSES + this.labels[i]] = 1;
    } else {
      t = new Tensor(allocate(dtype, this.count), [this.count]);
      t.data.set(this.labels);
    }
    return [new Tensor(x, xShape), t];
  }
}

/** A training and a test split. */
export interface MnistSplits {
  train: MnistSplit;
  test: MnistSplit;
}
