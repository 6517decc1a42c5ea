/**
 * The book's `common/util.py` helpers for chapter 7 on tensors: `convOutputSize`, `im2col`, `col2im`.
 * The loops are the kernels' (`kernels/conv.ts`); this file checks shapes and allocates the results.
 */
import { kernels } from '../kernels/index.ts';
import { allocate, Tensor } from '../tensor/tensor.ts';
import { formatShape } from '../tensor/shape.ts';

function checkCount(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
}

/**
 * The output size of a convolution or pooling along one axis, `(inputSize + 2·pad − filterSize) //
 * stride + 1`, checked to be a whole number of windows ≥ 1 when `exact` (as the book's networks need:
 * its `conv_output_size` divides with `/`). Throws naming `op` and the sizes when no window fits.
 */
export function convOutputSize(inputSize: number, filterSize: number, stride = 1, pad = 0, op = 'convOutputSize', exact = false): number {
  checkCount(op, 'input size', inputSize, 1);
  checkCount(op, 'filter size', filterSize, 1);
  checkCount(op, 'stride', stride, 1);
  checkCount(op, 'pad', pad, 0);
  const span = inputSize + 2 * pad - filterSize;
  if (span < 0) {
    throw new Error(`${op}: a filter of size ${filterSize} does not fit an input of size ${inputSize} with pad ${pad}`);
  }
  if (exact && span % stride !== 0) {
    throw new Error(`${op}: (${inputSize} + 2·${pad} − ${filterSize}) / ${stride} + 1 is not a whole number of windows`);
  }
  return Math.floor(span / stride) + 1;
}

/** Checks a 4-D NCHW shape and the window; returns `[N, C, H, W, outH, outW]`. */
export function windowShape(
  op: string,
  shape: readonly number[],
  filterH: number,
  filterW: number,
  stride: number,
  pad: number,
): [number, number, number, number, number, number] {
  if (shape.length !== 4) throw new Error(`${op}: input must be 4-D (N, C, H, W), got shape ${formatShape(shape)}`);
  const [n, c, h, w] = shape;
  for (const [name, v] of [['N', n], ['C', c]] as const) checkCount(op, `${name} of shape ${formatShape(shape)}`, v, name === 'N' ? 0 : 1);
  let outH: number;
  let outW: number;
  try {
    outH = convOutputSize(h, filterH, stride, pad, op);
    outW = convOutputSize(w, filterW, stride, pad, op);
  } catch (e) {
    throw new Error(`${(e as Error).message} (input shape ${formatShape(shape)}, filter ${filterH}×${filterW}, stride ${stride}, pad ${pad})`);
  }
  return [n, c, h, w, outH, outW];
}

/**
 * The book's `im2col(input_data, filter_h, filter_w, stride=1, pad=0)`: input (N, C, H, W) → a 2-D
 * tensor (N·outH·outW, C·filterH·filterW), one row per window in the order (image, out_y, out_x), its
 * columns in the order (channel, filter_y, filter_x) — the book's exact layout. A new tensor, in the
 * input's dtype.
 *
 * @example
 * const x = randn([1, 3, 7, 7]);
 * im2col(x, 5, 5, 1, 0).shape; // [9, 75]
 */
export function im2col(inputData: Tensor, filterH: number, filterW: number, stride = 1, pad = 0): Tensor {
  const [n, c, h, w, outH, outW] = windowShape('im2col', inputData.shape, filterH, filterW, stride, pad);
  const shape = [n * outH * outW, c * filterH * filterW];
  const col = new Tensor(allocate(inputData.dtype, shape[0] * shape[1], 'im2col', shape), shape);
  kernels.im2col(inputData.data, n, c, h, w, filterH, filterW, stride, pad, col.data);
  return col;
}

/**
 * The book's `col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0)`: the adjoint of `im2col`
 * (each pixel gets the sum of the entries copied from it). `col` must be (N·outH·outW, C·filterH·filterW)
 * for `inputShape` (N, C, H, W); the result has `inputShape`, in `col`'s dtype.
 */
export function col2im(col: Tensor, inputShape: readonly number[], filterH: number, filterW: number, stride = 1, pad = 0): Tensor {
  const [n, c, h, w, outH, outW] = windowShape('col2im', inputShape, filterH, filterW, stride, pad);
  const rows = n * outH * outW;
  const cols = c * filterH * filterW;
  if (col.size !== rows * cols || (col.ndim === 2 && (col.shape[0] !== rows || col.shape[1] !== cols))) {
    throw new Error(
      `col2im: col of shape ${formatShape(col.shape)} does not match input shape ${formatShape(inputShape)} with filter ${filterH}×${filterW}, stride ${stride}, pad ${pad} (expected (${rows},${cols}))`,
    );
  }
  const img = new Tensor(allocate(col.dtype, n * c * h * w, 'col2im', inputShape), inputShape);
  kernels.col2im(col.data, n, c, h, w, filterH, filterW, stride, pad, img.data);
  return img;
}
