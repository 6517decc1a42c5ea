/**
 * Vega-Lite specs for the figures of chapter 6's scripts (`scratchnet optimizer-compare-naive`, …): the
 * same pictures as the book's matplotlib calls — its subplot grids, axis limits, dashed lines and
 * markers every so many points. Pure data in, JSON out (browser-safe).
 */
import type { VegaLiteSpec } from './specs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  view: { stroke: '#888' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400 },
  title: { fontSize: 13, anchor: 'middle', offset: 6 },
  concat: { spacing: 14 },
};
/** matplotlib's default colour cycle (tab10), so the lines have the book's colours. */
const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** matplotlib's markers as Vega shapes: 'o' circle, 'x' cross, 's' square, 'D' diamond. */
const SHAPES = ['circle', 'cross', 'square', 'diamond', 'triangle-up', 'triangle-down'];

/** Rounds to 6 significant digits: the files stay small and the picture is the same. */
function r6(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : null;
}

function top(spec: Record<string, unknown>): VegaLiteSpec {
  return { $schema: SCHEMA, background: 'white', padding: 10, config: CONFIG, ...spec };
}

// --- optimizer_compare_naive.py -----------------------------------------------------------------------

export interface OptimizerPath {
  /** The panel's title (the optimizer's name). */
  name: string;
  x: readonly number[];
  y: readonly number[];
}

/**
 * Figure 6-8: in a 2×2 grid, each optimizer's path (red, 'o-') on the contours of
 * f(x, y) = x²/20 + y², with '+' at the minimum, x and y from −10 to 10. The contours are the ellipses
 * x²/20 + y² = c themselves (the book's `plt.contour` of the same function, cut off above 7).
 */
export function optimizerPathsSpec(paths: readonly OptimizerPath[], options: { levels?: readonly number[] } = {}): VegaLiteSpec {
  const levels = options.levels ?? [0.5, 1, 2, 3, 4, 5, 6, 7];
  const contour: { level: number; i: number; x: number; y: number }[] = [];
  const steps = 120;
  for (const c of levels) {
    for (let i = 0; i <= steps; i++) {
      const th = (2 * Math.PI * i) / steps;
      contour.push({ level: c, i, x: r6(Math.sqrt(20 * c) * Math.cos(th)) ?? 0, y: r6(Math.sqrt(c) * Math.sin(th)) ?? 0 });
    }
  }
  const x = { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [-10, 10], nice: false } };
  const y = { field: 'y', type: 'quantitative', title: 'y', scale: { domain: [-10, 10], nice: false } };
  const panel = (p: OptimizerPath) => ({
    title: p.name,
    width: 260,
    height: 260,
    layer: [
      {
        data: { values: contour },
        mark: { type: 'line', clip: true, strokeWidth: 1 },
        encoding: {
          x,
          y,
          order: { field: 'i', type: 'quantitative' },
          detail: { field: 'level', type: 'nominal' },
          color: { field: 'level', type: 'quantitative', title: 'f(x, y)', scale: { scheme: 'viridis' }, legend: null },
        },
      },
      {
        data: { values: p.x.map((v, i) => ({ step: i, x: r6(v), y: r6(p.y[i]) })) },
        mark: { type: 'line', color: 'red', point: { filled: true, color: 'red', size: 22 }, clip: true, strokeWidth: 1.5 },
        encoding: { x, y, order: { field: 'step', type: 'quantitative' } },
      },
      { data: { values: [{ x: 0, y: 0 }] }, mark: { type: 'point', shape: 'cross', size: 90, color: '#1f77b4', strokeWidth: 2 }, encoding: { x, y } },
    ],
  });
  return top({ columns: 2, concat: paths.map(panel), resolve: { scale: { color: 'independent' } } });
}

// --- optimizer_compare_mnist.py, weight_init_compare.py ------------------------------------------------

export interface Series {
  name: string;
  values: readonly number[];
}

/**
 * Smoothed training loss per iteration, one line per series with the book's marker every `markEvery`
 * iterations, y from 0 to `yMax` (the book's `plt.ylim`).
 */
export function smoothedLossSpec(series: readonly Series[], options: { yMax: number; markEvery?: number; title?: string; legendOrient?: 'top-right' | 'right' }): VegaLiteSpec {
  const markEvery = options.markEvery ?? 100;
  const names = series.map((s) => s.name);
  const rows: { iteration: number; loss: number | null; series: string }[] = [];
  const marks: { iteration: number; loss: number | null; series: string }[] = [];
  for (const s of series) {
    // At most ~2000 points a line: a longer path looks the same and renders much slower.
    const step = Math.max(1, Math.ceil(s.values.length / 2000));
    s.values.forEach((v, i) => {
      if (i % step === 0 || i === s.values.length - 1) rows.push({ iteration: i, loss: r6(v), series: s.name });
      if (i % markEvery === 0) marks.push({ iteration: i, loss: r6(v), series: s.name });
    });
  }
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: TAB10.slice(0, names.length) }, legend: { orient: options.legendOrient ?? 'top-right', fillColor: 'rgba(255,255,255,0.85)', padding: 6 } };
  const x = { field: 'iteration', type: 'quantitative', title: 'iterations' };
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: { domain: [0, options.yMax], nice: false } };
  return top({
    ...(options.title ? { title: options.title } : {}),
    width: 560,
    height: 320,
    layer: [
      { data: { values: rows }, mark: { type: 'line', clip: true, strokeWidth: 1.5 }, encoding: { x, y, color } },
      {
        data: { values: marks },
        mark: { type: 'point', clip: true, filled: false, size: 40, strokeWidth: 1.5 },
        encoding: { x, y, color, shape: { field: 'series', type: 'nominal', scale: { domain: names, range: SHAPES.slice(0, names.length) } } },
      },
    ],
  });
}

