// scripts/start.mjs (npm start / npm run build): dist/ is rebuilt exactly when it may be stale.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { build, needsBuild } from '../scripts/start.mjs';

describe('npm start builds dist/ only when a source is newer than the last build', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
  /** A project tree whose every file and directory has time 100 s, built (stamped) at `stamp` s. */
  function project(stamp: number | undefined, bin = true): string {
    const root = mkdtempSync(join(tmpdir(), 'scratchnet-start-'));
    roots.push(root);
    const files = ['src/cli/program.ts', 'src/index.ts', 'tsconfig.json', 'tsconfig.build.json'];
    if (bin) files.push('dist/cli/bin.js');
    if (stamp !== undefined) files.push('dist/.build-stamp');
    for (const file of files) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    for (const path of [...files, 'src/cli', 'src']) utimesSync(join(root, path), at(100), at(100));
    if (stamp !== undefined) utimesSync(join(root, 'dist/.build-stamp'), at(stamp), at(stamp));
    return root;
  }

  it('is fresh when every input is older than the stamp', () => {
    assert.equal(needsBuild(project(200)), false);
  });
  it('rebuilds without a stamp (a tsc run that failed, or a dist/ from elsewhere) or without the CLI', () => {
    assert.equal(needsBuild(project(undefined)), true);
    assert.equal(needsBuild(project(200, false)), true);
  });
  it('rebuilds when a nested source, a tsconfig or a directory (a deleted file) is newer', () => {
    for (const path of ['src/cli/program.ts', 'tsconfig.json', 'tsconfig.build.json', 'src/cli']) {
      const root = project(200);
      utimesSync(join(root, path), at(300), at(300));
      assert.equal(needsBuild(root), true, path);
    }
  });
  it('rebuilds when a source was saved during the last build (the stamp is the build’s start)', () => {
    const root = project(99);
    assert.equal(needsBuild(root), true);
  });

  it('a build leaves the CLI executable (npx scratchnet runs after a clean rebuild)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const bin = join(root, 'dist', 'cli', 'bin.js');
    try {
      chmodSync(bin, 0o644);
    } catch {
      // No dist/ yet: the build makes it.
    }
    assert.equal(build(root), 0);
    assert.equal(statSync(bin).mode & 0o111, 0o111);
  });
});
