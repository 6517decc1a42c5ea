/** Parsers for command-line values: each says what is allowed when a value is not. */
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { useTypeScriptKernels, useWasmKernels } from '../kernels/wasm/index.ts';
import { createNodeHelper } from '../kernels/wasm/node-helper.ts';

/**
 * A whole number >= `min`, written in digits (`60000`) or in exponent notation when that is exactly a
 * whole number (`1e9`, `6.5e4`); anything else says what is allowed.
 */
function wholeNumber(value: string, min: number): number {
  const s = value.trim();
  const allowed = `must be a whole number >= ${min}, in digits (e.g. 1000) or exponent notation (e.g. 1e4)`;
  if (!/^(\d+(\.\d*)?|\.\d+)(e\+?\d+)?$/i.test(s)) throw new InvalidArgumentError(`${allowed}.`);
  const n = Number(s);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${allowed}; ${s} is not whole.`);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`is too large: ${allowed} up to ${Number.MAX_SAFE_INTEGER}.`);
  if (n < min) throw new InvalidArgumentError(`${allowed}.`);
  return n;
}

export function positiveInt(value: string): number {
  return wholeNumber(value, 1);
}

export function nonNegativeInt(value: string): number {
  return wholeNumber(value, 0);
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
