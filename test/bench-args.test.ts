import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (script: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('benchmark scripts: flags', { concurrency: 2 }, () => {
  for (const script of ['bench/run.ts', 'bench/ch07/run.ts', 'bench/ch06/run.ts', 'bench/accuracy.ts', 'bench/browser.ts', 'bench/import-step.ts']) {
    it(`${script}: --help prints the usage (exit 0); a bad count or an unknown flag exits 2 before any work`, () => {
      const help = run(script, ['--help']);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`${script.replace(/[./]/g, '\\$&')}|npm run bench`));
      const flag = script === 'bench/accuracy.ts' ? '--seeds' : script === 'bench/ch07/run.ts' || script === 'bench/run.ts' ? '--rounds' : script === 'bench/import-step.ts' ? '--steps' : '--iters';
      const bad = run(script, [flag, '1.5']);
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, new RegExp(`^error: ${flag} must be a whole number >= 1, got 1\\.5\\n`));
      assert.equal(bad.stdout, '', 'nothing ran');
      const unknown = run(script, ['--no-such-flag']);
      assert.equal(unknown.status, 2);
      assert.match(unknown.stderr, /^error: Unknown option '--no-such-flag'/);
    });
  }
});
