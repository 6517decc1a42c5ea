/**
 * Python's `print` and `str`/`repr` for what a reader of the book types first: tensors print as NumPy
 * prints them (`print(x)` → `[1. 2. 3.]`), plain values as Python shows them (`True`, `None`, `[1, 2]`,
 * `{'a': 1}`, `nan`, `inf`).
 */
import { Tensor } from './tensor.ts';

function pyNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** Python's `repr` of a value (a tensor: NumPy's `array(...)`). */
export function pyRepr(value: unknown): string {
  if (value instanceof Tensor) return value.repr();
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return `[${Array.from(value as unknown as ArrayLike<number>, pyNumber).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  return String(value);
}

/** Python's `str` of a value (a tensor: NumPy's `str`, e.g. `[[1 2]\n [3 4]]`; a string as it is). */
export function pyStr(value: unknown): string {
  if (value instanceof Tensor) return value.toString();
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/**
 * Python's `print(*values)`: each value's `str`, joined by a space, then a newline, to `console.log`.
 *
 * @example
 * print(tensor([1, 2, 3]), 'x', true); // [1. 2. 3.] x True
 */
export function print(...values: unknown[]): void {
  console.log(values.map(pyStr).join(' '));
}
