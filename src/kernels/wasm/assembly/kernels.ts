// WASM SIMD kernels (AssemblyScript), the fast twins of src/kernels/*.ts with the same meaning.
// Pointers are byte offsets into the module's (imported) memory. Each kernel is written once,
// generic over the element type T (f32 → f32x4, f64 → f64x2), and exported per type.
// Build: npm run build:wasm (asc … --enable simd); src/kernels/wasm/binary.ts embeds the result.

import { allFinite, lanes, madd, splatAt0, splatAt1, splatAt2, splatFrom } from './simd';

/** Byte shuffles that pack the 32-bit lanes selected by a 4-bit mask to the front of a vector. */
const PACK32 = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128,
  12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

/** Byte shuffles that pack the 64-bit lanes selected by a 2-bit mask to the front of a vector. */
const PACK64 = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);

/** 13 vectors of zeros: where a row pass's accumulators start when it does not add to C. */
const ZEROS = memory.data(13 * 16, 16);

/**
 * Lists the non-zero entries of `len` elements at `row`: `vals[q]` the value, `offs[q]` its position
 * times `scale` (a byte offset into the other operand, or the position itself with scale 1) and, when
 * `idx` is not 0, `idx[q]` its position — positions counted from `p0` (the row's first element is
 * position p0: a segment of a longer row). Blocks of 16 zeros (MNIST's empty borders) are skipped with one
 * test; the others are packed without a branch per value (packNonZeros). Writes up to 16 bytes past the
 * last entry of each list. Returns the number of entries.
 */
function compress<T>(row: usize, len: i32, offs: usize, vals: usize, scale: i32, idx: usize = 0, p0: i32 = 0): i32 {
  const sz = <usize>sizeof<T>();
  let count = 0;
  let p = 0;
  const sc = i32x4.splat(scale);
  for (; p + 16 <= len; p += 16) {
    const at = row + <usize>p * sz;
    let any = v128.or(v128.or(v128.load(at), v128.load(at, 16)), v128.or(v128.load(at, 32), v128.load(at, 48)));
    if (sz == 8) any = v128.or(any, v128.or(v128.or(v128.load(at, 64), v128.load(at, 80)), v128.or(v128.load(at, 96), v128.load(at, 112))));
    if (!v128.any_true(any)) continue;
    let plain = i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(p0 + p));
    for (let g: usize = 0; g < 4; g++) {
      const v = at + g * 4 * sz;
      const v0 = v128.load(v);
      count = packNonZeros<T>(v0, sz == 4 ? v0 : v128.load(v, 16), i32x4.mul(plain, sc), plain, offs, idx, vals, count);
      plain = i32x4.add(plain, i32x4.splat(4));
    }
  }
  for (; p < len; p++) {
    const v = load<T>(row + <usize>p * sz);
    store<i32>(offs + (<usize>count << 2), (p0 + p) * scale);
    if (idx) store<i32>(idx + (<usize>count << 2), p0 + p);
    store<T>(vals + <usize>count * sz, v);
    count += <i32>(v != 0);
  }
  return count;
}

/**
 * Appends the non-zero lanes among 4 values (f32: all in v0; f64: v0 then v1) to the lists: the values to
 * `vals`, their lanes of `pos` to `offs` and, when `idx` is not 0, their lanes of `plain` to `idx`. One
 * compare gives the lane mask, the mask picks a byte shuffle from a table, and the shuffled vectors are
 * stored whole at the end of the lists (up to 16 bytes past it) — no branch per value. Returns the new count.
 */
// @ts-ignore: decorator
@inline function packNonZeros<T>(v0: v128, v1: v128, pos: v128, plain: v128, offs: usize, idx: usize, vals: usize, count: i32): i32 {
  if (sizeof<T>() == 4) {
    const m = i32x4.bitmask(f32x4.ne(v0, f32x4.splat(0)));
    const sh = v128.load(PACK32 + (<usize>m << 4));
    v128.store(vals + (<usize>count << 2), i8x16.swizzle(v0, sh));
    v128.store(offs + (<usize>count << 2), i8x16.swizzle(pos, sh));
    if (idx) v128.store(idx + (<usize>count << 2), i8x16.swizzle(plain, sh));
    return count + popcnt(m);
  }
  // f64: two vectors per 4 positions; the second packs the positions' lanes 2 and 3.
  const m0 = i64x2.bitmask(f64x2.ne(v0, f64x2.splat(0)));
  const sh0 = v128.load(PACK32 + (<usize>m0 << 4));
  v128.store(vals + (<usize>count << 3), i8x16.swizzle(v0, v128.load(PACK64 + (<usize>m0 << 4))));
  v128.store(offs + (<usize>count << 2), i8x16.swizzle(pos, sh0));
  if (idx) v128.store(idx + (<usize>count << 2), i8x16.swizzle(plain, sh0));
  count += popcnt(m0);
  const m1 = i64x2.bitmask(f64x2.ne(v1, f64x2.splat(0)));
  const sh1 = v128.load(PACK32 + (<usize>m1 << 6));
  v128.store(vals + (<usize>count << 3), i8x16.swizzle(v1, v128.load(PACK64 + (<usize>m1 << 4))));
  v128.store(offs + (<usize>count << 2), i8x16.swizzle(pos, sh1));
  if (idx) v128.store(idx + (<usize>count << 2), i8x16.swizzle(plain, sh1));
  return count + popcnt(m1);
}

/** packNonZeros for 4 pixels `w` (u32 lanes) read as floats `w · sv` — bytesToFloat's conversion. */
// @ts-ignore: decorator
@inline function packPixels<T>(w: v128, sv: v128, pos: v128, plain: v128, offs: usize, idx: usize, vals: usize, count: i32): i32 {
  if (sizeof<T>() == 4) return packNonZeros<T>(bytesToF32x4(w, sv), w, pos, plain, offs, idx, vals, count);
  const v0 = f64x2.mul(f64x2.convert_low_i32x4_u(w), sv);
  const v1 = f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(w, w, 2, 3, 0, 1)), sv);
  return packNonZeros<T>(v0, v1, pos, plain, offs, idx, vals, count);
}

/**
 * `compress` for a row of bytes (an image) read as floats `byte · valueScale`: the values bytesToFloat
 * would write (the same conversions and multiplication), listed without writing the float row first —
 * and, when `idx` is not 0, their positions to `idx` as compress does. A block of 16 pixels is one
 * vector, so empty blocks cost one test. Positions count from `p0`, as in compress.
 */
// @ts-ignore: decorator
@inline function compressBytes<T>(row: usize, len: i32, offs: usize, vals: usize, scale: i32, valueScale: f64, idx: usize = 0, p0: i32 = 0): i32 {
  const sz = <usize>sizeof<T>();
  let count = 0;
  let p = 0;
  const lane = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(scale));
  const sv = f64x2.splat(valueScale);
  const step = i32x4.splat(4 * scale);
  const four = i32x4.splat(4);
  for (; p + 16 <= len; p += 16) {
    const bytes = v128.load(row + <usize>p);
    if (!v128.any_true(bytes)) continue;
    const lo = i16x8.extend_low_i8x16_u(bytes);
    const hi = i16x8.extend_high_i8x16_u(bytes);
    let pos = i32x4.add(lane, i32x4.splat((p0 + p) * scale));
    let plain = i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(p0 + p));
    count = packPixels<T>(i32x4.extend_low_i16x8_u(lo), sv, pos, plain, offs, idx, vals, count);
    pos = i32x4.add(pos, step);
    plain = i32x4.add(plain, four);
    count = packPixels<T>(i32x4.extend_high_i16x8_u(lo), sv, pos, plain, offs, idx, vals, count);
    pos = i32x4.add(pos, step);
    plain = i32x4.add(plain, four);
    count = packPixels<T>(i32x4.extend_low_i16x8_u(hi), sv, pos, plain, offs, idx, vals, count);
    pos = i32x4.add(pos, step);
    plain = i32x4.add(plain, four);
    count = packPixels<T>(i32x4.extend_high_i16x8_u(hi), sv, pos, plain, offs, idx, vals, count);
  }
  for (; p < len; p++) {
    const v = <T>(<f64>load<u8>(row + <usize>p) * valueScale);
    store<i32>(offs + (<usize>count << 2), (p0 + p) * scale);
    if (idx) store<i32>(idx + (<usize>count << 2), p0 + p);
    store<T>(vals + <usize>count * sz, v);
    count += <i32>(v != 0);
  }
  return count;
}

/**
 * Stores the last vector of a C row pass: only its first `n` lanes, since the last vector of a row
 * whose length is not a multiple of the lane count must not touch the next row.
 */
// @ts-ignore: decorator
@inline function putLast<T>(c: usize, v: v128, n: i32): void {
  if (n == lanes<T>()) v128.store(c, v);
  else if (sizeof<T>() == 8 || n == 2) v128.store64_lane(c, v, 0);
  else {
    v128.store32_lane(c, v, 0);
    if (n == 3) {
      v128.store32_lane(c, v, 1, 4);
      v128.store32_lane(c, v, 2, 8);
    }
  }
}

// Row passes: C row (+)= Σ_q vals[q] · B[offs[q] bytes …] over a list of non-zeros, for 13, 12, 8, 5, 4, 3, 2
// or 1 vectors of the C row held in registers (13 + 2 temporaries fill the 15 vector registers V8 allocates
// on x64). The accumulators start at C (`acc` = 1, as the reference's `c += …`) or at ZEROS — a branch
// on `acc` around the stores made V8 spill accumulators inside the loop (1.4× slower). The
// last vector of a row may be partial (`last` lanes): it reads a few bytes past the row — the heap
// keeps a slack at its end for this — and stores only its lanes. The sum runs in list order: results
// do not depend on how a product is split into passes or between threads. The widths are written out one
// by one on purpose: AssemblyScript has no macros, and separate locals are what V8 keeps in registers
// (an array of accumulators would live in memory); they are not inlined into their callers, which made
// V8 spill them (measured 1.5× slower).
function pass13<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32), a3 = v128.load(from, 48), a4 = v128.load(from, 64), a5 = v128.load(from, 80), a6 = v128.load(from, 96), a7 = v128.load(from, 112), a8 = v128.load(from, 128), a9 = v128.load(from, 144), a10 = v128.load(from, 160), a11 = v128.load(from, 176), a12 = v128.load(from, 192);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
    a3 = madd<T>(av, v128.load(bp, 48), a3);
    a4 = madd<T>(av, v128.load(bp, 64), a4);
    a5 = madd<T>(av, v128.load(bp, 80), a5);
    a6 = madd<T>(av, v128.load(bp, 96), a6);
    a7 = madd<T>(av, v128.load(bp, 112), a7);
    a8 = madd<T>(av, v128.load(bp, 128), a8);
    a9 = madd<T>(av, v128.load(bp, 144), a9);
    a10 = madd<T>(av, v128.load(bp, 160), a10);
    a11 = madd<T>(av, v128.load(bp, 176), a11);
    a12 = madd<T>(av, v128.load(bp, 192), a12);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  v128.store(c, a2, 32);
  v128.store(c, a3, 48);
  v128.store(c, a4, 64);
  v128.store(c, a5, 80);
  v128.store(c, a6, 96);
  v128.store(c, a7, 112);
  v128.store(c, a8, 128);
  v128.store(c, a9, 144);
  v128.store(c, a10, 160);
  v128.store(c, a11, 176);
  putLast<T>(c + 192, a12, last);
}

function pass12<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32), a3 = v128.load(from, 48), a4 = v128.load(from, 64), a5 = v128.load(from, 80), a6 = v128.load(from, 96), a7 = v128.load(from, 112), a8 = v128.load(from, 128), a9 = v128.load(from, 144), a10 = v128.load(from, 160), a11 = v128.load(from, 176);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
    a3 = madd<T>(av, v128.load(bp, 48), a3);
    a4 = madd<T>(av, v128.load(bp, 64), a4);
    a5 = madd<T>(av, v128.load(bp, 80), a5);
    a6 = madd<T>(av, v128.load(bp, 96), a6);
    a7 = madd<T>(av, v128.load(bp, 112), a7);
    a8 = madd<T>(av, v128.load(bp, 128), a8);
    a9 = madd<T>(av, v128.load(bp, 144), a9);
    a10 = madd<T>(av, v128.load(bp, 160), a10);
    a11 = madd<T>(av, v128.load(bp, 176), a11);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  v128.store(c, a2, 32);
  v128.store(c, a3, 48);
  v128.store(c, a4, 64);
  v128.store(c, a5, 80);
  v128.store(c, a6, 96);
  v128.store(c, a7, 112);
  v128.store(c, a8, 128);
  v128.store(c, a9, 144);
  v128.store(c, a10, 160);
  putLast<T>(c + 176, a11, last);
}

