/** The systems the benchmarks run, each as a child process timed by its own clock (shared by run.ts and accuracy.ts). */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = '/usr/bin/time';

/**
 * The CLI as a user runs it (`npx scratchnet …` runs this file): executed itself, so that its shebang's
 * Node flags apply. The caller makes sure dist/ is built (`cliBuilt`).
 */
export const CLI = join(root, 'dist/cli/bin.js');

/** Builds dist/ when src/ is newer than it (scripts/start.mjs's check): the benchmarks time the built CLI. */
export async function cliBuilt(): Promise<void> {
  const start = (await import(pathToFileURL(join(root, 'scripts/start.mjs')).href)) as { needsBuild(root: string): boolean; build(root: string): number };
  if (start.needsBuild(root) && start.build(root) !== 0) throw new Error('the build failed: the benchmarks time dist/cli/bin.js');
}

export interface Run {
  seconds: number;
  testAcc: number;
  peakRssMB: number;
}

export interface BenchSystem {
  name: string;
  dtype: string;
  run: (seed: number, iters: number) => Promise<Run>;
}

/**
 * Runs a command to its end and times it by the wall clock (start-up to exit); a failure throws with its
 * stderr. `peakRssMB`: the largest resident set of the process or any process it started (/usr/bin/time's
 * %M; NaN where that is missing) — for `npm start`, the Node process npm runs.
 */
export function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; stdout: string; peakRssMB: number } {
  const argv = underTime(cmd, args);
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { seconds, stdout: r.stdout, peakRssMB: peakRssOf(r.stderr) };
}

/**
 * `scratchnet <args> --out DIR` timed (`wall`), DIR a fresh temporary directory removed afterwards (the
 * figures and files a command writes are part of its time, not of the repository).
 */
export function cliInTempDir(args: string[], prefix = 'scratchnet-bench-'): ReturnType<typeof wall> {
  const out = mkdtempSync(join(tmpdir(), prefix));
  try {
    return wall(CLI, [...args, '--out', out]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The command run under /usr/bin/time (its peak RSS then on stderr: `peakRssOf`), or as it is where that is missing. */
function underTime(cmd: string, args: string[]): string[] {
  return existsSync(TIME) ? [TIME, '-f', 'MAXRSS_KB=%M', cmd, ...args] : [cmd, ...args];
}

/** The peak RSS, MB, that /usr/bin/time printed last on `stderr` (`underTime`); NaN when it did not. */
function peakRssOf(stderr: string): number {
  const rss = /MAXRSS_KB=(\d+)\s*$/.exec(stderr);
  return rss ? Number(rss[1]) / 1024 : Number.NaN;
}

/** Megabytes as the tables print them; '?' for NaN (not measured). */
export const mbOf = (m: number): string => (Number.isNaN(m) ? '?' : `${m.toFixed(0)} MB`);

/** Whether every round's peak RSS stayed within `limit` MB, and the largest. */
export function limitText(rss: number[], limit: number): string {
  const most = Math.max(...rss);
  return Number.isNaN(most) ? 'not measured (no /usr/bin/time)' : `${most <= limit ? 'held' : 'not held'} (largest of the rounds ${mbOf(most)})`;
}

/** The JSON of a child benchmark's `RESULTS {…}` line (bench/ch07/run.ts, bench/browser.ts print one). */
export function resultsOf<T>(stdout: string, what: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULTS '));
  if (!line) throw new Error(`${what} printed no RESULTS line`);
  return JSON.parse(line.slice('RESULTS '.length)) as T;
}

/** Runs a command, returns its last JSON line and its peak RSS (from /usr/bin/time when present). */
async function measure(cmd: string, args: string[]): Promise<Record<string, unknown> & { peakRssMB: number }> {
  const argv = underTime(cmd, args);
  const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`);
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) throw new Error(`${cmd}: no JSON result in ${out.slice(-500)}`);
  const result = JSON.parse(line) as Record<string, unknown>;
  const rss = peakRssOf(err);
  return { ...result, peakRssMB: Number.isNaN(rss) ? Number(result.peakRssMB) : rss };
}

export const scratchNet: BenchSystem = {
  name: 'ScratchNet (WASM SIMD)',
  dtype: 'float32',
  run: async (seed, iters) => {
    const dir = mkdtempSync(join(tmpdir(), 'scratchnet-bench-'));
    try {
      const r = await measure(CLI, ['train', '--seed', String(seed), '--iters', String(iters), '--dtype', 'float32', '--json', '--out', dir]);
      // Data loading included, as the NumPy and TF.js timers include theirs.
      return { seconds: Number(r.loadSeconds) + Number(r.seconds), testAcc: Number(r.testAcc), peakRssMB: r.peakRssMB };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const numpy: BenchSystem = {
  name: 'NumPy, the book’s code',
  dtype: 'float64',
  run: async (seed, iters) => {
    const r = await measure('python3', [join(root, 'bench/numpy_train.py'), '--seed', String(seed), '--iters', String(iters)]);
    return { seconds: Number(r.seconds), testAcc: Number(r.testAcc), peakRssMB: r.peakRssMB };
  },
};

/**
 * TF.js is installed for the benchmark only, in bench/tfjs (its own package.json and lock file), so the
 * root `npm ci` does not download it (~300 MB). Installs it there when bench/tfjs/node_modules is missing
 * (offline runs work once it is installed). `npm run typecheck:bench` type-checks bench/tfjs.
 */
export function ensureTfjsInstalled(): void {
  const dir = join(root, 'bench/tfjs');
  if (!existsSync(join(dir, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'))) {
    console.log('installing TF.js for the benchmark into bench/tfjs/node_modules (npm ci --prefix bench/tfjs) …');
    execFileSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
}

export const tfjs: BenchSystem = {
  name: 'TF.js 4.22, wasm backend',
  dtype: 'float32',
  run: async (seed, iters) => {
    const r = await measure(process.execPath, ['--import', 'tsx', join(root, 'bench/tfjs/train.ts'), '--seed', String(seed), '--iters', String(iters)]);
    return { seconds: Number(r.seconds), testAcc: Number(r.testAcc), peakRssMB: r.peakRssMB };
  },
};

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
