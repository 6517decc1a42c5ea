import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scratchnet ...args` (from source, via tsx) in `cwd`, without a TTY. */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, BIN, ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface SpawnedCli {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` has appeared in stdout (rejects if the process ends first). */
  waitForStdout(pattern: RegExp): Promise<void>;
  /** Exit code, or the signal that ended the process, and all output. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Run under `ulimit -f <blocks>` (1024-byte blocks): writes beyond it fail with EFBIG. */
  fileSizeLimitBlocks?: number;
}

/**
 * Starts `scratchnet ...args` (from source, via tsx) in `cwd` without waiting for it, so a test can send
 * signals or close its output. With `fileSizeLimitBlocks` it runs through bash's `ulimit -f`, then
 * `exec`s node, so signals go to node itself.
 */
export function spawnCli(args: string[], cwd: string, options: SpawnOptions = {}): SpawnedCli {
  const nodeArgs = ['--import', TSX, BIN, ...args];
  const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env };
  const child =
    options.fileSizeLimitBlocks === undefined
      ? spawn(process.execPath, nodeArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -f ${options.fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, ...nodeArgs], {
          cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stdout)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: (pattern) =>
      pattern.test(stdout)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
            done.then((r) => {
              throw new Error(`the process ended (code ${r.code}, signal ${r.signal}) before ${pattern} appeared in its output:\n${r.stdout}\n${r.stderr}`);
            }),
          ]),
    done,
  };
}
