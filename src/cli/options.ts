/** Parsers for command-line values: each says what is allowed when a value is not. */
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, Option } from 'commander';
import { useTypeScriptKernels, useWasmKernels } from '../kernels/wasm/index.ts';

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

/** Switches to the chosen kernels; returns the backend actually in use. */
export function selectKernels(name: string): 'wasm-simd' | 'typescript' {
  if (name === 'wasm' && useWasmKernels()) return 'wasm-simd';
  useTypeScriptKernels();
  return 'typescript';
}
