// Chapter 7's loops in WASM (AssemblyScript): im2col / col2imT, max pooling forward and backward, the
// per-channel bias and sum, and a direct convolution (stride 1) — the twins of src/kernels/conv.ts,
// generic over T (f32 → f32x4, f64 → f64x2) and exported per type. Included from kernels.ts.
//
// Kernels that the helper thread may run take one argument: the address of a block of i32 arguments
// (the helper protocol passes at most 12 values; a convolution needs more).
//
// Orders of operations: every loop adds each output's terms in the reference's order (a convolution's
// products over (channel, ky, kx) ascending from 0, then the bias; col2imT's and pooling backward's per
// pixel in window order), so float64 results equal the TypeScript reference bit for bit. In float32 the
// reference adds in double precision before rounding (JavaScript numbers), these kernels in float32.

import { allFinite, lanes, madd, splatAt0, splatAt1, splatAt2, splatAt3, splatAt4, splatAt5, splatFrom } from './simd';

// @ts-ignore: decorator
@inline function outSize(size: i32, filter: i32, stride: i32, pad: i32): i32 {
  // (size + 2·pad − filter) // stride + 1, for size + 2·pad ≥ filter (the callers check it).
  return (size + 2 * pad - filter) / stride + 1;
}

// ---- im2col / col2imT -------------------------------------------------------------------------------

/**
 * im2col for stride 1, in another loop order with the same result: for each output row, channel and
 * filter row, the image row's windows go to consecutive col rows (K = c·fh·fw values apart) — an inner
 * loop over the output column that copies fw values, with the bounds checked once per filter row.
 */
// @ts-ignore: decorator
@inline function im2colStride1<T>(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, pad: i32, col: usize, outH: i32, outW: i32): void {
  const sz = <usize>sizeof<T>();
  const kBytes = <usize>(c * fh * fw) * sz;
  // Output columns whose window lies inside the image row: [inLo, inHi).
  const inLo = min(outW, pad), inHi = max(inLo, min(outW, w + pad - fw + 1));
  for (let i = 0; i < n; i++) {
    const img = x + <usize>(i * c * h * w) * sz;
    for (let oy = 0; oy < outH; oy++) {
      const rowCol = col + <usize>((i * outH + oy) * outW) * kBytes;
      for (let ch = 0; ch < c; ch++) {
        const plane = img + <usize>(ch * h * w) * sz;
        for (let ky = 0; ky < fh; ky++) {
          const y = oy - pad + ky;
          const dst = rowCol + <usize>((ch * fh + ky) * fw) * sz;
          if (y < 0 || y >= h) {
            for (let ox = 0; ox < outW; ox++) {
              const d = dst + <usize>ox * kBytes;
              for (let kx = 0; kx < fw; kx++) store<T>(d + <usize>kx * sz, <T>0);
            }
            continue;
          }
          const line = plane + <usize>(y * w) * sz;
          for (let ox = 0; ox < inLo; ox++) im2colEdge<T>(line, w, ox - pad, fw, dst + <usize>ox * kBytes);
          if (fw == 3) {
            for (let ox = inLo; ox < inHi; ox++) {
              const s = line + <usize>(ox - pad) * sz;
              const d = dst + <usize>ox * kBytes;
              store<T>(d, load<T>(s));
              store<T>(d + sz, load<T>(s + sz));
              store<T>(d + 2 * sz, load<T>(s + 2 * sz));
            }
          } else {
            for (let ox = inLo; ox < inHi; ox++) {
              const s = line + <usize>(ox - pad) * sz;
              const d = dst + <usize>ox * kBytes;
              for (let kx = 0; kx < fw; kx++) store<T>(d + <usize>kx * sz, load<T>(s + <usize>kx * sz));
            }
          }
          for (let ox = inHi; ox < outW; ox++) im2colEdge<T>(line, w, ox - pad, fw, dst + <usize>ox * kBytes);
        }
      }
    }
  }
}

/** One window row that crosses the image's left or right edge: the values inside, zeros outside. */
// @ts-ignore: decorator
@inline function im2colEdge<T>(line: usize, w: i32, x0: i32, fw: i32, d: usize): void {
  const sz = <usize>sizeof<T>();
  for (let kx = 0; kx < fw; kx++) {
    const xx = x0 + kx;
    store<T>(d + <usize>kx * sz, xx >= 0 && xx < w ? load<T>(line + <usize>xx * sz) : <T>0);
  }
}

// @ts-ignore: decorator
@inline function im2colImpl<T>(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, col: usize): void {
  const sz = <usize>sizeof<T>();
  const outH = outSize(h, fh, stride, pad);
  const outW = outSize(w, fw, stride, pad);
  if (stride == 1) {
    im2colStride1<T>(x, n, c, h, w, fh, fw, pad, col, outH, outW);
    return;
  }
  let q = col;
  for (let i = 0; i < n; i++) {
    const img = x + <usize>(i * c * h * w) * sz;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + fw <= w;
        for (let ch = 0; ch < c; ch++) {
          const plane = img + <usize>(ch * h * w) * sz;
          for (let ky = 0; ky < fh; ky++) {
            const y = y0 + ky;
            if (y < 0 || y >= h) {
              for (let kx = 0; kx < fw; kx++) {
                store<T>(q, <T>0);
                q += sz;
              }
              continue;
            }
            const line = plane + <usize>(y * w) * sz;
            if (inside) {
              // Small copies: a loop (memory.copy of a few bytes costs a call each).
              const from = line + <usize>x0 * sz;
              for (let kx = 0; kx < fw; kx++) store<T>(q + <usize>kx * sz, load<T>(from + <usize>kx * sz));
              q += <usize>fw * sz;
            } else {
              for (let kx = 0; kx < fw; kx++) {
                const xx = x0 + kx;
                store<T>(q, xx >= 0 && xx < w ? load<T>(line + <usize>xx * sz) : <T>0);
                q += sz;
              }
            }
          }
        }
      }
    }
  }
}

export function im2col_f32(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, col: usize): void { im2colImpl<f32>(x, n, c, h, w, fh, fw, stride, pad, col); }
export function im2col_f64(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, stride: i32, pad: i32, col: usize): void { im2colImpl<f64>(x, n, c, h, w, fh, fw, stride, pad, col); }
/**
 * col2im of the transposed columns (colT: c·fh·fw rows of n·outH·outW), stride 1: for each filter position
 * (ky, kx) in the reference's order, each channel's plane of colT is added to the image a row of output
 * positions at a time — consecutive in both — a vector at a time. Every image value gets its additions in
 * the reference's order (one per filter position), so the bits are the reference's.
 */
// @ts-ignore: decorator
@inline function col2imTImpl<T>(colT: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, pad: i32, x: usize): void {
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const outH = h + 2 * pad - fh + 1, outW = w + 2 * pad - fw + 1;
  const spatial = outH * outW;
  const rows = n * spatial;
  const window = fh * fw;
  memory.fill(x, 0, <usize>(n * c * h * w) * sz);
  for (let ky = 0; ky < fh; ky++) {
    const oy0 = max(0, pad - ky), oy1 = min(outH, h + pad - ky);
    for (let kx = 0; kx < fw; kx++) {
      // Output columns whose image column ox − pad + kx lies inside the image.
      const ox0 = max(0, pad - kx), ox1 = min(outW, w + pad - kx);
      if (ox0 >= ox1 || oy0 >= oy1) continue;
      const k = ky * fw + kx;
      for (let i = 0; i < n; i++) {
        for (let ch = 0; ch < c; ch++) {
          const src = colT + <usize>((ch * window + k) * rows + i * spatial) * sz;
          const dst = x + <usize>((i * c + ch) * h * w) * sz;
          for (let oy = oy0; oy < oy1; oy++) {
            const s = src + <usize>(oy * outW) * sz;
            // Image row oy − pad + ky, column ox − pad + kx for output column ox (≥ 0 for ox ≥ ox0).
            const d = dst + <usize>((oy - pad + ky) * w + ox0 - pad + kx) * sz - <usize>ox0 * sz;
            let ox = ox0;
            for (; ox + L <= ox1; ox += L) {
              const o = <usize>ox * sz;
              v128.store(d + o, v128.add<T>(v128.load(d + o), v128.load(s + o)));
            }
            for (; ox < ox1; ox++) {
              const o = <usize>ox * sz;
              store<T>(d + o, load<T>(d + o) + load<T>(s + o));
            }
          }
        }
      }
    }
  }
}

export function col2imT_f32(colT: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, pad: i32, x: usize): void { col2imTImpl<f32>(colT, n, c, h, w, fh, fw, pad, x); }
export function col2imT_f64(colT: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, pad: i32, x: usize): void { col2imTImpl<f64>(colT, n, c, h, w, fh, fw, pad, x); }

// ---- bias and channel sums ------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function addChannelBiasImpl<T>(x: usize, n: i32, c: i32, spatial: i32, bias: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>((i * c + ch) * spatial) * sz;
      const b = splatFrom<T>(bias + <usize>ch * sz);
      const bs = load<T>(bias + <usize>ch * sz);
      let s = 0;
      for (; s + L <= spatial; s += L) v128.store(out + off + <usize>s * sz, v128.add<T>(v128.load(x + off + <usize>s * sz), b));
      for (; s < spatial; s++) store<T>(out + off + <usize>s * sz, load<T>(x + off + <usize>s * sz) + bs);
    }
  }
}

/**
 * out[ch] = Σ_i Σ_s x[i, ch, s], each image's sum in double precision from 0, then added — the reference's
 * arithmetic. Four channels are summed side by side: four independent chains of additions (one alone
 * waits on each addition's latency), each in the reference's order.
 */
// @ts-ignore: decorator
@inline function sumChannelsImpl<T>(x: usize, n: i32, c: i32, spatial: i32, out: usize, cTotal: i32): void {
  const sz = <usize>sizeof<T>();
  const planeBytes = <usize>spatial * sz;
  memory.fill(out, 0, <usize>c * sz);
  for (let i = 0; i < n; i++) {
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const b0 = x + <usize>((i * cTotal + ch) * spatial) * sz;
      const b1 = b0 + planeBytes, b2 = b1 + planeBytes, b3 = b2 + planeBytes;
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      for (let j = 0; j < spatial; j++) {
        const o = <usize>j * sz;
        s0 += <f64>load<T>(b0 + o);
        s1 += <f64>load<T>(b1 + o);
        s2 += <f64>load<T>(b2 + o);
        s3 += <f64>load<T>(b3 + o);
      }
      const o = out + <usize>ch * sz;
      store<T>(o, <T>(<f64>load<T>(o) + s0));
      store<T>(o + sz, <T>(<f64>load<T>(o + sz) + s1));
      store<T>(o + 2 * sz, <T>(<f64>load<T>(o + 2 * sz) + s2));
      store<T>(o + 3 * sz, <T>(<f64>load<T>(o + 3 * sz) + s3));
    }
    for (; ch < c; ch++) {
      const base = x + <usize>((i * cTotal + ch) * spatial) * sz;
      let s: f64 = 0;
      for (let j = 0; j < spatial; j++) s += <f64>load<T>(base + <usize>j * sz);
      const o = out + <usize>ch * sz;
      store<T>(o, <T>(<f64>load<T>(o) + s));
    }
  }
}

