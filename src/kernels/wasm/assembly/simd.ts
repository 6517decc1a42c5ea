// Small SIMD helpers shared by kernels.ts and conv.ts (AssemblyScript, inlined where used).

// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/** One T at `ptr` in every lane. */
// @ts-ignore: decorator
@inline export function splatFrom<T>(ptr: usize): v128 {
  return sizeof<T>() == 4 ? v128.load32_splat(ptr) : v128.load64_splat(ptr);
}

/**
 * 1 when all `len` values at x are finite, else 0 (a NaN or an infinity among them). The zero-skipping
 * products call it on their B once: 0·Inf and 0·NaN are NaN (IEEE, NumPy), so a skipped zero of A is only
 * harmless when B is finite. A value is not finite exactly when its exponent bits are all ones: each
 * vector's exponent bits (an AND) are folded into a running unsigned maximum per 32-bit lane, two integer
 * operations a vector that any vector unit runs (x - x summed, as before, took two floating-point
 * operations on the two adders: SimpleConvNet's 432 000 float32 weights 31.6 → 23.7–29.9 µs here; W1 of
 * 784×100 float64, bound by the L3 cache, 11.0–11.3 → 9.6–11.2 µs); four accumulators keep them
 * independent, and one test at the end decides.
 */
// @ts-ignore: decorator
@inline export function allFinite<T>(len: i32, x: usize): i32 {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  // The exponent field, in the high 32 bits of a float64 (its low word then masks to 0) or in a float32.
  const exp: u32 = sizeof<T>() == 8 ? 0x7ff00000 : 0x7f800000;
  const mask = sizeof<T>() == 8 ? i64x2.splat(<i64>exp << 32) : i32x4.splat(exp);
  let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
  let i = 0;
  for (; i + 4 * L <= len; i += 4 * L) {
    const at = x + <usize>i * sz;
    s0 = i32x4.max_u(s0, v128.and(v128.load(at), mask));
    s1 = i32x4.max_u(s1, v128.and(v128.load(at, 16), mask));
    s2 = i32x4.max_u(s2, v128.and(v128.load(at, 32), mask));
    s3 = i32x4.max_u(s3, v128.and(v128.load(at, 48), mask));
  }
  const s = i32x4.max_u(i32x4.max_u(s0, s1), i32x4.max_u(s2, s3));
  // Masked, no lane exceeds the exponent field: one equal to it is a NaN or an infinity.
  let ok = v128.any_true(i32x4.eq(s, i32x4.splat(exp))) ? 0 : 1;
  for (; i < len; i++) {
    const v = load<T>(x + <usize>i * sz);
    if (v - v != 0) ok = 0;
  }
  return ok;
}

// One T at `ptr` + j·sizeof<T>() in every lane, the offset an immediate of the load (j = 0…5): a block's
// adjacent weights broadcast from one pointer.
// @ts-ignore: decorator
@inline export function splatAt0<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p) : v128.load64_splat(p); }
// @ts-ignore: decorator
@inline export function splatAt1<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p, sizeof<T>()) : v128.load64_splat(p, sizeof<T>()); }
// @ts-ignore: decorator
@inline export function splatAt2<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p, 2 * sizeof<T>()) : v128.load64_splat(p, 2 * sizeof<T>()); }
// @ts-ignore: decorator
@inline export function splatAt3<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p, 3 * sizeof<T>()) : v128.load64_splat(p, 3 * sizeof<T>()); }
// @ts-ignore: decorator
@inline export function splatAt4<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p, 4 * sizeof<T>()) : v128.load64_splat(p, 4 * sizeof<T>()); }
// @ts-ignore: decorator
@inline export function splatAt5<T>(p: usize): v128 { return sizeof<T>() == 4 ? v128.load32_splat(p, 5 * sizeof<T>()) : v128.load64_splat(p, 5 * sizeof<T>()); }

/**
 * a·b + acc in T's lanes: fused (one rounding) in float32 where the module is built with relaxed SIMD
 * (scripts/build-wasm.ts), else a multiply, then an add — always so in float64, whose results are the same
 * bits in both builds. The products (row passes, convolutions) use it; kernels whose float32 results
 * must equal the reference's bit for bit (the optimizers' updates, BatchNorm, axpy) do not.
 */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && sizeof<T>() == 4) return v128.relaxed_madd<T>(a, b, acc);
  return v128.add<T>(acc, v128.mul<T>(a, b));
}
