/** A small element builder for the tabs that make their own DOM. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'testid') el.dataset.testid = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A labelled field in the page's `.inputs` style: `<label><span>text</span>control</label>`, the span kept for re-translation. */
export function field(label: () => string, control: HTMLElement, onLang: (render: () => void) => void): HTMLLabelElement {
  const span = h('span');
  const render = () => (span.textContent = label());
  render();
  onLang(render);
  return h('label', {}, span, control);
}

/** The number in `input` when it is an integer from `min` to `max`, else undefined (the tabs' settings). */
export function intIn(input: HTMLInputElement, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = Number(input.value);
  return Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}