export function addChannelBias_f32(x: usize, n: i32, c: i32, spatial: i32, bias: usize, out: usize): void { addChannelBiasImpl<f32>(x, n, c, spatial, bias, out); }
export function addChannelBias_f64(x: usize, n: i32, c: i32, spatial: i32, bias: usize, out: usize): void { addChannelBiasImpl<f64>(x, n, c, spatial, bias, out); }
// Channels [0, c) of images laid out with cTotal channels (a thread's share of them; cTotal = c for all).
export function sumChannels_f32(x: usize, n: i32, c: i32, spatial: i32, out: usize, cTotal: i32): void { sumChannelsImpl<f32>(x, n, c, spatial, out, cTotal); }
export function sumChannels_f64(x: usize, n: i32, c: i32, spatial: i32, out: usize, cTotal: i32): void { sumChannelsImpl<f64>(x, n, c, spatial, out, cTotal); }

// ---- max pooling ----------------------------------------------------------------------------------

// Argument block of the pooling kernels (i32 each): planes (n·c), h, w, poolH, poolW, stride, pad, x, out, argMax.
// @ts-ignore: decorator
@inline function maxPoolForwardImpl<T>(args: usize): void {
  const planes = load<i32>(args), h = load<i32>(args, 4), w = load<i32>(args, 8), ph = load<i32>(args, 12), pw = load<i32>(args, 16);
  const stride = load<i32>(args, 20), pad = load<i32>(args, 24);
  const x = <usize>load<i32>(args, 28), out = <usize>load<i32>(args, 32), argMax = <usize>load<i32>(args, 36);
  const sz = <usize>sizeof<T>();
  const outH = outSize(h, ph, stride, pad);
  const outW = outSize(w, pw, stride, pad);
  let o: usize = 0;
  if (ph == 2 && pw == 2 && stride == 2 && pad == 0) {
    // The book's pooling: 2×2 windows, all inside the image; a vector of windows at a time (the first
    // maximum in the order a, b, c, d, as the reference finds it), one by one where a NaN is involved.
    const L = lanes<T>();
    const one = i32x4.splat(1), two = i32x4.splat(2), three = i32x4.splat(3);
    for (let plane = 0; plane < planes; plane++) {
      const base = x + <usize>(plane * h * w) * sz;
      for (let oy = 0; oy < outH; oy++) {
        const r0 = base + <usize>(2 * oy * w) * sz;
        const r1 = r0 + <usize>w * sz;
        let ox = 0;
        for (; ox + L <= outW; ox += L) {
          const p0 = r0 + <usize>(2 * ox) * sz, p1 = r1 + <usize>(2 * ox) * sz;
          const l0 = v128.load(p0), h0 = v128.load(p0, 16), l1 = v128.load(p1), h1 = v128.load(p1, 16);
          let a: v128, b: v128, c: v128, d: v128;
          if (sizeof<T>() == 4) {
            a = i32x4.shuffle(l0, h0, 0, 2, 4, 6);
            b = i32x4.shuffle(l0, h0, 1, 3, 5, 7);
            c = i32x4.shuffle(l1, h1, 0, 2, 4, 6);
            d = i32x4.shuffle(l1, h1, 1, 3, 5, 7);
          } else {
            a = i64x2.shuffle(l0, h0, 0, 2);
            b = i64x2.shuffle(l0, h0, 1, 3);
            c = i64x2.shuffle(l1, h1, 0, 2);
            d = i64x2.shuffle(l1, h1, 1, 3);
          }
          const ordered = v128.and(v128.and(v128.eq<T>(a, a), v128.eq<T>(b, b)), v128.and(v128.eq<T>(c, c), v128.eq<T>(d, d)));
          if (!i32x4.all_true(ordered)) break;
          let best = a;
          let arg = v128.splat<i32>(0);
          let gt = v128.gt<T>(b, best);
          best = v128.bitselect(b, best, gt);
          arg = v128.bitselect(one, arg, gt);
          gt = v128.gt<T>(c, best);
          best = v128.bitselect(c, best, gt);
          arg = v128.bitselect(two, arg, gt);
          gt = v128.gt<T>(d, best);
          best = v128.bitselect(d, best, gt);
          arg = v128.bitselect(three, arg, gt);
          v128.store(out + (o + <usize>ox) * sz, best);
          const ap = argMax + ((o + <usize>ox) << 2);
          if (sizeof<T>() == 4) v128.store(ap, arg);
          else {
            v128.store32_lane(ap, arg, 0);
            v128.store32_lane(ap, arg, 2, 4);
          }
        }
        o += <usize>ox;
        for (; ox < outW; ox++, o++) {
          const a = load<T>(r0 + <usize>(2 * ox) * sz), b = load<T>(r0 + <usize>(2 * ox + 1) * sz);
          const c = load<T>(r1 + <usize>(2 * ox) * sz), d = load<T>(r1 + <usize>(2 * ox + 1) * sz);
          let best = a;
          let arg = 0;
          if (a != a) {
            // NaN first: it is the maximum.
          } else if (b != b) { best = b; arg = 1; }
          else {
            if (b > best) { best = b; arg = 1; }
            if (c != c) { best = c; arg = 2; }
            else {
              if (c > best) { best = c; arg = 2; }
              if (d != d || d > best) { best = d; arg = 3; }
            }
          }
          store<T>(out + o * sz, best);
          store<i32>(argMax + (o << 2), arg);
        }
      }
    }
    return;
  }
  for (let plane = 0; plane < planes; plane++) {
    const base = x + <usize>(plane * h * w) * sz;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        let best = <T>-Infinity;
        let arg = -1;
        for (let ky = 0; ky < ph; ky++) {
          const y = y0 + ky;
          let stop = false;
          for (let kx = 0; kx < pw; kx++) {
            const xx = x0 + kx;
            const v = y >= 0 && y < h && xx >= 0 && xx < w ? load<T>(base + <usize>(y * w + xx) * sz) : <T>0;
            if (v > best || arg < 0) {
              best = v;
              arg = ky * pw + kx;
            }
            if (v != v) {
              best = v;
              arg = ky * pw + kx;
              stop = true;
              break;
            }
          }
          if (stop) break;
        }
        store<T>(out + o * sz, best);
        store<i32>(argMax + (o << 2), arg);
      }
    }
  }
}

// Argument block: planes, h, w, poolH, poolW, stride, pad, dout, argMax, dx.
// @ts-ignore: decorator
@inline function maxPoolBackwardImpl<T>(args: usize): void {
  const planes = load<i32>(args), h = load<i32>(args, 4), w = load<i32>(args, 8), ph = load<i32>(args, 12), pw = load<i32>(args, 16);
  const stride = load<i32>(args, 20), pad = load<i32>(args, 24);
  const dout = <usize>load<i32>(args, 28), argMax = <usize>load<i32>(args, 32), dx = <usize>load<i32>(args, 36);
  const sz = <usize>sizeof<T>();
  const outH = outSize(h, ph, stride, pad);
  const outW = outSize(w, pw, stride, pad);
  if (ph == 2 && pw == 2 && stride == 2 && pad == 0) {
    // The book's pooling: each window's two rows of dx written whole, a vector of windows at a time — the
    // maximum's place gets 0 + dout (as the reference adds it to a zero: -0 becomes +0), the others 0.
    // Only an odd last row or column, in no window, is cleared first.
    if ((h & 1) || (w & 1)) memory.fill(dx, 0, <usize>(planes * h * w) * sz);
    const L = lanes<T>();
    const zero = v128.splat<T>(0);
    let o: usize = 0;
    for (let plane = 0; plane < planes; plane++) {
      const base = dx + <usize>(plane * h * w) * sz;
      for (let oy = 0; oy < outH; oy++, o += <usize>outW) {
        const r0 = base + <usize>(2 * oy * w) * sz;
        const r1 = r0 + <usize>w * sz;
        let ox = 0;
        for (; ox + L <= outW; ox += L) {
          const d = v128.add<T>(v128.load(dout + (o + <usize>ox) * sz), zero);
          const ap = argMax + ((o + <usize>ox) << 2);
          const k = sizeof<T>() == 4 ? v128.load(ap) : i64x2.extend_low_i32x4_s(v128.load64_zero(ap));
          const v0 = v128.and(d, sizeof<T>() == 4 ? i32x4.eq(k, i32x4.splat(0)) : i64x2.eq(k, i64x2.splat(0)));
          const v1 = v128.and(d, sizeof<T>() == 4 ? i32x4.eq(k, i32x4.splat(1)) : i64x2.eq(k, i64x2.splat(1)));
          const v2 = v128.and(d, sizeof<T>() == 4 ? i32x4.eq(k, i32x4.splat(2)) : i64x2.eq(k, i64x2.splat(2)));
          const v3 = v128.and(d, sizeof<T>() == 4 ? i32x4.eq(k, i32x4.splat(3)) : i64x2.eq(k, i64x2.splat(3)));
          const p0 = r0 + <usize>(2 * ox) * sz, p1 = r1 + <usize>(2 * ox) * sz;
          if (sizeof<T>() == 4) {
            v128.store(p0, i32x4.shuffle(v0, v1, 0, 4, 1, 5));
            v128.store(p0, i32x4.shuffle(v0, v1, 2, 6, 3, 7), 16);
            v128.store(p1, i32x4.shuffle(v2, v3, 0, 4, 1, 5));
            v128.store(p1, i32x4.shuffle(v2, v3, 2, 6, 3, 7), 16);
          } else {
            v128.store(p0, i64x2.shuffle(v0, v1, 0, 2));
            v128.store(p0, i64x2.shuffle(v0, v1, 1, 3), 16);
            v128.store(p1, i64x2.shuffle(v2, v3, 0, 2));
            v128.store(p1, i64x2.shuffle(v2, v3, 1, 3), 16);
          }
        }
        for (; ox < outW; ox++) {
          const k = load<i32>(argMax + ((o + <usize>ox) << 2));
          const d = <T>0 + load<T>(dout + (o + <usize>ox) * sz);
          const p0 = r0 + <usize>(2 * ox) * sz, p1 = r1 + <usize>(2 * ox) * sz;
          store<T>(p0, k == 0 ? d : <T>0);
          store<T>(p0 + sz, k == 1 ? d : <T>0);
          store<T>(p1, k == 2 ? d : <T>0);
          store<T>(p1 + sz, k == 3 ? d : <T>0);
        }
      }
    }
    return;
  }
  memory.fill(dx, 0, <usize>(planes * h * w) * sz);
  if (stride >= ph && stride >= pw) {
    let o: usize = 0;
    for (let plane = 0; plane < planes; plane++) {
      const base = dx + <usize>(plane * h * w) * sz;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++, o++) {
          const k = load<i32>(argMax + (o << 2));
          const ky = k / pw;
          const y = oy * stride - pad + ky;
          const xx = ox * stride - pad + (k - ky * pw);
          if (y >= 0 && y < h && xx >= 0 && xx < w) {
            const p = base + <usize>(y * w + xx) * sz;
            store<T>(p, load<T>(p) + load<T>(dout + o * sz));
          }
        }
      }
    }
    return;
  }
  for (let ky = 0; ky < ph; ky++) {
    for (let kx = 0; kx < pw; kx++) {
      const k = ky * pw + kx;
      let o: usize = 0;
      for (let plane = 0; plane < planes; plane++) {
        const base = dx + <usize>(plane * h * w) * sz;
        for (let oy = 0; oy < outH; oy++) {
          const y = oy * stride - pad + ky;
          for (let ox = 0; ox < outW; ox++, o++) {
            if (load<i32>(argMax + (o << 2)) != k || y < 0 || y >= h) continue;
            const xx = ox * stride - pad + kx;
            if (xx >= 0 && xx < w) {
              const p = base + <usize>(y * w + xx) * sz;
              store<T>(p, load<T>(p) + load<T>(dout + o * sz));
            }
          }
        }
      }
    }
  }
}

