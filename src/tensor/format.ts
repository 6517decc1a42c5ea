/**
 * NumPy's array printing, transcribed from `numpy/_core/arrayprint.py` (NumPy 2.x, `legacy=False`):
 * `str(a)` / `print(a)`, `repr(a)`, `np.set_printoptions`, and `np.round`.
 *
 * The rules kept exactly:
 * - floats: `FloatingFormat` with floatmode `'maxprec'` — every value in its shortest round-trip digits
 *   (Dragon4 "unique"), cut to `precision` fractional digits (rounding the exact binary value, ties to
 *   even), trailing zeros trimmed, one field width for the whole array;
 * - scientific notation when the largest |x| ≥ 1e8 (1e6 for float32: `10**min(8, finfo.precision)`), or,
 *   unless `suppress`, the smallest non-zero |x| < 1e-4 or max/min > 1e3;
 * - `nan` / `inf`, negative zero (`-0.`), integer (int32, uint8, int64) and boolean arrays;
 * - line wrapping at `linewidth` (75), blank lines between blocks, summarising with `...` above
 *   `threshold` (1000) elements, showing `edgeitems` (3) at each edge;
 * - a 0-d array's `str` is its scalar's `str` (`1.0`, `1e+20`), as NumPy prints scalars.
 *
 * Nothing here imports Node: the library's core stays browser-safe.
 */

/**
 * The element types the printer knows: a tensor's (float64, float32, int32, uint8, bool) and int64, the
 * integer NumPy prints without a `dtype=` in its repr (what `np.array([1, 2])` is on Linux).
 */
export type PrintDtype = 'float64' | 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';

/** What the printer needs from an array: flat row-major values, a shape, a dtype. */
export interface Printable {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly dtype: PrintDtype;
}

/** The subset of `np.set_printoptions` that ScratchNet supports. */
export interface PrintOptions {
  /** Digits after the decimal point (`precision`, default 8). */
  precision: number;
  /** Arrays with more elements than this are summarised with `...` (default 1000). */
  threshold: number;
  /** Items shown at each edge of a summarised axis (default 3). */
  edgeitems: number;
  /** Characters per line before wrapping (default 75). */
  linewidth: number;
  /** Never use scientific notation for small numbers; print them as fixed point (default false). */
  suppress: boolean;
}

const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({
  precision: 8,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 75,
  suppress: false,
});

let printOptions: PrintOptions = { ...DEFAULT_PRINT_OPTIONS };

function checkOptions(op: string, options: Partial<PrintOptions>): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (key === 'suppress') {
      if (typeof value !== 'boolean') throw new Error(`${op}: suppress must be a boolean, got ${JSON.stringify(value)}`);
    } else if (key === 'precision' || key === 'edgeitems' || key === 'linewidth' || key === 'threshold') {
      const ok = typeof value === 'number' && value >= 0 && (Number.isInteger(value) || (key === 'threshold' && value === Infinity));
      if (!ok) throw new Error(`${op}: ${key} must be a non-negative integer${key === 'threshold' ? ' or Infinity' : ''}, got ${JSON.stringify(value)}`);
    } else {
      throw new Error(`${op}: unknown option ${JSON.stringify(key)} (allowed: precision, threshold, edgeitems, linewidth, suppress)`);
    }
  }
}

/**
 * Sets how tensors print, like `np.set_printoptions`; options left out keep their value.
 * `setPrintOptions()` with no argument restores NumPy's defaults.
 *
 * @example
 * setPrintOptions({ precision: 3, suppress: true });
 * String(tensor([1e-5, 1 / 3]));   // '[0.    0.333]'
 */
export function setPrintOptions(options?: Partial<PrintOptions>): void {
  if (options === undefined) {
    printOptions = { ...DEFAULT_PRINT_OPTIONS };
    return;
  }
  checkOptions('setPrintOptions', options);
  const next = { ...printOptions };
  for (const [key, value] of Object.entries(options) as [keyof PrintOptions, number | boolean | undefined][]) {
    if (value !== undefined) (next as Record<keyof PrintOptions, number | boolean>)[key] = value;
  }
  printOptions = next;
}

/** The current print options (a copy), like `np.get_printoptions`. */
export function getPrintOptions(): PrintOptions {
  return { ...printOptions };
}

// --- Exact decimal digits of binary floating-point values ---

/** `|x| = m · 2^e` exactly, with the float's own significand (24 bits for float32, 53 for float64). */
interface Binary {
  m: bigint;
  e: number;
  /** The gap to the next smaller float is half the gap to the next larger one (x is a power of two). */
  unequalMargins: boolean;
}