function pass8<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32), a3 = v128.load(from, 48), a4 = v128.load(from, 64), a5 = v128.load(from, 80), a6 = v128.load(from, 96), a7 = v128.load(from, 112);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
    a3 = madd<T>(av, v128.load(bp, 48), a3);
    a4 = madd<T>(av, v128.load(bp, 64), a4);
    a5 = madd<T>(av, v128.load(bp, 80), a5);
    a6 = madd<T>(av, v128.load(bp, 96), a6);
    a7 = madd<T>(av, v128.load(bp, 112), a7);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  v128.store(c, a2, 32);
  v128.store(c, a3, 48);
  v128.store(c, a4, 64);
  v128.store(c, a5, 80);
  v128.store(c, a6, 96);
  putLast<T>(c + 112, a7, last);
}

function pass5<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32), a3 = v128.load(from, 48), a4 = v128.load(from, 64);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
    a3 = madd<T>(av, v128.load(bp, 48), a3);
    a4 = madd<T>(av, v128.load(bp, 64), a4);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  v128.store(c, a2, 32);
  v128.store(c, a3, 48);
  putLast<T>(c + 64, a4, last);
}

function pass4<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32), a3 = v128.load(from, 48);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
    a3 = madd<T>(av, v128.load(bp, 48), a3);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  v128.store(c, a2, 32);
  putLast<T>(c + 48, a3, last);
}

function pass3<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16), a2 = v128.load(from, 32);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
    a2 = madd<T>(av, v128.load(bp, 32), a2);
  }
  v128.store(c, a0, 0);
  v128.store(c, a1, 16);
  putLast<T>(c + 32, a2, last);
}

function pass2<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0), a1 = v128.load(from, 16);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
    a1 = madd<T>(av, v128.load(bp, 16), a1);
  }
  v128.store(c, a0, 0);
  putLast<T>(c + 16, a1, last);
}

function pass1<T>(offs: usize, vals: usize, start: i32, end: i32, b: usize, c: usize, acc: i32, last: i32): void {
  const from = acc ? c : ZEROS;
  let a0 = v128.load(from, 0);
  for (let q = start; q < end; q++) {
    const bp = b + <usize>load<i32>(offs + (<usize>q << 2));
    const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
    a0 = madd<T>(av, v128.load(bp, 0), a0);
  }
  putLast<T>(c + 0, a0, last);
}

/** One C row (n values at c) = the list's combination of B's rows, as few passes as possible. */
// @ts-ignore: decorator
@inline function rowPasses<T>(offs: usize, vals: usize, start: i32, end: i32, n: i32, b: usize, c: usize, acc: i32): void {
  const L = lanes<T>();
  const nv = (n + L - 1) / L;
  const tail = n - (nv - 1) * L;
  let j = 0;
  // 24 left is 12 + 12 (a float64 row of 100: 13 + 13 + 12 + 12, not 13 × 3 + 8 + 3), and 12 left one pass
  // (a float64 row of 50, a float32 row of 100: 13 + 12, not 13 + 8 + 4) — each pass reads the list again,
  // which costs as much as a few vectors of work per non-zero.
  for (; nv - j >= 13 && nv - j != 24; j += 13) pass13<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, j + 13 == nv ? tail : L);
  if (nv - j == 24) {
    pass12<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, L);
    j += 12;
  }
  if (nv - j == 12) {
    pass12<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, tail);
    j += 12;
  }
  if (nv - j >= 8) {
    pass8<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, j + 8 == nv ? tail : L);
    j += 8;
  }
  // 5 left (the book's 10 classes in float64) is one pass, not 4 + 1.
  if (nv - j == 5) {
    pass5<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, tail);
    j += 5;
  }
  if (nv - j >= 4) {
    pass4<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, j + 4 == nv ? tail : L);
    j += 4;
  }
  // At most 3 vectors are left: one pass.
  if (nv - j == 3) pass3<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, tail);
  else if (nv - j == 2) pass2<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, tail);
  else if (nv - j == 1) pass1<T>(offs, vals, start, end, b + <usize>(j << 4), c + <usize>(j << 4), acc, tail);
}

/** Bytes of scratch gemmNN needs for inner dimension k (one row's list). */
export function gemmNNScratch(k: i32, sz: i32): i32 {
  return ((k * 4 + 16 + 15) & ~15) + k * sz + 16;
}

/**
 * gemmNN takes B in blocks of at most this many bytes per byte of element size (32 KB of float32, 64 KB
 * of float64: ~80 rows of a 100-wide W): measured fastest here (bench: 100×100×4320, two threads,
 * interleaved runs), against 1.5× slower with B whole (Affine 4320→100's W is 1.7 MB in float32) and
 * slower again with blocks of 128 KB or more.
 */
const GEMM_NN_BLOCK_PER_BYTE = 8192;
/** Fewer rows per block than this: B is taken whole. */
const GEMM_NN_MIN_BLOCK_ROWS = 32;
/**
 * A B of at most this many bytes is taken whole: it stays in L2 across the rows of A, and blocks would
 * only list each row again and add passes — chapter 6's h·W (128×100×100 float64, B 80 KB: blocks of 81
 * and 19 rows before) took 89.7–90.8 µs against 92.3–95.2 µs, builds alternating (bench/ch06/kernels.ts
 * --micro --threads 1).
 */
const GEMM_NN_WHOLE_BYTES = 131072;

/**
 * C (m×n) = A (m×k) · B (k×n) [+ C]. Each row of A is listed (its non-zeros), then C's row is accumulated
 * in registers over the list: zero pixels cost nothing. B is taken in blocks of rows (GEMM_NN_BLOCK_PER_BYTE),
 * every row of A through one block before the next, so the block is read from L1/L2 rather than streamed
 * from further away once per row of A. Between blocks C's row is stored and loaded back, exactly: each C
 * value gets the same additions in the same order (p ascending) as without blocks.
 */
// @ts-ignore: decorator
@inline function gemmNN<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const offs = scratch;
  const vals = scratch + ((<usize>k * 4 + 16 + 15) & ~15);
  const rowB = n * <i32>sz;
  const rowA = <usize>k * sz;
  // Wide rows (dout·Wᵀ of Affine 4320→100: 17 KB each) get no blocks: a row pass then already walks B a
  // strip of 13 vectors at a time, and blocks of a row or two would only multiply the listing.
  let block = (GEMM_NN_BLOCK_PER_BYTE * <i32>sz) / max(1, rowB);
  if (block < GEMM_NN_MIN_BLOCK_ROWS || k * rowB <= GEMM_NN_WHOLE_BYTES) block = k;
  for (let p0 = 0; p0 < k; p0 += block) {
    const len = min(block, k - p0);
    const bBlock = b + <usize>p0 * <usize>rowB;
    const accBlock = p0 == 0 ? acc : 1;
    for (let i = 0; i < m; i++) {
      const count = compress<T>(a + <usize>i * rowA + <usize>p0 * sz, len, offs, vals, rowB);
      rowPasses<T>(offs, vals, 0, count, n, bBlock, c + <usize>i * <usize>rowB, accBlock);
    }
  }
}

/**
 * Rows [i0, i1) of C = Aᵀ · B [+ C] for a C small enough to stay in L1 (hᵀ·dout: 50×10): A's rows are
 * listed one after another and each non-zero adds its multiple of B's row to C's row in place — no
 * regrouping by column, which costs more than it saves when C is small. The same sums in the same
 * order (p ascending) as the regrouped path and the reference.
 */
// @ts-ignore: decorator
@inline function gemmTNInPlace<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const nv = (n + L - 1) / L;
  const tail = n - (nv - 1) * L;
  const rowC = n * <i32>sz;
  const len = i1 - i0;
  const cBase = c + <usize>i0 * <usize>rowC;
  const offs = scratch;
  const vals = scratch + ((<usize>len * 4 + 16 + 15) & ~15);
  if (!acc) memory.fill(cBase, 0, <usize>len * <usize>rowC);
  const lastAt = <usize>(nv - 1) << 4;
  for (let p = 0; p < k; p++) {
    const bRow = b + <usize>p * <usize>rowC;
    const count = compress<T>(a + (<usize>p * <usize>m + <usize>i0) * sz, len, offs, vals, rowC);
    for (let q = 0; q < count; q++) {
      const cp = cBase + <usize>load<i32>(offs + (<usize>q << 2));
      const av = splatFrom<T>(vals + (<usize>q << alignof<T>()));
      for (let v: usize = 0; v < lastAt; v += 16) v128.store(cp + v, madd<T>(av, v128.load(bRow + v), v128.load(cp + v)));
      putLast<T>(cp + lastAt, madd<T>(av, v128.load(bRow + lastAt), v128.load(cp + lastAt)), tail);
    }
  }
}

// ---- Kept rows: a matrix the caller promised not to change (a training batch, used by three products) ----
// Its rows' non-zeros are listed once, by the first product (x·W1), and read again by x·W1 after the
// update and by xᵀ·dout. Each row is listed in two segments, its columns [0, h) and [h, k) (h = k: one),
// each into its own slot: byte offsets into W1's rows (for the row passes), column indices (for xᵀ·dout's
// regrouping) and the values. The segments are what two threads own: with the helper thread, it lists
// and computes the first segment of every row — W1's rows [0, h) — and this thread the second, W1's rows
// [h, k), one row after the other (a row's second segment adds to what its first stored: the same sums in
// the same order as one pass). xᵀ·dout gives each thread the rows of dW1 of its own segment, and the
// update of W1 is split at the same row (see `owned` in context.ts), so that W1 and dW1 stay in the cache
// of the core that reads and writes them: with rows split the other way, each step moved W1 from one
// core's cache to the other's, and two threads were no faster than one.
//
// Layout at `cache`: segment 0's lists, segment 1's lists, then two counts per row.

// @ts-ignore: decorator
@inline function listSlot(len: i32, width: i32): i32 {
  return ((len + 4) * width + 15) & ~15;
}

/** Bytes of one segment's lists: `rows` slots of offsets, of column indices and of values. */
// @ts-ignore: decorator
@inline function segmentBytes(rows: i32, len: i32, sz: i32): i32 {
  return rows * (2 * listSlot(len, 4) + listSlot(len, sz));
}

/** Bytes of the lists of `rows` kept rows of `cols` values of `sz` bytes, in segments [0, h) and [h, cols). */
export function keptRowsBytes(rows: i32, cols: i32, h: i32, sz: i32): i32 {
  return segmentBytes(rows, h, sz) + segmentBytes(rows, cols - h, sz) + ((rows * 8 + 15) & ~15);
}

/**
 * Bytes of the block the two threads synchronise on: the next unclaimed row and a failure flag (one cache
 * line), then one done flag per row — each on its own 64-byte cache line, so that polling one row's flag
 * does not slow down the thread writing the next.
 */
export function keptSyncBytes(rows: i32): i32 {
  return 64 + rows * 64;
}

// @ts-ignore: decorator
@inline function doneFlag(sync: usize, r: i32): usize {
  return sync + 64 + (<usize>r << 6);
}

// The synchronisation of the two segments' threads. Only the shared-memory builds (the Node helper) have
// atomics; the others run both segments on one thread and never synchronise (sync = 0).
// @ts-ignore: decorator
@inline function syncLoad(p: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.load<i32>(p);
  return load<i32>(p);
}
// @ts-ignore: decorator
@inline function syncStore(p: usize, v: i32): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(p, v);
  else store<i32>(p, v);
}
// @ts-ignore: decorator
@inline function syncClaim(p: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(p, 1);
  const v = load<i32>(p);
  store<i32>(p, v + 1);
  return v;
}

/**
 * Segment `seg` of kept row r: listed into its slot (`build` 1: from the floats at a, r·k values a row;
 * `build` 2: from the image bytes gatherRows converted, row idx[r] of k bytes at a, divided by `div` — the
 * same entries in the same order with the same values, see compressBytes; `build` 0: the lists are read),
 * then, when `pass`, added to C's row r by the row passes (from C with `acc` 1, else from zero).
 */