export function maxPoolForward_f32(args: usize): void { maxPoolForwardImpl<f32>(args); }
export function maxPoolForward_f64(args: usize): void { maxPoolForwardImpl<f64>(args); }
export function maxPoolBackward_f32(args: usize): void { maxPoolBackwardImpl<f32>(args); }
export function maxPoolBackward_f64(args: usize): void { maxPoolBackwardImpl<f64>(args); }

// ---- direct convolution (stride 1) ------------------------------------------------------------------
//
// Each image is copied, zero-padded, into scratch (c planes of Hp × Wp, Hp = h + 2·pad, Wp = w + 2·pad;
// small images several side by side, see convForwardImpl).
// With stride 1 the output at (oy, ox) reads padded[ch, oy + ky, ox + kx]: over the "wide" positions
// q = oy·Wp + ox (ox up to Wp, the extra columns computed and dropped) that is padded[ch·Hp·Wp + q + ky·Wp
// + kx], a 1-D correlation that vectorizes over q with no edge cases. Blocks of 2 vectors of positions ×
// 6 filters are accumulated in 12 registers, the products over (ch, ky, kx) in the reference's order from 0;
// the bias is added when the wide rows are copied to the output.

/**
 * Images side by side in the padded scratch (see convForwardImpl): as many as fit in about this many
 * columns. Small images waste less of each wide row then (DeepConvNet's 8×8 layers: 80 % of the computed
 * positions are outputs one image at a time, 88 % seven at a time).
 */
const GROUP_COLUMNS = 64;

/** Images per group for images of width w (padding pad). */
// @ts-ignore: decorator
@inline function groupOf(w: i32, pad: i32): i32 {
  return max(1, (GROUP_COLUMNS - pad) / (w + pad));
}

/** Scratch bytes per thread for convForward: the padded group, the wide output, skipZeroRows' counts, the weights. */
export function convScratchBytes(c: i32, h: i32, w: i32, fn: i32, fh: i32, fw: i32, pad: i32, sz: i32): i32 {
  const g = groupOf(w, pad);
  const hp = h + 2 * pad, wc = g * (w + pad) + pad;
  const block = 2 * (16 / sz);
  const outH = hp - fh + 1;
  const wide = ((outH * wc + block - 1) / block) * block;
  const padded = c * hp * wc + wide - outH * wc + fh * wc + fw + 2 * block;
  const direct = ((padded * sz + 15) & ~15) + fn * wide * sz + (((padded + 1) * 4 + 15) & ~15) + ((fn * c * fh * fw * sz + 15) & ~15) + 64;
  return max(direct, pixelsPooledScratch(c, h, w, fn, fh, fw, pad, sz));
}

/** Scratch bytes of pixelsPooled: the sums (outH × outW positions of the filters side by side), the weights, the bias. */
function pixelsPooledScratch(c: i32, h: i32, w: i32, fn: i32, fh: i32, fw: i32, pad: i32, sz: i32): i32 {
  const fp = ((fn + 16 / sz - 1) / (16 / sz)) * (16 / sz);
  const outH = h + 2 * pad - fh + 1, outW = w + 2 * pad - fw + 1;
  return outH * outW * fp * sz + (c * fh * fw + 1) * fp * sz + 32 + 64;
}

// ---- the first layer's convolution from its non-zero pixels (pooled as convForward's argMax path) -------
//
// An image with few non-zeros (MNIST's: ~19 %) goes pixel by pixel instead: each non-zero pixel adds its
// products with every filter's weights to the outputs it reaches, the filters side by side in vectors
// (sums kept per image as outH × outW positions of fn values). An output's products then arrive in the
// order of the pixels — channel, row, column ascending — which is the reference's (ch, ky, kx) order: each
// output adds the same products in the same order from +0 as convBlock, without the zeros' (±0 each,
// W finite: no change to a sum that is never −0), then the bias. The bias, ReLU and 2×2 pooling follow
// as in poolGroup, the filters across the lanes instead of the positions.

// @ts-ignore: decorator
@inline function pixelsPooled<T>(x: usize, n: i32, c: i32, h: i32, w: i32, W: usize, fn: i32, fh: i32, fw: i32, pad: i32, bias: usize, out: usize, argMax: usize, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const outH = h + 2 * pad - fh + 1, outW = w + 2 * pad - fw + 1;
  const ph = outH >> 1, pw = outW >> 1, pooled = ph * pw;
  const fp = ((fn + L - 1) / L) * L;
  const fv = fp / L;
  const posBytes = <usize>fp * sz;
  const taps = c * fh * fw;
  const sums = scratch;
  const sumsBytes = <usize>(outH * outW) * posBytes;
  const wt = sums + sumsBytes;
  const bv = wt + <usize>taps * posBytes;
  const lanesOut = bv + posBytes;
  // wt[t][f] = W[f][t] and the bias, the filters side by side (0 past fn).
  memory.fill(wt, 0, <usize>(taps + 1) * posBytes);
  for (let f = 0; f < fn; f++) {
    for (let t = 0; t < taps; t++) store<T>(wt + <usize>t * posBytes + <usize>f * sz, load<T>(W + <usize>(f * taps + t) * sz));
    store<T>(bv + <usize>f * sz, load<T>(bias + <usize>f * sz));
  }
  const k1 = sizeof<T>() == 4 ? i32x4.splat(1) : i64x2.splat(1);
  const k2 = sizeof<T>() == 4 ? i32x4.splat(2) : i64x2.splat(2);
  const k3 = sizeof<T>() == 4 ? i32x4.splat(3) : i64x2.splat(3);
  for (let i = 0; i < n; i++) {
    memory.fill(sums, 0, sumsBytes);
    for (let ch = 0; ch < c; ch++) {
      const plane = x + <usize>((i * c + ch) * h * w) * sz;
      for (let y = 0; y < h; y++) {
        const Y = y + pad;
        const ky0 = max(0, Y - outH + 1), ky1 = min(fh - 1, Y);
        for (let xx = 0; xx < w; xx++) {
          const v = load<T>(plane + <usize>(y * w + xx) * sz);
          if (v == 0) continue;
          const dv = v128.splat<T>(v);
          const X = xx + pad;
          const v1 = xx + 1 < w ? load<T>(plane + <usize>(y * w + xx + 1) * sz) : <T>0;
          if (v1 != 0) {
            // Two non-zeros side by side: an output both reach adds the first's product, then the second's
            // (taps kx and kx + 1 of one filter row: adjacent in the order), with one load and store of its sums.
            const dv1 = v128.splat<T>(v1);
            const oxLo = max(0, X - fw + 1), oxHi = min(outW - 1, X + 1);
            for (let ky = ky0; ky <= ky1; ky++) {
              const row = sums + <usize>((Y - ky) * outW) * posBytes;
              const wr = wt + <usize>((ch * fh + ky) * fw) * posBytes;
              for (let ox = oxLo; ox <= oxHi; ox++) {
                const a = row + <usize>ox * posBytes;
                // The first's tap k0 = X − ox (−1 … fw − 1), the second's k0 + 1.
                const k0 = X - ox;
                if (k0 < 0) {
                  // Only the second (its tap 0).
                  for (let j = 0; j < fv; j++) {
                    const at = <usize>j << 4;
                    v128.store(a + at, madd<T>(dv1, v128.load(wr + at), v128.load(a + at)));
                  }
                } else if (k0 == fw - 1) {
                  // Only the first (its last tap).
                  const w0 = wr + <usize>k0 * posBytes;
                  for (let j = 0; j < fv; j++) {
                    const at = <usize>j << 4;
                    v128.store(a + at, madd<T>(dv, v128.load(w0 + at), v128.load(a + at)));
                  }
                } else {
                  const w0 = wr + <usize>k0 * posBytes;
                  for (let j = 0; j < fv; j++) {
                    const at = <usize>j << 4;
                    v128.store(a + at, madd<T>(dv1, v128.load(w0 + posBytes + at), madd<T>(dv, v128.load(w0 + at), v128.load(a + at))));
                  }
                }
              }
            }
            xx++;
            continue;
          }
          const kx0 = max(0, X - outW + 1), kx1 = min(fw - 1, X);
          for (let ky = ky0; ky <= ky1; ky++) {
            let a = sums + <usize>((Y - ky) * outW + X - kx0) * posBytes;
            let wv = wt + <usize>((ch * fh + ky) * fw + kx0) * posBytes;
            for (let kx = kx0; kx <= kx1; kx++) {
              for (let j = 0; j < fv; j++) {
                const at = <usize>j << 4;
                v128.store(a + at, madd<T>(dv, v128.load(wv + at), v128.load(a + at)));
              }
              a -= posBytes;
              wv += posBytes;
            }
          }
        }
      }
    }
    // The bias, ReLU and 2×2 max pooling, filters across the lanes (window order (0,0), (0,1), (1,0), (1,1):
    // a value is taken when larger, or NaN, which ends the search — poolGroup's steps).
    for (let j = 0; j < fv; j++) {
      const b = v128.load(bv + (<usize>j << 4));
      for (let py = 0; py < ph; py++) {
        for (let px = 0; px < pw; px++) {
          const p0 = sums + <usize>((2 * py) * outW + 2 * px) * posBytes + (<usize>j << 4);
          const p2 = p0 + <usize>outW * posBytes;
          let best = reluOf<T>(v128.load(p0), b);
          let idx = v128.splat<i32>(0);
          let done = v128.ne<T>(best, best);
          let r = reluOf<T>(v128.load(p0 + posBytes), b);
          let nan = v128.ne<T>(r, r);
          let take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k1, idx, take);
          done = v128.or(done, nan);
          r = reluOf<T>(v128.load(p2), b);
          nan = v128.ne<T>(r, r);
          take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k2, idx, take);
          done = v128.or(done, nan);
          r = reluOf<T>(v128.load(p2 + posBytes), b);
          nan = v128.ne<T>(r, r);
          take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k3, idx, take);
          v128.store(lanesOut, best);
          v128.store(lanesOut, idx, 16);
          const cell = py * pw + px;
          for (let l = 0; l < L; l++) {
            const f = j * L + l;
            if (f >= fn) break;
            const o = (i * fn + f) * pooled + cell;
            store<T>(out + <usize>o * sz, load<T>(lanesOut + <usize>l * sz));
            store<i32>(argMax + (<usize>o << 2), sizeof<T>() == 4 ? load<i32>(lanesOut + 16 + (<usize>l << 2)) : <i32>load<i64>(lanesOut + 16 + (<usize>l << 3)));
          }
        }
      }
    }
  }
}

