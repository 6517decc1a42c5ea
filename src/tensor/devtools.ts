/**
 * Browser consoles: a DevTools custom formatter (Chromium and Firefox call `globalThis.devtoolsFormatters`
 * when "custom formatters" is enabled in the DevTools settings), so `console.log(t)` there shows what
 * NumPy's `print(a)` shows, as Node's `util.inspect` does. Without that setting browsers show the object;
 * `console.log(String(t))` prints the same text everywhere.
 */

/** A DevTools formatter: `header` returns JsonML for the objects it formats and null for the others. */
export interface DevtoolsFormatter {
  header(value: unknown): unknown[] | null;
  hasBody(value: unknown): boolean;
}

/** Formats the instances of the given classes by their `toString()` (NumPy's `str`), in a monospace block. */
export function numpyFormatter(classes: readonly (abstract new (...args: never[]) => { toString(): string })[]): DevtoolsFormatter {
  return {
    header(value) {
      if (!classes.some((c) => value instanceof c)) return null;
      return ['div', { style: 'white-space: pre; font-family: monospace' }, String(value)];
    },
    hasBody: () => false,
  };
}

/** Adds the formatter once to `globalThis.devtoolsFormatters` (kept: formatters other code put there stay). */
export function installDevtoolsFormatter(formatter: DevtoolsFormatter, target: { devtoolsFormatters?: unknown } = globalThis as { devtoolsFormatters?: unknown }): void {
  const list = Array.isArray(target.devtoolsFormatters) ? (target.devtoolsFormatters as unknown[]) : [];
  if (!list.includes(formatter)) list.push(formatter);
  target.devtoolsFormatters = list;
}
