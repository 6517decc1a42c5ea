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
 * harmless when B is finite. x - x is 0 for finite values and NaN otherwise; four accumulators keep the
 * adds independent, and one test at the end decides.
 */
// @ts-ignore: decorator
@inline export function allFinite<T>(len: i32, x: usize): i32 {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0), s2 = v128.splat<T>(0), s3 = v128.splat<T>(0);
  let i = 0;
  for (; i + 4 * L <= len; i += 4 * L) {
    const at = x + <usize>i * sz;
    const v0 = v128.load(at), v1 = v128.load(at, 16), v2 = v128.load(at, 32), v3 = v128.load(at, 48);
    s0 = v128.add<T>(s0, v128.sub<T>(v0, v0));
    s1 = v128.add<T>(s1, v128.sub<T>(v1, v1));
    s2 = v128.add<T>(s2, v128.sub<T>(v2, v2));
    s3 = v128.add<T>(s3, v128.sub<T>(v3, v3));
  }
  const s = v128.add<T>(v128.add<T>(s0, s1), v128.add<T>(s2, s3));
  // The compare gives all-ones lanes where s == s (not NaN), for either width: test them as i32 lanes.
  let ok = i32x4.all_true(v128.eq<T>(s, s)) ? 1 : 0;
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