// --- weight_init_activation_histogram.py --------------------------------------------------------------

/**
 * One histogram per layer, side by side (the book's `plt.subplot(1, 5, i+1)`), titled `<i>-layer`, bins
 * over [lo, hi], the y axis from 0 to `yMax` and labelled on the first panel only.
 */
export function activationHistogramSpec(layers: readonly (readonly number[])[], options: { lo: number; hi: number; yMax: number; subtitle?: string; firstLayer?: number }): VegaLiteSpec {
  const panel = (counts: readonly number[], li: number) => {
    const width = (options.hi - options.lo) / counts.length;
    const values = counts.map((c, b) => ({ start: options.lo + b * width, end: options.lo + (b + 1) * width, count: c }));
    return {
      title: `${(options.firstLayer ?? 1) + li}-layer`,
      width: 150,
      height: 220,
      data: { values },
      mark: { type: 'rect', color: '#1f77b4', clip: true, stroke: 'white', strokeWidth: 0.3 },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: null, scale: { domain: [options.lo, options.hi], nice: false } },
        x2: { field: 'end' },
        y: { field: 'count', type: 'quantitative', title: li === 0 ? 'count' : null, scale: { domain: [0, options.yMax], nice: false }, axis: li === 0 ? {} : { labels: false, ticks: false } },
        y2: { datum: 0 },
      },
    };
  };
  return top({ ...(options.subtitle ? { title: { text: options.subtitle, anchor: 'start' } } : {}), hconcat: layers.map(panel) });
}

// --- batch_norm_test.py, hyperparameter_optimization.py --------------------------------------------------

export interface GridPanel {
  title: string;
  /** The lines of the panel: the first solid, the others dashed (as the book). */
  series: readonly Series[];
}

/**
 * Small accuracy charts in a grid of `columns` (the book's `plt.subplot(rows, cols, i)`): y from 0 to 1,
 * the y axis labelled on the first column and the x axis on the last row only, one legend for all.
 */
export function accuracyGridSpec(panels: readonly GridPanel[], options: { columns: number; xTitle: string; title?: string; xAxis?: boolean }): VegaLiteSpec {
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const lastRow = Math.floor((panels.length - 1) / options.columns);
  const panel = (p: GridPanel, i: number) => {
    const values = p.series.flatMap((s) => s.values.map((v, e) => ({ epoch: e, acc: r6(v), series: s.name })));
    const firstCol = i % options.columns === 0;
    const showX = (options.xAxis ?? true) && Math.floor(i / options.columns) === lastRow;
    return {
      title: p.title,
      width: 150,
      height: 110,
      data: { values },
      mark: { type: 'line', clip: true, strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: showX ? options.xTitle : null, axis: showX ? {} : { labels: false, ticks: false } },
        y: { field: 'acc', type: 'quantitative', title: firstCol ? 'accuracy' : null, scale: { domain: [0, 1], nice: false }, axis: firstCol ? {} : { labels: false, ticks: false } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: TAB10.slice(0, names.length) }, legend: { orient: 'bottom' } },
        strokeDash: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, k) => (k === 0 ? [1, 0] : [5, 3])) } },
      },
    };
  };
  return top({ ...(options.title ? { title: { text: options.title, anchor: 'start', fontSize: 15 } } : {}), columns: options.columns, concat: panels.map(panel) });
}

// --- overfit_weight_decay.py, overfit_dropout.py ------------------------------------------------------

/** Train and test accuracy per epoch ('o' and 's' markers every `markEvery` epochs), y from 0 to 1, legend lower right. */
export function trainTestAccuracySpec(train: readonly number[], test: readonly number[], options: { title?: string; markEvery?: number } = {}): VegaLiteSpec {
  const markEvery = options.markEvery ?? 10;
  const rows = [
    ...train.map((v, e) => ({ epoch: e, acc: r6(v), series: 'train' })),
    ...test.map((v, e) => ({ epoch: e, acc: r6(v), series: 'test' })),
  ];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'test'], range: TAB10.slice(0, 2) }, legend: { orient: 'bottom-right', fillColor: 'rgba(255,255,255,0.85)', padding: 6 } };
  const x = { field: 'epoch', type: 'quantitative', title: 'epochs' };
  const y = { field: 'acc', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1], nice: false } };
  return top({
    ...(options.title ? { title: options.title } : {}),
    width: 560,
    height: 320,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', clip: true, strokeWidth: 1.5 }, encoding: { x, y, color } },
      {
        transform: [{ filter: `datum.epoch % ${markEvery} === 0` }],
        mark: { type: 'point', clip: true, filled: false, size: 40, strokeWidth: 1.5 },
        encoding: { x, y, color, shape: { field: 'series', type: 'nominal', scale: { domain: ['train', 'test'], range: ['circle', 'square'] } } },
      },
    ],
  });
}
