/**
 * A·Bᵀ's two WASM paths side by side, on one thread, interleaved in one process: B transposed whole,
 * then the row passes (transpose + gemmNN), and the row passes over packed panels of B (gemmPanels) — on
 * the nets' A·Bᵀ shapes (dout·Wᵀ), A with 50 % and 100 % non-zeros. What src/kernels/wasm/gemm.ts's
 * choice of A·Bᵀ path rests on (panels from k = 32). The tiled dot products (gemmNT) that panels replaced
 * are gone; their figures are in the comment on `panelsAt`.
 *
 *   node --import tsx bench/gemm-nt.ts [--build relaxed|plain] [--rounds 40]
 *
 * Prints one line per case: milliseconds (median of the rounds) and GFLOP/s (2 per multiply-add, dense).
 */
import { median, rawExports } from './raw-exports.ts';

const { build, rounds, memory, x, base } = rawExports();

function run(f32: boolean, m: number, n: number, k: number, density: number): void {
  const sz = f32 ? 4 : 8;
  const A = base, B = A + m * k * sz + 4096, C = B + k * n * sz + 4096, T = C + m * n * sz + 4096, S = T + k * n * sz + 4096;
  const view = f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
  for (let i = 0; i < m * k; i++) view[A / sz + i] = Math.random() < density ? Math.random() - 0.5 : 0;
  for (let i = 0; i < k * n; i++) view[B / sz + i] = Math.random() - 0.5;
  const t = f32 ? '_f32' : '_f64';
  const paths: [string, () => void][] = [
    ['transpose+NN', () => { x[`transpose${t}`](n, k, B, T); x[`gemmNN${t}`](m, n, k, A, T, C, 0, S); }],
    ['panels', () => x[`gemmPanels${t}`](m, n, k, A, B, C, 0, S, 0, n)],
  ];
  const times = paths.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    paths.forEach(([, f], i) => {
      const t0 = performance.now();
      f();
      times[i].push(performance.now() - t0);
    });
  }
  const gf = (ms: number) => ((2 * m * n * k) / ms / 1e6).toFixed(1);
  const cells = paths.map(([name], i) => `${name} ${median(times[i]).toFixed(3)} ms (${gf(median(times[i]))})`);
  console.log(`${build} ${f32 ? 'float32' : 'float64'} ${m}×${n}×${k} ${density * 100} %: ${cells.join(', ')}`);
}

for (const f32 of [false, true]) {
  for (const density of [0.5, 1]) {
    for (const [m, n, k] of [[100, 4320, 100], [128, 100, 100], [100, 1024, 50], [100, 100, 32], [100, 50, 10], [128, 100, 10], [100, 100, 10]]) run(f32, m, n, k, density);
  }
}
