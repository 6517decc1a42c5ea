/** Parsers for command-line values: each says what is allowed when a value is not. */
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { useTypeScriptKernels, useWasmKernels } from '../kernels/wasm/index.ts';
import { createNodeHelper } from '../kernels/wasm/node-helper.ts';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('must be a whole number >= 1.');
  }
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number >= 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number > 0 (e.g. 0.1).');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0 (e.g. 0.01).');
  return n;
}

export function existingDir(value: string): string {
  if (!existsSync(value) || !statSync(value).isDirectory()) throw new InvalidArgumentError(`no such directory: ${value}`);
  return value;
}

export function existingFile(value: string): string {
  if (!existsSync(value) || !statSync(value).isFile()) throw new InvalidArgumentError(`no such file: ${value}`);
  return value;
}

/** `--kernels wasm|ts`: the WASM SIMD kernels (default) or the plain TypeScript reference kernels. */
export function kernelsOption(): Option {
  return new Option('--kernels <name>', 'compute kernels: WASM SIMD, or the plain TypeScript reference').choices(['wasm', 'ts']).default('wasm');
}

/** `--threads 1|2`: threads for the large products of the WASM kernels. */
export function threadsOption(): Option {
  return new Option('--threads <n>', 'threads for the large matrix products (WASM kernels); the same seed and threads repeat a run exactly')
    .choices(['1', '2'])
    .default(String(Math.min(2, availableParallelism())));
}

export interface KernelChoice {
  kernels: 'wasm-simd' | 'typescript';
  threads: number;
}

/** Switches to the chosen kernels; returns what is actually in use. */
export function selectKernels(name: string, threads = '1'): KernelChoice {
  const two = threads === '2';
  if (name === 'wasm' && useWasmKernels(two ? { helper: createNodeHelper } : {})) return { kernels: 'wasm-simd', threads: two ? 2 : 1 };
  useTypeScriptKernels();
  return { kernels: 'typescript', threads: 1 };
}