const f64 = new Float64Array(1);
const f64Bits = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

function decompose(x: number, float32: boolean): Binary {
  if (float32) {
    f32[0] = x;
    const bits = f32Bits[0];
    const exponent = (bits >>> 23) & 0xff;
    const fraction = bits & 0x7fffff;
    if (exponent === 0) return { m: BigInt(fraction), e: -149, unequalMargins: false };
    return { m: BigInt(fraction | 0x800000), e: exponent - 150, unequalMargins: fraction === 0 && exponent > 1 };
  }
  f64[0] = x;
  const bits = f64Bits[0];
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (exponent === 0) return { m: fraction, e: -1074, unequalMargins: false };
  return { m: fraction | 0x10000000000000n, e: exponent - 1075, unequalMargins: fraction === 0n && exponent > 1 };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const pow2 = (n: number): bigint => 1n << BigInt(n);

/** Sign of `d · 10^q − n · 2^p`. */
function compareDecimal(d: bigint, q: number, n: bigint, p: number): number {
  let left = d;
  let right = n;
  if (q >= 0) left *= pow10(q);
  else right *= pow10(-q);
  if (p >= 0) right *= pow2(p);
  else left *= pow2(-p);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Decimal digits (no leading zeros) with the exponent of the first: value = d.ddd × 10^exp. */
interface Digits {
  digits: string;
  exp: number;
}

function stripTrailingZeros(d: Digits): Digits {
  const digits = d.digits.replace(/0+$/, '');
  return digits === '' ? { digits: '0', exp: 0 } : { digits, exp: d.exp };
}

function parseExponential(s: string): Digits {
  const [mantissa, exponent] = s.split('e');
  return stripTrailingZeros({ digits: mantissa.replace('.', ''), exp: Number(exponent) });
}

/**
 * The shortest digits that read back as `x` in its own dtype (Dragon4's "unique" mode). For float64
 * that is exactly what JavaScript prints; for float32 the candidates with 1…9 significant digits are
 * checked against the float32 rounding interval with exact integer arithmetic, and the closest one
 * wins. The interval's ends count when the significand is even (they read back as x under
 * round-half-to-even), as in NumPy's Dragon4 and in JavaScript's own shortest form.
 */
function shortestDigits(x: number, float32: boolean): Digits {
  if (x === 0) return { digits: '0', exp: 0 };
  const a = Math.abs(x);
  if (!float32) return parseExponential(a.toExponential());
  const { m, e, unequalMargins } = decompose(a, true);
  // The interval of reals that round to x in float32, scaled by 2^(e-2).
  const low = 4n * m - (unequalMargins ? 1n : 2n);
  const high = 4n * m + 2n;
  const endsIncluded = m % 2n === 0n;
  // A quick first guess of the length (a double read back, then rounded to float32), then the exact
  // check from one digit shorter: the guess only saves work, the exact check decides.
  let first = 1;
  while (first < 9 && Math.fround(Number(a.toPrecision(first))) !== a) first++;
  for (let k = Math.max(1, first - 1); k <= 9; k++) {
    const nearest = parseExponential(a.toExponential(k - 1));
    const q = nearest.exp - (k - 1);
    const center = BigInt(nearest.digits.padEnd(k, '0'));
    let best: bigint | undefined;
    for (const d of [center - 1n, center, center + 1n]) {
      if (d <= 0n) continue;
      const aboveLow = compareDecimal(d, q, low, e - 2);
      const belowHigh = compareDecimal(d, q, high, e - 2);
      if (endsIncluded ? aboveLow < 0 || belowHigh > 0 : aboveLow <= 0 || belowHigh >= 0) continue;
      if (best === undefined) {
        best = d;
        continue;
      }
      const distance = (v: bigint): bigint => {
        // |v·10^q − x| in units of 10^min(q,0) · 2^min(e,0)
        const [l, r] = scaled(v, q, m, e);
        return l > r ? l - r : r - l;
      };
      const db = distance(best);
      const dd = distance(d);
      if (dd < db || (dd === db && d % 2n === 0n)) best = d;
    }
    if (best !== undefined) {
      const s = best.toString();
      return stripTrailingZeros({ digits: s, exp: q + s.length - 1 });
    }
  }
  return parseExponential(a.toExponential(8));
}

function scaled(d: bigint, q: number, n: bigint, p: number): [bigint, bigint] {
  let left = d;
  let right = n;
  if (q >= 0) left *= pow10(q);
  else right *= pow10(-q);
  if (p >= 0) right *= pow2(p);
  else left *= pow2(-p);
  return [left, right];
}

/** The exact value of `|x|` rounded to a multiple of 10^place, ties to even (Dragon4's cutoff rounding). */
function roundExact(x: number, float32: boolean, place: number): Digits {
  const { m, e } = decompose(Math.abs(x), float32);
  let num = m;
  let den = 1n;
  if (e >= 0) num *= pow2(e);
  else den *= pow2(-e);
  if (place >= 0) den *= pow10(place);
  else num *= pow10(-place);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  if (q === 0n) return { digits: '0', exp: 0 };
  const s = q.toString();
  return { digits: s, exp: place + s.length - 1 };
}

type Notation = 'positional' | 'scientific';

/**
 * Dragon4 as NumPy calls it with `unique=True`: the shortest digits, but at most `precision` digits after
 * the point (positional: after the decimal point; scientific: after the first digit), and at least
 * `minDigits` (more exact digits of the binary value, not zeros, when the shortest form has fewer).
 */
function dragon4(x: number, float32: boolean, notation: Notation, precision: number, minDigits: number): Digits {
  if (x === 0) return { digits: '0', exp: 0 };
  const shortest = shortestDigits(x, float32);
  const fraction = (d: Digits): number => (notation === 'positional' ? Math.max(0, d.digits.length - 1 - d.exp) : d.digits.length - 1);
  const placeFor = (digitsAfterPoint: number): number => (notation === 'positional' ? -digitsAfterPoint : shortest.exp - digitsAfterPoint);
  const n = fraction(shortest);
  if (precision >= 0 && n > precision) return stripTrailingZeros(roundExact(x, float32, placeFor(precision)));
  if (n < minDigits) return roundExact(x, float32, placeFor(minDigits));
  return shortest;
}

function positionalParts(d: Digits): [string, string] {
  if (d.digits === '0') return ['0', ''];
  if (d.exp >= 0) {
    const padded = d.digits.padEnd(d.exp + 1, '0');
    return [padded.slice(0, d.exp + 1), padded.slice(d.exp + 1)];
  }
  return ['0', '0'.repeat(-d.exp - 1) + d.digits];
}

const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0);

// --- Formatters for one array's elements (NumPy's FloatingFormat, IntegerFormat, BoolFormat) ---

type ElementFormat = (x: number) => string;

function floatingFormat(values: readonly number[], float32: boolean, options: PrintOptions): ElementFormat {
  const finite = values.filter((v) => Number.isFinite(v));
  const absNonZero = finite.filter((v) => v !== 0).map((v) => Math.abs(v));
  let expFormat = false;
  if (absNonZero.length > 0) {
    let maxVal = -Infinity;
    let minVal = Infinity;
    for (const v of absNonZero) {
      if (v > maxVal) maxVal = v;
      if (v < minVal) minVal = v;
    }
    // NumPy compares in the array's dtype: for float32 the Python floats 1e-4 and 1e3 become float32.
    const cutoffMax = float32 ? 1e6 : 1e8;
    const small = float32 ? Math.fround(1e-4) : 1e-4;
    const ratio = float32 ? Math.fround(maxVal / minVal) : maxVal / minVal;
    expFormat = maxVal >= cutoffMax || (!options.suppress && (minVal < small || ratio > 1000));
  }

  let padLeft = 0;
  let padRight = 0;
  let expSize = -1;
  let sciPrecision = 0;
  if (finite.length === 0) {
    // nothing to measure
  } else if (expFormat) {
    let fracMax = 0;
    for (const v of finite) {
      const d = dragon4(v, float32, 'scientific', options.precision, 0);
      const intLength = (isNegative(v) ? 1 : 0) + 1;
      fracMax = Math.max(fracMax, d.digits.length - 1);
      padLeft = Math.max(padLeft, intLength);
      expSize = Math.max(expSize, Math.max(2, String(Math.abs(d.exp)).length));
    }
    sciPrecision = fracMax;
    padRight = expSize + 2 + sciPrecision;
  } else {
    for (const v of finite) {
      const [intPart, fracPart] = positionalParts(dragon4(v, float32, 'positional', options.precision, 0));
      padLeft = Math.max(padLeft, intPart.length + (isNegative(v) ? 1 : 0));
      padRight = Math.max(padRight, fracPart.length);
    }
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === -Infinity);
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 'nan'.length - offset, 'inf'.length + (negInf ? 1 : 0) - offset);
  }

  return (x: number): string => {
    if (!Number.isFinite(x)) {
      const s = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return ' '.repeat(Math.max(0, padLeft + padRight + 1 - s.length)) + s;
    }
    const sign = isNegative(x) ? '-' : '';
    if (expFormat) {
      const d = dragon4(x, float32, 'scientific', sciPrecision, sciPrecision);
      const mantissa = `${sign}${d.digits[0]}`.padStart(padLeft) + '.' + d.digits.slice(1).padEnd(sciPrecision, '0');
      return `${mantissa}e${d.exp < 0 ? '-' : '+'}${String(Math.abs(d.exp)).padStart(expSize, '0')}`;
    }
    const [intPart, fracPart] = positionalParts(dragon4(x, float32, 'positional', options.precision, 0));
    return (sign + intPart).padStart(padLeft) + '.' + fracPart.padEnd(padRight);
  };
}

