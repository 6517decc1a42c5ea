/** Kernel micro-benchmarks: the TypeScript reference kernels against the WASM SIMD ones, per shape. */
import { loadMnistSplits, referenceKernels, type FloatArray } from '../src/node.ts';
import { createWasmKernels } from '../src/kernels/wasm/index.ts';

export function kernelBench(): string {
  const wasm = createWasmKernels();
  const { train } = loadMnistSplits();
  const rows: string[] = ['| kernel | shape (m×n×k) | dtype | TypeScript GFLOP/s | WASM SIMD GFLOP/s | speed-up |', '|---|---|---|---|---|---|'];
  const shapes: { name: string; tA: boolean; tB: boolean; m: number; n: number; k: number; mnistA: boolean }[] = [
    { name: 'x·W1 (forward, real MNIST batch)', tA: false, tB: false, m: 100, n: 50, k: 784, mnistA: true },
    { name: 'xᵀ·dout (dW1, real MNIST batch)', tA: true, tB: false, m: 784, n: 50, k: 100, mnistA: true },
    { name: 'dout·W2ᵀ (dx of Affine2)', tA: false, tB: true, m: 100, n: 50, k: 10, mnistA: false },
    { name: 'x·W1, dense random', tA: false, tB: false, m: 100, n: 50, k: 784, mnistA: false },
  ];
  for (const s of shapes) {
    for (const f32 of [true, false]) {
      const alloc = (len: number) => wasm.heap.allocate(f32, len)!;
      const a = alloc(s.m * s.k);
      if (s.mnistA) referenceKernels.bytesToFloat(train.images.subarray(0, s.m * s.k), a, 1 / 255);
      else for (let i = 0; i < a.length; i++) a[i] = Math.sin(i) + 0.5;
      const b = alloc(s.k * s.n);
      for (let i = 0; i < b.length; i++) b[i] = Math.cos(i);
      const c = alloc(s.m * s.n);
      const time = (f: (c: FloatArray) => void) => {
        for (let i = 0; i < 20; i++) f(c);
        let reps = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < 300) {
          f(c);
          reps++;
        }
        return (2 * s.m * s.n * s.k * reps) / ((performance.now() - t0) / 1000) / 1e9;
      };
      const ts = time((out) => referenceKernels.gemm(s.tA, s.tB, s.m, s.n, s.k, a, b, out));
      const wa = time((out) => wasm.kernels.gemm(s.tA, s.tB, s.m, s.n, s.k, a, b, out));
      rows.push(`| ${s.name} | ${s.m}×${s.n}×${s.k} | ${f32 ? 'float32' : 'float64'} | ${ts.toFixed(2)} | ${wa.toFixed(2)} | ${(wa / ts).toFixed(1)}× |`);
    }
  }
  return rows.join('\n');
}
