/**
 * Node-only: renders Vega-Lite specs to SVG (vega, no native code) and PNG (resvg with bundled fonts).
 *
 * vega, vega-lite and resvg are loaded on first use, not when this module is imported: loading vega
 * and vega-lite costs ~85 ms of CPU (their ES modules: ~270 ms, see loadVegaBundles), and every command
 * that imports the package would pay it at start-up.
 * `startPlotRenderer()` does the same work on a worker thread, started before training so that loading
 * vega overlaps reading the data and drawing overlaps what the main thread does after training.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInThisContext } from 'node:vm';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../io/atomic.ts';
import { MODULE_WORKER_SCRIPT, gracefulExit, tsxLoaderFor } from '../internal/workers.ts';
import type { VegaLiteSpec } from './specs.ts';

/** DejaVu Sans ships in assets/fonts, so text renders the same on any machine. */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => fileURLToPath(new URL(`../../assets/fonts/${f}`, import.meta.url)));

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
type ResvgModule = typeof import('@resvg/resvg-js');

let vegaModules: Promise<[Vega, VegaLite]> | undefined;
/** vega and vega-lite, loaded once, on first use (see loadVegaBundles). */
export function loadVega(): Promise<[Vega, VegaLite]> {
  vegaModules ??= Promise.resolve().then(loadVegaBundles);
  return vegaModules;
}

/**
 * vega and vega-lite from the single-file builds both packages ship (`vega/build/vega.min.js`,
 * `vega-lite/build/vega-lite.min.js`: UMD, the same versions as their ES modules), not from their ES
 * modules: importing those reads and compiles 272 modules (vega-*, d3-*, vega-lite's own), 261–278 ms
 * here, while the two bundles load in 84–87 ms (`scratchnet relu`, which draws one figure: 0.77–0.80 →
 * 0.62–0.63 s, peak RSS 111 → 102 MB). The 30 SVGs that 27 commands draw came out the same, byte for
 * byte (test/plot-render.test.ts keeps a check). Neither package exports its build folder, so the files
 * are found beside the one file each does export (its schema).
 */
function loadVegaBundles(): [Vega, VegaLite] {
  const require = createRequire(import.meta.url);
  const vega = runUmd(join(dirname(require.resolve('vega/vega-schema.json')), 'vega.min.js'), {}) as Vega;
  const vegaLite = runUmd(join(dirname(require.resolve('vega-lite/vega-lite-schema.json')), 'vega-lite.min.js'), { vega }) as VegaLite;
  return [vega, vegaLite];
}

/**
 * Runs a UMD bundle as CommonJS and returns its exports, its `require` answered from `deps` only. Not
 * with `require()`: both packages are `"type": "module"`, so Node loads their .js files as ES modules,
 * in which a UMD bundle sees no `module` and sets a global instead.
 */
function runUmd(path: string, deps: Record<string, unknown>): unknown {
  const wrapper = runInThisContext(`(function (exports, require, module) {${readFileSync(path, 'utf8')}\n})`, { filename: path }) as (
    exports: object,
    require: (id: string) => unknown,
    module: { exports: object },
  ) => void;
  const module = { exports: {} };
  const requireDep = (id: string) => {
    if (id in deps) return deps[id];
    throw new Error(`${path} requires ${id}, which is not given to it`);
  };
  wrapper(module.exports, requireDep, module);
  return module.exports;
}

let resvgModule: ResvgModule | undefined;
/** resvg is a CommonJS package with a native binding: required synchronously, once, on first use. */
function loadResvg(): ResvgModule {
  resvgModule ??= createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
  return resvgModule;
}

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await loadVega();
  return renderSvgWith(vega, vegaLite, spec);
}