// @ts-ignore: decorator
@inline function keptSegment<T>(seg: i32, r: i32, n: i32, k: i32, h: i32, a: usize, b: usize, c: usize, acc: i32, cache: usize, rows: i32, build: i32, idx: usize, div: i32, pass: bool): void {
  const sz = <i32>sizeof<T>();
  const p0 = seg ? h : 0;
  const len = seg ? k - h : h;
  const base = cache + (seg ? <usize>segmentBytes(rows, h, sz) : 0);
  const oSlot = <usize>listSlot(len, 4);
  const offs = base + <usize>r * oSlot;
  const cols = base + <usize>rows * oSlot + <usize>r * oSlot;
  const vals = base + 2 * <usize>rows * oSlot + <usize>r * <usize>listSlot(len, sz);
  const countAt = cache + <usize>segmentBytes(rows, h, sz) + <usize>segmentBytes(rows, k - h, sz) + ((<usize>r * 2 + <usize>seg) << 2);
  const rowB = n * sz;
  let count: i32;
  if (build == 2) {
    const image = a + <usize>load<u32>(idx + (<usize>r << 2)) * <usize>k;
    count = compressBytes<T>(image + <usize>p0, len, offs, vals, rowB, 1.0 / <f64>div, cols, p0);
    store<i32>(countAt, count);
  } else if (build) {
    count = compress<T>(a + (<usize>r * <usize>k + <usize>p0) * <usize>sz, len, offs, vals, rowB, cols, p0);
    store<i32>(countAt, count);
  } else count = load<i32>(countAt);
  if (pass) rowPasses<T>(offs, vals, 0, count, n, b, c + <usize>r * <usize>rowB, acc);
}

/**
 * C (m×n) = A·B [+ C] for the m kept rows of A (m×k, lists at `cache`): the first segment of its rows.
 * `flags` = acc | build << 1 (see keptSegment). With `sync` 0, every row in order; with a sync block (the
 * helper thread), it claims rows one at a time and marks each done, while keptSecond — on the other
 * thread — does the rows' second segments.
 */
// @ts-ignore: decorator
@inline function keptFirst<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void {
  const acc = flags & 1;
  const build = flags >> 1;
  if (!sync) {
    for (let r = 0; r < m; r++) keptSegment<T>(0, r, n, k, h, a, b, c, acc, cache, m, build, idx, div, true);
    return;
  }
  for (;;) {
    const r = syncClaim(sync);
    if (r >= m) return;
    keptSegment<T>(0, r, n, k, h, a, b, c, acc, cache, m, build, idx, div, true);
    syncStore(doneFlag(sync, r), 1);
  }
}

/**
 * The second segment of every kept row (the same arguments as keptFirst). With a sync block, each row's
 * second segment is listed, then waits for its first: a row not yet claimed is claimed and done here
 * (whichever thread computes it, the bits are the same), a row the other thread holds is waited for; a
 * failure flag set by the other thread (its task threw) traps here rather than waiting for ever.
 */
// @ts-ignore: decorator
@inline function keptSecond<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void {
  const acc = flags & 1;
  const build = flags >> 1;
  if (!sync) {
    for (let r = 0; r < m; r++) keptSegment<T>(1, r, n, k, h, a, b, c, 1, cache, m, build, idx, div, true);
    return;
  }
  // The second segments' lists first, all of them, while the other thread starts on the first segments.
  if (build) for (let r = 0; r < m; r++) keptSegment<T>(1, r, n, k, h, a, b, c, acc, cache, m, build, idx, div, false);
  for (let r = 0; r < m; r++) {
    let spins = 0;
    while (!syncLoad(doneFlag(sync, r))) {
      // Rarely (the other thread writes the claim counter once a row: reading it here at every turn
      // would take its cache line away each time): a failure, or a row nobody holds yet — the other thread
      // has not started, or is behind — claimed and done here. Rows ahead are left to it, whose cache
      // holds B's rows [0, h).
      if ((++spins & 255) != 0) continue;
      if (syncLoad(sync + 4)) unreachable();
      if (syncLoad(sync) <= r) {
        const j = syncClaim(sync);
        if (j < m) {
          keptSegment<T>(0, j, n, k, h, a, b, c, acc, cache, m, build, idx, div, true);
          syncStore(doneFlag(sync, j), 1);
        }
      }
    }
    keptSegment<T>(1, r, n, k, h, a, b, c, 1, cache, m, 0, idx, div, true);
  }
}

/** The first position in the sorted list [at, at + count) that is >= v. */
// @ts-ignore: decorator
@inline function lowerBound(at: usize, count: i32, v: i32): i32 {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<i32>(at + (<usize>mid << 2)) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes of scratch gemmTN needs for `len` output rows and inner dimension k. */
export function gemmTNScratch(len: i32, k: i32, sz: i32): i32 {
  const cap = k * len + 16;
  return 2 * (((cap * 4 + 15) & ~15) + ((cap * sz + 15) & ~15)) + 4 * (k + 4) * 4 + (len + 4) * 4;
}

/**
 * Rows [i0, i1) of C (m×n) = Aᵀ · B [+ C], with A k×m and B k×n (dW = xᵀ·dout). A's non-zeros in those
 * columns are listed row by row, regrouped by column (a counting sort), and then every C row is
 * accumulated in registers over its column's list — no load and store of C per non-zero, and rows
 * never touched (pixels empty in the whole batch) cost one pass over an empty list. Two threads take
 * disjoint row ranges and compute every row exactly as one thread would.
 */
// @ts-ignore: decorator
@inline function gemmTN<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32): void {
  const sz = <usize>sizeof<T>();
  if ((i1 - i0) * n * <i32>sz <= 16384) {
    gemmTNInPlace<T>(m, n, k, a, b, c, acc, scratch, i0, i1);
    return;
  }
  const len = i1 - i0;
  const cap = <usize>k * <usize>len + 16;
  const byRowCol = scratch;
  const byRowVal = byRowCol + ((cap * 4 + 15) & ~15);
  const rest = byRowVal + ((cap * sz + 15) & ~15);
  const rowIdx = rest;
  const rowVal = rowIdx + ((<usize>k + 4) << 2);
  const rowCount = rowVal + ((<usize>k + 4) << 2);
  // 1. A[p, i0:i1]'s non-zeros, row after row (column indices relative to i0).
  let total = 0;
  for (let p = 0; p < k; p++) {
    const count = compress<T>(a + (<usize>p * <usize>m + <usize>i0) * sz, len, byRowCol + (<usize>total << 2), byRowVal + <usize>total * sz, 1);
    store<u32>(rowIdx + (<usize>p << 2), <u32>(byRowCol + (<usize>total << 2)));
    store<u32>(rowVal + (<usize>p << 2), <u32>(byRowVal + <usize>total * sz));
    store<i32>(rowCount + (<usize>p << 2), count);
    total += count;
  }
  regroup<T>(n, k, b, c, acc, i0, i1, 0, rowIdx, rowVal, rowCount, total, rowCount + ((<usize>k + 4) << 2));
}

/**
 * Rows [i0, i1) of C = Aᵀ·B [+ C] from the lists of a kept matrix A (k×m: `k` rows listed in segments
 * [0, h) and [h, m)); [i0, i1) lies within one segment (the caller splits at h). Each row's entries in
 * [i0, i1) are found by binary search in its segment's list, then regrouped as in gemmTN.
 */
// @ts-ignore: decorator
@inline function keptTN<T>(m: i32, n: i32, k: i32, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32, cache: usize, h: i32): void {
  const sz = <i32>sizeof<T>();
  const seg = i0 >= h && h < m ? 1 : 0;
  const len = seg ? m - h : h;
  const base = cache + (seg ? <usize>segmentBytes(k, h, sz) : 0);
  const oSlot = <usize>listSlot(len, 4);
  const vSlot = <usize>listSlot(len, sz);
  const idxBase = base + <usize>k * oSlot;
  const valsBase = idxBase + <usize>k * oSlot;
  const counts = cache + <usize>segmentBytes(k, h, sz) + <usize>segmentBytes(k, m - h, sz);
  const rowIdx = scratch;
  const rowVal = rowIdx + ((<usize>k + 4) << 2);
  const rowCount = rowVal + ((<usize>k + 4) << 2);
  let total = 0;
  for (let p = 0; p < k; p++) {
    const idx = idxBase + <usize>p * oSlot;
    const count = load<i32>(counts + ((<usize>p * 2 + <usize>seg) << 2));
    const lo = lowerBound(idx, count, i0);
    const hi = lowerBound(idx, count, i1);
    store<u32>(rowIdx + (<usize>p << 2), <u32>(idx + (<usize>lo << 2)));
    store<u32>(rowVal + (<usize>p << 2), <u32>(valsBase + <usize>p * vSlot + <usize>lo * <usize>sz));
    store<i32>(rowCount + (<usize>p << 2), hi - lo);
    total += hi - lo;
  }
  regroup<T>(n, k, b, c, acc, i0, i1, i0, rowIdx, rowVal, rowCount, total, rowCount + ((<usize>k + 4) << 2));
}

/** Bytes of scratch keptTN needs for `len` rows of C. */
export function keptTNScratch(len: i32, k: i32, sz: i32): i32 {
  const cap = k * len + 16;
  return 3 * (k + 4) * 4 + ((cap * 4 + 15) & ~15) + ((cap * sz + 15) & ~15) + (len + 4) * 4;
}

/**
 * gemmTN's steps 2–4 on per-row lists (rowIdx[p], rowVal[p]: addresses of row p's column indices and
 * values; rowCount[p] entries; column = index - base, in [0, i1 - i0)): regroup by column with a counting
 * sort, then accumulate each C row in registers.
 */