function integerFormat(values: readonly number[]): ElementFormat {
  // NumPy's IntegerFormat: one width for the array, that of the longer of str(max) and str(min)
  let width = 0;
  if (values.length > 0) {
    let maxVal = -Infinity;
    let minVal = Infinity;
    for (const v of values) {
      if (v > maxVal) maxVal = v;
      if (v < minVal) minVal = v;
    }
    width = Math.max(String(maxVal).length, String(minVal).length);
  }
  return (x: number) => String(x).padStart(width);
}

function formatFor(a: Printable, values: readonly number[], options: PrintOptions): ElementFormat {
  switch (a.dtype) {
    case 'bool': {
      const trueString = a.shape.length === 0 ? 'True' : ' True';
      return (x: number) => (x !== 0 ? trueString : 'False');
    }
    case 'int64':
    case 'int32':
    case 'uint8':
      return integerFormat(values);
    case 'float32':
      return floatingFormat(values, true, options);
    case 'float64':
      return floatingFormat(values, false, options);
  }
}

// --- Layout: NumPy's _leading_trailing, _formatArray and _extendLine ---

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The values that will be shown: all of them, or only each axis's leading and trailing `edgeitems`. */
function shownValues(a: Printable, summarise: boolean, edgeitems: number): number[] {
  const strides = stridesOf(a.shape);
  const out: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === a.shape.length) {
      out.push(a.data[offset]);
      return;
    }
    const n = a.shape[axis];
    const indices: number[] = [];
    if (summarise && n > 2 * edgeitems) {
      for (let i = 0; i < edgeitems; i++) indices.push(i);
      // NumPy slices a[-edgeitems:], and a[-0:] is the whole axis
      for (let i = edgeitems === 0 ? 0 : n - edgeitems; i < n; i++) indices.push(i);
    } else {
      for (let i = 0; i < n; i++) indices.push(i);
    }
    for (const i of indices) walk(axis + 1, offset + i * strides[axis]);
  };
  walk(0, 0);
  return out;
}

