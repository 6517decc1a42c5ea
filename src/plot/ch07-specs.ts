/**
 * Vega-Lite specs for the figures of chapters 7–8's scripts: image grids as the book's `imshow(…,
 * cmap=plt.cm.gray_r, interpolation='nearest')` subplots (the first layer's filters, misclassified
 * digits), and train/test accuracy per epoch (`train_convnet.py`). Each pixel is a rectangle placed in
 * pixels (no scales), white ones left out, so a grid of 20 digits stays a few thousand marks. Pure data
 * in, JSON out (browser-safe).
 */
import { trainTestAccuracySpec } from './ch06-specs.ts';
import type { VegaLiteSpec } from './specs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** One image of a grid: `rows × cols` values, row-major, and an optional caption below it. */
export interface GridImage {
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  caption?: string;
}

export interface ImageGridOptions {
  /** Images per row (the book's `nx`). */
  columns: number;
  /** Size of one image pixel in the figure (default: 10). */
  pixel?: number;
  /** Space between images (default: 3 pixels). */
  gap?: number;
  /**
   * `'each'`: every image from its own minimum (white) to its maximum (black), as `imshow` scales each
   * subplot; or a fixed `[lo, hi]` range (e.g. `[0, 1]` for pixels).
   */
  range?: 'each' | readonly [number, number];
  title?: string;
}

/** matplotlib's `gray_r`: 0 white, 1 black. */
function grayR(t: number): string {
  const v = Math.round(255 * (1 - Math.min(1, Math.max(0, t))));
  const h = v.toString(16).padStart(2, '0');
  return `#${h}${h}${h}`;
}

/** A grid of grey images (`gray_r`, nearest neighbour), captions under them when given. */
export function imageGridSpec(images: readonly GridImage[], options: ImageGridOptions): VegaLiteSpec {
  const px = options.pixel ?? 10;
  const gap = options.gap ?? 3;
  const columns = Math.max(1, options.columns);
  const rowsOfImages = Math.ceil(images.length / columns);
  const cellW = Math.max(0, ...images.map((im) => im.cols)) * px;
  const cellH = Math.max(0, ...images.map((im) => im.rows)) * px;
  const captionH = images.some((im) => im.caption) ? 16 : 0;
  const width = columns * cellW + (columns - 1) * gap;
  const height = rowsOfImages * (cellH + captionH) + (rowsOfImages - 1) * gap;
  const pixels: { x: number; y: number; x2: number; y2: number; c: string }[] = [];
  const frames: { x: number; y: number; x2: number; y2: number }[] = [];
  const captions: { x: number; y: number; text: string }[] = [];
  images.forEach((im, i) => {
    const ox = (i % columns) * (cellW + gap);
    const oy = Math.floor(i / columns) * (cellH + captionH + gap);
    let lo: number;
    let hi: number;
    if (options.range === undefined || options.range === 'each') {
      lo = Infinity;
      hi = -Infinity;
      for (let k = 0; k < im.values.length; k++) {
        lo = Math.min(lo, im.values[k]);
        hi = Math.max(hi, im.values[k]);
      }
    } else {
      [lo, hi] = options.range;
    }
    const span = hi - lo;
    for (let r = 0; r < im.rows; r++) {
      for (let c = 0; c < im.cols; c++) {
        const v = im.values[r * im.cols + c];
        // A constant image shows as imshow shows it: all at the low end (white).
        const color = grayR(span > 0 ? (v - lo) / span : 0);
        if (color === '#ffffff') continue;
        pixels.push({ x: ox + c * px, y: oy + r * px, x2: ox + (c + 1) * px, y2: oy + (r + 1) * px, c: color });
      }
    }
    frames.push({ x: ox, y: oy, x2: ox + im.cols * px, y2: oy + im.rows * px });
    if (im.caption) captions.push({ x: ox + (im.cols * px) / 2, y: oy + im.rows * px + 12, text: im.caption });
  });
  const pos = (f: string) => ({ field: f, type: 'quantitative', scale: null });
  const layer: Record<string, unknown>[] = [
    {
      data: { values: pixels },
      mark: { type: 'rect', strokeWidth: 0 },
      encoding: { x: pos('x'), x2: { field: 'x2' }, y: pos('y'), y2: { field: 'y2' }, color: { field: 'c', type: 'nominal', scale: null, legend: null } },
    },
    {
      data: { values: frames },
      mark: { type: 'rect', fill: null, stroke: '#999', strokeWidth: 0.6 },
      encoding: { x: pos('x'), x2: { field: 'x2' }, y: pos('y'), y2: { field: 'y2' } },
    },
  ];
  if (captions.length > 0) {
    layer.push({
      data: { values: captions },
      mark: { type: 'text', fontSize: 11, align: 'center', baseline: 'middle', font: FONT },
      encoding: { x: pos('x'), y: pos('y'), text: { field: 'text', type: 'nominal' } },
    });
  }
  return {
    $schema: SCHEMA,
    background: 'white',
    padding: 10,
    config: { font: FONT, view: { stroke: null }, title: { fontSize: 13, anchor: 'middle', offset: 8 } },
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    layer,
  };
}

/**
 * The book's `filter_show(filters, nx=8)`: the first input channel of each filter (FN, C, FH, FW), 8 per
 * row, each scaled from its own minimum (white) to its maximum (black).
 */
export function filterGridSpec(filters: ArrayLike<number>, shape: readonly [number, number, number, number], options: { title?: string; columns?: number } = {}): VegaLiteSpec {
  const [fn, c, fh, fw] = shape;
  const images: GridImage[] = [];
  for (let i = 0; i < fn; i++) {
    const start = i * c * fh * fw;
    images.push({ values: Array.from({ length: fh * fw }, (_, k) => filters[start + k]), rows: fh, cols: fw });
  }
  return imageGridSpec(images, { columns: options.columns ?? 8, pixel: 12, gap: 4, range: 'each', ...(options.title ? { title: options.title } : {}) });
}

/** One misclassified test image: its 28×28 pixels in [0, 1], the label and the network's answer. */
export interface Misclassified {
  pixels: ArrayLike<number>;
  rows: number;
  cols: number;
  label: number;
  inference: number;
}

/** `misclassified_mnist.py`'s figure: up to 20 digits in a 4 × 5 grid, "label → inference" under each. */
export function misclassifiedSpec(items: readonly Misclassified[], options: { title?: string } = {}): VegaLiteSpec {
  return imageGridSpec(
    items.map((m, i) => ({ values: m.pixels, rows: m.rows, cols: m.cols, caption: `${i + 1}: ${m.label} → ${m.inference}` })),
    { columns: 5, pixel: 4, gap: 10, range: [0, 1], ...(options.title ? { title: options.title } : {}) },
  );
}

/** `train_convnet.py`'s figure: train and test accuracy per epoch ('o' and 's' every 2 epochs), y from 0 to 1. */
export function convAccuracySpec(train: readonly number[], test: readonly number[], options: { title?: string } = {}): VegaLiteSpec {
  return trainTestAccuracySpec(train, test, { markEvery: 2, ...(options.title ? { title: options.title } : {}) });
}