// @ts-ignore: decorator
@inline function regroup<T>(n: i32, k: i32, b: usize, c: usize, acc: i32, i0: i32, i1: i32, base: i32, rowIdx: usize, rowVal: usize, rowCount: usize, total: i32, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const len = i1 - i0;
  const cap = <usize>total + 16;
  const byColOff = scratch;
  const byColVal = byColOff + ((cap * 4 + 15) & ~15);
  const next = byColVal + ((cap * sz + 15) & ~15);
  // 2. Counting sort by column: next[i + 1] counts column i, then prefix sums give each column's start.
  memory.fill(next, 0, (<usize>len + 1) << 2);
  for (let p = 0; p < k; p++) {
    const idx = <usize>load<u32>(rowIdx + (<usize>p << 2));
    const count = load<i32>(rowCount + (<usize>p << 2));
    for (let q = 0; q < count; q++) {
      const at = next + ((<usize>(load<i32>(idx + (<usize>q << 2)) - base) + 1) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
  }
  for (let i = 0; i < len; i++) {
    const at = next + ((<usize>i + 1) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  // 3. Scatter: rows in increasing order, so each column's list is in row order (the sum's order).
  const rowB = n * <i32>sz;
  for (let p = 0; p < k; p++) {
    const idx = <usize>load<u32>(rowIdx + (<usize>p << 2));
    const val = <usize>load<u32>(rowVal + (<usize>p << 2));
    const count = load<i32>(rowCount + (<usize>p << 2));
    const off = p * rowB;
    for (let q = 0; q < count; q++) {
      const at = next + (<usize>(load<i32>(idx + (<usize>q << 2)) - base) << 2);
      const pos = load<i32>(at);
      store<i32>(at, pos + 1);
      store<i32>(byColOff + (<usize>pos << 2), off);
      store<T>(byColVal + <usize>pos * sz, load<T>(val + <usize>q * sz));
    }
  }
  // 4. next[i] is now the end of column i's list (and the start of column i + 1's).
  let start = 0;
  for (let i = 0; i < len; i++) {
    const end = load<i32>(next + (<usize>i << 2));
    rowPasses<T>(byColOff, byColVal, start, end, n, b, c + <usize>(i0 + i) * <usize>rowB, acc);
    start = end;
  }
}

// ---- The register-blocked product (dense operands) ------------------------------------------------
// A tile of C — MR ≤ 3 rows × NR ≤ 3 vectors — is held in registers through the whole sum over p (9
// accumulators + 3 of B + 1 of A + 1 temporary fill V8's 15 vector registers): per p, NR loads of B's row,
// MR broadcasts of A, MR·NR multiply-adds. Each C value starts at C (acc = 1) or at zero and adds its
// products for p = 0, 1, … in order, as the reference does: the same bits in float64 as the row passes
// and the TypeScript gemm; float32 with the relaxed build fuses them (madd). No zero of A is skipped,
// so it is for dense operands (a layer's activations, not MNIST's pixels). A(i, p) is at a + i·ai + p·ap:
// A·B reads rows of A (ai = k·sz, ap = sz), Aᵀ·B columns of the k×m A (ai = sz: the MR values of one p
// are adjacent, broadcast at constant offsets). The last vector of a C row may be partial (`last` lanes):
// it reads past the row and stores only its lanes, as the row passes do.

// @ts-ignore: decorator
@inline function tile<T>(MR: i32, NR: i32, TA: bool, k: i32, a: usize, ai: usize, ap: usize, b: usize, ldb: usize, c: usize, ldc: usize, acc: i32, last: i32): void {
  const z = v128.splat<i32>(0);
  const from = acc ? c : ZEROS;
  const step = acc ? ldc : 0;
  const f1 = from + step, f2 = from + 2 * step;
  let r00 = v128.load(from), r01 = NR > 1 ? v128.load(from, 16) : z, r02 = NR > 2 ? v128.load(from, 32) : z;
  let r10 = MR > 1 ? v128.load(f1) : z, r11 = MR > 1 && NR > 1 ? v128.load(f1, 16) : z, r12 = MR > 1 && NR > 2 ? v128.load(f1, 32) : z;
  let r20 = MR > 2 ? v128.load(f2) : z, r21 = MR > 2 && NR > 1 ? v128.load(f2, 16) : z, r22 = MR > 2 && NR > 2 ? v128.load(f2, 32) : z;
  let pa = a, pb = b;
  const a1 = a + ai, a2 = a + 2 * ai;
  let pa1 = a1, pa2 = a2;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = NR > 1 ? v128.load(pb, 16) : z;
    const b2 = NR > 2 ? v128.load(pb, 32) : z;
    let s = splatAt0<T>(pa);
    r00 = madd<T>(s, b0, r00);
    if (NR > 1) r01 = madd<T>(s, b1, r01);
    if (NR > 2) r02 = madd<T>(s, b2, r02);
    if (MR > 1) {
      s = TA ? splatAt1<T>(pa) : splatAt0<T>(pa1);
      r10 = madd<T>(s, b0, r10);
      if (NR > 1) r11 = madd<T>(s, b1, r11);
      if (NR > 2) r12 = madd<T>(s, b2, r12);
    }
    if (MR > 2) {
      s = TA ? splatAt2<T>(pa) : splatAt0<T>(pa2);
      r20 = madd<T>(s, b0, r20);
      if (NR > 1) r21 = madd<T>(s, b1, r21);
      if (NR > 2) r22 = madd<T>(s, b2, r22);
    }
    pa += ap;
    if (!TA) {
      pa1 += ap;
      pa2 += ap;
    }
    pb += ldb;
  }
  // The tile's last vector is partial only when it ends C's row (last < lanes).
  const c1 = c + ldc, c2 = c + 2 * ldc;
  if (NR == 1) putLast<T>(c, r00, last);
  else v128.store(c, r00);
  if (NR == 2) putLast<T>(c + 16, r01, last);
  else if (NR > 2) v128.store(c, r01, 16);
  if (NR == 3) putLast<T>(c + 32, r02, last);
  if (MR > 1) {
    if (NR == 1) putLast<T>(c1, r10, last);
    else v128.store(c1, r10);
    if (NR == 2) putLast<T>(c1 + 16, r11, last);
    else if (NR > 2) v128.store(c1, r11, 16);
    if (NR == 3) putLast<T>(c1 + 32, r12, last);
  }
  if (MR > 2) {
    if (NR == 1) putLast<T>(c2, r20, last);
    else v128.store(c2, r20);
    if (NR == 2) putLast<T>(c2 + 16, r21, last);
    else if (NR > 2) v128.store(c2, r21, 16);
    if (NR == 3) putLast<T>(c2 + 32, r22, last);
  }
}

/** Tiles of MR rows at C row i (A(i, ·) at a) over C's vectors [jv0, jv1): 3 at a time, then 2 or 1. */
// @ts-ignore: decorator
@inline function tileRow<T>(MR: i32, TA: bool, jv0: i32, jv1: i32, nv: i32, tail: i32, ld: usize, k: i32, a: usize, ai: usize, ap: usize, b: usize, c: usize, acc: i32): void {
  const L = lanes<T>();
  let j = jv0;
  for (; j + 3 <= jv1; j += 3) tile<T>(MR, 3, TA, k, a, ai, ap, b + (<usize>j << 4), ld, c + (<usize>j << 4), ld, acc, j + 3 == nv ? tail : L);
  if (jv1 - j == 2) tile<T>(MR, 2, TA, k, a, ai, ap, b + (<usize>j << 4), ld, c + (<usize>j << 4), ld, acc, j + 2 == nv ? tail : L);
  else if (jv1 - j == 1) tile<T>(MR, 1, TA, k, a, ai, ap, b + (<usize>j << 4), ld, c + (<usize>j << 4), ld, acc, j + 1 == nv ? tail : L);
}

/** B is taken in blocks of GEMM_BLOCK_P rows × GEMM_BLOCK_V vectors (24 KB: in L1) that every row of C passes through. */
const GEMM_BLOCK_P = 128;
const GEMM_BLOCK_V = 12;

/**
 * Rows [i0, i1) of C (m×n) = op(A) · B [+ C]: A m×k, or with TA the k×m A transposed; B k×n. B is walked
 * in blocks (GEMM_BLOCK_P × GEMM_BLOCK_V) so that it is read from L1 rather than streamed once per tile
 * (Affine 4320→100's W is 3.5 MB in float64); between blocks of p a tile is stored and loaded back, so
 * each C value still gets its additions in order (p ascending).
 */
// @ts-ignore: decorator
@inline function gemmBlocked<T>(TA: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, i0: i32, i1: i32): void {
  const sz = <usize>sizeof<T>();
  const L = lanes<T>();
  const nv = (n + L - 1) / L;
  const tail = n - (nv - 1) * L;
  const ai = TA ? sz : <usize>k * sz;
  const ap = TA ? <usize>m * sz : sz;
  const ld = <usize>n * sz;
  for (let jv0 = 0; jv0 < nv; jv0 += GEMM_BLOCK_V) {
    const jv1 = min(nv, jv0 + GEMM_BLOCK_V);
    for (let p0 = 0; p0 < k; p0 += GEMM_BLOCK_P) {
      const kl = min(GEMM_BLOCK_P, k - p0);
      const accBlock = p0 == 0 ? acc : 1;
      const ab = a + <usize>p0 * ap, bb = b + <usize>p0 * ld;
      let i = i0;
      for (; i + 3 <= i1; i += 3) tileRow<T>(3, TA, jv0, jv1, nv, tail, ld, kl, ab + <usize>i * ai, ai, ap, bb, c + <usize>i * ld, accBlock);
      if (i1 - i == 2) tileRow<T>(2, TA, jv0, jv1, nv, tail, ld, kl, ab + <usize>i * ai, ai, ap, bb, c + <usize>i * ld, accBlock);
      else if (i1 - i == 1) tileRow<T>(1, TA, jv0, jv1, nv, tail, ld, kl, ab + <usize>i * ai, ai, ap, bb, c + <usize>i * ld, accBlock);
    }
  }
}

/** The number of values of x[0, len) that are not zero (NaN counts): whether a product's A is dense. */
// @ts-ignore: decorator
@inline function nonZeros<T>(len: i32, x: usize): i32 {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const z = v128.splat<T>(0);
  let count = v128.splat<i32>(0);
  let i = 0;
  // Each lane of the compare is all ones where x == 0: as i32 lanes, -1 once per float32 zero and twice
  // per float64 zero. Subtracting counts them.
  for (; i + L <= len; i += L) count = i32x4.sub(count, v128.eq<T>(v128.load(x + <usize>i * sz), z));
  let zeros = (i32x4.extract_lane(count, 0) + i32x4.extract_lane(count, 1) + i32x4.extract_lane(count, 2) + i32x4.extract_lane(count, 3)) / (<i32>sz / 4);
  for (; i < len; i++) zeros += <i32>(load<T>(x + <usize>i * sz) == 0);
  return len - zeros;
}

export function gemmBlocked_f32(transA: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, i0: i32, i1: i32): void {
  if (transA) gemmBlocked<f32>(true, m, n, k, a, b, c, acc, i0, i1);
  else gemmBlocked<f32>(false, m, n, k, a, b, c, acc, i0, i1);
}
export function gemmBlocked_f64(transA: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, i0: i32, i1: i32): void {
  if (transA) gemmBlocked<f64>(true, m, n, k, a, b, c, acc, i0, i1);
  else gemmBlocked<f64>(false, m, n, k, a, b, c, acc, i0, i1);
}
export function nonZeros_f32(len: i32, x: usize): i32 { return nonZeros<f32>(len, x); }
export function nonZeros_f64(len: i32, x: usize): i32 { return nonZeros<f64>(len, x); }

// ---- A·Bᵀ from packed panels of B: the row passes' 1×13 tile over strips of C ----------------------

/** Bytes of a panel row: the 13 vectors a row pass holds in registers (26 float64 or 52 float32 columns). */
const PANEL_ROW = 13 * 16;
/** Rows of A listed at a time (its lists' scratch stays small for a tall A; B's panels are packed again per group). */
const PANEL_ROWS = 256;

/** Bytes of scratch gemmPanels needs for A (m×k): the lists of non-zeros of up to PANEL_ROWS rows, their counts, one panel. */
export function gemmPanelsScratch(m: i32, k: i32, sz: i32): i32 {
  const rows = min(m, PANEL_ROWS);
  return rows * (listSlot(k, 4) + listSlot(k, sz)) + ((rows * 4 + 15) & ~15) + k * PANEL_ROW + 16;
}

/**
 * Columns [j0, j1) of C (m×n) = A · Bᵀ [+ C] with A m×k and B n×k, as the row passes do A·B: A's rows are
 * listed (their non-zeros, as byte offsets into a panel's rows, up to PANEL_ROWS rows at a time); then, strip
 * by strip of C's columns (13 vectors wide), B's rows of the strip are packed transposed into a k × 13-vector
 * panel — which stays in L1 while every listed row of A passes over it — and each C row's strip is one row
 * pass. Each C value adds A(i, p)·B(j, p) over A's non-zeros, p ascending, from zero (or from C with `acc`):
 * without `acc` the reference's dot product to the bit in float64, zero products skipped (exact while B is
 * finite, which the caller checks). Nothing the size of Bᵀ is written (the path before transposed B whole
 * each call: 3.4 MB for SimpleConvNet's Affine 4320→100 in float64, then streamed it once per row of A).
 */
// @ts-ignore: decorator
@inline function gemmPanels<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, j0: i32, j1: i32): void {
  const sz = <usize>sizeof<T>();
  const W = PANEL_ROW / <i32>sz;
  const rows = min(m, PANEL_ROWS);
  const oSlot = <usize>listSlot(k, 4);
  const vSlot = <usize>listSlot(k, <i32>sz);
  const vals = scratch + <usize>rows * oSlot;
  const counts = vals + <usize>rows * vSlot;
  const panel = counts + <usize>((rows * 4 + 15) & ~15);
  const rowA = <usize>k * sz;
  const ldc = <usize>n * sz;
  for (let i0 = 0; i0 < m; i0 += rows) {
    const i1 = min(m, i0 + rows);
    for (let i = i0; i < i1; i++) {
      const r = <usize>(i - i0);
      store<i32>(counts + (r << 2), compress<T>(a + <usize>i * rowA, k, scratch + r * oSlot, vals + r * vSlot, PANEL_ROW));
    }
    for (let s0 = j0; s0 < j1; s0 += W) {
      const w = min(W, j1 - s0);
      // The panel: P(p, jj) = B(s0 + jj, p), row p at p · PANEL_ROW.
      for (let jj = 0; jj < w; jj++) {
        const src = b + <usize>(s0 + jj) * rowA;
        const dst = panel + <usize>jj * sz;
        for (let p = 0; p < k; p++) store<T>(dst + <usize>p * PANEL_ROW, load<T>(src + <usize>p * sz));
      }
      for (let i = i0; i < i1; i++) {
        const r = <usize>(i - i0);
        rowPasses<T>(scratch + r * oSlot, vals + r * vSlot, 0, load<i32>(counts + (r << 2)), w, panel, c + <usize>i * ldc + <usize>s0 * sz, acc);
      }
    }
  }
}

export function gemmPanels_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, j0: i32, j1: i32): void { gemmPanels<f32>(m, n, k, a, b, c, acc, scratch, j0, j1); }
export function gemmPanels_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, j0: i32, j1: i32): void { gemmPanels<f64>(m, n, k, a, b, c, acc, scratch, j0, j1); }

