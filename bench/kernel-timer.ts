/**
 * The profile scripts' timer (bench/ch05, ch06 and ch07/profile.ts): wraps every function of the active
 * `kernels` table so that each call adds its time, under a key (the kernel's name, or `describe`'s — a
 * product with its shape), to a table that `printTable` prints with each key's share of the time
 * measured and its GFLOP/s where `describe` gave a multiply-add count.
 */
import { kernels, type Kernels } from '../src/kernels/index.ts';

export interface KernelTimes {
  ms: number;
  calls: number;
  macs: number;
}

/** What a call is counted as: a key and its multiply-adds (0: not a product), or undefined for the kernel's name. */
export type Describe = (name: string, args: unknown[]) => { key: string; macs: number } | undefined;

/** `gemm` calls as `gemm NN m×n×k` with m·n·k multiply-adds. */
export const describeGemm: Describe = (name, args) => {
  if (name !== 'gemm') return undefined;
  const [ta, tb, m, n, k] = args as [boolean, boolean, number, number, number];
  return { key: `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}×${n}×${k}`, macs: m * n * k };
};

/**
 * Wraps the kernels (once per process). Calls are counted while `on()` is true; `totals` holds them.
 */
export function timeKernels(describe: Describe = describeGemm, on: () => boolean = () => true): Map<string, KernelTimes> {
  const totals = new Map<string, KernelTimes>();
  const table = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(kernels) as (keyof Kernels)[]) {
    const f = table[name];
    if (typeof f !== 'function') continue;
    table[name] = (...args: unknown[]) => {
      if (!on()) return f(...args);
      const t0 = performance.now();
      const r = f(...args);
      const ms = performance.now() - t0;
      const d = describe(name, args) ?? { key: name, macs: 0 };
      const e = totals.get(d.key) ?? { ms: 0, calls: 0, macs: 0 };
      e.ms += ms;
      e.calls++;
      e.macs += d.macs;
      totals.set(d.key, e);
      return r;
    };
  }
  return totals;
}

/**
 * Prints `totals` as a markdown table, largest first: calls and time per `per` (one step, iteration…),
 * the share of `totalMs` (the time measured over `count` of them) and GFLOP/s; then the time outside the
 * kernels. `unit` scales the time column ('ms' or 'µs').
 */
export function printTable(totals: Map<string, KernelTimes>, totalMs: number, count: number, per: string, unit: 'ms' | 'µs'): void {
  const scale = unit === 'µs' ? 1000 : 1;
  const digits = unit === 'µs' ? 1 : 2;
  console.log(`| kernel | calls/${per} | ${unit}/${per} | share | GFLOP/s |`);
  console.log('|---|---|---|---|---|');
  let sum = 0;
  for (const [key, e] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    sum += e.ms;
    const gf = e.macs ? ((2 * e.macs) / (e.ms / 1000) / 1e9).toFixed(1) : '';
    console.log(`| ${key} | ${(e.calls / count).toFixed(e.calls % count ? 2 : 0)} | ${((scale * e.ms) / count).toFixed(digits)} | ${((100 * e.ms) / totalMs).toFixed(1)} % | ${gf} |`);
  }
  if (totals.size > 0) console.log(`| (outside kernels) | | ${((scale * (totalMs - sum)) / count).toFixed(digits)} | ${((100 * (totalMs - sum)) / totalMs).toFixed(1)} % | |`);
}
