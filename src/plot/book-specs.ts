/**
 * Vega-Lite specs for the figures of chapters 1–4 (`scratchnet book ch01/sin_cos_graph`, …): line plots
 * as matplotlib's `plt.plot` draws them (its colour cycle, dashed lines, axis limits, labels, legend,
 * title), scatter points, and the gradient field of ch04/gradient_2d.py as arrows. Pure data in, JSON out.
 */
import type { VegaLiteSpec } from './specs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  view: { stroke: '#888' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: false },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 13, anchor: 'middle', offset: 6 },
};
/** matplotlib's default colour cycle. */
const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** One `plt.plot(x, y, …)` call. */
export interface Curve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** The legend label (`label=`); curves without one are left out of the legend. */
  label?: string;
  /** `'--'`: dashed, as `linestyle='--'` or a format like `'k--'`. */
  dashed?: boolean;
  /** A colour (`'k'` in a format string is black); default: the next of matplotlib's colour cycle. */
  color?: string;
  /** `'o'` format: markers only, no line. */
  points?: boolean;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** `plt.xlim(lo, hi)` / `plt.ylim(lo, hi)`. */
  xLim?: readonly [number, number];
  yLim?: readonly [number, number];
  /** `plt.grid()`. */
  grid?: boolean;
  width?: number;
  height?: number;
}

/** The top of a figure: schema, white background, the fonts, title and size. */
function figure(options: PlotOptions, size: [number, number], body: Record<string, unknown>): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    background: 'white',
    padding: 10,
    config: CONFIG,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? size[0],
    height: options.height ?? size[1],
    ...body,
  };
}

function r6(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : null;
}

/**
 * The figure of a script's `plt.plot` calls: one line (or marker series) per curve, in matplotlib's
 * colours, dashed where the script dashes, with its limits, labels, title and legend.
 */
export function curvesSpec(curves: readonly Curve[], options: PlotOptions = {}): VegaLiteSpec {
  const axis = (title: string | undefined, lim: readonly [number, number] | undefined, field: string) => ({
    field,
    type: 'quantitative',
    title: title ?? null,
    scale: lim ? { domain: [...lim], nice: false, zero: false } : { zero: false },
    axis: { grid: options.grid === true },
  });
  const colorOf = (c: Curve, i: number) => c.color ?? TAB10[i % TAB10.length];
  const legend = curves.flatMap((c, i) => (c.label === undefined ? [] : [{ label: c.label, color: colorOf(c, i) }]));
  const layers = curves.map((c, i) => {
    const values = Array.from({ length: c.x.length }, (_, k) => ({ x: r6(c.x[k]), y: r6(c.y[k]), series: c.label ?? `#${i + 1}`, order: k }));
    const color = colorOf(c, i);
    const encoding: Record<string, unknown> = { x: axis(options.xLabel, options.xLim, 'x'), y: axis(options.yLabel, options.yLim, 'y'), order: { field: 'order', type: 'quantitative' } };
    // A labelled curve joins the legend, in its own colour.
    if (c.label !== undefined) encoding.color = { field: 'series', type: 'nominal', title: null, scale: { domain: legend.map((l) => l.label), range: legend.map((l) => l.color) } };
    return {
      data: { values },
      mark: c.points
        ? { type: 'point', filled: true, size: 30, clip: true, color }
        : { type: 'line', clip: true, strokeWidth: 1.6, color, ...(c.dashed ? { strokeDash: [6, 4] } : {}) },
      encoding,
    };
  });
  return figure(options, [480, 340], { layer: layers });
}

/**
 * `plt.quiver(X, Y, U, V, angles="xy")`: an arrow from each point (x, y) along (u, v), scaled so the
 * longest is `maxLength` data units, as the book's figure 4-9 of the negative gradient of f(x0, x1).
 */
export function quiverSpec(x: ArrayLike<number>, y: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, options: PlotOptions & { maxLength?: number } = {}): VegaLiteSpec {
  let longest = 0;
  for (let i = 0; i < u.length; i++) longest = Math.max(longest, Math.hypot(u[i], v[i]));
  const scale = longest > 0 ? (options.maxLength ?? 0.3) / longest : 0;
  const arrows = Array.from({ length: x.length }, (_, i) => {
    const x2 = x[i] + u[i] * scale;
    const y2 = y[i] + v[i] * scale;
    // The head: a triangle pointing along the arrow (Vega's angle is clockwise from up).
    const angle = (Math.atan2(u[i], v[i]) * 180) / Math.PI;
    return { x: r6(x[i]), y: r6(y[i]), x2: r6(x2), y2: r6(y2), angle: r6(angle), len: Math.hypot(u[i], v[i]) };
  }).filter((a) => a.len > 0);
  const ax = (field: string, title: string | undefined, lim: readonly [number, number] | undefined) => ({
    field,
    type: 'quantitative',
    title: title ?? null,
    scale: lim ? { domain: [...lim], nice: false } : {},
    axis: { grid: options.grid === true },
  });
  const grey = '#666666';
  return figure(options, [420, 420], {
    data: { values: arrows },
    layer: [
      { mark: { type: 'rule', color: grey, strokeWidth: 1.2, clip: true }, encoding: { x: ax('x', options.xLabel, options.xLim), y: ax('y', options.yLabel, options.yLim), x2: { field: 'x2' }, y2: { field: 'y2' } } },
      {
        mark: { type: 'point', shape: 'triangle', filled: true, color: grey, size: 22, clip: true },
        encoding: { x: { field: 'x2', type: 'quantitative' }, y: { field: 'y2', type: 'quantitative' }, angle: { field: 'angle', type: 'quantitative', scale: null } },
      },
    ],
  });
}