// skipZeroRows: a block's row of taps (channel ch, filter row ky) reads the padded image's elements
// [ch·Hp·Wp + q + ky·Wp, … + 2·lanes + fw − 1) — one run of memory. With the counts of non-zeros before
// every element (computed once per image), a run of zeros costs one test, and its taps are skipped. That
// is exact: the accumulators start at +0 and a product of a zero with a finite weight is ±0, which
// changes neither +0 nor any other sum; the remaining products are added in the same order. MNIST's
// borders make 55 % of SimpleConvNet's first-layer rows of taps zero in float64 (43 % in float32, whose
// blocks are wider). A weight that is not finite (0 · ∞ is NaN) turns the skipping off for the call, and
// an image with more than a third of its values non-zero does not use it.

/** True when the block's row of taps (channel ch, filter row ky) reads only zeros; never when `pre` is 0. */
// @ts-ignore: decorator
@inline function zeroRun(pre: usize, ch: i32, ky: i32, planeLen: usize, rowLen: usize, segBytes: usize): bool {
  if (!pre) return false;
  const at = pre + ((<usize>ch * planeLen + <usize>ky * rowLen) << 2);
  return load<i32>(at + segBytes) == load<i32>(at);
}

// Blocks of 2 vectors of positions × F filters (F = 6, 4 or 1; a constant once inlined): 12 accumulators
// + 2 inputs + 1 weight fill the 15 vector registers V8 allocates on x64 (3 × 4 spilled: measured slower).
// The weights come interleaved (see interleaveFilters): a tap's F weights are adjacent, so each is
// broadcast from one pointer plus a constant offset — no address arithmetic per weight (measured on one
// thread: 3–6 % faster in float64 than reading them from W's rows, about the same in float32). Loading
// pre-splatted weight vectors instead of broadcasting was no faster, nor a loop over kx (slower: see below).
// What holds these blocks near half the ceiling is V8's scheduling of the three unrolled taps: it hoists
// their loads and spills accumulators (node --print-wasm-code shows it), more with 6 filters than with 4.
// @ts-ignore: decorator
@inline function convBlock<T>(F: i32, pq: usize, wt: usize, c: i32, fh: i32, fw: i32, planeBytes: usize, rowBytes: usize, dst: usize, wideBytes: usize, pre: usize, planeLen: usize, rowLen: usize, segBytes: usize): void {
  const sz = <usize>sizeof<T>();
  const step = <usize>F * sz;
  const z = v128.splat<i32>(0);
  let a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z, e0 = z, e1 = z, f0 = z, f1 = z;
  let x0: v128, x1: v128, s: v128;
  if (fw == 3) {
    // The book's 3×3 filters (DeepConvNet): each row's three taps written out, in order kx = 0, 1, 2
    // (measured 10–20 % faster than the loop over kx).
    for (let ch = 0; ch < c; ch++) {
      const pp = pq + <usize>ch * planeBytes;
      for (let ky = 0; ky < fh; ky++) {
        if (zeroRun(pre, ch, ky, planeLen, rowLen, segBytes)) {
          wt += 3 * step;
          continue;
        }
        const pr = pp + <usize>ky * rowBytes;
        x0 = v128.load(pr); x1 = v128.load(pr, 16);
        { s = splatAt0<T>(wt); a0 = madd<T>(s, x0, a0); a1 = madd<T>(s, x1, a1); }
        if (F > 1) { s = splatAt1<T>(wt); b0 = madd<T>(s, x0, b0); b1 = madd<T>(s, x1, b1); }
        if (F > 2) { s = splatAt2<T>(wt); c0 = madd<T>(s, x0, c0); c1 = madd<T>(s, x1, c1); }
        if (F > 3) { s = splatAt3<T>(wt); d0 = madd<T>(s, x0, d0); d1 = madd<T>(s, x1, d1); }
        if (F > 4) { s = splatAt4<T>(wt); e0 = madd<T>(s, x0, e0); e1 = madd<T>(s, x1, e1); }
        if (F > 5) { s = splatAt5<T>(wt); f0 = madd<T>(s, x0, f0); f1 = madd<T>(s, x1, f1); }
        wt += step;
        x0 = v128.load(pr, 1 * sizeof<T>()); x1 = v128.load(pr, 16 + 1 * sizeof<T>());
        { s = splatAt0<T>(wt); a0 = madd<T>(s, x0, a0); a1 = madd<T>(s, x1, a1); }
        if (F > 1) { s = splatAt1<T>(wt); b0 = madd<T>(s, x0, b0); b1 = madd<T>(s, x1, b1); }
        if (F > 2) { s = splatAt2<T>(wt); c0 = madd<T>(s, x0, c0); c1 = madd<T>(s, x1, c1); }
        if (F > 3) { s = splatAt3<T>(wt); d0 = madd<T>(s, x0, d0); d1 = madd<T>(s, x1, d1); }
        if (F > 4) { s = splatAt4<T>(wt); e0 = madd<T>(s, x0, e0); e1 = madd<T>(s, x1, e1); }
        if (F > 5) { s = splatAt5<T>(wt); f0 = madd<T>(s, x0, f0); f1 = madd<T>(s, x1, f1); }
        wt += step;
        x0 = v128.load(pr, 2 * sizeof<T>()); x1 = v128.load(pr, 16 + 2 * sizeof<T>());
        { s = splatAt0<T>(wt); a0 = madd<T>(s, x0, a0); a1 = madd<T>(s, x1, a1); }
        if (F > 1) { s = splatAt1<T>(wt); b0 = madd<T>(s, x0, b0); b1 = madd<T>(s, x1, b1); }
        if (F > 2) { s = splatAt2<T>(wt); c0 = madd<T>(s, x0, c0); c1 = madd<T>(s, x1, c1); }
        if (F > 3) { s = splatAt3<T>(wt); d0 = madd<T>(s, x0, d0); d1 = madd<T>(s, x1, d1); }
        if (F > 4) { s = splatAt4<T>(wt); e0 = madd<T>(s, x0, e0); e1 = madd<T>(s, x1, e1); }
        if (F > 5) { s = splatAt5<T>(wt); f0 = madd<T>(s, x0, f0); f1 = madd<T>(s, x1, f1); }
        wt += step;
      }
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const pp = pq + <usize>ch * planeBytes;
      for (let ky = 0; ky < fh; ky++) {
        if (zeroRun(pre, ch, ky, planeLen, rowLen, segBytes)) {
          wt += <usize>fw * step;
          continue;
        }
        const pr = pp + <usize>ky * rowBytes;
        for (let kx = 0; kx < fw; kx++) {
          const xp = pr + <usize>kx * sz;
          x0 = v128.load(xp); x1 = v128.load(xp, 16);
          { s = splatAt0<T>(wt); a0 = madd<T>(s, x0, a0); a1 = madd<T>(s, x1, a1); }
          if (F > 1) { s = splatAt1<T>(wt); b0 = madd<T>(s, x0, b0); b1 = madd<T>(s, x1, b1); }
          if (F > 2) { s = splatAt2<T>(wt); c0 = madd<T>(s, x0, c0); c1 = madd<T>(s, x1, c1); }
          if (F > 3) { s = splatAt3<T>(wt); d0 = madd<T>(s, x0, d0); d1 = madd<T>(s, x1, d1); }
          if (F > 4) { s = splatAt4<T>(wt); e0 = madd<T>(s, x0, e0); e1 = madd<T>(s, x1, e1); }
          if (F > 5) { s = splatAt5<T>(wt); f0 = madd<T>(s, x0, f0); f1 = madd<T>(s, x1, f1); }
          wt += step;
        }
      }
    }
  }
  v128.store(dst, a0);
  v128.store(dst, a1, 16);
  if (F > 1) {
    dst += wideBytes;
    v128.store(dst, b0);
    v128.store(dst, b1, 16);
  }
  if (F > 2) {
    dst += wideBytes;
    v128.store(dst, c0);
    v128.store(dst, c1, 16);
  }
  if (F > 3) {
    dst += wideBytes;
    v128.store(dst, d0);
    v128.store(dst, d1, 16);
  }
  if (F > 4) {
    dst += wideBytes;
    v128.store(dst, e0);
    v128.store(dst, e1, 16);
  }
  if (F > 5) {
    dst += wideBytes;
    v128.store(dst, f0);
    v128.store(dst, f1, 16);
  }
}

/**
 * W (fn × k) regrouped for convBlock into `wi`: blocks of 6 filters, then of 4, then single ones, each
 * block's weights tap by tap (the F weights of tap t adjacent). A block of filters [f, f + F) starts at
 * element f·k, as in W.
 */
// @ts-ignore: decorator
@inline function interleaveFilters<T>(W: usize, fn: i32, k: i32, wi: usize): void {
  const sz = <usize>sizeof<T>();
  let f = 0;
  while (f < fn) {
    const F = f + 6 <= fn ? 6 : f + 4 <= fn ? 4 : 1;
    for (let t = 0; t < k; t++) {
      for (let j = 0; j < F; j++) store<T>(wi + <usize>(f * k + t * F + j) * sz, load<T>(W + <usize>((f + j) * k + t) * sz));
    }
    f += F;
  }
}

/** All filters for one block of wide positions (at `pq` in the padded image, `wq` in the wide output). */
// @ts-ignore: decorator
@inline function convBlocks<T>(pq: usize, wi: usize, kBytes: usize, c: i32, fn: i32, fh: i32, fw: i32, planeBytes: usize, rowBytes: usize, wq: usize, wideBytes: usize, pre: usize, planeLen: usize, rowLen: usize, segBytes: usize): void {
  let f = 0;
  for (; f + 6 <= fn; f += 6) convBlock<T>(6, pq, wi + <usize>f * kBytes, c, fh, fw, planeBytes, rowBytes, wq + <usize>f * wideBytes, wideBytes, pre, planeLen, rowLen, segBytes);
  for (; f + 4 <= fn; f += 4) convBlock<T>(4, pq, wi + <usize>f * kBytes, c, fh, fw, planeBytes, rowBytes, wq + <usize>f * wideBytes, wideBytes, pre, planeLen, rowLen, segBytes);
  for (; f < fn; f++) convBlock<T>(1, pq, wi + <usize>f * kBytes, c, fh, fw, planeBytes, rowBytes, wq + <usize>f * wideBytes, wideBytes, pre, planeLen, rowLen, segBytes);
}

/** v + bias through ReLU as reluForward: +0 where v ≤ 0 (−0 included), v elsewhere (NaN kept). */
// @ts-ignore: decorator
@inline function reluOf<T>(v: v128, bias: v128): v128 {
  const y = v128.add<T>(v, bias);
  return v128.andnot(y, v128.le<T>(y, v128.splat<T>(0)));
}

/** The scalar twin of reluOf. */
// @ts-ignore: decorator
@inline function reluAt<T>(p: usize, bias: T): T {
  const y = load<T>(p) + bias;
  return y <= 0 ? <T>0 : y;
}

/**
 * A group's wide rows (see convForwardImpl) through the bias, ReLU (reluForward: +0 where ≤ 0, NaN kept) and
 * 2×2 max pooling with stride 2 (maxPoolForward: the first maximum in window order, a NaN ending the
 * search) into `out` (n, fn, outH/2, outW/2; a last odd row or column dropped, as the pooling does) and
 * `argMax` (the window index 0–3) — the same bits as convForward, reluForward and maxPoolForward in turn,
 * without writing the convolution's output. Columns go in vectors: 2L of a row give L windows (their even
 * and odd columns shuffled apart).
 */
