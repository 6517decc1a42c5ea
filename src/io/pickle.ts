/**
 * A safe reader for the book's pickled parameter files (`ch03/sample_weight.pkl`, `ch07/params.pkl`,
 * `ch08/deep_convnet_params.pkl`, and what its `save_params` writes): a Python `dict` of name → NumPy
 * `ndarray`, pickle protocol 2, 3 or 4. Browser-safe (bytes in, tensors out).
 *
 * It is not a Python unpickler: it runs nothing. It interprets an allow-list of opcodes (below) on a
 * stack of plain values, and knows four globals — `numpy.core.multiarray._reconstruct` (NumPy 1),
 * `numpy._core.multiarray._reconstruct` (NumPy 2), `numpy.ndarray`, `numpy.dtype` — plus `_codecs.encode`
 * and `bytes` (protocol 2 spells bytes as `_codecs.encode(str, 'latin1')`, empty ones as `bytes()`), each
 * applied only to the arguments NumPy gives them. Any other opcode or global (`os.system`, `builtins.eval`, …), a read past the end, a length
 * longer than the file, an array whose declared shape does not match its data or exceeds the size limit,
 * a dtype other than float32/float64: an error naming the file and the byte offset.
 *
 * Arrays in Fortran order (`sample_weight.pkl`'s W1 is one) are returned in C order.
 */
import { asBytes } from '../util/bytes.ts';
import { Tensor } from '../tensor/tensor.ts';
import { formatShape } from '../tensor/shape.ts';

/** Arrays with more elements than this are refused before anything is allocated (the book's largest has 432 000). */
export const MAX_PICKLE_ARRAY_ELEMENTS = 50_000_000;

export interface LoadPickleOptions {
  /** Names the source in error messages (e.g. the file path); default `'pickle'`. */
  name?: string;
  /** Refuse arrays with more elements than this (default `MAX_PICKLE_ARRAY_ELEMENTS`). */
  maxElements?: number;
}

type GlobalName = 'reconstruct' | 'ndarray' | 'dtype' | 'codecs.encode' | 'bytes';

class PyGlobal {
  constructor(readonly name: GlobalName) {}
}
class PyDtype {
  byteOrder: '<' | '>' | '|' | '=' | undefined;
  constructor(readonly code: 'f4' | 'f8') {}
}
class PyArray {
  tensor: Tensor | undefined;
}
class PyDict {
  readonly entries = new Map<string, Value>();
}
class PyList {
  readonly items: Value[] = [];
}
class Mark {}
const MARK = new Mark();

type Value = null | boolean | number | string | Uint8Array | readonly Value[] | PyGlobal | PyDtype | PyArray | PyDict | PyList;

const GLOBALS: ReadonlyMap<string, GlobalName> = new Map([
  ['numpy.core.multiarray _reconstruct', 'reconstruct'],
  ['numpy._core.multiarray _reconstruct', 'reconstruct'],
  ['numpy ndarray', 'ndarray'],
  ['numpy dtype', 'dtype'],
  ['_codecs encode', 'codecs.encode'],
  // Protocol 2 spells an empty bytes object `__builtin__.bytes()` (an empty array's data).
  ['__builtin__ bytes', 'bytes'],
  ['builtins bytes', 'bytes'],
]);