export function allFinite_f32(len: i32, x: usize): i32 { return allFinite<f32>(len, x); }
export function allFinite_f64(len: i32, x: usize): i32 { return allFinite<f64>(len, x); }
/** allFinite stored at `out` (the helper thread's half of a check: its tasks return nothing). */
export function allFiniteTo_f32(len: i32, x: usize, out: usize): void { store<i32>(out, allFinite<f32>(len, x)); }
export function allFiniteTo_f64(len: i32, x: usize, out: usize): void { store<i32>(out, allFinite<f64>(len, x)); }

/** y += alpha · x (the SGD update). */
// @ts-ignore: decorator
@inline function axpy<T>(len: i32, alpha: T, x: usize, y: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const av = v128.splat<T>(alpha);
  let i = 0;
  for (; i + L <= len; i += L) {
    const off = <usize>i * sz;
    v128.store(y + off, v128.add<T>(v128.load(y + off), v128.mul<T>(av, v128.load(x + off))));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    store<T>(y + off, load<T>(y + off) + alpha * load<T>(x + off));
  }
}

export function gemmNN_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void { gemmNN<f32>(m, n, k, a, b, c, acc, scratch); }
export function gemmNN_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void { gemmNN<f64>(m, n, k, a, b, c, acc, scratch); }
export function gemmTN_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32): void { gemmTN<f32>(m, n, k, a, b, c, acc, scratch, i0, i1); }
export function gemmTN_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32): void { gemmTN<f64>(m, n, k, a, b, c, acc, scratch, i0, i1); }
export function keptFirst_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void { keptFirst<f32>(m, n, k, a, b, c, flags, cache, idx, div, h, sync); }
export function keptFirst_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void { keptFirst<f64>(m, n, k, a, b, c, flags, cache, idx, div, h, sync); }
export function keptSecond_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void { keptSecond<f32>(m, n, k, a, b, c, flags, cache, idx, div, h, sync); }
export function keptSecond_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, flags: i32, cache: usize, idx: usize, div: i32, h: i32, sync: usize): void { keptSecond<f64>(m, n, k, a, b, c, flags, cache, idx, div, h, sync); }
export function keptTN_f32(m: i32, n: i32, k: i32, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32, cache: usize, h: i32): void { keptTN<f32>(m, n, k, b, c, acc, scratch, i0, i1, cache, h); }
export function keptTN_f64(m: i32, n: i32, k: i32, b: usize, c: usize, acc: i32, scratch: usize, i0: i32, i1: i32, cache: usize, h: i32): void { keptTN<f64>(m, n, k, b, c, acc, scratch, i0, i1, cache, h); }
export function axpy_f32(len: i32, alpha: f32, x: usize, y: usize): void { axpy<f32>(len, alpha, x, y); }
export function axpy_f64(len: i32, alpha: f64, x: usize, y: usize): void { axpy<f64>(len, alpha, x, y); }

// ---- The sigmoid (src/kernels/elementwise.ts: sigmoid) ----------------------------------------------
// e^x for x <= 0 (the sigmoid needs no other): x = n·ln2 + r with n = nearest(x·log2 e), |r| <= ln2/2
// (Cody–Waite: ln2 in two parts, n·LN2_HI exact), e^r by its Taylor polynomial to r^13 (truncation
// < 1e-17 relative), times 2^n built in the exponent bits — in two steps below 2^-1000, so that a
// subnormal result is rounded once. x is clamped at -746 (e^-746 rounds to 0), which keeps r finite for
// -Infinity; NaN passes through the clamp. Within ~1 ulp of Math.exp (test/wasm-kernels.test.ts).
const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const EXP_FLOOR: f64 = -746.0;
// 1.5·2^52: adding it leaves a small integer n in the low mantissa bits.
const ROUND_BITS: f64 = 6755399441055744.0;
const TWO_M1000: f64 = 9.332636185032189e-302; // 2^-1000

// @ts-ignore: decorator
@inline function expPolyV(r: v128): v128 {
  let p = f64x2.splat(1.6059043836821613e-10);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.08767569878681e-9));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.505210838544172e-8));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.755731922398589e-7));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.7557319223985893e-6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(2.48015873015873e-5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.984126984126984e-4));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.388888888888889e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(8.333333333333333e-3));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(4.1666666666666664e-2));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.6666666666666666e-1));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  return f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
}

/** e^x for x <= 0 (or NaN), two lanes. */
// @ts-ignore: decorator
@inline function expNonPositiveV(x: v128): v128 {
  x = f64x2.max(x, f64x2.splat(EXP_FLOOR));
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI))), f64x2.mul(n, f64x2.splat(LN2_LO)));
  const p = expPolyV(r);
  const low = f64x2.lt(n, f64x2.splat(-1000));
  const k = v128.bitselect(f64x2.add(n, f64x2.splat(1000)), n, low);
  const scale = i64x2.shl(f64x2.add(k, f64x2.splat(ROUND_BITS + 1023)), 52);
  const e = f64x2.mul(p, scale);
  return v128.bitselect(f64x2.mul(e, f64x2.splat(TWO_M1000)), e, low);
}

/** The sigmoid of two lanes, as the reference: 1 / (1 + e^-v) for v >= 0, e^v / (1 + e^v) otherwise. */
// @ts-ignore: decorator
@inline function sigmoidV(v: v128): v128 {
  const e = expNonPositiveV(f64x2.neg(f64x2.abs(v)));
  const num = v128.bitselect(f64x2.splat(1), e, f64x2.ge(v, f64x2.splat(0)));
  return f64x2.div(num, f64x2.add(f64x2.splat(1), e));
}

/** The sigmoid of one value: sigmoidV's lane 0, so a tail element gets the bits it would get in a vector. */
// @ts-ignore: decorator
@inline function sigmoidScalar(v: f64): f64 {
  return f64x2.extract_lane(sigmoidV(f64x2.splat(v)), 0);
}

/** out = sigmoid(x), two elements at a time (float32 data computed in float64 and rounded, as the reference). */
// @ts-ignore: decorator
@inline function sigmoid<T>(len: i32, x: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  let i = 0;
  if (sizeof<T>() == 8) {
    // Four vectors an iteration: four independent chains for the CPU to overlap.
    for (; i + 8 <= len; i += 8) {
      const at = <usize>i * sz;
      const y0 = sigmoidV(v128.load(x + at));
      const y1 = sigmoidV(v128.load(x + at, 16));
      const y2 = sigmoidV(v128.load(x + at, 32));
      const y3 = sigmoidV(v128.load(x + at, 48));
      v128.store(out + at, y0);
      v128.store(out + at, y1, 16);
      v128.store(out + at, y2, 32);
      v128.store(out + at, y3, 48);
    }
  }
  for (; i + 2 <= len; i += 2) {
    const at = <usize>i * sz;
    if (sizeof<T>() == 8) v128.store(out + at, sigmoidV(v128.load(x + at)));
    else v128.store64_lane(out + at, f32x4.demote_f64x2_zero(sigmoidV(f64x2.promote_low_f32x4(v128.load64_zero(x + at)))), 0);
  }
  for (; i < len; i++) store<T>(out + <usize>i * sz, <T>sigmoidScalar(<f64>load<T>(x + <usize>i * sz)));
}

export function sigmoid_f32(len: i32, x: usize, out: usize): void { sigmoid<f32>(len, x, out); }
export function sigmoid_f64(len: i32, x: usize, out: usize): void { sigmoid<f64>(len, x, out); }

/** Lane masks (all ones where x <= 0) of 4 elements at x, as i32 lanes: the ReLU test, 4 at a time. */
// @ts-ignore: decorator
@inline function lessEqualZero4<T>(x: usize): v128 {
  if (sizeof<T>() == 4) return f32x4.le(v128.load(x), f32x4.splat(0));
  const m0 = f64x2.le(v128.load(x), f64x2.splat(0));
  const m1 = f64x2.le(v128.load(x, 16), f64x2.splat(0));
  return i32x4.shuffle(m0, m1, 0, 2, 4, 6);
}

/** Stores x with the lanes of the i32 mask m (4 elements) cleared: x where m is 0, else +0. */
// @ts-ignore: decorator
@inline function clear4<T>(x: usize, m: v128, out: usize): void {
  if (sizeof<T>() == 4) v128.store(out, v128.andnot(v128.load(x), m));
  else {
    v128.store(out, v128.andnot(v128.load(x), i64x2.extend_low_i32x4_s(m)));
    v128.store(out, v128.andnot(v128.load(x, 16), i64x2.extend_high_i32x4_s(m)), 16);
  }
}

/**
 * ReLU forward, as the book's Relu: mask = x <= 0 (1/0 bytes), out = x where not masked, else 0 (NaN
 * stays NaN, -0 becomes 0). 16 elements at a time: compares give lane masks, which clear the output
 * lanes and narrow to the mask bytes.
 */
// @ts-ignore: decorator
@inline function reluForward<T>(len: i32, x: usize, out: usize, mask: usize): void {
  const sz = <usize>sizeof<T>();
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const at = <usize>i * sz;
    const step = 4 * sz;
    const m0 = lessEqualZero4<T>(x + at);
    const m1 = lessEqualZero4<T>(x + at + step);
    const m2 = lessEqualZero4<T>(x + at + 2 * step);
    const m3 = lessEqualZero4<T>(x + at + 3 * step);
    clear4<T>(x + at, m0, out + at);
    clear4<T>(x + at + step, m1, out + at + step);
    clear4<T>(x + at + 2 * step, m2, out + at + 2 * step);
    clear4<T>(x + at + 3 * step, m3, out + at + 3 * step);
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
    v128.store(mask + <usize>i, v128.and(bytes, i8x16.splat(1)));
  }
  for (; i < len; i++) {
    const v = load<T>(x + <usize>i * sz);
    const m = v <= 0;
    store<u8>(mask + <usize>i, <u8>m);
    store<T>(out + <usize>i * sz, select<T>(0, v, m));
  }
}

/** ReLU backward: dx = mask ? 0 : dout (dout is only read), 16 elements at a time. */
// @ts-ignore: decorator
@inline function reluBackward<T>(len: i32, dout: usize, mask: usize, dx: usize): void {
  const sz = <usize>sizeof<T>();
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const at = <usize>i * sz;
    const step = 4 * sz;
    const m = i8x16.ne(v128.load(mask + <usize>i), i8x16.splat(0));
    const lo = i16x8.extend_low_i8x16_s(m);
    const hi = i16x8.extend_high_i8x16_s(m);
    clear4<T>(dout + at, i32x4.extend_low_i16x8_s(lo), dx + at);
    clear4<T>(dout + at + step, i32x4.extend_high_i16x8_s(lo), dx + at + step);
    clear4<T>(dout + at + 2 * step, i32x4.extend_low_i16x8_s(hi), dx + at + 2 * step);
    clear4<T>(dout + at + 3 * step, i32x4.extend_high_i16x8_s(hi), dx + at + 3 * step);
  }
  for (; i < len; i++) {
    store<T>(dx + <usize>i * sz, select<T>(0, load<T>(dout + <usize>i * sz), load<u8>(mask + <usize>i) != 0));
  }
}

/** out[i, j] = x[i, j] + bias[j] (out may be x). */
// @ts-ignore: decorator
@inline function addRowVector<T>(m: i32, n: i32, x: usize, bias: usize, out: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  for (let i = 0; i < m; i++) {
    const row = <usize>i * <usize>n * sz;
    let j = 0;
    for (; j + L <= n; j += L) {
      const off = <usize>j * sz;
      v128.store(out + row + off, v128.add<T>(v128.load(x + row + off), v128.load(bias + off)));
    }
    for (; j < n; j++) {
      const off = <usize>j * sz;
      store<T>(out + row + off, load<T>(x + row + off) + load<T>(bias + off));
    }
  }
}

