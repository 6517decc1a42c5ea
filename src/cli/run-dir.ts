/** Node-only: the directory a training run writes to, checked before the run and linked after it. */
import { existsSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file size limit reached',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code] ? `${REASONS[code]} (${code})` : undefined) ?? (e as Error).message;
}

/** The first part of `path` (from the root down) that exists and is not a directory, if any. */
function fileInTheWay(path: string): string | undefined {
  const parts: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    parts.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of parts) {
    if (!existsSync(p)) return undefined;
    if (!statSync(p).isDirectory()) return p;
  }
  return undefined;
}

/** `.<name>.tmp-<pid>-<time>`: the temporary files of `writeFileAtomic`. */
const TEMP_FILE = /^\..+\.tmp-(\d+)-\d+$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `dir` (with its parents) and proves a file can be written there, before a run starts: a run
 * that could not save its results is refused (exit 2) instead of failing at the end. Temporary files
 * left by a run that was killed outright (SIGKILL, power loss) are removed.
 */
export function prepareRunDir(dir: string, flag = '--out'): void {
  const blocked = fileInTheWay(dir);
  if (blocked !== undefined) {
    throw new UsageError(`${flag} ${dir}: ${blocked === resolve(dir) ? 'is a file, not a directory' : `cannot be created: ${blocked} is a file, not a directory`}`);
  }
  // One level at a time: a recursive mkdir reports ENOENT on a read-only file system, not EROFS.
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw new UsageError(`${flag} ${dir}: cannot create the directory ${p}: ${reason(e)}`);
    }
  }
  const probe = join(dir, `.scratchnet-write-test-${process.pid}`);
  try {
    writeFileSync(probe, 'scratchnet\n');
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot write files there: ${reason(e)}`);
  } finally {
    rmSync(probe, { force: true });
  }
  for (const name of readdirSync(dir)) {
    const m = TEMP_FILE.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Points `<parent of runDir>/latest` at `runDir` (a relative symbolic link, made beside it and renamed
 * over the old one, so `latest` always names a whole run). Returns the link's path, or an explanation
 * when the link cannot be made (e.g. no symbolic links on this file system); a non-link `latest` is
 * left alone.
 */
export function pointLatestAt(runDir: string): { link: string } | { skipped: string } {
  const link = join(dirname(runDir), 'latest');
  try {
    if (existsSync(link) && !isSymlink(link)) return { skipped: `${link} exists and is not a symbolic link` };
    const tmp = join(dirname(runDir), `.latest.tmp-${process.pid}-${Date.now()}`);
    symlinkSync(basename(runDir), tmp, 'dir');
    try {
      renameSync(tmp, link);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return { link };
  } catch (e) {
    return { skipped: `${link} could not be updated: ${reason(e)}` };
  }
}

function isSymlink(path: string): boolean {
  try {
    readlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
