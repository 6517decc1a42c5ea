// WASM SIMD kernels (AssemblyScript), the fast twins of src/kernels/*.ts with the same meaning.
// Pointers are byte offsets into the module's (imported) memory. Each kernel is written once,
// generic over the element type T (f32 → f32x4, f64 → f64x2), and exported per type.
// Build: npm run build:wasm (asc … --enable simd); src/kernels/wasm/binary.ts embeds the result.



// @ts-ignore: decorator
@inline function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/**
 * Compresses the non-zero entries of a row of `len` elements at `row` into (idx, val) lists, without
 * branches: every entry is written, and the write position advances only past non-zeros (a branch on
 * ~80 % zero pixels would mispredict constantly).
 */
// @ts-ignore: decorator
@inline function compress<T>(row: usize, len: i32, idx: usize, val: usize): i32 {
  let count = 0;
  for (let p = 0; p < len; p++) {
    const v = load<T>(row + (<usize>p << alignof<T>()));
    store<i32>(idx + (<usize>count << 2), p);
    store<T>(val + (<usize>count << alignof<T>()), v);
    count += <i32>(v != 0);
  }
  return count;
}

/**
 * C (m×n) = A (m×k) · B (k×n) [+ C]. For each row of A its non-zeros are listed once, then every block
 * of 4 vectors of C's row is accumulated in registers over that list: zero pixels cost nothing.
 * `scratch` holds k i32 indices and k T values.
 */
// @ts-ignore: decorator
@inline function gemmNN<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: i32, scratch: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const idx = scratch;
  const val = scratch + ((<usize>k << 2) + 15) & ~15;
  const rowB = <usize>n * sz;
  for (let i = 0; i < m; i++) {
    const cRow = c + <usize>i * rowB;
    const count = compress<T>(a + <usize>i * <usize>k * sz, k, idx, val);
    let j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      let acc0 = v128.splat<T>(0);
      let acc1 = v128.splat<T>(0);
      let acc2 = v128.splat<T>(0);
      let acc3 = v128.splat<T>(0);
      const bCol = b + <usize>j * sz;
      for (let q = 0; q < count; q++) {
        const p = load<i32>(idx + (<usize>q << 2));
        const av = v128.splat<T>(load<T>(val + <usize>q * sz));
        const bp = bCol + <usize>p * rowB;
        acc0 = v128.add<T>(acc0, v128.mul<T>(av, v128.load(bp)));
        acc1 = v128.add<T>(acc1, v128.mul<T>(av, v128.load(bp, 16)));
        acc2 = v128.add<T>(acc2, v128.mul<T>(av, v128.load(bp, 32)));
        acc3 = v128.add<T>(acc3, v128.mul<T>(av, v128.load(bp, 48)));
      }
      const cp = cRow + <usize>j * sz;
      if (accumulate) {
        acc0 = v128.add<T>(acc0, v128.load(cp));
        acc1 = v128.add<T>(acc1, v128.load(cp, 16));
        acc2 = v128.add<T>(acc2, v128.load(cp, 32));
        acc3 = v128.add<T>(acc3, v128.load(cp, 48));
      }
      v128.store(cp, acc0);
      v128.store(cp, acc1, 16);
      v128.store(cp, acc2, 32);
      v128.store(cp, acc3, 48);
    }
    for (; j + L <= n; j += L) {
      let acc = v128.splat<T>(0);
      const bCol = b + <usize>j * sz;
      for (let q = 0; q < count; q++) {
        const p = load<i32>(idx + (<usize>q << 2));
        acc = v128.add<T>(acc, v128.mul<T>(v128.splat<T>(load<T>(val + <usize>q * sz)), v128.load(bCol + <usize>p * rowB)));
      }
      const cp = cRow + <usize>j * sz;
      if (accumulate) acc = v128.add<T>(acc, v128.load(cp));
      v128.store(cp, acc);
    }
    for (; j < n; j++) {
      let s: T = 0;
      for (let q = 0; q < count; q++) {
        const p = load<i32>(idx + (<usize>q << 2));
        s += load<T>(val + <usize>q * sz) * load<T>(b + (<usize>p * <usize>n + <usize>j) * sz);
      }
      const cp = cRow + <usize>j * sz;
      store<T>(cp, accumulate ? load<T>(cp) + s : s);
    }
  }
}

/**
 * C (m×n) = Aᵀ · B [+ C] with A k×m and B k×n: for each row p of A and each non-zero A[p, i],
 * C[i, :] += A[p, i] · B[p, :]. Zero entries of A (empty pixels, for dW = xᵀ·dout) are skipped via the
 * same branch-free lists as gemmNN. `scratch` holds m i32 indices and m T values.
 */
