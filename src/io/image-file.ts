/**
 * Node-only: a PNG file (or its bytes) to luminance, bounded. The header is read first and an oversized
 * image is refused before anything is inflated; the image data is then inflated with a hard limit of
 * the exact length the header implies (node:zlib `maxOutputLength`), so a small file that inflates to
 * gigabytes fails at once; only then does fast-png decode it.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { decode } from 'fast-png';
import { asBytes } from '../util/bytes.ts';
import { checkPngSize, MAX_PNG_PIXELS, pngImageData, pngInflatedLength, pngLuminance, readPngHeader, type PngHeader } from '../data/png.ts';

export interface LuminanceImage {
  readonly width: number;
  readonly height: number;
  /** `width × height` values in [0, 1], 0 black, 1 white; transparency composited over white. */
  readonly luminance: Float64Array;
  readonly header: PngHeader;
}

/**
 * Decodes PNG bytes to luminance. Throws `ImageTooLargeError` for an image of more than `maxPixels` pixels,
 * and an `Error` naming `name` for anything unreadable.
 */
export function decodePngLuminance(source: Uint8Array | ArrayBuffer, name: string, maxPixels = MAX_PNG_PIXELS): LuminanceImage {
  const bytes = asBytes(source, 'decodePngLuminance', 'readPngLuminance');
  const header = readPngHeader(bytes, name);
  checkPngSize(header, name, maxPixels);
  if (header.interlaced && header.bitDepth < 8) {
    throw new Error(`${name}: Adam7-interlaced PNGs with ${header.bitDepth}-bit samples are not supported; save the image without interlacing`);
  }
  const expected = pngInflatedLength(header);
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(pngImageData(bytes, name), { maxOutputLength: expected });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${name}: image data inflates past the ${expected} bytes its ${header.width}×${header.height} header declares`);
    }
    if (e instanceof Error && e.message.startsWith(`${name}:`)) throw e;
    throw new Error(`${name}: corrupt PNG image data (${(e as Error).message})`);
  }
  if (inflated.length < expected) {
    throw new Error(`${name}: truncated PNG: image data inflates to ${inflated.length} bytes, its ${header.width}×${header.height} header needs ${expected}`);
  }
  let img;
  try {
    img = decode(bytes);
  } catch (e) {
    throw new Error(`${name}: not a readable PNG (${(e as Error).message})`);
  }
  return { width: header.width, height: header.height, luminance: pngLuminance(img, header, name), header };
}

/** `decodePngLuminance` of a file. */
export function readPngLuminance(path: string, maxPixels = MAX_PNG_PIXELS): LuminanceImage {
  return decodePngLuminance(new Uint8Array(readFileSync(path)), path, maxPixels);
}
