/**
 * PNG to luminance, for classifying a picture of a digit — pure (no Node API), so the browser can use
 * it too. fast-png does the decoding (inflate, unfiltering, interlacing); this module adds what a
 * classifier needs around it:
 *
 * - the image header (IHDR) read and checked *before* anything is inflated or allocated, so an
 *   oversized image is refused at once (`readPngHeader`, `checkPngSize`);
 * - the exact number of bytes the image data must inflate to (`pngInflatedLength`), for a caller that
 *   bounds inflation;
 * - every colour type (gray, RGB, palette, gray + alpha, RGBA) and bit depth (1, 2, 4, 8, 16), with
 *   tRNS transparency, turned into luminance in [0, 1] with alpha composited over white paper
 *   (`pngLuminance`).
 */
import type { DecodedPng } from 'fast-png';

/** Colour types of the PNG specification (IHDR byte 9). */
export const PngColorType = { GRAY: 0, RGB: 2, PALETTE: 3, GRAY_ALPHA: 4, RGBA: 6 } as const;

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const COLOR_NAMES: Record<number, string> = { 0: 'gray', 2: 'RGB', 3: 'palette', 4: 'gray + alpha', 6: 'RGBA' };

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  /** Samples per pixel: 1 (gray, palette), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
  /** Adam7 interlacing. */
  readonly interlaced: boolean;
}

/**
 * The default size limit: at most 2048 × 2048 = 4 194 304 pixels (of any shape), an image of a digit
 * needs far fewer. Predicting from such an image at the worst (RGBA, 16 bits) peaked at 400 MB RSS here.
 */
export const MAX_PNG_PIXELS = 2048 * 2048;