// @ts-ignore: decorator
@inline function gemmTN<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: i32, scratch: usize): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const rowC = <usize>n * sz;
  const idx = scratch;
  const val = scratch + ((<usize>m << 2) + 15) & ~15;
  if (!accumulate) memory.fill(c, 0, <usize>m * rowC);
  for (let p = 0; p < k; p++) {
    const bRow = b + <usize>p * rowC;
    const count = compress<T>(a + <usize>p * <usize>m * sz, m, idx, val);
    for (let q = 0; q < count; q++) {
      const i = load<i32>(idx + (<usize>q << 2));
      const av = load<T>(val + <usize>q * sz);
      const avv = v128.splat<T>(av);
      const cRow = c + <usize>i * rowC;
      let j = 0;
      for (; j + L <= n; j += L) {
        const off = <usize>j * sz;
        v128.store(cRow + off, v128.add<T>(v128.load(cRow + off), v128.mul<T>(avv, v128.load(bRow + off))));
      }
      for (; j < n; j++) {
        const off = <usize>j * sz;
        store<T>(cRow + off, load<T>(cRow + off) + av * load<T>(bRow + off));
      }
    }
  }
}

/** C (m×n) = A · Bᵀ [+ C] with A m×k and B n×k: dot products of contiguous rows. */
// @ts-ignore: decorator
@inline function gemmNT<T>(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: i32): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  for (let i = 0; i < m; i++) {
    const aRow = a + <usize>i * <usize>k * sz;
    for (let j = 0; j < n; j++) {
      const bRow = b + <usize>j * <usize>k * sz;
      let acc = v128.splat<T>(0);
      let p = 0;
      for (; p + L <= k; p += L) {
        const off = <usize>p * sz;
        acc = v128.add<T>(acc, v128.mul<T>(v128.load(aRow + off), v128.load(bRow + off)));
      }
      let s: T = 0;
      for (let l: u8 = 0; l < <u8>L; l++) s += extract<T>(acc, l);
      for (; p < k; p++) s += load<T>(aRow + <usize>p * sz) * load<T>(bRow + <usize>p * sz);
      const cp = c + (<usize>i * <usize>n + <usize>j) * sz;
      store<T>(cp, accumulate ? load<T>(cp) + s : s);
    }
  }
}

// @ts-ignore: decorator
@inline function extract<T>(v: v128, lane: u8): T {
  if (sizeof<T>() == 4) {
    switch (lane) {
      case 0: return <T>f32x4.extract_lane(v, 0);
      case 1: return <T>f32x4.extract_lane(v, 1);
      case 2: return <T>f32x4.extract_lane(v, 2);
      default: return <T>f32x4.extract_lane(v, 3);
    }
  }
  return lane == 0 ? <T>f64x2.extract_lane(v, 0) : <T>f64x2.extract_lane(v, 1);
}

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
export function gemmTN_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void { gemmTN<f32>(m, n, k, a, b, c, acc, scratch); }
export function gemmTN_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void { gemmTN<f64>(m, n, k, a, b, c, acc, scratch); }
export function gemmNT_f32(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32): void { gemmNT<f32>(m, n, k, a, b, c, acc); }
export function gemmNT_f64(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32): void { gemmNT<f64>(m, n, k, a, b, c, acc); }
export function axpy_f32(len: i32, alpha: f32, x: usize, y: usize): void { axpy<f32>(len, alpha, x, y); }
export function axpy_f64(len: i32, alpha: f64, x: usize, y: usize): void { axpy<f64>(len, alpha, x, y); }

/** ReLU forward, branch-free: out = x > 0 ? x : 0, mask = x <= 0 (1/0 bytes), as the book's Relu. */
// @ts-ignore: decorator
@inline function reluForward<T>(len: i32, x: usize, out: usize, mask: usize): void {
  const sz = <usize>sizeof<T>();
  for (let i = 0; i < len; i++) {
    const v = load<T>(x + <usize>i * sz);
    const m = v <= 0;
    store<u8>(mask + <usize>i, <u8>m);
    store<T>(out + <usize>i * sz, select<T>(0, v, m));
  }
}

/** ReLU backward, branch-free: dx = mask ? 0 : dout (dout is only read). */
// @ts-ignore: decorator
@inline function reluBackward<T>(len: i32, dout: usize, mask: usize, dx: usize): void {
  const sz = <usize>sizeof<T>();
  for (let i = 0; i < len; i++) {
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

/** dst[i] = src[i] * scale: bytes (pixels) to floats, 16 at a time. */
export function bytesToFloat_f32(len: i32, src: usize, dst: usize, scale: f32): void {
  const sv = f32x4.splat(scale);
  let i = 0;
  for (; i + 16 <= len; i += 16) {
    const b = v128.load(src + <usize>i);
    const lo = i16x8.extend_low_i8x16_u(b);
    const hi = i16x8.extend_high_i8x16_u(b);
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), sv));
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), sv), 16);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), sv), 32);
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), sv), 48);
  }
  for (; i < len; i++) store<f32>(dst + (<usize>i << 2), <f32>load<u8>(src + <usize>i) * scale);
}

export function bytesToFloat_f64(len: i32, src: usize, dst: usize, scale: f64): void {
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

/** The first byte after the module's own static data: JS manages memory from here on. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