/** renderSvg with the given vega and vega-lite (a test draws with their ES modules too, and compares). */
export async function renderSvgWith(vega: Vega, vegaLite: VegaLite, spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  try {
    await view.runAsync();
    trimClipped((view.scenegraph() as unknown as { root: SceneMark }).root);
    // toSVG runs the dataflow again (nothing is pending: the scenegraph stays as trimmed) and draws it.
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The parts of Vega's scenegraph that trimClipped reads and changes. */
interface SceneMark {
  marktype: string;
  clip?: unknown;
  items: SceneItem[];
}
interface SceneItem {
  bounds?: { x1: number; y1: number; x2: number; y2: number };
  items?: SceneMark[];
  width?: number;
  height?: number;
}

/**
 * Removes from the clipped marks the items their clip hides entirely. resvg 2.6.2 (the PNG) panics — and
 * a Rust panic in a native addon aborts the whole process, exit 134 — on a clipped group of several
 * semi-transparent children that reach far outside the image: a loss of 2.39 at the first iteration of
 * `optimizer-compare-mnist` put its marker ~430 px above a plot whose y axis ends at 1 (the run's figure
 * then aborted it, after training; 2.0 did not). An item hidden by its clip draws nothing: the PNG's
 * pixels are the same without it (compared). Lines and areas are one path per mark and are left whole;
 * so are rects partly inside (a histogram bar 6× taller than its axis rendered, and cutting it to the
 * clip changed the anti-aliasing of two pixels).
 */
function trimClipped(mark: SceneMark, group?: SceneItem): void {
  if (mark.marktype === 'group') {
    for (const item of mark.items) for (const child of item.items ?? []) trimClipped(child, item);
    return;
  }
  // A clip of `true` is the group's rectangle (Vega-Lite's `clip: true`); a clip path of its own is left alone.
  if (mark.clip !== true || !group || mark.marktype === 'line' || mark.marktype === 'area' || mark.marktype === 'trail') return;
  const w = group.width ?? 0;
  const h = group.height ?? 0;
  mark.items = mark.items.filter((item) => {
    const b = item.bounds;
    return !b || (b.x2 >= 0 && b.x1 <= w && b.y2 >= 0 && b.y1 <= h);
  });
}

/** PNG at twice the SVG's size (crisp on high-density screens and in the README). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const { Resvg } = loadResvg();
  const resvg = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Writes `<base>.svg` and `<base>.png` atomically; returns the two paths. */
export async function writePlot(base: string, spec: VegaLiteSpec): Promise<[svgPath: string, pngPath: string]> {
  const svg = await renderSvg(spec);
  const svgPath = `${base}.svg`;
  const pngPath = `${base}.png`;
  writeFileAtomic(svgPath, svg);
  writeFileAtomic(pngPath, svgToPng(svg));
  return [svgPath, pngPath];
}

/** Writes plots, on a worker thread when one could be started (`startPlotRenderer`). */
export interface PlotRenderer {
  /**
   * Starts drawing `<base>.svg` and `<base>.png` now; resolves to the two paths once both are written.
   * Requests are served in order. A rejection not yet awaited is not reported as unhandled, so the
   * promise can be kept while other work goes on and awaited later.
   */
  writePlot(base: string, spec: VegaLiteSpec): Promise<[svgPath: string, pngPath: string]>;
  /** Stops the worker (it never keeps the process alive when idle, so calling this is optional). */
  close(): Promise<void>;
}

interface PlotRequest {
  id: number;
  base: string;
  spec: VegaLiteSpec;
}
type PlotReply = { id: number; paths: [string, string] } | { id: number; error: string };

/** The worker's side: loads the renderers at once (while the main thread reads data), then serves requests. */
export function servePlotRequests(port: MessagePort): void {
  const ready = loadVega().then(() => loadResvg());
  // Loading failures surface on the first request (and the main thread falls back to drawing itself).
  ready.catch(() => undefined);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: PlotRequest | 'close') => {
    if (request === 'close') {
      // After the requests before it: closing the port leaves the thread nothing to wait for, and it ends.
      queue = queue.then(() => port.close());
      return;
    }
    queue = queue.then(async () => {
      let reply: PlotReply;
      try {
        await ready;
        reply = { id: request.id, paths: await writePlot(request.base, request.spec) };
      } catch (e) {
        reply = { id: request.id, error: e instanceof Error ? e.message : String(e) };
      }
      port.postMessage(reply);
    });
  });
}

/** A rejection that is handled later (awaited), not reported as unhandled in the meantime. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Starts a worker thread that loads vega, vega-lite and resvg right away and then draws the plots it is
 * given. If the thread cannot be started or dies, the plots are drawn on the calling thread instead
 * (the same files, only not concurrently). Drawing errors (a file that cannot be written) reject.
 */
export function startPlotRenderer(): PlotRenderer {
  let worker: Worker | undefined;
  const pending = new Map<number, { resolve: (paths: [string, string]) => void; reject: (e: Error) => void; fallback: () => void }>();
  let nextId = 0;
  const abandon = () => {
    // The thread is gone: draw what it had not finished here, in order.
    worker = undefined;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.fallback();
  };
  try {
    // This module (src/ under tsx, or dist/) imported in the thread, which then serves the requests.
    const workerData = { module: import.meta.url, entry: 'servePlotRequests', tsx: tsxLoaderFor(import.meta.url) };
    worker = new Worker(MODULE_WORKER_SCRIPT, { eval: true, workerData, stdout: false, stderr: false });
    worker.on('message', (reply: PlotReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) worker?.unref();
      if ('paths' in reply) p.resolve(reply.paths);
      else p.reject(new Error(reply.error));
    });
    worker.on('error', abandon);
    worker.on('exit', abandon);
    // After the 'message' listener: adding it refs the worker again, and an idle plot thread then kept
    // the process alive (a CLI run refused before training printed its error and never exited).
    worker.unref();
  } catch {
    worker = undefined;
  }
  let local: Promise<unknown> = Promise.resolve();
  const drawHere = (base: string, spec: VegaLiteSpec) => {
    const p = local.then(() => writePlot(base, spec));
    local = p.catch(() => undefined);
    return p;
  };
  return {
    writePlot(base, spec) {
      const w = worker;
      if (!w) return quiet(drawHere(base, spec));
      return quiet(
        new Promise<[string, string]>((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject, fallback: () => drawHere(base, spec).then(resolve, reject) });
          // Kept alive while a plot is being drawn, so the process waits for it.
          w.ref();
          w.postMessage({ id, base, spec } satisfies PlotRequest);
        }),
      );
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      // Asked to end after its last request rather than terminated (see gracefulExit).
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.off('exit', abandon);
      w.postMessage('close');
      await gracefulExit(w, exited, 5000);
    },
  };
}
