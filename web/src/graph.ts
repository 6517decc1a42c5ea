/**
 * The book's apple-and-orange computational graph (×, ×, +, × tax). Every number comes from the
 * library's MulLayer/AddLayer (`buyAppleOrange`); this file only draws them.
 */
import { buyAppleOrange, type BuyAppleOrangeResult } from '../../src/index.ts';
import { formatNumber } from './format.ts';
import { onLangChange, t, type TextKey } from './i18n.ts';

const SVG = 'http://www.w3.org/2000/svg';

type Point = [number, number];
interface Edge {
  id: string;
  from: Point;
  to: Point;
  fwd: (r: BuyAppleOrangeResult, inputs: Inputs) => number;
  bwd: (r: BuyAppleOrangeResult) => number;
  /** The backward step (1–5) that reveals this edge's derivative. */
  step: number;
  name?: TextKey;
  fwdTestId?: string;
  bwdTestId?: string;
}

interface Inputs {
  apple: number;
  appleNum: number;
  orange: number;
  orangeNum: number;
  tax: number;
}

const NODES: { id: string; at: Point; op: string }[] = [
  { id: 'mulApple', at: [310, 95], op: '×' },
  { id: 'mulOrange', at: [310, 275], op: '×' },
  { id: 'add', at: [530, 185], op: '+' },
  { id: 'mulTax', at: [730, 245], op: '×' },
];
const R = 28;

const EDGES: Edge[] = [
  { id: 'apple', from: [130, 45], to: [310, 95], fwd: (_, i) => i.apple, bwd: (r) => r.dApple, step: 5, name: 'applePrice', bwdTestId: 'graph-d-apple' },
  { id: 'appleNum', from: [130, 140], to: [310, 95], fwd: (_, i) => i.appleNum, bwd: (r) => r.dAppleNum, step: 5, name: 'appleNum', bwdTestId: 'graph-d-apple-num' },
  { id: 'orange', from: [130, 230], to: [310, 275], fwd: (_, i) => i.orange, bwd: (r) => r.dOrange, step: 4, name: 'orangePrice', bwdTestId: 'graph-d-orange' },
  { id: 'orangeNum', from: [130, 325], to: [310, 275], fwd: (_, i) => i.orangeNum, bwd: (r) => r.dOrangeNum, step: 4, name: 'orangeNum', bwdTestId: 'graph-d-orange-num' },
  { id: 'applePrice', from: [310, 95], to: [530, 185], fwd: (r) => r.applePrice, bwd: (r) => r.dApplePrice, step: 3 },
  { id: 'orangePrice', from: [310, 275], to: [530, 185], fwd: (r) => r.orangePrice, bwd: (r) => r.dOrangePrice, step: 3 },
  { id: 'allPrice', from: [530, 185], to: [730, 245], fwd: (r) => r.allPrice, bwd: (r) => r.dAllPrice, step: 2 },
  { id: 'tax', from: [130, 395], to: [730, 245], fwd: (_, i) => i.tax, bwd: (r) => r.dTax, step: 2, name: 'tax', bwdTestId: 'graph-d-tax' },
  { id: 'price', from: [730, 245], to: [880, 245], fwd: (r) => r.price, bwd: () => 1, step: 1, fwdTestId: 'graph-price', bwdTestId: 'graph-d-price' },
];

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

/** Shortens a segment so it starts and ends at node circles rather than their centres. */
function trim(from: Point, to: Point, startsAtNode: boolean, endsAtNode: boolean): [Point, Point] {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy);
  const ux = dx / len;
  const uy = dy / len;
  const a = startsAtNode ? R : 0;
  const b = endsAtNode ? R + 4 : 0;
  return [
    [from[0] + ux * a, from[1] + uy * a],
    [to[0] - ux * b, to[1] - uy * b],
  ];
}

