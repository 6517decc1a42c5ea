/**
 * NumPy's `.npy` format (`np.save` / `np.load`), both ways, on bytes (browser-safe; the `load`/`save`
 * functions add the file system in Node).
 *
 * Reads header versions 1.0, 2.0 and 3.0; C and Fortran order (returned in C order); 0-d and empty arrays;
 * dtypes `f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1` in either byte order. They come in as tensors that hold
 * every value exactly: `f8` → float64, `f4`, `f2` → float32, `i4`, `i2`, `i1`, `u2` → int32, `u1` → uint8,
 * `b1` → bool, `u4` → float64, `i8`, `u8` → float64 (a value beyond ±2^53 is an error, naming it).
 * Object arrays (`|O`, which need pickle and so could run code), structured and string dtypes are
 * refused; a header that lies about the shape, a truncated body or absurd sizes are errors naming the
 * file, never a hang or an out-of-memory crash.
 *
 * Writes version 1.0 (2.0 when the header needs it), C order, with the header padded so the data starts
 * at a multiple of 64 bytes, as NumPy does: float64 as `<f8`, float32 `<f4`, int32 `<i4`, uint8 `|u1`,
 * bool `|b1`.
 */
import type { AnyTensor } from '../tensor/tensor.ts';
import { asBytes } from '../util/bytes.ts';
import { readFileBytes, writeFileAtomic } from './atomic.ts';
import { decodeElements, ELEMENT_SIZE, type ElementKind } from './elements.ts';
import { MAX_PARAMS } from './model-format.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The most elements one array may declare (the largest network holds fewer). */
export const MAX_NPY_ELEMENTS = MAX_PARAMS;

interface NpyHeader {
  kind: ElementKind;
  little: boolean;
  fortran: boolean;
  shape: number[];
  /** Where the data starts. */
  offset: number;
}

