/**
 * Vega-Lite specs for ScratchNet's charts. One spec, two renderers: `render.ts` turns them into SVG and
 * PNG in Node; the web page embeds the same specs live with vega-embed. Pure data in, JSON out.
 */
import type { EpochRecord } from '../train/train.ts';
import { Relu } from '../layers/relu.ts';
import { Sigmoid } from '../layers/sigmoid.ts';
import { arange, onesLike, tensor } from '../tensor/tensor.ts';

/** A Vega-Lite spec (kept as plain JSON so the core needs no Vega types). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const BASE_CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, orient: 'top-right', fillColor: 'rgba(255,255,255,0.85)', padding: 6 },
  title: { fontSize: 15, anchor: 'start', offset: 12 },
};

/** Trailing moving average over `window` values (shorter at the start), skipping non-finite values. */
export function movingAverage(values: ArrayLike<number>, window: number): Float64Array {
  const out = new Float64Array(values.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
    const j = i - window;
    if (j >= 0 && Number.isFinite(values[j])) {
      sum -= values[j];
      count--;
    }
    out[i] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/** The frame the training charts share: a 560×300 chart on white with the common config, of `rows`. */
function chartFrame(title: string, rows: object[]) {
  return { $schema: SCHEMA, title, width: 560, height: 300, background: 'white', config: BASE_CONFIG, data: { values: rows } };
}

/**
 * The training loss per iteration: raw (faint) and smoothed. A long run is drawn at the chart's
 * resolution, at most `maxPoints` points per line (default 1120, two per pixel of its 560): the raw line
 * as each run of iterations' lowest and highest loss, in order (its envelope, every spike kept), the
 * smoothed one every k-th iteration. Drawing all 10 000 points of the book's run looks the same and costs
 * far more memory to render (vega's scene holds an object per point).
 */
export function lossSpec(losses: ArrayLike<number>, options: { title?: string; window?: number; maxPoints?: number } = {}): VegaLiteSpec {
  const window = options.window ?? Math.max(1, Math.min(100, Math.round(losses.length / 50)));
  const smooth = movingAverage(losses, window);
  const n = losses.length;
  const maxPoints = Math.max(2, options.maxPoints ?? 1120);
  const bucket = n <= maxPoints ? 1 : Math.ceil(n / Math.floor(maxPoints / 2));
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const rows: { iteration: number; loss: number | null; series: string }[] = [];
  const raw = bucket === 1 ? 'loss per iteration' : `loss (min/max per ${bucket} iterations)`;
  const avg = `moving average (${window})`;
  const at = (i: number, v: number) => ({ iteration: i, loss: Number.isFinite(v) ? round(v) : null });
  // The last iteration is always drawn, so a run that stopped early (or diverged) shows where it ended.
  const withLast = (indices: number[]) => (n > 0 && indices.at(-1) !== n - 1 ? [...indices, n - 1] : indices);
  const rawIndices: number[] = [];
  for (let b = 0; b < n; b += bucket) {
    // The run's first lowest and first highest loss, and its first loss that is not finite (drawn as a gap).
    let lo = -1;
    let hi = -1;
    let bad = -1;
    for (let i = b; i < Math.min(n, b + bucket); i++) {
      const v = losses[i];
      if (!Number.isFinite(v)) {
        if (bad < 0) bad = i;
      } else {
        if (lo < 0 || v < losses[lo]) lo = i;
        if (hi < 0 || v > losses[hi]) hi = i;
      }
    }
    for (const i of [...new Set([lo, hi, bad])].filter((i) => i >= 0).sort((p, q) => p - q)) rawIndices.push(i);
  }
  const smoothIndices: number[] = [];
  for (let i = 0; i < n; i += step) smoothIndices.push(i);
  for (const i of withLast(rawIndices)) rows.push({ ...at(i, losses[i]), series: raw });
  for (const i of withLast(smoothIndices)) rows.push({ ...at(i, smooth[i]), series: avg });
  return {
    ...chartFrame(options.title ?? 'Training loss', rows),
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
      y: { field: 'loss', type: 'quantitative', title: 'loss (cross-entropy)', scale: { zero: true } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: [raw, avg], range: ['#9ecae1', '#08519c'] } },
    },
    // Two layers rather than a strokeWidth channel: the raw line thin underneath, the average on top.
    layer: [
      { transform: [{ filter: { field: 'series', equal: raw } }], mark: { type: 'line', strokeWidth: 1, clip: true } },
      { transform: [{ filter: { field: 'series', equal: avg } }], mark: { type: 'line', strokeWidth: 2.5, clip: true } },
    ],
  };
}

/**
 * Train and test accuracy per epoch, as in the book's figure (y from 0 to 1, test dashed). Epochs are
 * numbered as the CLI's epoch lines and the records number them: from 1. A `testAcc` of null (no test
 * set) draws no test point.
 */