function extendLine(s: string, line: string, word: string, lineWidth: number, nextLinePrefix: string): [string, string] {
  let needsWrap = line.length + word.length > lineWidth;
  // don't wrap lines if it won't help
  if (line.length <= nextLinePrefix.length) needsWrap = false;
  if (needsWrap) {
    s += line.trimEnd() + '\n';
    line = nextLinePrefix;
  }
  return [s, line + word];
}

function formatArray(
  a: Printable,
  format: ElementFormat,
  lineWidth: number,
  nextLinePrefix: string,
  separator: string,
  edgeItems: number,
  summaryInsert: string,
): string {
  const { shape } = a;
  const strides = stridesOf(shape);
  const recurse = (axis: number, offset: number, hangingIndent: string, currWidth: number): string => {
    const axesLeft = shape.length - axis;
    if (axesLeft === 0) return format(a.data[offset]);
    const nextHangingIndent = hangingIndent + ' ';
    const nextWidth = currWidth - ']'.length;
    const n = shape[axis];
    const showSummary = summaryInsert !== '' && 2 * edgeItems < n;
    const leadingItems = showSummary ? edgeItems : 0;
    const trailingItems = showSummary ? edgeItems : n;
    const child = (i: number): string => recurse(axis + 1, offset + i * strides[axis], nextHangingIndent, nextWidth);
    let s = '';
    if (axesLeft === 1) {
      // the last axis: wrap the elements when they would not fit on one line
      const elemWidth = currWidth - Math.max(separator.trimEnd().length, ']'.length);
      let line = hangingIndent;
      for (let i = 0; i < leadingItems; i++) {
        [s, line] = extendLine(s, line, child(i), elemWidth, hangingIndent);
        line += separator;
      }
      if (showSummary) {
        [s, line] = extendLine(s, line, summaryInsert, elemWidth, hangingIndent);
        line += separator;
      }
      for (let i = trailingItems; i > 1; i--) {
        [s, line] = extendLine(s, line, child(n - i), elemWidth, hangingIndent);
        line += separator;
      }
      [s, line] = extendLine(s, line, child(n - 1), elemWidth, hangingIndent);
      s += line;
    } else {
      // the other axes: a newline between rows, one more blank line per extra dimension
      const lineSep = separator.trimEnd() + '\n'.repeat(axesLeft - 1);
      for (let i = 0; i < leadingItems; i++) s += hangingIndent + child(i) + lineSep;
      if (showSummary) s += hangingIndent + summaryInsert + lineSep;
      for (let i = trailingItems; i > 1; i--) s += hangingIndent + child(n - i) + lineSep;
      s += hangingIndent + child(n - 1);
    }
    return '[' + s.slice(hangingIndent.length) + ']';
  };
  return recurse(0, 0, nextLinePrefix, lineWidth);
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, n) => p * n, 1);
}

