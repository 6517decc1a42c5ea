/**
 * Raw array elements (as NumPy and safetensors store them) into ScratchNet tensors, without losing a
 * value: `f8` → float64, `f4`, `f2`, `bf16` → float32, `i4`, `i2`, `i1`, `u2` → int32, `u1` → uint8,
 * `b1` → bool, `u4` → float64 (int32 cannot hold it), `i8`, `u8` → float64 holding the exact value, or an
 * error naming the first element beyond ±2^53 (where float64 stops holding every integer).
 */
import { Mask, Tensor, type AnyTensor } from '../tensor/tensor.ts';

export type ElementKind = 'f8' | 'f4' | 'f2' | 'bf16' | 'i8' | 'i4' | 'i2' | 'i1' | 'u8' | 'u4' | 'u2' | 'u1' | 'b1';

export const ELEMENT_SIZE: Readonly<Record<ElementKind, number>> = { f8: 8, f4: 4, f2: 2, bf16: 2, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1, b1: 1 };

/** IEEE half precision bits → number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * `bytes` (exactly `count(shape) × size` of them, in C order) as a tensor of `shape`. `little`: the
 * elements' byte order. Errors start with `name`.
 */
export function decodeElements(kind: ElementKind, little: boolean, bytes: Uint8Array, shape: readonly number[], name: string): AnyTensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const size = ELEMENT_SIZE[kind];
  if (bytes.length !== count * size) throw new Error(`${name}: ${bytes.length} bytes of data, shape (${shape.join(', ')}) needs ${count * size}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (kind) {
    case 'f8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, little);
      return new Tensor(out, shape);
    }
    case 'f4': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, little);
      return new Tensor(out, shape);
    }
    case 'f2':
    case 'bf16': {
      const out = new Float32Array(count);
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        const bits = view.getUint16(i * 2, little);
        if (kind === 'f2') out[i] = half(bits);
        else {
          scratch.setUint32(0, bits << 16);
          out[i] = scratch.getFloat32(0);
        }
      }
      return new Tensor(out, shape);
    }
    case 'i4':
    case 'i2':
    case 'i1':
    case 'u2': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const at = i * size;
        out[i] = kind === 'i4' ? view.getInt32(at, little) : kind === 'i2' ? view.getInt16(at, little) : kind === 'i1' ? view.getInt8(at) : view.getUint16(at, little);
      }
      return new Tensor(out, shape, 'int32');
    }
    case 'u1':
      return new Tensor(Uint8Array.from(bytes), shape, 'uint8');
    case 'b1':
      return new Mask(Uint8Array.from(bytes, (b) => (b !== 0 ? 1 : 0)), shape);
    case 'u4': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, little);
      return new Tensor(out, shape);
    }
    case 'i8':
    case 'u8': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = kind === 'i8' ? view.getBigInt64(i * 8, little) : view.getBigUint64(i * 8, little);
        if (v > 9007199254740992n || v < -9007199254740992n) {
          throw new Error(`${name}: element ${i} is ${v}, beyond ±2^53: ScratchNet's float64 tensors cannot hold it exactly`);
        }
        out[i] = Number(v);
      }
      return new Tensor(out, shape);
    }
  }
}