/** Python's literal syntax, as far as a `.npy` header uses it: dict, tuple, str, int, True/False. */
function parseHeaderDict(text: string, fail: (what: string) => never): Record<string, unknown> {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string in the header');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: unknown[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}' at header position ${i}`);
      }
    }
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return out;
        }
        const key = value();
        if (typeof key !== 'string') fail('header keys must be strings');
        ws();
        if (text[i] !== ':') fail(`expected ':' at header position ${i}`);
        i++;
        out[key as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail(`expected ',' or '}' at header position ${i}`);
      }
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return fail(`unexpected ${JSON.stringify(text.slice(i, i + 12))} at header position ${i}`);
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace(/L$/, ''));
  };
  const v = value();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('the header is not a dict');
  return v as Record<string, unknown>;
}

function readHeader(bytes: Uint8Array, fail: (what: string) => never): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) fail('not a .npy file (no \\x93NUMPY magic at the start)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}.${bytes[7]} (1.0, 2.0 and 3.0 are read)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail('truncated in the header length');
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (len > 1_000_000) fail(`header length ${len} is absurd`);
  if (start + len > bytes.length) fail(`truncated: the header needs ${len} bytes, the file has ${bytes.length - start} after the magic`);
  const raw = bytes.subarray(start, start + len);
  const text = major === 3 ? new TextDecoder('utf-8').decode(raw) : String.fromCharCode(...raw);
  const dict = parseHeaderDict(text, fail);
  const descr = dict.descr;
  if (typeof descr !== 'string') return fail(`dtype ${JSON.stringify(descr)} is a structured dtype, which ScratchNet does not read`);
  if (descr.includes('O')) fail(`dtype '${descr}' is an object array: it needs pickle (which can run code), and ScratchNet does not read it`);
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const kind = m ? ((m[2] === 'b' ? 'b1' : `${m[2]}${m[3]}`) as ElementKind) : undefined;
  if (!m || kind === undefined || !(kind in ELEMENT_SIZE) || kind === 'bf16' || (m[2] === 'b' && m[3] !== '1')) {
    return fail(`dtype '${descr}' is not supported (float64, float32, float16, int8–int64, uint8–uint64 and bool are)`);
  }
  if (typeof dict.fortran_order !== 'boolean') fail(`fortran_order must be True or False, got ${JSON.stringify(dict.fortran_order)}`);
  const shape = dict.shape;
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) return fail(`shape must be a tuple of whole numbers, got ${JSON.stringify(shape)}`);
  let count = 1;
  for (const d of shape as number[]) count *= d;
  if (count > MAX_NPY_ELEMENTS) fail(`shape (${shape.join(', ')}) has ${count} elements, more than the ${MAX_NPY_ELEMENTS} this reader accepts`);
  return { kind, little: m[1] !== '>', fortran: dict.fortran_order as boolean, shape: shape as number[], offset: start + len };
}

/** Fortran-ordered elements (first index fastest) reordered to C order, element by element. */
function fortranToC(bytes: Uint8Array, shape: readonly number[], size: number): Uint8Array {
  const n = shape.length;
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(bytes.length);
  if (count === 0) return out;
  const idx = new Array<number>(n).fill(0);
  const fStride: number[] = [];
  let s = 1;
  for (let d = 0; d < n; d++) {
    fStride.push(s);
    s *= shape[d];
  }
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += idx[d] * fStride[d];
    out.set(bytes.subarray(f * size, f * size + size), c * size);
    for (let d = n - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * The array in a `.npy` file's bytes (see the module comment for what each dtype becomes). `name` (e.g.
 * the path) starts every error.
 *
 * @example
 * const x = parseNpy(bytes, 'x.npy');   // np.save('x.npy', np.arange(6.).reshape(2, 3))
 * x.shape;                               // [2, 3]
 */
export function parseNpy(source: Uint8Array | ArrayBuffer, name = 'npy'): AnyTensor {
  const bytes = asBytes(source, 'parseNpy', 'loadNpy');
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  const h = readHeader(bytes, fail);
  const size = ELEMENT_SIZE[h.kind];
  const count = h.shape.reduce((a, b) => a * b, 1);
  const body = bytes.length - h.offset;
  if (body < count * size) fail(`truncated: shape (${h.shape.join(', ')}) of ${h.kind} needs ${count * size} bytes of data, the file has ${body}`);
  if (body > count * size) fail(`the header's shape (${h.shape.join(', ')}) of ${h.kind} needs ${count * size} bytes of data, the file has ${body} (the header does not describe this data)`);
  let data = bytes.subarray(h.offset);
  if (h.fortran && h.shape.length > 1) data = fortranToC(data, h.shape, size);
  return decodeElements(h.kind, h.little, data, h.shape, name);
}

const DESCR: Record<string, string> = { float64: '<f8', float32: '<f4', int32: '<i4', uint8: '|u1', bool: '|b1' };

/**
 * A `.npy` file of `t` (what `np.save` writes for the same array).
 *
 * @example
 * const bytes = encodeNpy(tensor([[1, 2], [3, 4]]));  // np.load gives array([[1., 2.], [3., 4.]])
 */
export function encodeNpy(t: AnyTensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  // Pad with spaces (and a final newline) so the data starts at a multiple of 64 bytes.
  let total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  }
  header = `${header}${' '.repeat(total - prefix - header.length - 1)}\n`;
  const out = new Uint8Array(total + t.data.byteLength);
  out.set(MAGIC);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[prefix + k] = header.charCodeAt(k);
  out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), total);
  return out;
}

/**
 * The array in a `.npy` file: a path (read in Node) or the file's bytes.
 *
 * @example
 * const x = loadNpy('x.npy');
 */
export function loadNpy(source: string | Uint8Array | ArrayBuffer): AnyTensor {
  if (typeof source === 'string') return parseNpy(readFileBytes(source, 'loadNpy'), source);
  return parseNpy(asBytes(source, 'loadNpy', 'loadNpy'));
}

/**
 * Writes `t` as a `.npy` file, atomically. Node only.
 *
 * @example
 * saveNpy('W1.npy', net.params.W1);   // Python: np.load('W1.npy')
 */
export function saveNpy(path: string, t: AnyTensor): void {
  writeFileAtomic(path, encodeNpy(t), 'saveNpy');
}