interface Array2StringOptions {
  separator?: string;
  prefix?: string;
  suffix?: string;
}

/**
 * `np.array2string(a, separator=…, prefix=…, suffix=…)` with the current print options (or `options`).
 * `prefix` only sets the indent of continuation lines; it is not included in the result.
 */
export function array2string(a: Printable, options: Partial<PrintOptions> & Array2StringOptions = {}): string {
  const { separator = ' ', prefix = '', suffix = '', ...printOverrides } = options;
  checkOptions('array2string', printOverrides);
  const opts: PrintOptions = { ...printOptions };
  for (const [key, value] of Object.entries(printOverrides) as [keyof PrintOptions, number | boolean | undefined][]) {
    if (value !== undefined) (opts as Record<keyof PrintOptions, number | boolean>)[key] = value;
  }
  const lineWidth = opts.linewidth - suffix.length;
  const n = size(a.shape);
  if (n === 0) return '[]';
  const summarise = n > opts.threshold;
  const format = formatFor(a, shownValues(a, summarise, opts.edgeitems), opts);
  const nextLinePrefix = ' ' + ' '.repeat(prefix.length);
  return formatArray(a, format, lineWidth, nextLinePrefix, separator, opts.edgeitems, summarise ? '...' : '');
}

/** Python's `str()` of a NumPy scalar: `1.0`, `0.0001`, `1e+20`, `1.5e-05`, `nan`, `True`, `3`. */
export function scalarString(x: number, dtype: PrintDtype): string {
  if (dtype === 'bool') return x !== 0 ? 'True' : 'False';
  if (dtype === 'int64' || dtype === 'int32' || dtype === 'uint8') return String(x);
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  const float32 = dtype === 'float32';
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  // positional between 1e-4 and 1e16 (1e6 for float32), as NumPy's scalar str
  if (a === 0 || (a >= 1e-4 && a < (float32 ? 1e6 : 1e16))) {
    const [intPart, fracPart] = positionalParts(shortestDigits(x, float32));
    return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
  }
  const d = shortestDigits(x, float32);
  const fraction = d.digits.length > 1 ? `.${d.digits.slice(1)}` : '';
  return `${sign}${d.digits[0]}${fraction}e${d.exp < 0 ? '-' : '+'}${String(Math.abs(d.exp)).padStart(2, '0')}`;
}

/** What NumPy's `print(a)` / `str(a)` prints. */
export function arrayStr(a: Printable): string {
  if (a.shape.length === 0) return scalarString(a.data[0], a.dtype);
  return array2string(a);
}

function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * What NumPy's `repr(a)` prints: `array([1., 2.])`, `array([1., 2.], dtype=float32)`,
 * `array([1, 2], dtype=int32)`, `array([ True, False])`.
 */
export function arrayRepr(a: Printable): string {
  const prefix = 'array(';
  const lst = array2string(a, { separator: ', ', prefix, suffix: ')' });
  const n = size(a.shape);
  const extras: string[] = [];
  if ((n === 0 && !(a.shape.length === 1 && a.shape[0] === 0)) || n > printOptions.threshold) {
    extras.push(`shape=${pythonTuple(a.shape)}`);
  }
  // float64, int64 and bool are implied by how the values print; the others are not
  if (!(a.dtype === 'float64' || a.dtype === 'int64' || a.dtype === 'bool') || n === 0) extras.push(`dtype=${a.dtype}`);
  if (extras.length === 0) return `${prefix}${lst})`;
  const arrStr = `${prefix}${lst},`;
  const extraStr = `${extras.join(', ')})`;
  const lastLineLength = arrStr.length - (arrStr.lastIndexOf('\n') + 1);
  const spacer = lastLineLength + extraStr.length + 1 > printOptions.linewidth ? '\n' + ' '.repeat(prefix.length) : ' ';
  return arrStr + spacer + extraStr;
}