const OPCODE_NAMES: Record<number, string> = {
  0x80: 'PROTO', 0x95: 'FRAME', 0x2e: 'STOP', 0x7d: 'EMPTY_DICT', 0x5d: 'EMPTY_LIST', 0x29: 'EMPTY_TUPLE', 0x28: 'MARK',
  0x73: 'SETITEM', 0x75: 'SETITEMS', 0x61: 'APPEND', 0x65: 'APPENDS', 0x58: 'BINUNICODE', 0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8', 0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x4a: 'BININT', 0x4b: 'BININT1', 0x4d: 'BININT2',
  0x74: 'TUPLE', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x52: 'REDUCE', 0x62: 'BUILD', 0x94: 'MEMOIZE',
  0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x68: 'BINGET', 0x6a: 'LONG_BINGET', 0x43: 'SHORT_BINBYTES', 0x42: 'BINBYTES',
  0x8e: 'BINBYTES8', 0x89: 'NEWFALSE', 0x88: 'NEWTRUE', 0x4e: 'NONE', 0x47: 'BINFLOAT',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function describe(v: Value | Mark): string {
  if (v === null) return 'None';
  if (v instanceof Mark) return 'a MARK';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `a tuple of ${v.length}`;
  if (v instanceof PyGlobal) return `the global ${v.name}`;
  if (v instanceof PyDtype) return `dtype ${v.code}`;
  if (v instanceof PyArray) return 'an ndarray';
  if (v instanceof PyDict) return 'a dict';
  return 'a list';
}

/**
 * Reads a pickled dict of NumPy arrays into tensors by name (float32 arrays as float32 tensors, float64
 * as float64), in the file's order.
 *
 * @example
 * const params = loadPickle(bytes, { name: 'params.pkl' }); // { W1: Tensor (30,1,5,5), b1: …, … }
 */
export function loadPickle(source: Uint8Array | ArrayBuffer, options: LoadPickleOptions = {}): Record<string, Tensor> {
  const bytes = asBytes(source, 'loadPickle', 'loadPickleFile');
  const name = options.name ?? 'pickle';
  const maxElements = options.maxElements ?? MAX_PICKLE_ARRAY_ELEMENTS;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  let opPos = 0;
  const fail = (what: string, at = opPos): never => {
    throw new Error(`${name}: offset ${at}: ${what}`);
  };
  const need = (n: number, what: string): void => {
    if (n > bytes.length - pos) fail(`truncated: ${what} needs ${n} bytes, ${bytes.length - pos} left`);
  };
  const u8 = (): number => {
    need(1, 'a 1-byte argument');
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2, 'a 2-byte argument');
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4, 'a 4-byte argument');
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8, 'an 8-byte length');
    const lo = view.getUint32(pos, true);
    const hi = view.getUint32(pos + 4, true);
    pos += 8;
    if (hi >= 0x200000) fail(`length ${hi} * 2^32 + ${lo} is too large`);
    return hi * 2 ** 32 + lo;
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const text = (n: number): string => {
    const raw = take(n, `a string of ${n} bytes`);
    try {
      return utf8.decode(raw);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('truncated: GLOBAL without a newline');
    if (end - pos > 256) fail('GLOBAL name longer than 256 bytes');
    const s = String.fromCharCode(...bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };

  const stack: (Value | Mark)[] = [];
  const memo = new Map<number, Value>();
  const pop = (): Value => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack.pop()!;
    if (v instanceof Mark) fail('unexpected MARK');
    return v as Value;
  };
  const top = (): Value => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack[stack.length - 1];
    if (v instanceof Mark) fail('unexpected MARK');
    return v as Value;
  };
  const popMark = (): Value[] => {
    let i = stack.length - 1;
    while (i >= 0 && !(stack[i] instanceof Mark)) i--;
    if (i < 0) fail('no MARK on the stack');
    const items = stack.splice(i + 1) as Value[];
    stack.pop();
    return items;
  };
  const global = (module: string, attr: string): PyGlobal => {
    const g = GLOBALS.get(`${module} ${attr}`);
    if (g === undefined) fail(`global ${module}.${attr} is not allowed (only NumPy's array reconstruction is)`);
    return new PyGlobal(g!);
  };
  const setItem = (dict: Value, key: Value, value: Value): void => {
    if (!(dict instanceof PyDict)) fail(`SETITEM on ${describe(dict)}, not a dict`);
    if (typeof key !== 'string') fail(`dict key is ${describe(key)}, not a string`);
    (dict as PyDict).entries.set(key as string, value);
  };
  const isInt = (v: Value): v is number => typeof v === 'number' && Number.isInteger(v);

  const reduce = (callable: Value, args: Value): Value => {
    if (!(callable instanceof PyGlobal)) return fail(`REDUCE calls ${describe(callable)}, not an allowed global`);
    if (!Array.isArray(args)) return fail(`REDUCE arguments are ${describe(args)}, not a tuple`);
    const a = args as readonly Value[];
    switch (callable.name) {
      case 'reconstruct': {
        // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD then fills.
        const ok = a.length === 3 && a[0] instanceof PyGlobal && a[0].name === 'ndarray' && Array.isArray(a[1]) && a[2] instanceof Uint8Array;
        if (!ok) fail('_reconstruct with arguments other than (ndarray, shape, bytes)');
        return new PyArray();
      }
      case 'dtype': {
        const code = a[0];
        if (a.length !== 3 || typeof code !== 'string') return fail('dtype with arguments other than (str, bool, bool)');
        const c = (code as string).replace(/^[<=]/, '');
        if (c !== 'f4' && c !== 'f8') return fail(`dtype '${code}' is not supported (float32 'f4' and float64 'f8' only)`);
        return new PyDtype(c);
      }
      case 'codecs.encode': {
        const [s, enc] = a;
        if (a.length !== 2 || typeof s !== 'string' || enc !== 'latin1') return fail("_codecs.encode with arguments other than (str, 'latin1')");
        const str = s as string;
        const out = new Uint8Array(str.length);
        for (let i = 0; i < str.length; i++) {
          const c = str.charCodeAt(i);
          if (c > 255) fail(`_codecs.encode: character ${c} is not latin-1`);
          out[i] = c;
        }
        return out;
      }
      case 'bytes':
        if (a.length !== 0) fail('bytes() with arguments');
        return new Uint8Array(0);
      default:
        return fail(`REDUCE on ${describe(callable)}`);
    }
  };

  const buildArray = (arr: PyArray, state: Value): void => {
    // (version, shape, dtype, is_fortran, data)
    if (!Array.isArray(state) || state.length !== 5) fail(`ndarray state is ${describe(state)}, not (version, shape, dtype, fortran, data)`);
    const [version, shape, dtype, fortran, raw] = state as readonly Value[];
    if (version !== 1) fail(`ndarray state version ${describe(version)} (expected 1)`);
    if (!Array.isArray(shape) || !(shape as Value[]).every((d) => isInt(d) && d >= 0)) fail(`ndarray shape is ${describe(shape)}, not a tuple of sizes`);
    const dims = shape as number[];
    if (!(dtype instanceof PyDtype) || dtype.byteOrder === undefined) fail(`ndarray dtype is ${describe(dtype)}, not a float32/float64 dtype`);
    if (typeof fortran !== 'boolean') fail(`ndarray Fortran flag is ${describe(fortran)}`);
    if (!(raw instanceof Uint8Array)) fail(`ndarray data is ${describe(raw)}, not bytes`);
    let count = 1;
    for (const d of dims) {
      count *= d;
      if (count > maxElements) fail(`ndarray of shape ${formatShape(dims)} has more than ${maxElements} elements (the limit)`);
    }
    const dt = dtype as PyDtype;
    const itemSize = dt.code === 'f4' ? 4 : 8;
    const data = raw as Uint8Array;
    if (data.length !== count * itemSize) fail(`ndarray of shape ${formatShape(dims)} and dtype ${dt.code} needs ${count * itemSize} bytes, the data has ${data.length}`);
    const little = dt.byteOrder !== '>';
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const values = dt.code === 'f4' ? new Float32Array(count) : new Float64Array(count);
    // Fortran order: element (i0, …, ik) is at Σ i_j · stride_j with stride_0 = 1; walk C order.
    const fStrides: number[] = [];
    let s = 1;
    for (const d of dims) {
      fStrides.push(s);
      s *= d;
    }
    const idx = new Array<number>(dims.length).fill(0);
    for (let i = 0; i < count; i++) {
      let src = i;
      if (fortran && dims.length > 1) {
        src = 0;
        for (let j = 0; j < dims.length; j++) src += idx[j] * fStrides[j];
        for (let j = dims.length - 1; j >= 0; j--) {
          if (++idx[j] < dims[j]) break;
          idx[j] = 0;
        }
      }
      values[i] = itemSize === 4 ? dv.getFloat32(src * 4, little) : dv.getFloat64(src * 8, little);
    }
    arr.tensor = new Tensor(values, dims);
  };

  const build = (target: Value, state: Value): void => {
    if (target instanceof PyArray) {
      if (target.tensor !== undefined) fail('BUILD on an ndarray twice');
      buildArray(target, state);
      return;
    }
    if (target instanceof PyDtype) {
      // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
      if (!Array.isArray(state) || state.length < 8) fail(`dtype state is ${describe(state)}`);
      const order = (state as Value[])[1];
      if (order !== '<' && order !== '>' && order !== '=' && order !== '|') fail(`dtype byte order ${describe(order)}`);
      if ((state as Value[])[2] !== null || (state as Value[])[3] !== null || (state as Value[])[4] !== null) fail('structured dtypes are not supported');
      target.byteOrder = order as PyDtype['byteOrder'];
      return;
    }
    fail(`BUILD on ${describe(target)}`);
  };

  if (bytes.length < 2 || bytes[0] !== 0x80) fail('not a pickle of protocol 2 or later (no PROTO opcode at the start)', 0);
  for (;;) {
    opPos = pos;
    if (pos >= bytes.length) fail('truncated: no STOP opcode');
    const op = bytes[pos++];
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto < 2 || proto > 4) fail(`pickle protocol ${proto} is not supported (2, 3 and 4 are)`);
        break;
      }
      case 0x95: {
        const n = u64();
        if (n > bytes.length - pos) fail(`truncated: FRAME of ${n} bytes, ${bytes.length - pos} left`);
        break;
      }
      case 0x2e: {
        const result = pop();
        if (stack.length !== 0) fail(`STOP with ${stack.length} more items on the stack`);
        if (!(result instanceof PyDict)) return fail(`the pickle holds ${describe(result)}, not a dict of arrays`);
        const out: Record<string, Tensor> = {};
        for (const [k, v] of result.entries) {
          if (!(v instanceof PyArray) || v.tensor === undefined) return fail(`'${k}' is ${describe(v)}, not a NumPy array`);
          out[k] = v.tensor;
        }
        return out;
      }
      case 0x7d:
        stack.push(new PyDict());
        break;
      case 0x5d:
        stack.push(new PyList());
        break;
      case 0x29:
        stack.push(Object.freeze([]));
        break;
      case 0x28:
        stack.push(MARK);
        break;
      case 0x73: {
        const value = pop();
        const key = pop();
        setItem(top(), key, value);
        break;
      }
      case 0x75: {
        const items = popMark();
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
        const dict = top();
        for (let i = 0; i < items.length; i += 2) setItem(dict, items[i], items[i + 1]);
        break;
      }
      case 0x61: {
        const value = pop();
        const list = top();
        if (!(list instanceof PyList)) fail(`APPEND to ${describe(list)}`);
        (list as PyList).items.push(value);
        break;
      }
      case 0x65: {
        const items = popMark();
        const list = top();
        if (!(list instanceof PyList)) fail(`APPENDS to ${describe(list)}`);
        (list as PyList).items.push(...items);
        break;
      }
      case 0x58:
        stack.push(text(u32()));
        break;
      case 0x8c:
        stack.push(text(u8()));
        break;
      case 0x8d:
        stack.push(text(u64()));
        break;
      case 0x63: {
        const module = line();
        const attr = line();
        stack.push(global(module, attr));
        break;
      }
      case 0x93: {
        const attr = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof attr !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, attr as string));
        break;
      }
      case 0x4a:
        need(4, 'BININT');
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b:
        stack.push(u8());
        break;
      case 0x4d:
        stack.push(u16());
        break;
      case 0x74:
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85:
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b, c]));
        break;
      }
      case 0x52: {
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x62: {
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x94:
        memo.set(memo.size, top());
        break;
      case 0x71:
        memo.set(u8(), top());
        break;
      case 0x72:
        memo.set(u32(), top());
        break;
      case 0x68:
      case 0x6a: {
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo entry ${key} does not exist`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x43:
        stack.push(take(u8(), 'SHORT_BINBYTES'));
        break;
      case 0x42:
        stack.push(take(u32(), 'BINBYTES'));
        break;
      case 0x8e:
        stack.push(take(u64(), 'BINBYTES8'));
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x4e:
        stack.push(null);
        break;
      case 0x47:
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      default: {
        const known = OPCODE_NAMES[op];
        fail(`opcode 0x${op.toString(16).padStart(2, '0')} ${known ?? `(${JSON.stringify(String.fromCharCode(op))})`} is not allowed`);
      }
    }
  }
}
