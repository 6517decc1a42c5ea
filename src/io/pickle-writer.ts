/**
 * Writes the book's `save_params` layout: a pickled `dict` of NumPy arrays by name (`W1`, `b1`, …), as
 * `pickle.dump(params, f)` writes it, so the book's own `load_params` — and any Python with NumPy —
 * reads a network trained in ScratchNet. Browser-safe (tensors in, bytes out).
 *
 * Each array is pickled as NumPy itself pickles one: `numpy.core.multiarray._reconstruct(ndarray, (0,),
 * b'b')`, then its state `(1, shape, dtype('<f8'), False, raw little-endian bytes)`. The global is NumPy
 * 1's name: NumPy 1 and 2 both load it, NumPy 2 without a warning (checked with `python3 -W error`);
 * NumPy 2's own name, `numpy._core.multiarray`, does not exist in NumPy 1.
 *
 * Protocol 3 (what the book's 2016 files use): bytes as `BINBYTES`, no memo, nothing shared.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { writeFileAtomic } from './atomic.ts';

const enc = new TextEncoder();

class Out {
  private buf = new Uint8Array(1024);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(...bs: number[]): void {
    this.room(bs.length);
    for (const b of bs) this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  u32(v: number): void {
    this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }

  /** BININT1, BININT2 or BININT (signed 32-bit). */
  int(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`encodePickle: ${v} does not fit a pickled int`);
    if (v >= 0 && v < 0x100) this.byte(0x4b, v);
    else if (v >= 0 && v < 0x10000) this.byte(0x4d, v & 0xff, v >>> 8);
    else {
      this.byte(0x4a);
      this.u32(v >>> 0);
    }
  }

  /** BINUNICODE. */
  str(s: string): void {
    const b = enc.encode(s);
    this.byte(0x58);
    this.u32(b.length);
    this.bytes(b);
  }

  /** GLOBAL `module\nname\n`. */
  global(module: string, name: string): void {
    this.byte(0x63);
    this.bytes(enc.encode(`${module}\n${name}\n`));
  }

  /** SHORT_BINBYTES or BINBYTES. */
  binbytes(b: Uint8Array): void {
    if (b.length < 0x100) this.byte(0x43, b.length);
    else {
      this.byte(0x42);
      this.u32(b.length);
    }
    this.bytes(b);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const MARK = 0x28;
const TUPLE = 0x74;
const TUPLE1 = 0x85;
const TUPLE3 = 0x87;
const EMPTY_TUPLE = 0x29;
const REDUCE = 0x52;
const BUILD = 0x62;
const NONE = 0x4e;
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;

/** NumPy's pickle of one float32 / float64 array in C order. */
function writeArray(out: Out, t: Tensor): void {
  out.global('numpy.core.multiarray', '_reconstruct');
  out.global('numpy', 'ndarray');
  out.int(0);
  out.byte(TUPLE1);
  out.binbytes(Uint8Array.of(0x62)); // b'b'
  out.byte(TUPLE3, REDUCE);
  // State: (1, shape, dtype, is_fortran, data)
  out.byte(MARK);
  out.int(1);
  if (t.shape.length === 0) out.byte(EMPTY_TUPLE);
  else {
    out.byte(MARK);
    for (const d of t.shape) out.int(d);
    out.byte(TUPLE);
  }
  out.global('numpy', 'dtype');
  out.str(t.dtype === 'float32' ? 'f4' : 'f8');
  out.byte(NEWFALSE, NEWTRUE, TUPLE3, REDUCE);
  out.byte(MARK);
  out.int(3);
  out.str('<');
  out.byte(NONE, NONE, NONE);
  out.int(-1);
  out.int(-1);
  out.int(0);
  out.byte(TUPLE, BUILD);
  out.byte(NEWFALSE);
  // Typed arrays are little-endian on every platform JavaScript runs on.
  out.binbytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  out.byte(TUPLE, BUILD);
}

/**
 * A pickle (protocol 3) of a Python dict of NumPy arrays, in the order of `arrays` — the book's
 * `save_params` file. `pickle.load` reads it with NumPy installed (1.x or 2.x), and so does `loadPickle`.
 *
 * @example
 * const bytes = encodePickle(net.params);          // { W1, b1, W2, b2, … }
 * // Python: params = pickle.load(open('params.pkl', 'rb')); params['W1'].shape
 */
export function encodePickle(arrays: Readonly<Record<string, Tensor>>): Uint8Array {
  const out = new Out();
  out.byte(0x80, 3); // PROTO 3
  out.byte(0x7d); // EMPTY_DICT
  const keys = Object.keys(arrays);
  if (keys.length > 0) {
    out.byte(MARK);
    for (const key of keys) {
      const t = arrays[key];
      if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new Error(`encodePickle: ${key} is ${String(t.dtype)}; only float32 and float64 arrays are written`);
      out.str(key);
      writeArray(out, t);
    }
    out.byte(0x75); // SETITEMS
  }
  out.byte(0x2e); // STOP
  return out.done();
}

/**
 * Writes `arrays` as the book's pickled params file (`encodePickle`), atomically. Node only.
 *
 * @example
 * savePickle('params.pkl', net.params); // the book's SimpleConvNet().load_params('params.pkl') reads it
 */
export function savePickle(path: string, arrays: Readonly<Record<string, Tensor>>): void {
  writeFileAtomic(path, encodePickle(arrays), 'savePickle');
}
