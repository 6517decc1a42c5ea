/**
 * The safetensors format (Hugging Face's; PyTorch's `safetensors.torch.load_file` reads it): an 8-byte
 * little-endian header length N, N bytes of JSON — `{"W1": {"dtype": "F64", "shape": [784, 50],
 * "data_offsets": [0, 313600]}, …, "__metadata__": {"kind": "…"}}` — then the raw little-endian data,
 * offsets relative to its start. Browser-safe (bytes in, bytes out).
 *
 * Reading validates everything before allocating: the header length within the file (and at most
 * 100 MB), the JSON, each dtype, shape and offset (in bounds, contiguous, matching shape × item size).
 * The dtypes come in as `elements.ts` says: F32 → float32, F64 → float64, F16 / BF16 → float32, I32, I16,
 * I8, U16 → int32, U8 → uint8, BOOL → bool, U32, I64, U64 → float64 holding the exact values (64-bit
 * values beyond ±2^53 are refused).
 */
import type { AnyTensor } from '../tensor/tensor.ts';
import { asBytes } from '../util/bytes.ts';
import { readFileBytes, writeFileAtomic } from './atomic.ts';
import { MAX_PARAMS } from './model-format.ts';
import { decodeElements, ELEMENT_SIZE, type ElementKind } from './elements.ts';

const MAX_HEADER = 100_000_000;

const DTYPES: Record<string, ElementKind> = {
  F64: 'f8', F32: 'f4', F16: 'f2', BF16: 'bf16', I64: 'i8', I32: 'i4', I16: 'i2', I8: 'i1', U64: 'u8', U32: 'u4', U16: 'u2', U8: 'u1', BOOL: 'b1',
};

export interface Safetensors {
  tensors: Record<string, AnyTensor>;
  metadata: Record<string, string>;
}

/**
 * The tensors (in the file's data order) and `__metadata__` of a safetensors file's bytes.
 *
 * @example
 * const { tensors, metadata } = parseSafetensors(bytes, 'model.safetensors');
 */
export function parseSafetensors(source: Uint8Array | ArrayBuffer, name = 'safetensors'): Safetensors {
  const bytes = asBytes(source, 'parseSafetensors', 'loadSafetensors');
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for a safetensors file (8-byte header length, then the header)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER) fail(`header length ${n} is larger than the ${MAX_HEADER} bytes allowed`);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: [string, ElementKind, number[], number, number][] = [];
  let total = 0;
  for (const [key, v] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ must be an object of strings');
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__.${mk} must be a string, got ${JSON.stringify(mv)}`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) return fail(`${key}: expected { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = v as Record<string, unknown>;
    const kind = typeof dtype === 'string' ? DTYPES[dtype] : undefined;
    if (kind === undefined) return fail(`${key}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) return fail(`${key}: shape must be a list of whole numbers, got ${JSON.stringify(shape)}`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    total += count;
    if (total > MAX_PARAMS) fail(`holds more than the ${MAX_PARAMS} numbers this reader accepts`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) return fail(`${key}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > data.length) fail(`${key}: data_offsets [${begin}, ${end}] are outside the ${data.length} bytes of data`);
    if (end - begin !== count * ELEMENT_SIZE[kind]) fail(`${key}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape.join(', ')}] of ${dtype as string} needs ${count * ELEMENT_SIZE[kind]}`);
    entries.push([key, kind, shape as number[], begin, end]);
  }
  entries.sort((a, b) => a[3] - b[3]);
  let at = 0;
  for (const [key, , , begin, end] of entries) {
    if (begin !== at) fail(`${key}: data starts at ${begin}, expected ${at} (the tensors' data must be contiguous, without gaps or overlaps)`);
    at = end;
  }
  if (at !== data.length) fail(`the tensors use ${at} bytes of data, the file has ${data.length}`);
  const tensors: Record<string, AnyTensor> = {};
  for (const [key, kind, shape, begin, end] of entries) tensors[key] = decodeElements(kind, true, data.subarray(begin, end), shape, `${name}: ${key}`);
  return { tensors, metadata };
}

/**
 * A safetensors file of `tensors` (float32 → F32, float64 → F64, int32 → I32, uint8 → U8, bool → BOOL),
 * in the given order, with `metadata` as `__metadata__`.
 *
 * @example
 * const bytes = encodeSafetensors(net.params, { kind: net.kind });
 * // Python: from safetensors.numpy import load_file; load_file('model.safetensors')['W1']
 */
export function encodeSafetensors(tensors: Readonly<Record<string, AnyTensor>>, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  const codes: Record<string, string> = { float64: 'F64', float32: 'F32', int32: 'I32', uint8: 'U8', bool: 'BOOL' };
  let offset = 0;
  for (const [key, t] of Object.entries(tensors)) {
    if (key === '__metadata__') throw new Error('encodeSafetensors: a tensor cannot be named __metadata__');
    header[key] = { dtype: codes[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (as the reference implementation does).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, head.length, true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** `parseSafetensors` of a file's bytes (a path is read in Node). */
export function loadSafetensors(source: string | Uint8Array | ArrayBuffer): Safetensors {
  if (typeof source === 'string') return parseSafetensors(readFileBytes(source, 'loadSafetensors'), source);
  return parseSafetensors(asBytes(source, 'loadSafetensors', 'loadSafetensors'), 'safetensors');
}

/** Writes `encodeSafetensors(tensors, metadata)` to `path`, atomically. Node only. */
export function saveSafetensors(path: string, tensors: Readonly<Record<string, AnyTensor>>, metadata?: Readonly<Record<string, string>>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata), 'saveSafetensors');
}
