#!/usr/bin/env node
// `npm start` and `npm run build`.
//
//   node scripts/start.mjs --build     compile src/ to dist/ (tsc), then write dist/.build-stamp
//   node scripts/start.mjs [args…]     compile only if src/ or a tsconfig changed since the stamp,
//                                      then run `scratchnet train [args…]` in this process
//
// `npm start` used to be `npm run build && node dist/cli/bin.js train`: a second npm process and ~0.9 s
// of tsc on every start, although `npm ci` (prepare → build) had just built dist/. The stamp's time is
// the time the last successful build *started*, so a source saved during a build is seen as newer.
// Plain JavaScript, so that it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const STAMP = join('dist', '.build-stamp');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time (ms) of a file, or of any file under a directory; 0 if absent. */
function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether `root`'s dist/ must be rebuilt: no stamp, no CLI, or an input newer than the stamp. */
export function needsBuild(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli', 'bin.js'))) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((input) => newestMtime(join(root, input)) > built);
}

/** Runs tsc on tsconfig.build.json in `root`; on success makes the CLI executable and stamps dist/ with the build's start time. */
export function build(root) {
  const started = new Date();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) return result.status ?? 1;
  // tsc writes files without the execute bit: `npx scratchnet` (npm's bin link) needs it on the CLI.
  chmodSync(join(root, 'dist', 'cli', 'bin.js'), 0o755);
  const stamp = join(root, STAMP);
  writeFileSync(stamp, `built from src/ by scripts/start.mjs; started ${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
  return 0;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const args = process.argv.slice(2);
  if (args[0] === '--build') {
    process.exitCode = build(root);
  } else {
    const status = needsBuild(root) ? build(root) : 0;
    if (status !== 0) {
      process.exitCode = status;
    } else {
      const bin = join(root, 'dist', 'cli', 'bin.js');
      process.argv = [process.argv[0], bin, 'train', ...args];
      await import(pathToFileURL(bin).href);
    }
  }
}
