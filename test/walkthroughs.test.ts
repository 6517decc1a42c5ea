import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXAMPLES, exampleLines } from '../src/cli/examples-command.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** The walk-throughs with a NumPy transcription in test/fixtures/walkthroughs.py. */
const WALKTHROUGHS = ['add-mul-layers', 'relu-layer', 'sigmoid-layer', 'affine-layer', 'softmax-with-loss'];

describe('chapter-5 walk-throughs print what the same steps print in NumPy', () => {
  for (const name of WALKTHROUGHS) {
    it(`examples/${name}.ts`, async () => {
      const [ts, py] = await Promise.all([
        run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], { cwd: root }),
        run('python3', ['test/fixtures/walkthroughs.py', name], { cwd: root }),
      ]);
      assert.equal(ts.stderr, '');
      assert.ok(py.stdout.split('\n').length > 10, 'the NumPy side printed the walk-through');
      assert.equal(ts.stdout, py.stdout);
    });
  }
});

describe('scratchnet examples', () => {
  it('lists every script in examples/, and only those', () => {
    const files = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.ts'));
    assert.deepEqual(EXAMPLES.map((e) => `${e.name}.ts`).sort(), files.sort());
    for (const name of WALKTHROUGHS) assert.ok(EXAMPLES.some((e) => e.name === name));
  });

  it('prints each name with its description and how to run it', () => {
    const lines = exampleLines();
    assert.ok(lines.some((l) => /^ {2}relu-layer +Relu step by step/.test(l)));
    assert.ok(lines.some((l) => l.includes('npx tsx examples/<name>.ts')));
  });
});

/** Runs `scratchnet repl` from source with `input` piped to it (no terminal). */
function runRepl(input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'repl'], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('scratchnet repl', () => {
  it('greets, has the exports in scope, prints tensors as NumPy, awaits at top level, in order', async () => {
    const r = await runRepl(
      [
        'const x = tensor([[1, -0.5], [0, 3]])',
        'x',
        'console.log(x)',
        'lessEqual(x, 0)',
        'await Promise.resolve(41 + 1)',
        'const n = await Promise.resolve(zeros([3], { dtype: "float32" }))',
        'n',
        'typeof TwoLayerNet + " " + typeof loadMnist',
        'nope',
        '',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    const [greeting, ...rest] = r.stdout.split('\n');
    assert.match(greeting, /^ScratchNet \d+\.\d+\.\d+ REPL \(Node v\d+.*names in scope \(print, tensor, .*TwoLayerNet, loadMnist.*top-level await works/);
    assert.equal(
      rest.join('\n'),
      [
        'scratchnet> undefined',
        'scratchnet> array([[ 1. , -0.5],',
        '       [ 0. ,  3. ]])',
        'scratchnet> [[ 1.  -0.5]',
        ' [ 0.   3. ]]',
        'undefined',
        'scratchnet> array([[False,  True],',
        '       [ True, False]])',
        'scratchnet> 42',
        'scratchnet> undefined',
        'scratchnet> array([0., 0., 0.], dtype=float32)',
        "scratchnet> 'function function'",
        'scratchnet> REPL9:1',
        'nope',
        '^',
        '',
        'Uncaught ReferenceError: nope is not defined',
        '    at REPL9:1:1',
        'scratchnet> ',
      ].join('\n'),
    );
  });

  it("has Python's print, and the book's integer arrays print as NumPy's", async () => {
    const r = await runRepl(
      ['print(tensor([1, 2, 3]))', 'print(stepFunction(tensor([-1.0, 1.0, 2.0])), true, null, [1, "a"])', 'stepFunction(tensor([-1.0, 1.0, 2.0]))', 'tensor([-1, 1, 2]).gt(0)', ''].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').slice(1), [
      'scratchnet> [1. 2. 3.]',
      'undefined',
      "scratchnet> [0 1 1] True None [1, 'a']",
      'undefined',
      'scratchnet> array([0, 1, 1], dtype=int32)',
      'scratchnet> array([False,  True,  True])',
      'scratchnet> ',
    ]);
  });
});