// @ts-ignore: decorator
@inline function poolGroup<T>(wide: usize, wideBytes: usize, wc: i32, g1: i32, i0: i32, fn: i32, w: i32, pad: i32, outH: i32, outW: i32, bias: usize, out: usize, argMax: usize): void {
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  // The window indices 1, 2, 3 in lanes of T's width (an index vector is selected by T-wide masks).
  const k1 = sizeof<T>() == 4 ? i32x4.splat(1) : i64x2.splat(1);
  const k2 = sizeof<T>() == 4 ? i32x4.splat(2) : i64x2.splat(2);
  const k3 = sizeof<T>() == 4 ? i32x4.splat(3) : i64x2.splat(3);
  const ph = outH >> 1, pw = outW >> 1, pooled = ph * pw;
  for (let g = 0; g < g1; g++) {
    for (let f = 0; f < fn; f++) {
      const bs = load<T>(bias + <usize>f * sz);
      const bv = splatFrom<T>(bias + <usize>f * sz);
      const src = wide + <usize>f * wideBytes + <usize>(g * (w + pad)) * sz;
      const plane = (i0 + g) * fn + f;
      const o = out + <usize>(plane * pooled) * sz;
      const am = argMax + (<usize>(plane * pooled) << 2);
      for (let py = 0; py < ph; py++) {
        const r0 = src + <usize>(2 * py * wc) * sz;
        const r1 = r0 + <usize>wc * sz;
        const od = o + <usize>(py * pw) * sz;
        const ad = am + (<usize>(py * pw) << 2);
        let px = 0;
        for (; px + L <= pw; px += L) {
          const at = <usize>(2 * px) * sz;
          const a0 = v128.load(r0 + at), a1 = v128.load(r0 + at, 16), c0 = v128.load(r1 + at), c1 = v128.load(r1 + at, 16);
          let e0: v128, o0: v128, e1: v128, o1: v128;
          if (sizeof<T>() == 4) {
            e0 = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6); o0 = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
            e1 = v128.shuffle<f32>(c0, c1, 0, 2, 4, 6); o1 = v128.shuffle<f32>(c0, c1, 1, 3, 5, 7);
          } else {
            e0 = v128.shuffle<f64>(a0, a1, 0, 2); o0 = v128.shuffle<f64>(a0, a1, 1, 3);
            e1 = v128.shuffle<f64>(c0, c1, 0, 2); o1 = v128.shuffle<f64>(c0, c1, 1, 3);
          }
          // Window order: (0,0), (0,1), (1,0), (1,1). A value is taken when larger, or NaN (which ends the
          // search: `done`), unless the search has ended.
          let best = reluOf<T>(e0, bv);
          let idx = v128.splat<i32>(0);
          let done = v128.ne<T>(best, best);
          let r = reluOf<T>(o0, bv);
          let nan = v128.ne<T>(r, r);
          let take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k1, idx, take);
          done = v128.or(done, nan);
          r = reluOf<T>(e1, bv);
          nan = v128.ne<T>(r, r);
          take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k2, idx, take);
          done = v128.or(done, nan);
          r = reluOf<T>(o1, bv);
          nan = v128.ne<T>(r, r);
          take = v128.andnot(v128.or(v128.gt<T>(r, best), nan), done);
          best = v128.bitselect(r, best, take);
          idx = v128.bitselect(k3, idx, take);
          v128.store(od + <usize>px * sz, best);
          if (sizeof<T>() == 4) v128.store(ad + (<usize>px << 2), idx);
          else {
            store<i32>(ad + (<usize>px << 2), <i32>i64x2.extract_lane(idx, 0));
            store<i32>(ad + (<usize>px << 2), <i32>i64x2.extract_lane(idx, 1), 4);
          }
        }
        for (; px < pw; px++) {
          const at = <usize>(2 * px) * sz;
          let best = reluAt<T>(r0 + at, bs);
          let arg = 0;
          if (best == best) {
            const v1 = reluAt<T>(r0 + at + sz, bs);
            if (v1 > best || v1 != v1) { best = v1; arg = 1; }
            if (best == best) {
              const v2 = reluAt<T>(r1 + at, bs);
              if (v2 > best || v2 != v2) { best = v2; arg = 2; }
              if (best == best) {
                const v3 = reluAt<T>(r1 + at + sz, bs);
                if (v3 > best || v3 != v3) { best = v3; arg = 3; }
              }
            }
          }
          store<T>(od + <usize>px * sz, best);
          store<i32>(ad + (<usize>px << 2), arg);
        }
      }
    }
  }
}

// Argument block (i32 each): x, n, c, h, w, W, fn, fh, fw, pad, b, out, scratch, col, dense, argMax.
// out (n, fn, outH, outW) = W ⋆ x + b for images [0, n) of x (stride 1); and, unless col is 0, im2col(x)
// into col (the Convolution layer keeps it for dW). dense = 1 turns the zero-run skipping off (the input
// gradient's convolution of dout, whose zeros are scattered). Unless argMax is 0, out is instead that
// output through ReLU and 2×2 max pooling with stride 2, and argMax the pooling's (poolGroup).
//
// Images go through in groups of G side by side (groupOf; one at a time when col is asked for): the
// padded group is c planes of Hp rows × Wc = G·(w + pad) + pad columns, image g's columns starting at
// g·(w + pad) + pad, the pad columns between two images shared (a window of image g reaches at most pad
// columns past it: zeros). Each output still adds its products over (channel, ky, kx) in order from 0,
// then the bias — the same bits whatever the grouping.
// @ts-ignore: decorator
@inline function convForwardImpl<T>(args: usize): void {
  const x = <usize>load<i32>(args), n = load<i32>(args, 4), c = load<i32>(args, 8), h = load<i32>(args, 12), w = load<i32>(args, 16);
  const W = <usize>load<i32>(args, 20), fn = load<i32>(args, 24), fh = load<i32>(args, 28), fw = load<i32>(args, 32), pad = load<i32>(args, 36);
  const bias = <usize>load<i32>(args, 40), out = <usize>load<i32>(args, 44), scratch = <usize>load<i32>(args, 48), col = <usize>load<i32>(args, 52);
  const dense = load<i32>(args, 56) != 0;
  const argMax = <usize>load<i32>(args, 60);
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const block = 2 * L;
  const G = col ? 1 : groupOf(w, pad);
  const hp = h + 2 * pad, wc = G * (w + pad) + pad;
  const outH = hp - fh + 1, outW = w + 2 * pad - fw + 1;
  const wideLen = ((outH * wc + block - 1) / block) * block;
  const paddedLen = c * hp * wc + wideLen - outH * wc + fh * wc + fw + 2 * block;
  const padded = scratch;
  const wide = scratch + ((<usize>paddedLen * sz + 15) & ~15);
  const planeBytes = <usize>(hp * wc) * sz;
  const rowBytes = <usize>wc * sz;
  const kBytes = <usize>(c * fh * fw) * sz;
  const wideBytes = <usize>wideLen * sz;
  const spatial = outH * outW;
  const counts = wide + <usize>fn * wideBytes;
  const wi = counts + ((<usize>(paddedLen + 1) * 4 + 15) & ~15);
  const finite = !dense && allFinite<T>(fn * c * fh * fw, W) != 0;
  if (argMax && finite && c <= 3) {
    // Sparse images (at most a quarter non-zero: MNIST's are ~19 %) go pixel by pixel (pixelsPooled), measured
    // 22 % (float32) to 35 % (float64) faster than the blocks on SimpleConvNet's first layer. Only images (at
    // most 3 channels) are counted: a hidden layer's activations (DeepConvNet's 16–64 channels) are dense.
    let nonZeros = 0;
    const total = n * c * h * w;
    for (let j = 0; j < total; j++) nonZeros += <i32>(load<T>(x + <usize>j * sz) != 0);
    if (nonZeros * 4 <= total) {
      pixelsPooled<T>(x, n, c, h, w, W, fn, fh, fw, pad, bias, out, argMax, scratch);
      return;
    }
  }
  interleaveFilters<T>(W, fn, c * fh * fw, wi);
  const planeLen = <usize>(hp * wc);
  const segBytes = <usize>(block + fw - 1) << 2;
  memory.fill(padded, 0, <usize>paddedLen * sz);
  for (let i0 = 0; i0 < n; i0 += G) {
    const g1 = min(G, n - i0);
    // The group's images into the padded scratch (borders and gaps stay zero from the fill above). A last
    // group of fewer images leaves the columns of the missing ones as the previous group wrote them: their
    // outputs are never read, and no window of a present image reaches them past the shared zero gap.
    let nonZeros = 0;
    for (let g = 0; g < g1; g++) {
      const img = x + <usize>((i0 + g) * c * h * w) * sz;
      const left = g * (w + pad) + pad;
      for (let ch = 0; ch < c; ch++) {
        for (let y = 0; y < h; y++) {
          const to = padded + <usize>ch * planeBytes + <usize>((y + pad) * wc + left) * sz;
          const from = img + <usize>((ch * h + y) * w) * sz;
          for (let xx = 0; xx < w; xx++) {
            const v = load<T>(from + <usize>xx * sz);
            store<T>(to + <usize>xx * sz, v);
            nonZeros += <i32>(v != 0);
          }
        }
      }
      if (col) im2colImpl<T>(img, 1, c, h, w, fh, fw, 1, pad, col + <usize>((i0 + g) * spatial * c * fh * fw) * sz);
    }
    // Only sparse images (MNIST's, not a layer's ReLU output) have enough rows of zeros for the tests to
    // pay: measured 10–25 % slower on DeepConvNet's dense 3×3 layers in float32, 25–45 % faster on the
    // images.
    const skip = finite && nonZeros * 3 <= g1 * c * h * w;
    if (skip) {
      // counts[j] = the non-zeros (NaN counts as one) among padded[0, j).
      let run = 0;
      store<i32>(counts, 0);
      for (let j = 0; j < paddedLen; j++) {
        run += <i32>(load<T>(padded + <usize>j * sz) != 0);
        store<i32>(counts + ((<usize>j + 1) << 2), run);
      }
    }
    // Two copies of the loop: with a constant 0 for `pre`, the optimizer removes the tests (measured: a
    // test that never skips still slowed the dense layers by 5–15 %).
    if (skip) {
      for (let q = 0; q < wideLen; q += block) convBlocks<T>(padded + <usize>q * sz, wi, kBytes, c, fn, fh, fw, planeBytes, rowBytes, wide + <usize>q * sz, wideBytes, counts + (<usize>q << 2), planeLen, <usize>wc, segBytes);
    } else {
      for (let q = 0; q < wideLen; q += block) convBlocks<T>(padded + <usize>q * sz, wi, kBytes, c, fn, fh, fw, planeBytes, rowBytes, wide + <usize>q * sz, wideBytes, 0, planeLen, <usize>wc, segBytes);
    }
    if (argMax) {
      poolGroup<T>(wide, wideBytes, wc, g1, i0, fn, w, pad, outH, outW, bias, out, argMax);
      continue;
    }
    // Wide rows → outputs, plus the bias.
    for (let g = 0; g < g1; g++) {
      const o = out + <usize>((i0 + g) * fn * spatial) * sz;
      const at = <usize>(g * (w + pad)) * sz;
      for (let f = 0; f < fn; f++) {
        const bs = load<T>(bias + <usize>f * sz);
        const bv = splatFrom<T>(bias + <usize>f * sz);
        const src = wide + <usize>f * wideBytes + at;
        const dst = o + <usize>(f * spatial) * sz;
        for (let oy = 0; oy < outH; oy++) {
          const s = src + <usize>(oy * wc) * sz;
          const d = dst + <usize>(oy * outW) * sz;
          let ox = 0;
          for (; ox + L <= outW; ox += L) v128.store(d + <usize>ox * sz, v128.add<T>(v128.load(s + <usize>ox * sz), bv));
          for (; ox < outW; ox++) store<T>(d + <usize>ox * sz, load<T>(s + <usize>ox * sz) + bs);
        }
      }
    }
  }
}

