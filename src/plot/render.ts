/** Node-only: renders Vega-Lite specs to SVG (vega, no native code) and PNG (resvg with bundled fonts). */
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../io/atomic.ts';
import type { VegaLiteSpec } from './specs.ts';

/** DejaVu Sans ships in assets/fonts, so text renders the same on any machine. */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => fileURLToPath(new URL(`../../assets/fonts/${f}`, import.meta.url)));

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at twice the SVG's size (crisp on high-density screens and in the README). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
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
