/**
 * What the kernel-path benchmarks (gemm-paths.ts, gemm-nt.ts) share: `--build relaxed|plain` and
 * `--rounds N`, and the raw WASM exports on a memory of their own — the kernels' wrappers would choose
 * the path themselves.
 */
import { parseArgs } from 'node:util';
import '../src/kernels/wasm/node-helper.ts'; // enables relaxed SIMD in this Node before anything compiles
import { relaxedSimdSupported, wasmBytes } from '../src/kernels/wasm/index.ts';

export interface RawExports {
  build: 'relaxed' | 'plain';
  rounds: number;
  memory: WebAssembly.Memory;
  x: Record<string, (...a: number[]) => number>;
  /** The first free page-aligned byte of the memory. */
  base: number;
}

export function rawExports(): RawExports {
  const { values } = parseArgs({ options: { build: { type: 'string', default: 'relaxed' }, rounds: { type: 'string', default: '40' } } });
  if (values.build !== 'relaxed' && values.build !== 'plain') throw new Error(`--build must be relaxed or plain, got ${values.build}`);
  const relaxed = values.build === 'relaxed';
  if (relaxed && !relaxedSimdSupported()) throw new Error('relaxed SIMD is not available in this engine');
  const memory = new WebAssembly.Memory({ initial: 4096, maximum: 4096 });
  const module = new WebAssembly.Module(wasmBytes(false, relaxed) as BufferSource);
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('wasm kernel aborted'); } } });
  const x = instance.exports as Record<string, (...a: number[]) => number>;
  return { build: values.build, rounds: Number(values.rounds), memory, x, base: (x.heapBase() + 4095) & ~4095 };
}

export const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];