export function convForward_f32(args: usize): void { convForwardImpl<f32>(args); }
export function convForward_f64(args: usize): void { convForwardImpl<f64>(args); }

// ---- direct convolution backward, the filters' gradient (stride 1) -----------------------------------
//
// dW[f, t] = Σ_i Σ_q doutWide_i[f, q] · padded_i[off_t + q], over the wide positions q of the forward's
// layout (q = oy·Wp + ox; the wide dout holds zeros where ox ≥ outW and past the last row) and the filter's
// taps t = (ch, ky, kx) at off_t = ch·Hp·Wp + ky·Wp + kx: an implicit im2col, nothing materialised. Blocks
// of F filters × 3 taps (F = 3, 2 or 1) keep F·3 vector accumulators over the positions (9 + 3 dout + 1
// input + 1 temporary fill V8's 15 registers). Each (filter, tap) keeps a vector of per-lane partial sums
// in scratch, carried from image to image; its lanes are added once at the end. The order differs from
// the reference's product (its sum over the batch's positions, ascending): equal within rounding, and the
// same whichever thread computes a filter. A caller splits the work between threads by ranges of filters
// [f0, f1) — never inside a sum.

/**
 * Image `img` (c × h × w) into the zero-padded planes at `to` (c planes of (h + 2·pad) × (w + 2·pad)), row by
 * row; the borders are left as they are (zero from the caller's fill).
 */
// @ts-ignore: decorator
@inline function padImage<T>(img: usize, c: i32, h: i32, w: i32, pad: i32, to: usize): void {
  const sz = <usize>sizeof<T>();
  const wp = w + 2 * pad;
  const planeBytes = <usize>((h + 2 * pad) * wp) * sz;
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      memory.copy(to + <usize>ch * planeBytes + <usize>((y + pad) * wp + pad) * sz, img + <usize>((ch * h + y) * w) * sz, <usize>w * sz);
    }
  }
}

/** Scratch bytes per thread for convBackwardFilter: the padded image, fn wide rows of dout, the partial sums. */
export function convBackwardFilterScratch(c: i32, h: i32, w: i32, fn: i32, fh: i32, fw: i32, pad: i32, sz: i32): i32 {
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const L = 16 / sz;
  const outH = hp - fh + 1;
  const wide = ((outH * wp + L - 1) / L) * L;
  const padded = c * hp * wp + wide - outH * wp + fw + L;
  return ((padded * sz + 15) & ~15) + fn * wide * sz + fn * c * fh * fw * 16 + 64;
}

/**
 * part[r][j] (vectors) += Σ_q dw[r][q] · p_j[q] for r < F, j < TN (F ≤ 3, TN ≤ 3: constants once inlined);
 * part rows are kVecBytes apart, their taps 16 bytes apart.
 */
// @ts-ignore: decorator
@inline function filterTaps<T>(F: i32, TN: i32, adjacent: bool, dw: usize, wideBytes: usize, p0: usize, p1: usize, p2: usize, part: usize, kVecBytes: usize): void {
  const z = v128.splat<i32>(0);
  const r1 = part + kVecBytes, r2 = part + 2 * kVecBytes;
  let a00 = v128.load(part), a01 = TN > 1 ? v128.load(part, 16) : z, a02 = TN > 2 ? v128.load(part, 32) : z;
  let a10 = F > 1 ? v128.load(r1) : z, a11 = F > 1 && TN > 1 ? v128.load(r1, 16) : z, a12 = F > 1 && TN > 2 ? v128.load(r1, 32) : z;
  let a20 = F > 2 ? v128.load(r2) : z, a21 = F > 2 && TN > 1 ? v128.load(r2, 16) : z, a22 = F > 2 && TN > 2 ? v128.load(r2, 32) : z;
  const dw1 = dw + wideBytes, dw2 = dw + 2 * wideBytes;
  for (let q: usize = 0; q < wideBytes; q += 16) {
    const d0 = v128.load(dw + q);
    const d1 = F > 1 ? v128.load(dw1 + q) : z;
    const d2 = F > 2 ? v128.load(dw2 + q) : z;
    let x = v128.load(p0 + q);
    a00 = madd<T>(d0, x, a00);
    if (F > 1) a10 = madd<T>(d1, x, a10);
    if (F > 2) a20 = madd<T>(d2, x, a20);
    if (TN > 1) {
      // Adjacent taps (kx, kx + 1, kx + 2 of a filter row): one address, constant offsets.
      x = adjacent ? v128.load(p0 + q, sizeof<T>()) : v128.load(p1 + q);
      a01 = madd<T>(d0, x, a01);
      if (F > 1) a11 = madd<T>(d1, x, a11);
      if (F > 2) a21 = madd<T>(d2, x, a21);
    }
    if (TN > 2) {
      x = adjacent ? v128.load(p0 + q, 2 * sizeof<T>()) : v128.load(p2 + q);
      a02 = madd<T>(d0, x, a02);
      if (F > 1) a12 = madd<T>(d1, x, a12);
      if (F > 2) a22 = madd<T>(d2, x, a22);
    }
  }
  v128.store(part, a00);
  if (TN > 1) v128.store(part, a01, 16);
  if (TN > 2) v128.store(part, a02, 32);
  if (F > 1) {
    v128.store(r1, a10);
    if (TN > 1) v128.store(r1, a11, 16);
    if (TN > 2) v128.store(r1, a12, 32);
  }
  if (F > 2) {
    v128.store(r2, a20);
    if (TN > 1) v128.store(r2, a21, 16);
    if (TN > 2) v128.store(r2, a22, 32);
  }
}

/** Every tap of F filters (partial sums at part, wide dout rows at dw): taps in threes along a filter row when fw is a multiple of 3. */
// @ts-ignore: decorator
@inline function filterRows<T>(F: i32, c: i32, fh: i32, fw: i32, dw: usize, wideBytes: usize, padded: usize, planeBytes: usize, rowBytes: usize, part: usize, kVecBytes: usize): void {
  const sz = <usize>sizeof<T>();
  if (fw % 3 == 0) {
    let pt = part;
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < fh; ky++) {
        const pr = padded + <usize>ch * planeBytes + <usize>ky * rowBytes;
        for (let kx = 0; kx < fw; kx += 3) {
          const p0 = pr + <usize>kx * sz;
          filterTaps<T>(F, 3, true, dw, wideBytes, p0, p0, p0, pt, kVecBytes);
          pt += 48;
        }
      }
    }
    return;
  }
  // Any other width: taps t in threes across rows and channels (offsets from t).
  const k = c * fh * fw;
  const taps = fh * fw;
  let t = 0;
  for (; t < k; t += 3) {
    const n = min(3, k - t);
    let p0: usize = 0, p1: usize = 0, p2: usize = 0;
    for (let j = 0; j < n; j++) {
      const ch = (t + j) / taps, r = t + j - ch * taps;
      const ky = r / fw, kx = r - ky * fw;
      const p = padded + <usize>ch * planeBytes + <usize>ky * rowBytes + <usize>kx * sz;
      if (j == 0) p0 = p;
      else if (j == 1) p1 = p;
      else p2 = p;
    }
    const pt = part + (<usize>t << 4);
    if (n == 3) filterTaps<T>(F, 3, false, dw, wideBytes, p0, p1, p2, pt, kVecBytes);
    else if (n == 2) filterTaps<T>(F, 2, false, dw, wideBytes, p0, p1, p1, pt, kVecBytes);
    else filterTaps<T>(F, 1, false, dw, wideBytes, p0, p0, p0, pt, kVecBytes);
  }
}