export function accuracySpec(
  epochs: readonly (Pick<EpochRecord, 'epoch' | 'trainAcc'> & { testAcc: number | null; iteration?: number })[],
  options: { title?: string; x?: 'epoch' | 'iteration' } = {},
): VegaLiteSpec {
  // By iteration where evaluations are not epochs (the page's CNN evaluates every 50 iterations).
  const byIteration = options.x === 'iteration';
  const at = (e: (typeof epochs)[number]) => (byIteration ? (e.iteration ?? 0) : e.epoch);
  const rows = epochs.flatMap((e) => [
    { epoch: at(e), accuracy: e.trainAcc, set: 'train acc' },
    ...(e.testAcc === null ? [] : [{ epoch: at(e), accuracy: e.testAcc, set: 'test acc' }]),
  ]);
  // Without a test set, no test line and no legend entry for one.
  const n = epochs.length > 0 && epochs.every((e) => e.testAcc === null) ? 1 : 2;
  const sets = ['train acc', 'test acc'].slice(0, n);
  return {
    ...chartFrame(options.title ?? 'Accuracy per epoch', rows),
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: byIteration ? 'iteration' : 'epochs', axis: { tickMinStep: 1 } },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
      color: {
        field: 'set',
        type: 'nominal',
        title: null,
        scale: { domain: sets, range: ['#1f77b4', '#ff7f0e'].slice(0, n) },
        // Accuracy climbs to the top: keep the legend low, drawn as line samples (solid/dashed).
        legend: { orient: 'bottom-right', symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400 },
      },
      // Same field and title as color: Vega-Lite merges them into one legend showing colour and dash.
      strokeDash: { field: 'set', type: 'nominal', title: null, scale: { domain: sets, range: [[1, 0], [6, 4]].slice(0, n) } },
    },
  };
}

export type ActivationName = 'relu' | 'sigmoid';

/**
 * Forward y and backward dx (with dout = 1, i.e. dy/dx) of the Relu or Sigmoid layer for x from -3 to 3
 * in steps of 0.01, computed by the library's layers themselves.
 */
export function activationCurves(name: ActivationName): { x: Float64Array; y: Float64Array; dx: Float64Array } {
  const x = arange(-3, 3 + 1e-9, 0.01);
  // Round away arange's accumulated error so x = 0 is exactly 0 (ReLU's kink; + 0 turns -0 into 0).
  for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i] * 100) / 100 + 0;
  const layer = name === 'relu' ? new Relu() : new Sigmoid();
  const y = layer.forward(x).copy();
  const dx = layer.backward(onesLike(x)).copy();
  return { x: x.data as Float64Array, y: y.data as Float64Array, dx: dx.data as Float64Array };
}

/** y and dy/dx of the layer at one point x, computed by the layer (forward, then backward of 1). */
export function activationAt(name: ActivationName, x: number): { y: number; dydx: number } {
  const layer = name === 'relu' ? new Relu() : new Sigmoid();
  const y = layer.forward(tensor([x])).data[0];
  const dydx = layer.backward(tensor([1])).data[0];
  return { y, dydx };
}

/**
 * Three panels: forward, backward, and both overlaid — the curves from the notes on these layers.
 * With `marker`, each panel also marks the point at that x (the web page's slider).
 */
export function activationSpec(name: ActivationName, options: { marker?: number; title?: string; width?: number } = {}): VegaLiteSpec {
  const { x, y, dx } = activationCurves(name);
  const label = name === 'relu' ? 'ReLU' : 'Sigmoid';
  const fwd = 'forward y';
  const bwd = 'backward dy/dx (dout = 1)';
  const rows: { x: number; value: number; curve: string; marker?: boolean }[] = [];
  for (let i = 0; i < x.length; i++) {
    rows.push({ x: x[i], value: round(y[i]), curve: fwd }, { x: x[i], value: round(dx[i]), curve: bwd });
  }
  if (options.marker !== undefined) {
    const at = activationAt(name, options.marker);
    rows.push({ x: options.marker, value: at.y, curve: fwd, marker: true }, { x: options.marker, value: at.dydx, curve: bwd, marker: true });
  }
  const color = { field: 'curve', type: 'nominal', title: null, scale: { domain: [fwd, bwd], range: ['#1f77b4', '#d62728'] } };
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [-3, 3] } },
    y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [-0.1, name === 'relu' ? 3 : 1.05] } },
    color,
  };
  const panel = (title: string, curve: string | null) => {
    const only = curve ? `datum.curve === '${curve}' && ` : '';
    return {
      title,
      width: options.width ?? 260,
      height: 220,
      encoding,
      layer: [
        // A step function's curve is drawn as-is: the jump at 0 is the truth of ReLU's derivative.
        { transform: [{ filter: `${only}!datum.marker` }], mark: { type: 'line', strokeWidth: 2.5 }, encoding: { order: { field: 'x', type: 'quantitative' } } },
        ...(options.marker !== undefined
          ? [{ transform: [{ filter: `${only}datum.marker` }], mark: { type: 'point', filled: true, size: 90, opacity: 1 } }]
          : []),
      ],
    };
  };
  return {
    $schema: SCHEMA,
    title: options.title ?? `${label} layer: forward and backward`,
    background: 'white',
    data: { values: rows },
    hconcat: [panel('forward: y', fwd), panel('backward: dy/dx', bwd), panel('overlaid', null)],
    resolve: { scale: { color: 'shared' } },
    config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'bottom', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 2.5 } },
  };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