/** out[j] = Σ_i x[i, j] (Affine's db). */
// @ts-ignore: decorator
@inline function sumRows<T>(m: i32, n: i32, x: usize, out: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  memory.fill(out, 0, <usize>n * sz);
  for (let i = 0; i < m; i++) {
    const row = x + <usize>i * <usize>n * sz;
    let j = 0;
    for (; j + L <= n; j += L) {
      const off = <usize>j * sz;
      v128.store(out + off, v128.add<T>(v128.load(out + off), v128.load(row + off)));
    }
    for (; j < n; j++) {
      const off = <usize>j * sz;
      store<T>(out + off, load<T>(out + off) + load<T>(row + off));
    }
  }
}

/** dst (cols×rows) = the transpose of src (rows×cols). */
// @ts-ignore: decorator
@inline function transpose<T>(rows: i32, cols: i32, src: usize, dst: usize): void {
  const sz = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<T>(dst + (<usize>c * <usize>rows + <usize>r) * sz, load<T>(src + (<usize>r * <usize>cols + <usize>c) * sz));
  }
}

export function reluForward_f32(len: i32, x: usize, out: usize, mask: usize): void { reluForward<f32>(len, x, out, mask); }
export function reluForward_f64(len: i32, x: usize, out: usize, mask: usize): void { reluForward<f64>(len, x, out, mask); }
export function reluBackward_f32(len: i32, dout: usize, mask: usize, dx: usize): void { reluBackward<f32>(len, dout, mask, dx); }
export function reluBackward_f64(len: i32, dout: usize, mask: usize, dx: usize): void { reluBackward<f64>(len, dout, mask, dx); }
export function addRowVector_f32(m: i32, n: i32, x: usize, bias: usize, out: usize): void { addRowVector<f32>(m, n, x, bias, out); }
export function addRowVector_f64(m: i32, n: i32, x: usize, bias: usize, out: usize): void { addRowVector<f64>(m, n, x, bias, out); }
export function sumRows_f32(m: i32, n: i32, x: usize, out: usize): void { sumRows<f32>(m, n, x, out); }
export function sumRows_f64(m: i32, n: i32, x: usize, out: usize): void { sumRows<f64>(m, n, x, out); }
export function transpose_f32(rows: i32, cols: i32, src: usize, dst: usize): void { transpose<f32>(rows, cols, src, dst); }
export function transpose_f64(rows: i32, cols: i32, src: usize, dst: usize): void { transpose<f64>(rows, cols, src, dst); }

/**
 * Four bytes (as i32x4) times an f64 scale (splat in `sv`), each product rounded once to f32: what the
 * TypeScript kernel stores (`src[i] * scale` in f64 into a Float32Array) — an f32 multiply by f32(scale)
 * would be an ulp off for some pixels (51 · (1/255) → 0.20000001788 instead of 0.20000000298).
 */
// @ts-ignore: decorator
@inline function bytesToF32x4(w: v128, sv: v128): v128 {
  const a = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_u(w), sv));
  const b = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(w, w, 2, 3, 0, 1)), sv));
  return i32x4.shuffle(a, b, 0, 1, 4, 5);
}

/** dst[i] = src[i] * scale (in f64, rounded once to f32, as the TypeScript kernel): bytes (pixels) to floats, 16 at a time. */
// @ts-ignore: decorator
@inline function toFloat32(len: i32, src: usize, dst: usize, scale: f64): void {
  const sv = f64x2.splat(scale);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const b = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    const d = dst + (<usize>i << 2);
    v128.store(d, bytesToF32x4(i32x4.extend_low_i16x8_u(lo), sv));
    v128.store(d, bytesToF32x4(i32x4.extend_high_i16x8_u(lo), sv), 16);
    v128.store(d, bytesToF32x4(i32x4.extend_low_i16x8_u(hi), sv), 32);
    v128.store(d, bytesToF32x4(i32x4.extend_high_i16x8_u(hi), sv), 48);
  }
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), <f32>(<f64>load<u8>(src + <usize>i) * scale));
}

// @ts-ignore: decorator
@inline function toFloat64(len: i32, src: usize, dst: usize, scale: f64): void {
  const sv = f64x2.splat(scale);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src + <usize>i)));
    const d = dst + (<usize>i << 3);
    v128.store(d, f64x2.mul(f64x2.convert_low_i32x4_u(w), sv));
    v128.store(d, f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(w, w, 2, 3, 0, 1)), sv), 16);
  }
  for (; i < len; i++) store<f64>(dst + (<usize>i << 3), <f64>load<u8>(src + <usize>i) * scale);
}

export function bytesToFloat_f32(len: i32, src: usize, dst: usize, scale: f64): void { toFloat32(len, src, dst, scale); }
export function bytesToFloat_f64(len: i32, src: usize, dst: usize, scale: f64): void { toFloat64(len, src, dst, scale); }

/**
 * Touches every 64-byte line of the `count` source rows first — independent loads the CPU overlaps, where
 * converting row after row would wait for each row's first miss in turn (batches are random rows of a
 * 47 MB set, so they come from DRAM). Returns a value that depends on the loads so they are kept.
 */
// @ts-ignore: decorator
@inline function touchRows(count: i32, rowLen: i32, src: usize, idx: usize): i32 {
  let sink = 0;
  for (let r = 0; r < count; r++) {
    const row = src + <usize>load<u32>(idx + (<usize>r << 2)) * <usize>rowLen;
    for (let j = 0; j < rowLen; j += 64) sink |= load<u8>(row + <usize>j);
  }
  return sink;
}

/**
 * Row r of dst (rowLen floats) = row idx[r] of src (bytes) / div, for `count` rows: a batch of images.
 * `div` is 255 (pixels scaled to [0, 1]) or 1; the values are bytesToFloat's with scale 1/div.
 */
export function gatherRows_f32(count: i32, rowLen: i32, src: usize, idx: usize, dst: usize, div: i32): i32 {
  const sink = touchRows(count, rowLen, src, idx);
  const scale = 1.0 / <f64>div;
  for (let r = 0; r < count; r++) {
    toFloat32(rowLen, src + <usize>load<u32>(idx + (<usize>r << 2)) * <usize>rowLen, dst + <usize>r * <usize>rowLen * 4, scale);
  }
  return sink;
}
export function gatherRows_f64(count: i32, rowLen: i32, src: usize, idx: usize, dst: usize, div: i32): i32 {
  const sink = touchRows(count, rowLen, src, idx);
  const scale = 1.0 / <f64>div;
  for (let r = 0; r < count; r++) {
    toFloat64(rowLen, src + <usize>load<u32>(idx + (<usize>r << 2)) * <usize>rowLen, dst + <usize>r * <usize>rowLen * 8, scale);
  }
  return sink;
}

/**
 * Softmax over each row of a rows×cols matrix, the max subtracted first (the book's overflow guard);
 * `out` may be `x`. Computed in f64 and rounded on store exactly as the TypeScript kernel does (exp of
 * x - max, the sum of the unrounded exps, then each stored value times 1/sum).
 */
// @ts-ignore: decorator
@inline function softmaxRows<T>(rows: i32, cols: i32, x: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>cols * sz;
    const or = out + <usize>r * <usize>cols * sz;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = <f64>load<T>(xr + <usize>j * sz);
      if (v > m) m = v;
    }
    let sum = 0.0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(<f64>load<T>(xr + <usize>j * sz) - m);
      store<T>(or + <usize>j * sz, <T>e);
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) store<T>(or + <usize>j * sz, <T>(<f64>load<T>(or + <usize>j * sz) * inv));
  }
}

export function softmaxRows_f32(rows: i32, cols: i32, x: usize, out: usize): void { softmaxRows<f32>(rows, cols, x, out); }
export function softmaxRows_f64(rows: i32, cols: i32, x: usize, out: usize): void { softmaxRows<f64>(rows, cols, x, out); }

// @ts-ignore: decorator
@inline function align16(bytes: i32): i32 {
  return (bytes + 15) & ~15;
}

/** Bytes of scratch predictTwoLayer needs (a list of non-zeros, one hidden and one score row). */
export function predictScratch(pixels: i32, hidden: i32, classes: i32, sz: i32): i32 {
  const inner = pixels > hidden ? pixels : hidden;
  return align16(gemmNNScratch(inner, sz)) + align16(hidden * sz + 16) + align16(classes * sz + 16);
}

/**
 * out[r] = argmax(relu((images[r] / div)·W1 + b1)·W2 + b2) for `count` images of `pixels` bytes: the
 * book's two-layer net, inference only, one image at a time with every row in L1. The arithmetic is the
 * layer-by-layer path's (bytesToFloat, gemmNN, addRowVector, ReLU, gemmNN, addRowVector, argmax — the
 * same functions), so predictions equal `TwoLayerNet.predict` on the WASM kernels bit for bit.
 * `div` is 255 (pixels scaled to [0, 1]) or 1.
 */
// @ts-ignore: decorator
@inline function predictTwoLayer<T>(count: i32, pixels: i32, hidden: i32, classes: i32, src: usize, div: i32, w1: usize, b1: usize, w2: usize, b2: usize, out: usize, scratch: usize): void {
  const sz = sizeof<T>();
  const inner = pixels > hidden ? pixels : hidden;
  const list = scratch;
  const offs = list;
  const vals = list + <usize>((inner * 4 + 16 + 15) & ~15);
  const h = list + <usize>align16(gemmNNScratch(inner, <i32>sz));
  const sc = h + <usize>align16(hidden * <i32>sz + 16);
  for (let r = 0; r < count; r++) {
    const image = src + <usize>r * <usize>pixels;
    const n1 = compressBytes<T>(image, pixels, offs, vals, hidden * <i32>sz, 1.0 / <f64>div);
    rowPasses<T>(offs, vals, 0, n1, hidden, w1, h, 0);
    addRowVector<T>(1, hidden, h, b1, h);
    for (let j = 0; j < hidden; j++) {
      const v = load<T>(h + <usize>j * sz);
      store<T>(h + <usize>j * sz, select<T>(0, v, v <= 0));
    }
    const n2 = compress<T>(h, hidden, offs, vals, classes * <i32>sz);
    rowPasses<T>(offs, vals, 0, n2, classes, w2, sc, 0);
    addRowVector<T>(1, classes, sc, b2, sc);
    // argmaxAxis: the first maximum; a NaN wins at once (as NumPy).
    let best = 0;
    let m = load<T>(sc);
    if (m == m) {
      for (let c = 1; c < classes; c++) {
        const v = load<T>(sc + <usize>c * sz);
        if (v > m || v != v) {
          m = v;
          best = c;
          if (v != v) break;
        }
      }
    }
    store<i32>(out + (<usize>r << 2), best);
  }
}

export function predictTwoLayer_f32(count: i32, pixels: i32, hidden: i32, classes: i32, src: usize, div: i32, w1: usize, b1: usize, w2: usize, b2: usize, out: usize, scratch: usize): void {
  predictTwoLayer<f32>(count, pixels, hidden, classes, src, div, w1, b1, w2, b2, out, scratch);
}
export function predictTwoLayer_f64(count: i32, pixels: i32, hidden: i32, classes: i32, src: usize, div: i32, w1: usize, b1: usize, w2: usize, b2: usize, out: usize, scratch: usize): void {
  predictTwoLayer<f64>(count, pixels, hidden, classes, src, div, w1, b1, w2, b2, out, scratch);
}

/** The first byte after the module's own static data: JS manages memory from here on. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// ---- Chapter 6: the optimizers' updates (src/kernels/optimizers.ts) ----
// Each repeats its TypeScript reference's operations in the same order: float64 as written; float32 in
// float32 lanes, where a float32 + − × ÷ √ is the correctly rounded result the reference gets from
// Math.fround of the float64 operation — so the results are equal bit for bit. Hyperparameters come as
// float64 and are rounded to float32 where the reference rounds them (<f32> rounds to nearest, as fround).

/** The book's 1e-7 in T (float32: rounded, as the reference's EPS32). */
// @ts-ignore: decorator
@inline function eps<T>(): T {
  return sizeof<T>() == 4 ? <T>(<f32>1e-7) : <T>1e-7;
}

/** Momentum: v = momentum·v − lr·g; p += v. */
// @ts-ignore: decorator
@inline function momentumUpdate<T>(len: i32, lr: f64, momentum: f64, v: usize, g: usize, p: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const lrT = <T>lr;
  const moT = <T>momentum;
  const lrv = v128.splat<T>(lrT);
  const mov = v128.splat<T>(moT);
  let i = 0;
  for (; i + L <= len; i += L) {
    const off = <usize>i * sz;
    const vi = v128.sub<T>(v128.mul<T>(mov, v128.load(v + off)), v128.mul<T>(lrv, v128.load(g + off)));
    v128.store(v + off, vi);
    v128.store(p + off, v128.add<T>(v128.load(p + off), vi));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const vi: T = moT * load<T>(v + off) - lrT * load<T>(g + off);
    store<T>(v + off, vi);
    store<T>(p + off, load<T>(p + off) + vi);
  }
}