// Argument block (i32 each): x, n, c, h, w, dout, fn, fh, fw, pad, dW, scratch, f0, f1.
// dW rows [f0, f1) (of fn × c·fh·fw) = Σ_i dout_i · im2col(x_i) over images [0, n), overwritten. x must
// be finite (a wide position past a row's end multiplies a zero of dout by a value of the next row).
// @ts-ignore: decorator
@inline function convBackwardFilterImpl<T>(args: usize): void {
  const x = <usize>load<i32>(args), n = load<i32>(args, 4), c = load<i32>(args, 8), h = load<i32>(args, 12), w = load<i32>(args, 16);
  const dout = <usize>load<i32>(args, 20), fn = load<i32>(args, 24), fh = load<i32>(args, 28), fw = load<i32>(args, 32), pad = load<i32>(args, 36);
  const dW = <usize>load<i32>(args, 40), scratch = <usize>load<i32>(args, 44), f0 = load<i32>(args, 48), f1 = load<i32>(args, 52);
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const outH = hp - fh + 1, outW = wp - fw + 1;
  const spatial = outH * outW;
  const wideLen = ((outH * wp + L - 1) / L) * L;
  const paddedLen = c * hp * wp + wideLen - outH * wp + fw + L;
  const padded = scratch;
  const wide = scratch + ((<usize>paddedLen * sz + 15) & ~15);
  const planeBytes = <usize>(hp * wp) * sz;
  const rowBytes = <usize>wp * sz;
  const wideBytes = <usize>wideLen * sz;
  const k = c * fh * fw;
  const kVecBytes = <usize>k << 4;
  const rows = f1 - f0;
  const parts = wide + <usize>rows * wideBytes;
  memory.fill(padded, 0, <usize>paddedLen * sz);
  memory.fill(wide, 0, <usize>rows * wideBytes);
  memory.fill(parts, 0, <usize>rows * kVecBytes);
  for (let i = 0; i < n; i++) {
    padImage<T>(x + <usize>(i * c * h * w) * sz, c, h, w, pad, padded);
    const d = dout + <usize>((i * fn + f0) * spatial) * sz;
    for (let r = 0; r < rows; r++) {
      for (let oy = 0; oy < outH; oy++) {
        memory.copy(wide + <usize>r * wideBytes + <usize>(oy * wp) * sz, d + <usize>((r * spatial) + oy * outW) * sz, <usize>outW * sz);
      }
    }
    // Blocks of 3 filters; a remainder of 1 takes 2 + 2 from the last 3 + 1.
    let r = 0;
    const tail = rows % 3;
    const threes = tail == 1 && rows >= 4 ? rows - 4 : rows - tail;
    for (; r < threes; r += 3) filterRows<T>(3, c, fh, fw, wide + <usize>r * wideBytes, wideBytes, padded, planeBytes, rowBytes, parts + <usize>r * kVecBytes, kVecBytes);
    for (; r + 2 <= rows; r += 2) filterRows<T>(2, c, fh, fw, wide + <usize>r * wideBytes, wideBytes, padded, planeBytes, rowBytes, parts + <usize>r * kVecBytes, kVecBytes);
    for (; r < rows; r++) filterRows<T>(1, c, fh, fw, wide + <usize>r * wideBytes, wideBytes, padded, planeBytes, rowBytes, parts + <usize>r * kVecBytes, kVecBytes);
  }
  // Each partial-sum vector's lanes, added in a fixed order ((l0 + l1) + (l2 + l3), or l0 + l1).
  for (let j = 0; j < rows * k; j++) {
    const v = v128.load(parts + (<usize>j << 4));
    let s: T;
    if (sizeof<T>() == 4) s = <T>((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
    else s = <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
    store<T>(dW + (<usize>f0 * <usize>k + <usize>j) * sz, s);
  }
}

export function convBackwardFilter_f32(args: usize): void { convBackwardFilterImpl<f32>(args); }
export function convBackwardFilter_f64(args: usize): void { convBackwardFilterImpl<f64>(args); }

// ---- the filters' gradient and the bias's through a 2×2 max pooling (ConvReluPool's backward pass) -------
//
// After ReLU and max pooling (2×2, stride 2), the convolution's gradient is the pooling's backward pass of
// the pooled gradient: each pooled value at its window's maximum, zeros elsewhere — 3 values of 4 at least
// are zeros (more where ReLU cut the pooled value). convBackwardFilter and sumChannels read every one of
// them; this kernel takes only the pooled values that are not zero, each at its position q in the
// convolution's output, and adds exactly what those two kernels add for it, in their order:
// - dW: convBackwardFilter keeps a partial sum per (filter, tap, lane of the wide position q = oy·Wp + ox),
//   each adding its products image after image, q ascending, and adds its lanes at the end. Here each lane
//   has its own list of non-zeros (q ascending, image after image), and the same partial sums are carried
//   in the same order. A skipped zero is a product ±0 (x finite, as there), which changes no partial sum:
//   one starts at +0 and, rounding to nearest, never becomes −0, and s + ±0 = s for every other s.
// - db: sumChannels' sum of each image's values in double precision from 0, q ascending, then added.
// So dW and db are convBackwardFilter's and sumChannels' of maxPoolBackward's output, bit for bit.
//
// The taps go across the vectors: for a non-zero at q, filter row (ch, ky) reads the fw values at
// padded[ch·Hp·Wp + ky·Wp + q …], V = ⌈fw / lanes⌉ vectors, whose lanes past fw are computed and dropped.
// A pass holds R ≤ 4 filter rows × V ≤ 3 vectors of accumulators through a lane's list.

/**
 * The cells [0, count) (count ≤ 32; argMax at `ap`, the pooled gradient at `vp`) whose window's maximum is in
 * the window's row dy and whose gradient is not zero (NaN counts), as a bit mask: four cells at a time,
 * without a branch per cell (which window holds the maximum is data, ~50 % either way: a branch per cell
 * mostly mispredicts).
 */
// @ts-ignore: decorator
@inline function keptCells<T>(ap: usize, vp: usize, count: i32, dy: i32): u32 {
  const sz = <usize>sizeof<T>();
  const dyv = i32x4.splat(dy);
  let m: u32 = 0;
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const window = i32x4.eq(i32x4.shr_s(v128.load(ap + (<usize>j << 2)), 1), dyv);
    const v = vp + <usize>j * sz;
    let nonZero: v128;
    if (sizeof<T>() == 4) nonZero = f32x4.ne(v128.load(v), f32x4.splat(0));
    else nonZero = i32x4.shuffle(f64x2.ne(v128.load(v), f64x2.splat(0)), f64x2.ne(v128.load(v, 16), f64x2.splat(0)), 0, 2, 4, 6);
    m |= <u32>i32x4.bitmask(v128.and(window, nonZero)) << j;
  }
  for (; j < count; j++) {
    if (load<i32>(ap + (<usize>j << 2)) >> 1 == dy && load<T>(vp + <usize>j * sz) != 0) m |= (<u32>1) << j;
  }
  return m;
}

/**
 * Images a group of convPoolBackwardParams for `cells` pooled values an image: small images (DeepConvNet's
 * 8×8: 16) go several at a time, so that a lane's list is long enough to pay for a pass's loads and stores
 * of its accumulators (a pass over one image's 16 cells met ~2 non-zeros a lane).
 */
// @ts-ignore: decorator
@inline function pooledGroupOf(cells: i32): i32 {
  return max(1, min(8, 256 / max(1, cells)));
}

/** Scratch bytes per thread for convPoolBackwardParams. */
export function convPoolBackwardScratch(c: i32, h: i32, w: i32, fn: i32, fh: i32, fw: i32, pad: i32, sz: i32): i32 {
  const L = 16 / sz;
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const V = (fw + L - 1) / L;
  const cells = ((hp - fh + 1) >> 1) * ((wp - fw + 1) >> 1);
  const G = pooledGroupOf(cells);
  const padded = G * c * hp * wp + V * L + L;
  return ((padded * sz + 15) & ~15) + L * G * cells * (4 + sz) + fn * L * c * fh * V * 16 + 64;
}

/**
 * part[r][v] (R rows of V vectors at `part`) += Σ_e vals[e] · (the V vectors at base + offs[e] + r·rowBytes),
 * over the list's cnt entries in order (R ≤ 4, V ≤ 3: constants once inlined).
 */
// @ts-ignore: decorator
@inline function pooledRows<T>(R: i32, V: i32, offs: usize, vals: usize, cnt: i32, base: usize, rowBytes: usize, part: usize): void {
  const sz = <usize>sizeof<T>();
  const z = v128.splat<i32>(0);
  const p1 = part + <usize>V * 16, p2 = p1 + <usize>V * 16, p3 = p2 + <usize>V * 16;
  let a00 = v128.load(part), a01 = V > 1 ? v128.load(part, 16) : z, a02 = V > 2 ? v128.load(part, 32) : z;
  let a10 = R > 1 ? v128.load(p1) : z, a11 = R > 1 && V > 1 ? v128.load(p1, 16) : z, a12 = R > 1 && V > 2 ? v128.load(p1, 32) : z;
  let a20 = R > 2 ? v128.load(p2) : z, a21 = R > 2 && V > 1 ? v128.load(p2, 16) : z, a22 = R > 2 && V > 2 ? v128.load(p2, 32) : z;
  let a30 = R > 3 ? v128.load(p3) : z, a31 = R > 3 && V > 1 ? v128.load(p3, 16) : z, a32 = R > 3 && V > 2 ? v128.load(p3, 32) : z;
  for (let e = 0; e < cnt; e++) {
    const d = splatFrom<T>(vals + <usize>e * sz);
    let p = base + <usize>load<i32>(offs + (<usize>e << 2));
    a00 = madd<T>(d, v128.load(p), a00);
    if (V > 1) a01 = madd<T>(d, v128.load(p, 16), a01);
    if (V > 2) a02 = madd<T>(d, v128.load(p, 32), a02);
    if (R > 1) {
      p += rowBytes;
      a10 = madd<T>(d, v128.load(p), a10);
      if (V > 1) a11 = madd<T>(d, v128.load(p, 16), a11);
      if (V > 2) a12 = madd<T>(d, v128.load(p, 32), a12);
    }
    if (R > 2) {
      p += rowBytes;
      a20 = madd<T>(d, v128.load(p), a20);
      if (V > 1) a21 = madd<T>(d, v128.load(p, 16), a21);
      if (V > 2) a22 = madd<T>(d, v128.load(p, 32), a22);
    }
    if (R > 3) {
      p += rowBytes;
      a30 = madd<T>(d, v128.load(p), a30);
      if (V > 1) a31 = madd<T>(d, v128.load(p, 16), a31);
      if (V > 2) a32 = madd<T>(d, v128.load(p, 32), a32);
    }
  }
  v128.store(part, a00);
  if (V > 1) v128.store(part, a01, 16);
  if (V > 2) v128.store(part, a02, 32);
  if (R > 1) {
    v128.store(p1, a10);
    if (V > 1) v128.store(p1, a11, 16);
    if (V > 2) v128.store(p1, a12, 32);
  }
  if (R > 2) {
    v128.store(p2, a20);
    if (V > 1) v128.store(p2, a21, 16);
    if (V > 2) v128.store(p2, a22, 32);
  }
  if (R > 3) {
    v128.store(p3, a30);
    if (V > 1) v128.store(p3, a31, 16);
    if (V > 2) v128.store(p3, a32, 32);
  }
}

/** pooledRows for V vectors a row and `rows` (1–4) rows. */
// @ts-ignore: decorator
@inline function pooledRowsOf<T>(V: i32, rows: i32, offs: usize, vals: usize, cnt: i32, base: usize, rowBytes: usize, part: usize): void {
  if (rows >= 4) pooledRows<T>(4, V, offs, vals, cnt, base, rowBytes, part);
  else if (rows == 3) pooledRows<T>(3, V, offs, vals, cnt, base, rowBytes, part);
  else if (rows == 2) pooledRows<T>(2, V, offs, vals, cnt, base, rowBytes, part);
  else pooledRows<T>(1, V, offs, vals, cnt, base, rowBytes, part);
}

// Argument block (i32 each): x, n, c, h, w, dpool, argMax, fn, fh, fw, pad, dW, db, scratch, f0, f1.
// dW rows [f0, f1) (of fn × c·fh·fw) and db[f0, f1) = convBackwardFilter's and sumChannels' of the
// convolution gradient that maxPoolBackward (2×2, stride 2, no padding) makes of dpool (n, fn, outH >> 1,
// outW >> 1) and argMax (the window index 0–3), overwritten. Stride 1; x finite; fw ≤ 3 vectors of lanes.
// @ts-ignore: decorator
@inline function convPoolBackwardImpl<T>(args: usize): void {
  const x = <usize>load<i32>(args), n = load<i32>(args, 4), c = load<i32>(args, 8), h = load<i32>(args, 12), w = load<i32>(args, 16);
  const dpool = <usize>load<i32>(args, 20), argMax = <usize>load<i32>(args, 24), fn = load<i32>(args, 28), fh = load<i32>(args, 32), fw = load<i32>(args, 36);
  const pad = load<i32>(args, 40), dW = <usize>load<i32>(args, 44), db = <usize>load<i32>(args, 48), scratch = <usize>load<i32>(args, 52);
  const f0 = load<i32>(args, 56), f1 = load<i32>(args, 60);
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const outH = hp - fh + 1, outW = wp - fw + 1;
  const ph = outH >> 1, pw = outW >> 1, cells = ph * pw;
  const V = (fw + L - 1) / L;
  const G = pooledGroupOf(cells);
  const imageLen = c * hp * wp;
  const paddedLen = G * imageLen + V * L + L;
  const padded = scratch;
  const capacity = G * cells;
  const offs = padded + ((<usize>paddedLen * sz + 15) & ~15);
  const vals = offs + <usize>(L * capacity) * 4;
  const parts = (vals + <usize>(L * capacity) * sz + 15) & ~15;
  const planeBytes = <usize>(hp * wp) * sz;
  const rowBytes = <usize>wp * sz;
  const rowVecs = c * fh * V;
  const laneBytes = <usize>rowVecs << 4;
  const rows = f1 - f0;
  const counts = parts + <usize>(rows * L) * laneBytes;
  // Filter rows a pass: at most 4, as even as they go (5 rows: 3 + 2, not 4 + 1).
  const passes = (fh + 3) / 4;
  const R = (fh + passes - 1) / passes;
  memory.fill(padded, 0, <usize>paddedLen * sz);
  memory.fill(parts, 0, <usize>(rows * L) * laneBytes);
  memory.fill(db + <usize>f0 * sz, 0, <usize>rows * sz);
  // Images in groups of G, side by side in the padded scratch (borders zero from the fill above; a last
  // group of fewer leaves the missing images' data as it was, never read).
  for (let i0 = 0; i0 < n; i0 += G) {
    const g1 = min(G, n - i0);
    for (let g = 0; g < g1; g++) padImage<T>(x + <usize>((i0 + g) * c * h * w) * sz, c, h, w, pad, padded + <usize>(g * imageLen) * sz);
    for (let f = f0; f < f1; f++) {
      // The lanes' lists of non-zeros, image after image, q ascending (a pooled row's upper window row, then
      // its lower one); each image's sum for db in that order.
      for (let l = 0; l < L; l++) store<i32>(counts + (<usize>l << 2), 0);
      for (let g = 0; g < g1; g++) {
        const plane = (i0 + g) * fn + f;
        const dp = dpool + <usize>(plane * cells) * sz;
        const am = argMax + (<usize>(plane * cells) << 2);
        const imageQ = g * imageLen;
        let s: f64 = 0;
        // The cells to keep, 32 at a time (keptCells), then one step per kept cell.
        for (let py = 0; py < ph; py++) {
          for (let dy = 0; dy < 2; dy++) {
            const rowQ = (2 * py + dy) * wp;
            for (let p0 = 0; p0 < pw; p0 += 32) {
              const end = min(pw, p0 + 32);
              const cell = py * pw + p0;
              const ap = am + (<usize>cell << 2), vp = dp + <usize>cell * sz;
              let m = keptCells<T>(ap, vp, end - p0, dy);
              while (m != 0) {
                const b = <i32>ctz(m);
                m &= m - 1;
                const k = load<i32>(ap + (<usize>b << 2));
                const d = load<T>(vp + <usize>b * sz);
                s += <f64>d;
                const q = rowQ + 2 * (p0 + b) + (k & 1);
                const l = q & (L - 1);
                const cp = counts + (<usize>l << 2);
                const e = load<i32>(cp);
                store<i32>(cp, e + 1);
                const slot = <usize>(l * capacity + e);
                store<i32>(offs + (slot << 2), (imageQ + q) * <i32>sz);
                store<T>(vals + slot * sz, d);
              }
            }
          }
        }
        const o = db + <usize>f * sz;
        store<T>(o, <T>(<f64>load<T>(o) + s));
      }
      // Each lane's list through every filter row, R rows a pass.
      for (let l = 0; l < L; l++) {
        const cnt = load<i32>(counts + (<usize>l << 2));
        if (cnt == 0) continue;
        const lo = offs + (<usize>(l * capacity) << 2), lv = vals + <usize>(l * capacity) * sz;
        const part = parts + <usize>((f - f0) * L + l) * laneBytes;
        for (let ch = 0; ch < c; ch++) {
          for (let ky = 0; ky < fh; ky += R) {
            const base = padded + <usize>ch * planeBytes + <usize>ky * rowBytes;
            const pr = part + (<usize>((ch * fh + ky) * V) << 4);
            const rs = min(R, fh - ky);
            if (V == 1) pooledRowsOf<T>(1, rs, lo, lv, cnt, base, rowBytes, pr);
            else if (V == 2) pooledRowsOf<T>(2, rs, lo, lv, cnt, base, rowBytes, pr);
            else pooledRowsOf<T>(3, rs, lo, lv, cnt, base, rowBytes, pr);
          }
        }
      }
    }
  }
  // dW[f, (ch, ky, kx)] = the lanes' partial sums added as convBackwardFilter adds them: (l0 + l1) + (l2 + l3), or l0 + l1.
  const k = c * fh * fw;
  for (let f = f0; f < f1; f++) {
    const part = parts + <usize>((f - f0) * L) * laneBytes;
    for (let r = 0; r < c * fh; r++) {
      for (let kx = 0; kx < fw; kx++) {
        const at = (<usize>(r * V) << 4) + <usize>kx * sz;
        let s: T;
        if (sizeof<T>() == 4) {
          s = <T>((load<f32>(part + at) + load<f32>(part + laneBytes + at)) + (load<f32>(part + 2 * laneBytes + at) + load<f32>(part + 3 * laneBytes + at)));
        } else {
          s = <T>(load<f64>(part + at) + load<f64>(part + laneBytes + at));
        }
        store<T>(dW + (<usize>f * <usize>k + <usize>(r * fw + kx)) * sz, s);
      }
    }
  }
}

export function convPoolBackward_f32(args: usize): void { convPoolBackwardImpl<f32>(args); }
export function convPoolBackward_f64(args: usize): void { convPoolBackwardImpl<f64>(args); }


// ---- the input gradient through a 2×2 max pooling (ConvReluPool's backward pass) ------------------------
//
// convBackwardData computes dx as the forward kernel's direct convolution of the convolution's gradient with
// the flipped filters: each dx value adds its products over (filter f, tap) from +0, the taps in the order of
// the gradient's positions (oy, ox) ascending, then a zero bias. That gradient is maxPoolBackward's of the
// pooled gradient (3 values in 4 at least are zeros). Here each non-zero at (f, oy, ox) — filter after
// filter, positions ascending — adds its products with f's weights to the dx values it reaches, so every dx
// value gets the same products in the same order, without the zeros' (each ±0: no change to a sum that is
// never −0; W finite, as there). The sums are kept per image with the channels side by side (c rounded up
// to whole vectors), so that a non-zero's tap is a few vector multiply-adds, then moved to dx's layout.

/** Scratch bytes per thread for convPoolBackwardData. */
export function convPoolBackwardDataScratch(c: i32, h: i32, w: i32, fn: i32, fh: i32, fw: i32, pad: i32, sz: i32): i32 {
  const L = 16 / sz;
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const cp = ((c + L - 1) / L) * L;
  const cells = ((hp - fh + 1) >> 1) * ((wp - fw + 1) >> 1);
  return ((hp * wp * cp * sz + 15) & ~15) + ((fn * fh * fw * cp * sz + 15) & ~15) + ((cells * 4 + 15) & ~15) + cells * sz + 64;
}

// Argument block (i32 each): dpool, argMax, n, fn, W, c, h, w, fh, fw, pad, dx, scratch.
// dx (n, c, h, w) of images [0, n) = convBackwardData's of the convolution gradient that maxPoolBackward
// (2×2, stride 2, no padding) makes of dpool (n, fn, outH >> 1, outW >> 1) and argMax. Stride 1; W finite.
// @ts-ignore: decorator
@inline function convPoolBackwardDataImpl<T>(args: usize): void {
  const dpool = <usize>load<i32>(args), argMax = <usize>load<i32>(args, 4), n = load<i32>(args, 8), fn = load<i32>(args, 12);
  const W = <usize>load<i32>(args, 16), c = load<i32>(args, 20), h = load<i32>(args, 24), w = load<i32>(args, 28);
  const fh = load<i32>(args, 32), fw = load<i32>(args, 36), pad = load<i32>(args, 40), dx = <usize>load<i32>(args, 44), scratch = <usize>load<i32>(args, 48);
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const hp = h + 2 * pad, wp = w + 2 * pad;
  const outH = hp - fh + 1, outW = wp - fw + 1;
  const ph = outH >> 1, pw = outW >> 1, cells = ph * pw;
  const cp = ((c + L - 1) / L) * L;
  const posBytes = <usize>cp * sz;
  const taps = fh * fw;
  const sums = scratch;
  const sumsBytes = <usize>(hp * wp) * posBytes;
  const wt = sums + ((sumsBytes + 15) & ~15);
  const wtBytes = <usize>(fn * taps) * posBytes;
  const offs = wt + ((wtBytes + 15) & ~15);
  const vals = offs + ((<usize>cells * 4 + 15) & ~15);
  // The weights tap by tap, the channels side by side: wt[f][ky][kx][ch] = W[f][ch][ky][kx], 0 past c.
  memory.fill(wt, 0, wtBytes);
  for (let f = 0; f < fn; f++) {
    for (let ch = 0; ch < c; ch++) {
      for (let t = 0; t < taps; t++) {
        store<T>(wt + <usize>(f * taps + t) * posBytes + <usize>ch * sz, load<T>(W + <usize>((f * c + ch) * taps + t) * sz));
      }
    }
  }
  const rowVecs = fw * (cp / L);
  const sumRow = <usize>wp * posBytes;
  for (let i = 0; i < n; i++) {
    memory.fill(sums, 0, sumsBytes);
    for (let f = 0; f < fn; f++) {
      const plane = i * fn + f;
      const dp = dpool + <usize>(plane * cells) * sz;
      const am = argMax + (<usize>(plane * cells) << 2);
      // The non-zeros of f's gradient, positions ascending (a pooled row's upper window row, then its lower one).
      let count = 0;
      for (let py = 0; py < ph; py++) {
        for (let dy = 0; dy < 2; dy++) {
          const oy = 2 * py + dy;
          for (let p0 = 0; p0 < pw; p0 += 32) {
            const cell = py * pw + p0;
            const ap = am + (<usize>cell << 2), vp = dp + <usize>cell * sz;
            let m = keptCells<T>(ap, vp, min(pw, p0 + 32) - p0, dy);
            while (m != 0) {
              const b = <i32>ctz(m);
              m &= m - 1;
              const ox = 2 * (p0 + b) + (load<i32>(ap + (<usize>b << 2)) & 1);
              store<i32>(offs + (<usize>count << 2), (oy * wp + ox) * <i32>posBytes);
              store<T>(vals + <usize>count * sz, load<T>(vp + <usize>b * sz));
              count++;
            }
          }
        }
      }
      // Each non-zero at (oy, ox) reaches the sums at (oy + ky, ox + kx): a filter row's taps are fw
      // positions side by side, as its weights are.
      const wf = wt + <usize>(f * taps) * posBytes;
      for (let e = 0; e < count; e++) {
        const dv = splatFrom<T>(vals + <usize>e * sz);
        let p = sums + <usize>load<i32>(offs + (<usize>e << 2));
        let wr = wf;
        for (let ky = 0; ky < fh; ky++) {
          for (let j = 0; j < rowVecs; j++) {
            const at = <usize>j << 4;
            v128.store(p + at, madd<T>(dv, v128.load(wr + at), v128.load(p + at)));
          }
          p += sumRow;
          wr += <usize>rowVecs << 4;
        }
      }
    }
    // The sums inside the padding → dx (channel planes).
    const img = dx + <usize>(i * c * h * w) * sz;
    for (let ch = 0; ch < c; ch++) {
      const plane = img + <usize>(ch * h * w) * sz;
      for (let y = 0; y < h; y++) {
        let from = sums + <usize>((y + pad) * wp + pad) * posBytes + <usize>ch * sz;
        const to = plane + <usize>(y * w) * sz;
        for (let xx = 0; xx < w; xx++) {
          store<T>(to + <usize>xx * sz, load<T>(from));
          from += posBytes;
        }
      }
    }
  }
}

export function convPoolBackwardData_f32(args: usize): void { convPoolBackwardDataImpl<f32>(args); }
export function convPoolBackwardData_f64(args: usize): void { convPoolBackwardDataImpl<f64>(args); }
