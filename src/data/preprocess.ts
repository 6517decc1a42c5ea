/**
 * Turns a drawing into an MNIST-style 28×28 image, the way MNIST itself was made: the digit's bounding
 * box is scaled (keeping its aspect ratio) to fit a 20×20 box, then placed in the 28×28 field so that
 * its centre of mass sits at the centre. Pure arithmetic on arrays: works in Node and the browser.
 */

/** Ink intensities at or below this count as background when finding the bounding box. */
const INK = 0.05;

/**
 * `gray`: `width × height` intensities in [0, 1], ink high (white on black, like MNIST).
 * Returns `side × side` values in [0, 1] (784 for MNIST's 28), or `null` when there is no ink. For
 * another `side` (a model trained on 32×32 images, say) the 20-in-28 proportions are kept: the box is
 * `round(side × 20 / 28)` pixels and the centre of mass goes to the middle.
 */
export function preprocessDigit(gray: ArrayLike<number>, width: number, height: number, side = 28): Float32Array | null {
  if (gray.length !== width * height) throw new Error(`preprocessDigit: ${gray.length} values for a ${width}×${height} image`);
  if (!Number.isInteger(side) || side < 2) throw new Error(`preprocessDigit: side must be an integer of at least 2, got ${side}`);
  const boxSide = Math.max(1, Math.round((side * 20) / 28));
  const centre = side / 2;
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
  const scale = boxSide / Math.max(bw, bh);
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
  // Centre of mass of the scaled digit, then the shift that moves it to the centre (14, 14 for 28).
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
  const left = Math.round(centre - cx / mass);
  const top = Math.round(centre - cy / mass);
  const ox = Math.min(Math.max(left, 0), side - tw);
  const oy = Math.min(Math.max(top, 0), side - th);
  const out = new Float32Array(side * side);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) out[(oy + y) * side + ox + x] = Math.min(1, box[y * tw + x]);
  }
  return out;
}

/**
 * Luminance (0 black, 1 white) to ink intensity (ink high, like MNIST's white digits on black). The
 * background is judged by the image's border: when it is light on average, the digit is dark on light
 * paper and the image is inverted.
 */
export function inkFromLuminance(luminance: ArrayLike<number>, width: number, height: number): { ink: Float64Array; inverted: boolean } {
  if (luminance.length !== width * height) throw new Error(`inkFromLuminance: ${luminance.length} values for a ${width}×${height} image`);
  let border = 0;
  let n = 0;
  const add = (x: number, y: number) => {
    border += luminance[y * width + x];
    n++;
  };
  for (let x = 0; x < width; x++) {
    add(x, 0);
    if (height > 1) add(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    add(0, y);
    if (width > 1) add(width - 1, y);
  }
  const inverted = border / n > 0.5;
  const ink = Float64Array.from(luminance, (v) => (inverted ? 1 - v : v));
  return { ink, inverted };
}
