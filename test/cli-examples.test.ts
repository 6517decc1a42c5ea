import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VERSION } from '../src/version.ts';
import { runCli } from './helpers/cli.ts';

const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-cli-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

describe('scratchnet buy-apple / buy-apple-orange', () => {
  it("prints buy_apple.py's lines exactly", async () => {
    const r = await runCli(['buy-apple'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'price: 220\ndApple: 2.2\ndApple_num: 110\ndTax: 200\n');
  });

  it("prints buy_apple_orange.py's lines exactly", async () => {
    const r = await runCli(['buy-apple-orange'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'price: 715\ndApple: 2.2\ndApple_num: 110\ndOrange: 3.3000000000000003\ndOrange_num: 165\ndTax: 650\n');
  });

  it('an unknown command exits 2 and points at --help', async () => {
    const r = await runCli(['buy-banana'], cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'buy-banana'/);
    assert.match(r.stderr, /--help/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
    const r = await runCli(['--version'], cwd);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });
});