/** An image larger than the caller accepts, refused from its header before decoding. */
export class ImageTooLargeError extends Error {}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads the IHDR chunk (the first one, by the specification) without inflating anything. */
export function readPngHeader(bytes: Uint8Array, name: string): PngHeader {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (no PNG signature)');
  if (bytes.length < 33) fail(`truncated PNG: ${bytes.length} bytes, too short for its IHDR header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR' || view.getUint32(8) !== 13) fail(`corrupt PNG: the first chunk is ${JSON.stringify(type)}, not a 13-byte IHDR`);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  const interlace = bytes[28];
  if (width === 0 || height === 0) fail(`corrupt PNG: image is ${width}×${height}`);
  const depths = ALLOWED_DEPTHS[colorType];
  if (depths === undefined) fail(`corrupt PNG: unknown colour type ${colorType}`);
  if (!depths.includes(bitDepth)) fail(`corrupt PNG: bit depth ${bitDepth} is not allowed for colour type ${colorType} (${COLOR_NAMES[colorType]})`);
  if (bytes[26] !== 0 || bytes[27] !== 0) fail(`corrupt PNG: unknown compression method ${bytes[26]} or filter method ${bytes[27]}`);
  if (interlace > 1) fail(`corrupt PNG: unknown interlace method ${interlace}`);
  return { width, height, bitDepth, colorType, channels: CHANNELS[colorType], interlaced: interlace === 1 };
}

/** Refuses (with `ImageTooLargeError`) an image of more than `maxPixels` pixels. */
export function checkPngSize(header: PngHeader, name: string, maxPixels = MAX_PNG_PIXELS): void {
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    const side = Math.sqrt(maxPixels);
    const limit = Number.isInteger(side) ? ` (${side}×${side})` : '';
    throw new ImageTooLargeError(`${name}: image is ${header.width}×${header.height} = ${pixels} pixels; the limit is ${maxPixels} pixels${limit}`);
  }
}

/** Bytes of filtered scanlines (a filter byte per line) for a `width × height` (sub-)image. */
function scanlineBytes(header: PngHeader, width: number, height: number): number {
  if (width === 0 || height === 0) return 0;
  return height * (1 + Math.ceil((width * header.channels * header.bitDepth) / 8));
}

const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The exact number of bytes the image data (all IDAT chunks) must inflate to. */
export function pngInflatedLength(header: PngHeader): number {
  if (!header.interlaced) return scanlineBytes(header, header.width, header.height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += scanlineBytes(header, Math.ceil(Math.max(0, header.width - x0) / dx), Math.ceil(Math.max(0, header.height - y0) / dy));
  }
  return total;
}

/** The concatenated contents of the IDAT chunks (the zlib stream of the image), chunk lengths checked. */
export function pngImageData(bytes: Uint8Array, name: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) throw new Error(`${name}: truncated PNG: no IEND chunk (${bytes.length} bytes)`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw new Error(`${name}: truncated PNG: the ${JSON.stringify(type)} chunk at byte ${at} declares ${length} bytes, the file ends first`);
    if (type === 'IDAT') {
      parts.push(bytes.subarray(at + 8, at + 8 + length));
      total += length;
    }
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (parts.length === 0) throw new Error(`${name}: corrupt PNG: no IDAT (image data) chunk`);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const R = 0.299;
const G = 0.587;
const B = 0.114;

/**
 * Luminance in [0, 1] (0 black, 1 white) of each pixel of a PNG decoded by fast-png, row-major,
 * `width × height` values. Colour is weighted as in ITU-R BT.601 (0.299 R + 0.587 G + 0.114 B), palette
 * entries are looked up, and transparency (an alpha channel, or tRNS: palette alphas or a colour key)
 * is composited over white — ink drawn on a transparent background stays ink on paper.
 */
export function pngLuminance(img: DecodedPng, header: PngHeader, name: string): Float64Array {
  const { width, height, bitDepth: depth, colorType } = header;
  if (img.width !== width || img.height !== height || img.depth !== depth || img.channels !== header.channels) {
    throw new Error(`${name}: the decoder returned a ${img.width}×${img.height} ${img.channels}-channel ${img.depth}-bit image for a ${width}×${height} ${header.channels}-channel ${depth}-bit header`);
  }
  const data = img.data;
  const ch = header.channels;
  const max = 2 ** depth - 1;
  // Sub-byte depths (gray and palette only: one channel) stay packed by scanline, most significant first.
  const rowBytes = Math.ceil((width * depth) / 8);
  const sample = depth >= 8 ? (i: number, c: number) => data[i * ch + c] : (i: number) => {
    const y = Math.floor(i / width);
    const bit = (i - y * width) * depth;
    return (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & max;
  };
  const expected = depth >= 8 ? width * height * ch : rowBytes * height;
  if (data.length !== expected) throw new Error(`${name}: the decoder returned ${data.length} samples, expected ${expected}`);
  const out = new Float64Array(width * height);
  const key = img.transparency;
  switch (colorType) {
    case PngColorType.GRAY:
      for (let i = 0; i < out.length; i++) {
        const v = sample(i, 0);
        out[i] = key !== undefined && key.length >= 1 && v === key[0] ? 1 : v / max;
      }
      break;
    case PngColorType.RGB:
      for (let i = 0; i < out.length; i++) {
        const r = sample(i, 0);
        const g = sample(i, 1);
        const b = sample(i, 2);
        out[i] = key !== undefined && key.length >= 3 && r === key[0] && g === key[1] && b === key[2] ? 1 : (R * r + G * g + B * b) / max;
      }
      break;
    case PngColorType.PALETTE: {
      const palette = img.palette;
      if (palette === undefined || palette.length === 0) throw new Error(`${name}: corrupt PNG: a palette image without a PLTE chunk`);
      const lum = palette.map((e) => {
        const c = (R * e[0] + G * e[1] + B * e[2]) / 255;
        const a = (e.length > 3 ? (e as readonly number[])[3] : 255) / 255;
        return a * c + (1 - a);
      });
      for (let i = 0; i < out.length; i++) {
        const index = sample(i, 0);
        if (index >= lum.length) throw new Error(`${name}: corrupt PNG: pixel ${i % width},${Math.floor(i / width)} uses palette entry ${index}; the palette has ${lum.length}`);
        out[i] = lum[index];
      }
      break;
    }
    case PngColorType.GRAY_ALPHA:
      for (let i = 0; i < out.length; i++) {
        const a = sample(i, 1) / max;
        out[i] = (a * sample(i, 0)) / max + (1 - a);
      }
      break;
    case PngColorType.RGBA:
      for (let i = 0; i < out.length; i++) {
        const a = sample(i, 3) / max;
        out[i] = (a * (R * sample(i, 0) + G * sample(i, 1) + B * sample(i, 2))) / max + (1 - a);
      }
      break;
    default:
      throw new Error(`${name}: unknown colour type ${colorType}`);
  }
  return out;
}
