/**
 * Turns a drawing into an MNIST-style 28×28 image, the way MNIST itself was made: the digit's bounding
 * box is scaled (keeping its aspect ratio) to fit a 20×20 box, then placed in the 28×28 field so that
 * its centre of mass sits at the centre. Pure arithmetic on arrays: works in Node and the browser.
 */

/** Ink intensities at or below this count as background when finding the bounding box. */
const INK = 0.05;

/**
 * `gray`: `width × height` intensities in [0, 1], ink high (white on black, like MNIST).
 * Returns 784 values in [0, 1], or `null` when there is no ink.
 */
export function preprocessDigit(gray: ArrayLike<number>, width: number, height: number): Float32Array | null {
  if (gray.length !== width * height) throw new Error(`preprocessDigit: ${gray.length} values for a ${width}×${height} image`);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  // Area-average resampling of the bounding box into tw × th, by supersampling each target pixel.
  const box = new Float64Array(tw * th);
  const S = 4;
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      let sum = 0;
      for (let sy = 0; sy < S; sy++) {
        const y = Math.min(y1, Math.floor(y0 + ((ty + (sy + 0.5) / S) * bh) / th));
        for (let sx = 0; sx < S; sx++) {
          const x = Math.min(x1, Math.floor(x0 + ((tx + (sx + 0.5) / S) * bw) / tw));
          sum += gray[y * width + x];
        }
      }
      box[ty * tw + tx] = sum / (S * S);
    }
  }
  // Centre of mass of the scaled digit, then the shift that moves it to (14, 14).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  const left = Math.round(14 - cx / mass);
  const top = Math.round(14 - cy / mass);
  const ox = Math.min(Math.max(left, 0), 28 - tw);
  const oy = Math.min(Math.max(top, 0), 28 - th);
  const out = new Float32Array(784);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * 28 + ox + x] = Math.min(1, box[y * tw + x]);
  }
  return out;
}