/** Nesterov (the book's current code): p += momentum²·v; p −= (1 + momentum)·lr·g; v = v·momentum − lr·g. */
// @ts-ignore: decorator
@inline function nesterovUpdate<T>(len: i32, lr: f64, momentum: f64, momentumSquared: f64, stepScale: f64, v: usize, g: usize, p: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const lrT = <T>lr;
  const moT = <T>momentum;
  const mmT = <T>momentumSquared;
  const sT = <T>stepScale;
  const lrv = v128.splat<T>(lrT);
  const mov = v128.splat<T>(moT);
  const mmv = v128.splat<T>(mmT);
  const sv = v128.splat<T>(sT);
  let i = 0;
  for (; i + L <= len; i += L) {
    const off = <usize>i * sz;
    const gi = v128.load(g + off);
    const vi = v128.load(v + off);
    const pi = v128.add<T>(v128.load(p + off), v128.mul<T>(mmv, vi));
    v128.store(p + off, v128.sub<T>(pi, v128.mul<T>(sv, gi)));
    v128.store(v + off, v128.sub<T>(v128.mul<T>(vi, mov), v128.mul<T>(lrv, gi)));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const gi = load<T>(g + off);
    const vi = load<T>(v + off);
    const pi: T = load<T>(p + off) + mmT * vi;
    store<T>(p + off, pi - sT * gi);
    store<T>(v + off, vi * moT - lrT * gi);
  }
}

/** AdaGrad: h += g·g; p −= lr·g / (√h + 1e-7). */
// @ts-ignore: decorator
@inline function adaGradUpdate<T>(len: i32, lr: f64, h: usize, g: usize, p: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const lrT = <T>lr;
  const lrv = v128.splat<T>(lrT);
  const ev = v128.splat<T>(eps<T>());
  let i = 0;
  for (; i + L <= len; i += L) {
    const off = <usize>i * sz;
    const gi = v128.load(g + off);
    const hi = v128.add<T>(v128.load(h + off), v128.mul<T>(gi, gi));
    v128.store(h + off, hi);
    v128.store(p + off, v128.sub<T>(v128.load(p + off), v128.div<T>(v128.mul<T>(lrv, gi), v128.add<T>(v128.sqrt<T>(hi), ev))));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const gi = load<T>(g + off);
    const hi: T = load<T>(h + off) + gi * gi;
    store<T>(h + off, hi);
    store<T>(p + off, load<T>(p + off) - (lrT * gi) / (<T>sqrt<T>(hi) + eps<T>()));
  }
}

/** RMSprop: h = h·decayRate + (1 − decayRate)·g·g; p −= lr·g / (√h + 1e-7). */
// @ts-ignore: decorator
@inline function rmspropUpdate<T>(len: i32, lr: f64, decayRate: f64, oneMinusDecay: f64, h: usize, g: usize, p: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const lrT = <T>lr;
  const dT = <T>decayRate;
  const aT = <T>oneMinusDecay;
  const lrv = v128.splat<T>(lrT);
  const dv = v128.splat<T>(dT);
  const av = v128.splat<T>(aT);
  const ev = v128.splat<T>(eps<T>());
  let i = 0;
  for (; i + L <= len; i += L) {
    const off = <usize>i * sz;
    const gi = v128.load(g + off);
    const hi = v128.add<T>(v128.mul<T>(v128.load(h + off), dv), v128.mul<T>(v128.mul<T>(av, gi), gi));
    v128.store(h + off, hi);
    v128.store(p + off, v128.sub<T>(v128.load(p + off), v128.div<T>(v128.mul<T>(lrv, gi), v128.add<T>(v128.sqrt<T>(hi), ev))));
  }
  for (; i < len; i++) {
    const off = <usize>i * sz;
    const gi = load<T>(g + off);
    const hi: T = load<T>(h + off) * dT + aT * gi * gi;
    store<T>(h + off, hi);
    store<T>(p + off, load<T>(p + off) - (lrT * gi) / (<T>sqrt<T>(hi) + eps<T>()));
  }
}

/**
 * Adam, float64: m += (1 − β1)·(g − m); v += (1 − β2)·(g² − v); p −= lrT·m / (√v + 1e-7).
 */
export function adamUpdate_f64(len: i32, lrT: f64, oneMinusBeta1: f64, oneMinusBeta2: f64, m: usize, v: usize, g: usize, p: usize): void {
  const lrv = f64x2.splat(lrT);
  const a1 = f64x2.splat(oneMinusBeta1);
  const a2 = f64x2.splat(oneMinusBeta2);
  const ev = f64x2.splat(1e-7);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = <usize>i << 3;
    const gi = v128.load(g + off);
    const m0 = v128.load(m + off);
    const v0 = v128.load(v + off);
    const mi = f64x2.add(m0, f64x2.mul(a1, f64x2.sub(gi, m0)));
    const vi = f64x2.add(v0, f64x2.mul(a2, f64x2.sub(f64x2.mul(gi, gi), v0)));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    v128.store(p + off, f64x2.sub(v128.load(p + off), f64x2.div(f64x2.mul(lrv, mi), f64x2.add(f64x2.sqrt(vi), ev))));
  }
  for (; i < len; i++) {
    const off = <usize>i << 3;
    const gi = load<f64>(g + off);
    const m0 = load<f64>(m + off);
    const v0 = load<f64>(v + off);
    const mi = m0 + oneMinusBeta1 * (gi - m0);
    const vi = v0 + oneMinusBeta2 * (gi * gi - v0);
    store<f64>(m + off, mi);
    store<f64>(v + off, vi);
    store<f64>(p + off, load<f64>(p + off) - (lrT * mi) / (Math.sqrt(vi) + 1e-7));
  }
}

/**
 * Adam, float32: the moments in float32 lanes; the step `p − lrT·m / (√v + 1e-7)` in float64 (lrT is a
 * NumPy float64 scalar in the book, which is not weak), the denominator rounded to float32 first, and
 * the result rounded once — the reference's expression, lane by lane.
 */
export function adamUpdate_f32(len: i32, lrT: f64, oneMinusBeta1: f64, oneMinusBeta2: f64, m: usize, v: usize, g: usize, p: usize): void {
  const a1s = <f32>oneMinusBeta1;
  const a2s = <f32>oneMinusBeta2;
  const e32: f32 = <f32>1e-7;
  const lrv = f64x2.splat(lrT);
  const a1 = f32x4.splat(a1s);
  const a2 = f32x4.splat(a2s);
  const ev = f32x4.splat(e32);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const off = <usize>i << 2;
    const gi = v128.load(g + off);
    const m0 = v128.load(m + off);
    const v0 = v128.load(v + off);
    const mi = f32x4.add(m0, f32x4.mul(a1, f32x4.sub(gi, m0)));
    const vi = f32x4.add(v0, f32x4.mul(a2, f32x4.sub(f32x4.mul(gi, gi), v0)));
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    const den = f32x4.add(f32x4.sqrt(vi), ev);
    const p0 = v128.load(p + off);
    const lo = f64x2.sub(f64x2.promote_low_f32x4(p0), f64x2.div(f64x2.mul(lrv, f64x2.promote_low_f32x4(mi)), f64x2.promote_low_f32x4(den)));
    const p1 = i32x4.shuffle(p0, p0, 2, 3, 0, 1);
    const m1 = i32x4.shuffle(mi, mi, 2, 3, 0, 1);
    const d1 = i32x4.shuffle(den, den, 2, 3, 0, 1);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(p1), f64x2.div(f64x2.mul(lrv, f64x2.promote_low_f32x4(m1)), f64x2.promote_low_f32x4(d1)));
    const lo32 = f32x4.demote_f64x2_zero(lo);
    const hi32 = f32x4.demote_f64x2_zero(hi);
    v128.store(p + off, i32x4.shuffle(lo32, hi32, 0, 1, 4, 5));
  }
  for (; i < len; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const m0 = load<f32>(m + off);
    const v0 = load<f32>(v + off);
    const mi: f32 = m0 + a1s * (gi - m0);
    const vi: f32 = v0 + a2s * (gi * gi - v0);
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    const den: f32 = Mathf.sqrt(vi) + e32;
    store<f32>(p + off, <f32>(<f64>load<f32>(p + off) - (lrT * <f64>mi) / <f64>den));
  }
}

export function momentumUpdate_f32(len: i32, lr: f64, momentum: f64, v: usize, g: usize, p: usize): void { momentumUpdate<f32>(len, lr, momentum, v, g, p); }
export function momentumUpdate_f64(len: i32, lr: f64, momentum: f64, v: usize, g: usize, p: usize): void { momentumUpdate<f64>(len, lr, momentum, v, g, p); }
export function nesterovUpdate_f32(len: i32, lr: f64, momentum: f64, momentumSquared: f64, stepScale: f64, v: usize, g: usize, p: usize): void { nesterovUpdate<f32>(len, lr, momentum, momentumSquared, stepScale, v, g, p); }
export function nesterovUpdate_f64(len: i32, lr: f64, momentum: f64, momentumSquared: f64, stepScale: f64, v: usize, g: usize, p: usize): void { nesterovUpdate<f64>(len, lr, momentum, momentumSquared, stepScale, v, g, p); }
export function adaGradUpdate_f32(len: i32, lr: f64, h: usize, g: usize, p: usize): void { adaGradUpdate<f32>(len, lr, h, g, p); }
export function adaGradUpdate_f64(len: i32, lr: f64, h: usize, g: usize, p: usize): void { adaGradUpdate<f64>(len, lr, h, g, p); }
export function rmspropUpdate_f32(len: i32, lr: f64, decayRate: f64, oneMinusDecay: f64, h: usize, g: usize, p: usize): void { rmspropUpdate<f32>(len, lr, decayRate, oneMinusDecay, h, g, p); }
export function rmspropUpdate_f64(len: i32, lr: f64, decayRate: f64, oneMinusDecay: f64, h: usize, g: usize, p: usize): void { rmspropUpdate<f64>(len, lr, decayRate, oneMinusDecay, h, g, p); }

// ---- Chapter 6: BatchNormalization and Dropout (src/kernels/batch-norm.ts) ----
// The reference computes every expression in float64 (JavaScript numbers) and rounds only where it
// stores into an array (a Float32Array store rounds to float32), reading back the rounded value. These
// kernels do exactly that, two columns at a time in f64x2 lanes: `ld2` reads two values of T as f64,
// `st2` stores two f64 as T (rounded to nearest for float32, as a Float32Array store). Same operations,
// same order, same rounding points: equal to the reference bit for bit, for float32 and float64.

// @ts-ignore: decorator
@inline function ld2<T>(ptr: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(ptr)) : v128.load(ptr);
}

