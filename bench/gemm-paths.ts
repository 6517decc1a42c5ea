/**
 * The two product paths of the WASM kernels side by side, on one thread, interleaved in one process: the
 * register-blocked kernel (gemmBlocked: 3×3 tiles, skips nothing) against the row passes (gemmNN / gemmTN:
 * 1×13 tiles over A's non-zeros), on SimpleConvNet's Affine 4320→100 and chapter 6's 100-wide layers, for
 * A with 50, 70 and 100 % non-zeros — what src/kernels/wasm/gemm.ts's choice of path rests on.
 *
 *   node --import tsx bench/gemm-paths.ts [--build relaxed|plain] [--rounds 40]
 *
 * Prints one line per case: milliseconds (median of the rounds) and GFLOP/s (2 per multiply-add).
 */
import { median, rawExports } from './raw-exports.ts';

const { build, rounds, memory, x, base } = rawExports();

function run(f32: boolean, transA: boolean, m: number, n: number, k: number, density: number): void {
  const sz = f32 ? 4 : 8;
  const A = base, B = A + m * k * sz + 4096, C = B + k * n * sz + 4096, S = C + m * n * sz + 4096;
  const view = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
  for (let i = 0; i < m * k; i++) view[A / sz + i] = Math.random() < density ? Math.random() : 0;
  for (let i = 0; i < k * n; i++) view[B / sz + i] = Math.random() - 0.5;
  const t = f32 ? '_f32' : '_f64';
  const blocked = () => x[`gemmBlocked${t}`](transA ? 1 : 0, m, n, k, A, B, C, 0, 0, m);
  const rows = transA ? () => x[`gemmTN${t}`](m, n, k, A, B, C, 0, S, 0, m) : () => x[`gemmNN${t}`](m, n, k, A, B, C, 0, S);
  const tb: number[] = [];
  const tr: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    blocked();
    tb.push(performance.now() - t0);
    t0 = performance.now();
    rows();
    tr.push(performance.now() - t0);
  }
  const gf = (ms: number) => ((2 * m * n * k) / ms / 1e6).toFixed(1);
  const [b, r] = [median(tb), median(tr)];
  console.log(`${build} ${f32 ? 'float32' : 'float64'} ${transA ? 'Aᵀ·B' : 'A·B'} ${m}×${n}×${k}, ${density * 100} % non-zero: blocked ${b.toFixed(2)} ms (${gf(b)} GFLOP/s), row passes ${r.toFixed(2)} ms (${gf(r)} GFLOP/s)`);
}

for (const f32 of [true, false]) {
  for (const density of [0.5, 0.7, 1]) {
    run(f32, false, 100, 100, 4320, density);
    run(f32, true, 4320, 100, 100, density);
    run(f32, false, 128, 100, 100, density);
    run(f32, true, 100, 100, 128, density);
  }
}