export function setupGraph(container: HTMLElement, form: HTMLFormElement, errorLine: HTMLElement): void {
  let showForward = false;
  let backwardSteps = 0;
  const svg = el('svg', { viewBox: '0 0 900 420', role: 'img', 'aria-label': 'computational graph' }, container);
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#888' }, marker);

  const labels = new Map<string, { fwd: SVGTextElement; bwd: SVGTextElement; name?: SVGTextElement }>();
  const nodeAt = (p: Point) => NODES.some((n) => n.at[0] === p[0] && n.at[1] === p[1]);
  for (const e of EDGES) {
    const g = el('g', { class: 'edge' }, svg);
    const [a, b] = trim(e.from, e.to, nodeAt(e.from), nodeAt(e.to));
    el('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, g);
    const mx = (a[0] + b[0]) / 2;
    const my = (a[1] + b[1]) / 2;
    const fwd = el('text', { x: mx, y: my - 10, class: 'val fwd' }, g);
    const bwd = el('text', { x: mx, y: my + 24, class: 'val bwd' }, g);
    if (e.fwdTestId) fwd.dataset.testid = e.fwdTestId;
    if (e.bwdTestId) bwd.dataset.testid = e.bwdTestId;
    const entry: { fwd: SVGTextElement; bwd: SVGTextElement; name?: SVGTextElement } = { fwd, bwd };
    if (e.name) entry.name = el('text', { x: e.from[0] - 8, y: e.from[1] + 5, class: 'name' }, g);
    labels.set(e.id, entry);
  }
  const priceName = el('text', { x: 880, y: 215, class: 'name' }, svg);
  for (const n of NODES) {
    const g = el('g', { class: 'node' }, svg);
    el('circle', { cx: n.at[0], cy: n.at[1], r: R }, g);
    el('text', { x: n.at[0], y: n.at[1] }, g).textContent = n.op;
  }

  const KEYS = ['apple', 'appleNum', 'orange', 'orangeNum', 'tax'] as const;
  const NAMES: Record<keyof Inputs, TextKey> = { apple: 'applePrice', appleNum: 'appleNum', orange: 'orangePrice', orangeNum: 'orangeNum', tax: 'tax' };
  const field = (key: keyof Inputs) => form.elements.namedItem(key) as HTMLInputElement;

  /**
   * The inputs, with NaN for each one that is not a number (marked aria-invalid and named in the error
   * line). NaN flows through the graph exactly into the values that depend on it: the others stay shown.
   */
  const read = (): Inputs => {
    const inputs = {} as Inputs;
    const invalid: string[] = [];
    for (const key of KEYS) {
      const input = field(key);
      const v = Number(input.value);
      // An input of type number reports text it cannot parse as '' (and badInput).
      const valid = input.value.trim() !== '' && !input.validity.badInput && Number.isFinite(v);
      input.setAttribute('aria-invalid', String(!valid));
      if (!valid) invalid.push(t(NAMES[key]));
      inputs[key] = valid ? v : NaN;
    }
    errorLine.textContent = invalid.length ? t('graphInvalid', { names: invalid.join(t('listSeparator')) }) : '';
    return inputs;
  };
  /** A value for the graph: '' when an invalid input makes it unknown. */
  const show = (v: number | null, inputs: Inputs): string => (v === null || (Number.isNaN(v) && KEYS.some((k) => Number.isNaN(inputs[k]))) ? '' : formatNumber(v));

  const render = (flash = false) => {
    const inputs = read();
    const result = buyAppleOrange(inputs.apple, inputs.appleNum, inputs.orange, inputs.orangeNum, inputs.tax);
    for (const e of EDGES) {
      const l = labels.get(e.id)!;
      if (l.name) l.name.textContent = t(e.name!);
      const f = showForward ? e.fwd(result, inputs) : null;
      l.fwd.textContent = show(f, inputs);
      l.fwd.setAttribute('data-exact', l.fwd.textContent === '' ? '' : String(f));
      const b = backwardSteps >= e.step ? e.bwd(result) : null;
      const shownBefore = l.bwd.textContent !== '';
      l.bwd.textContent = show(b, inputs);
      l.bwd.setAttribute('data-exact', l.bwd.textContent === '' ? '' : String(b));
      l.bwd.classList.toggle('flash', flash && l.bwd.textContent !== '' && !shownBefore);
    }
    priceName.textContent = t('price');
  };

  const forwardButton = document.getElementById('graph-forward')!;
  forwardButton.addEventListener('click', () => {
    showForward = true;
    render(true);
  });
  document.getElementById('graph-backward-step')!.addEventListener('click', () => {
    showForward = true;
    backwardSteps = Math.min(5, backwardSteps + 1);
    render(true);
  });
  document.getElementById('graph-backward')!.addEventListener('click', () => {
    showForward = true;
    backwardSteps = 5;
    render(true);
  });
  document.getElementById('graph-reset')!.addEventListener('click', () => {
    showForward = false;
    backwardSteps = 0;
    // Back to the book's example (the values written in index.html).
    for (const key of KEYS) field(key).value = field(key).defaultValue;
    render();
  });
  form.addEventListener('input', () => render());
  onLangChange(() => render());
  render();
}