// @ts-ignore: decorator
@inline function st2<T>(ptr: usize, v: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(ptr, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(ptr, v);
}

// @ts-ignore: decorator
@inline function ld1<T>(ptr: usize): f64 {
  return <f64>load<T>(ptr);
}

// @ts-ignore: decorator
@inline function st1<T>(ptr: usize, v: f64): void {
  store<T>(ptr, <T>v);
}

/** Training-mode forward with batch statistics (batchNormForwardTrain). */
// @ts-ignore: decorator
@inline function batchNormForwardTrain<T, S>(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, momentum: f64, runningMean: usize, runningVar: usize, mu: usize, variance: usize, xc: usize, xn: usize, std: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  const ss = <usize>sizeof<S>();
  const d2 = d & ~1;
  const row = <usize>d * sz;
  memory.fill(mu, 0, <usize>d * ss);
  for (let i = 0; i < n; i++) {
    const xr = x + <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      st2<S>(mu + <usize>j * ss, f64x2.add(ld2<S>(mu + <usize>j * ss), ld2<T>(xr + o)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      st1<S>(mu + <usize>j * ss, ld1<S>(mu + <usize>j * ss) + ld1<T>(xr + o));
    }
  }
  const nf = <f64>n;
  for (let j = 0; j < d; j++) st1<S>(mu + <usize>j * ss, ld1<S>(mu + <usize>j * ss) / nf);
  memory.fill(variance, 0, <usize>d * ss);
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const c = f64x2.sub(ld2<T>(x + at + o), ld2<S>(mu + <usize>j * ss));
      st2<T>(xc + at + o, c);
      st2<S>(variance + <usize>j * ss, f64x2.add(ld2<S>(variance + <usize>j * ss), f64x2.mul(c, c)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const c = ld1<T>(x + at + o) - ld1<S>(mu + <usize>j * ss);
      st1<T>(xc + at + o, c);
      st1<S>(variance + <usize>j * ss, ld1<S>(variance + <usize>j * ss) + c * c);
    }
  }
  for (let j = 0; j < d; j++) {
    const o = <usize>j * sz;
    st1<S>(variance + <usize>j * ss, ld1<S>(variance + <usize>j * ss) / nf);
    st1<T>(std + o, Math.sqrt(ld1<S>(variance + <usize>j * ss) + epsv));
  }
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const v = f64x2.div(ld2<T>(xc + at + o), ld2<T>(std + o));
      st2<T>(xn + at + o, v);
      st2<T>(out + at + o, f64x2.add(f64x2.mul(ld2<T>(gamma + o), v), ld2<T>(beta + o)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const v = ld1<T>(xc + at + o) / ld1<T>(std + o);
      st1<T>(xn + at + o, v);
      st1<T>(out + at + o, ld1<T>(gamma + o) * v + ld1<T>(beta + o));
    }
  }
  const keep = 1 - momentum;
  for (let j = 0; j < d; j++) {
    const o = <usize>j * sz;
    st1<T>(runningMean + o, momentum * ld1<T>(runningMean + o) + keep * ld1<S>(mu + <usize>j * ss));
    st1<T>(runningVar + o, momentum * ld1<T>(runningVar + o) + keep * ld1<S>(variance + <usize>j * ss));
  }
}

/** Test-mode forward with the running statistics (batchNormForwardTest). */
// @ts-ignore: decorator
@inline function batchNormForwardTest<T>(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, runningMean: usize, runningVar: usize, xc: usize, xn: usize, std: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  const d2 = d & ~1;
  const row = <usize>d * sz;
  for (let j = 0; j < d; j++) st1<T>(std + <usize>j * sz, Math.sqrt(ld1<T>(runningVar + <usize>j * sz) + epsv));
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const c = f64x2.sub(ld2<T>(x + at + o), ld2<T>(runningMean + o));
      const v = f64x2.div(c, ld2<T>(std + o));
      st2<T>(xc + at + o, c);
      st2<T>(xn + at + o, v);
      st2<T>(out + at + o, f64x2.add(f64x2.mul(ld2<T>(gamma + o), v), ld2<T>(beta + o)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const c = ld1<T>(x + at + o) - ld1<T>(runningMean + o);
      const v = c / ld1<T>(std + o);
      st1<T>(xc + at + o, c);
      st1<T>(xn + at + o, v);
      st1<T>(out + at + o, ld1<T>(gamma + o) * v + ld1<T>(beta + o));
    }
  }
}

/** Training-mode backward (batchNormBackwardTrain). */
// @ts-ignore: decorator
@inline function batchNormBackwardTrain<T, S>(dout: usize, n: i32, d: i32, gamma: usize, xc: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dvar: usize, dmu: usize, dx: usize): void {
  const sz = <usize>sizeof<T>();
  const ss = <usize>sizeof<S>();
  const d2 = d & ~1;
  const row = <usize>d * sz;
  memory.fill(dbeta, 0, <usize>d * sz);
  memory.fill(dgamma, 0, <usize>d * sz);
  memory.fill(dvar, 0, <usize>d * ss);
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const g = ld2<T>(dout + at + o);
      const s = ld2<T>(std + o);
      st2<T>(dbeta + o, f64x2.add(ld2<T>(dbeta + o), g));
      st2<T>(dgamma + o, f64x2.add(ld2<T>(dgamma + o), f64x2.mul(ld2<T>(xn + at + o), g)));
      st2<S>(dvar + <usize>j * ss, f64x2.add(ld2<S>(dvar + <usize>j * ss), f64x2.div(f64x2.mul(f64x2.mul(ld2<T>(gamma + o), g), ld2<T>(xc + at + o)), f64x2.mul(s, s))));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const g = ld1<T>(dout + at + o);
      const s = ld1<T>(std + o);
      st1<T>(dbeta + o, ld1<T>(dbeta + o) + g);
      st1<T>(dgamma + o, ld1<T>(dgamma + o) + ld1<T>(xn + at + o) * g);
      st1<S>(dvar + <usize>j * ss, ld1<S>(dvar + <usize>j * ss) + (ld1<T>(gamma + o) * g * ld1<T>(xc + at + o)) / (s * s));
    }
  }
  for (let j = 0; j < d; j++) {
    const o = <usize>j * sz;
    st1<S>(dvar + <usize>j * ss, (0.5 * -ld1<S>(dvar + <usize>j * ss)) / ld1<T>(std + o));
  }
  const twoOverN = 2.0 / <f64>n;
  const tv = f64x2.splat(twoOverN);
  memory.fill(dmu, 0, <usize>d * ss);
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const v = f64x2.add(f64x2.div(f64x2.mul(ld2<T>(gamma + o), ld2<T>(dout + at + o)), ld2<T>(std + o)), f64x2.mul(f64x2.mul(tv, ld2<T>(xc + at + o)), ld2<S>(dvar + <usize>j * ss)));
      st2<T>(dx + at + o, v);
      st2<S>(dmu + <usize>j * ss, f64x2.add(ld2<S>(dmu + <usize>j * ss), v));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const v = (ld1<T>(gamma + o) * ld1<T>(dout + at + o)) / ld1<T>(std + o) + twoOverN * ld1<T>(xc + at + o) * ld1<S>(dvar + <usize>j * ss);
      st1<T>(dx + at + o, v);
      st1<S>(dmu + <usize>j * ss, ld1<S>(dmu + <usize>j * ss) + v);
    }
  }
  const nv = f64x2.splat(<f64>n);
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      st2<T>(dx + at + o, f64x2.sub(ld2<T>(dx + at + o), f64x2.div(ld2<S>(dmu + <usize>j * ss), nv)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      st1<T>(dx + at + o, ld1<T>(dx + at + o) - ld1<S>(dmu + <usize>j * ss) / <f64>n);
    }
  }
}

/** Test-mode backward (batchNormBackwardTest). */
// @ts-ignore: decorator
@inline function batchNormBackwardTest<T>(dout: usize, n: i32, d: i32, gamma: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dx: usize): void {
  const sz = <usize>sizeof<T>();
  const d2 = d & ~1;
  const row = <usize>d * sz;
  memory.fill(dbeta, 0, <usize>d * sz);
  memory.fill(dgamma, 0, <usize>d * sz);
  for (let i = 0; i < n; i++) {
    const at = <usize>i * row;
    let j = 0;
    for (; j < d2; j += 2) {
      const o = <usize>j * sz;
      const g = ld2<T>(dout + at + o);
      st2<T>(dbeta + o, f64x2.add(ld2<T>(dbeta + o), g));
      st2<T>(dgamma + o, f64x2.add(ld2<T>(dgamma + o), f64x2.mul(ld2<T>(xn + at + o), g)));
      st2<T>(dx + at + o, f64x2.div(f64x2.mul(ld2<T>(gamma + o), g), ld2<T>(std + o)));
    }
    for (; j < d; j++) {
      const o = <usize>j * sz;
      const g = ld1<T>(dout + at + o);
      st1<T>(dbeta + o, ld1<T>(dbeta + o) + g);
      st1<T>(dgamma + o, ld1<T>(dgamma + o) + ld1<T>(xn + at + o) * g);
      st1<T>(dx + at + o, (ld1<T>(gamma + o) * g) / ld1<T>(std + o));
    }
  }
}

/** Dropout's mask applied: out = x · mask (mask bytes 1 or 0; x·0 is ±0, or NaN for a NaN or an infinity). */
// @ts-ignore: decorator
@inline function applyMask<T>(len: i32, x: usize, mask: usize, out: usize): void {
  const sz = <usize>sizeof<T>();
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const w = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>i)));
    const at = <usize>i * sz;
    if (sizeof<T>() == 4) v128.store(out + at, f32x4.mul(v128.load(x + at), f32x4.convert_i32x4_u(w)));
    else {
      v128.store(out + at, f64x2.mul(v128.load(x + at), f64x2.convert_low_i32x4_u(w)));
      v128.store(out + at, f64x2.mul(v128.load(x + at, 16), f64x2.convert_low_i32x4_u(i32x4.shuffle(w, w, 2, 3, 0, 1))), 16);
    }
  }
  for (; i < len; i++) store<T>(out + <usize>i * sz, load<T>(x + <usize>i * sz) * <T>load<u8>(mask + <usize>i));
}

export function batchNormForwardTrain_f32(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, momentum: f64, runningMean: usize, runningVar: usize, mu: usize, variance: usize, xc: usize, xn: usize, std: usize, out: usize): void { batchNormForwardTrain<f32, f32>(x, n, d, gamma, beta, epsv, momentum, runningMean, runningVar, mu, variance, xc, xn, std, out); }
export function batchNormForwardTrain_f64(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, momentum: f64, runningMean: usize, runningVar: usize, mu: usize, variance: usize, xc: usize, xn: usize, std: usize, out: usize): void { batchNormForwardTrain<f64, f64>(x, n, d, gamma, beta, epsv, momentum, runningMean, runningVar, mu, variance, xc, xn, std, out); }
/** float32 data with float64 statistics scratch (mu, variance; dvar, dmu): BatchNormalization's own layout. */
export function batchNormForwardTrain_f32s64(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, momentum: f64, runningMean: usize, runningVar: usize, mu: usize, variance: usize, xc: usize, xn: usize, std: usize, out: usize): void { batchNormForwardTrain<f32, f64>(x, n, d, gamma, beta, epsv, momentum, runningMean, runningVar, mu, variance, xc, xn, std, out); }
export function batchNormForwardTest_f32(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, runningMean: usize, runningVar: usize, xc: usize, xn: usize, std: usize, out: usize): void { batchNormForwardTest<f32>(x, n, d, gamma, beta, epsv, runningMean, runningVar, xc, xn, std, out); }
export function batchNormForwardTest_f64(x: usize, n: i32, d: i32, gamma: usize, beta: usize, epsv: f64, runningMean: usize, runningVar: usize, xc: usize, xn: usize, std: usize, out: usize): void { batchNormForwardTest<f64>(x, n, d, gamma, beta, epsv, runningMean, runningVar, xc, xn, std, out); }
export function batchNormBackwardTrain_f32(dout: usize, n: i32, d: i32, gamma: usize, xc: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dvar: usize, dmu: usize, dx: usize): void { batchNormBackwardTrain<f32, f32>(dout, n, d, gamma, xc, xn, std, dgamma, dbeta, dvar, dmu, dx); }
export function batchNormBackwardTrain_f64(dout: usize, n: i32, d: i32, gamma: usize, xc: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dvar: usize, dmu: usize, dx: usize): void { batchNormBackwardTrain<f64, f64>(dout, n, d, gamma, xc, xn, std, dgamma, dbeta, dvar, dmu, dx); }
export function batchNormBackwardTrain_f32s64(dout: usize, n: i32, d: i32, gamma: usize, xc: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dvar: usize, dmu: usize, dx: usize): void { batchNormBackwardTrain<f32, f64>(dout, n, d, gamma, xc, xn, std, dgamma, dbeta, dvar, dmu, dx); }
export function batchNormBackwardTest_f32(dout: usize, n: i32, d: i32, gamma: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dx: usize): void { batchNormBackwardTest<f32>(dout, n, d, gamma, xn, std, dgamma, dbeta, dx); }
export function batchNormBackwardTest_f64(dout: usize, n: i32, d: i32, gamma: usize, xn: usize, std: usize, dgamma: usize, dbeta: usize, dx: usize): void { batchNormBackwardTest<f64>(dout, n, d, gamma, xn, std, dgamma, dbeta, dx); }
export function applyMask_f32(len: i32, x: usize, mask: usize, out: usize): void { applyMask<f32>(len, x, mask, out); }
export function applyMask_f64(len: i32, x: usize, mask: usize, out: usize): void { applyMask<f64>(len, x, mask, out); }

// Chapter 7: im2col/col2im, direct convolution, max pooling (assembly/conv.ts).
export * from './conv';
