import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { loadMnistSplits } from '../src/node.ts';
import { runCli } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-train-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
let data: string;
before(() => {
  // 3 000 real training images, 500 real test images: an epoch is 30 iterations of 100.
  data = writeMnistSlice(join(cwd, 'mnist'), 3000, 500);
});

interface History {
  status: string;
  divergedAt?: number;
  config: { seed: number; iters: number; dtype: string };
  iterationsDone: number;
  losses: (number | null)[];
  epochs: { epoch: number; iteration: number; trainAcc: number; testAcc: number }[];
  timings: { seconds: number };
}
const readHistory = (dir: string) => JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as History;

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(path: string): [number, number] {
  const b = readFileSync(path);
  assert.deepEqual([...b.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${path} is a PNG`);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

/** The SVG's width and height attributes, after checking it is an SVG document. */
function svgSize(path: string): [number, number] {
  const s = readFileSync(path, 'utf8');
  assert.match(s, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(s, /<\/svg>\s*$/);
  const m = /<svg[^>]*width="(\d+)"[^>]*height="(\d+)"/.exec(s);
  assert.ok(m, 'svg has width and height');
  return [Number(m[1]), Number(m[2])];
}

describe('scratchnet train', () => {
  it('a short run on real MNIST learns (test accuracy > 0.85) and leaves every file', async () => {
    const r = await runCli(['train', '--iters', '400', '--seed', '3', '--data', data, '--out', 'run1'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^epoch +1\/14  train acc 0\.\d{4}  test acc 0\.\d{4}  loss \d+\.\d{3}  \(\d+\.\d s\)$/m);
    assert.match(r.stdout, /^final accuracy: train 0\.\d{4}  test 0\.\d{4}/m);
    assert.match(r.stdout, /^peak memory: \d+ MB \(RSS, whole run\)$/m);
    assert.doesNotMatch(r.stdout + r.stderr, /[\x1b\r]/, 'no control characters when not on a terminal');
    const dir = join(cwd, 'run1');
    const h = readHistory(dir);
    assert.equal(h.status, 'completed');
    assert.equal(h.config.seed, 3);
    assert.equal(h.losses.length, 400);
    assert.deepEqual(h.epochs.map((e) => e.iteration), Array.from({ length: 14 }, (_, i) => i * 30));
    const last = h.epochs.at(-1)!;
    assert.ok(last.testAcc > 0.85, `test accuracy ${last.testAcc}`);
    assert.ok(h.losses[399]! < h.losses[0]!, 'loss falls');
    for (const name of ['loss', 'accuracy']) {
      const [w, hgt] = svgSize(join(dir, `${name}.svg`));
      assert.deepEqual(pngSize(join(dir, `${name}.png`)), [2 * w, 2 * hgt], `${name}.png is the SVG at 2×`);
      assert.ok(w > 400 && hgt > 250);
    }
    for (const [name, labels] of [['accuracy', ['train acc', 'test acc']], ['loss', ['loss per iteration', 'moving average']]] as const) {
      const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
      assert.match(svg, /class="mark-group role-legend"/, `${name}.svg has a legend`);
      for (const label of labels) assert.ok(svg.includes(`>${label}`), `${name}.svg legend shows "${label}"`);
    }
    assert.ok(existsSync(join(dir, 'model.json')));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp files left behind');

    // The saved model reads back and predicts: the CLI's predict prints its probabilities.
    const p = await runCli(['predict', '--model', join(dir, 'model.json'), '--index', '0', '--data', data], cwd);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^test image #0 \(label 7\)\nprediction: \d\n( {2}\d {2}[01]\.\d{4}.*\n){10}$/);
  });

  it('the same seed gives bit-identical losses and accuracies; no seed prints the one chosen', async () => {
    const a = await runCli(['train', '--iters', '90', '--seed', '11', '--data', data, '--out', 'det-a', '--dtype', 'float32'], cwd);
    const b = await runCli(['train', '--iters', '90', '--seed', '11', '--data', data, '--out', 'det-b', '--dtype', 'float32'], cwd);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ha = readHistory(join(cwd, 'det-a'));
    const hb = readHistory(join(cwd, 'det-b'));
    assert.equal(ha.config.dtype, 'float32');
    assert.deepEqual(ha.losses, hb.losses);
    assert.deepEqual(ha.epochs.map((e) => [e.trainAcc, e.testAcc]), hb.epochs.map((e) => [e.trainAcc, e.testAcc]));
    const c = await runCli(['train', '--iters', '5', '--data', data, '--out', 'det-c'], cwd);
    const seed = /seed (\d+) \(repeat this run with --seed \1\)/.exec(c.stdout);
    assert.ok(seed, c.stdout);
    assert.equal(readHistory(join(cwd, 'det-c')).config.seed, Number(seed[1]));
  });

  it('--json prints one JSON object per line: start, epochs, done', async () => {
    const r = await runCli(['train', '--iters', '61', '--seed', '1', '--data', data, '--out', 'json', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; files?: string[] });
    assert.deepEqual(lines.map((l) => l.type), ['start', 'epoch', 'epoch', 'epoch', 'done']);
    assert.equal(lines.at(-1)!.status, 'completed');
    assert.equal(lines.at(-1)!.files!.length, 6);
  });

  it('--quiet prints only the summary', async () => {
    const r = await runCli(['train', '--iters', '31', '--seed', '1', '--data', data, '--out', 'quiet', '--quiet'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /^epoch/m);
    assert.doesNotMatch(r.stdout, /^seed/m);
    assert.match(r.stdout, /^done: 31 iterations/m);
  });

  it('rejects bad values with what is allowed, exit code 2, before any work', async () => {
    const cases: [string[], RegExp][] = [
      [['--lr', 'fast'], /option '--lr <x>' argument 'fast' is invalid\. must be a number > 0/],
      [['--lr', '-0.1'], /--lr <x>.*must be a number > 0/],
      [['--iters', '-5'], /option '--iters <n>' argument '-5' is invalid\. must be a whole number >= 1/],
      [['--batch-size', '0'], /--batch-size <n>.*must be a whole number >= 1/],
      [['--hidden', '2.5'], /--hidden <n>.*must be a whole number >= 1/],
      [['--dtype', 'int8'], /argument 'int8' is invalid\. Allowed choices are float64, float32/],
      [['--data', join(cwd, 'no-such-dir')], /no such directory: .*no-such-dir/],
      [['--bogus'], /unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['train', ...args, '--out', 'never'], cwd);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /--help/);
    }
    assert.equal(existsSync(join(cwd, 'never')), false, 'nothing was written');
  });

  it('a corrupt data file is named with what is wrong (exit 1)', async () => {
    const bad = writeMnistSlice(join(cwd, 'bad-mnist'), 100, 10);
    const file = join(bad, 't10k-images-idx3-ubyte');
    writeFileSync(file, readFileSync(file).subarray(0, 5000));
    const r = await runCli(['train', '--iters', '5', '--data', bad, '--out', 'bad'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /t10k-images-idx3-ubyte: truncated: dimensions \[10, 28, 28\] need 7840 data bytes, found 4984/);
  });

  it('stops at once when the loss is not finite, naming the iteration and the learning rate (exit 1)', async () => {
    const r = await runCli(['train', '--iters', '100', '--lr', '1e300', '--seed', '1', '--data', data, '--out', 'nan'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the loss became NaN at iteration 0: the learning rate \(1e\+300\) is probably too high/);
    const h = readHistory(join(cwd, 'nan'));
    assert.equal(h.status, 'diverged');
    assert.equal(h.divergedAt, 0);
    assert.deepEqual(h.losses, [null]);
    assert.ok(existsSync(join(cwd, 'nan', 'loss.png')));
    assert.equal(existsSync(join(cwd, 'nan', 'model.json')), false, 'no model of diverged weights');
  });

  it('Ctrl-C stops after the current iteration and still writes history, plots and model (exit 130)', async () => {
    const bin = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), bin, 'train', '--iters', '100000', '--seed', '1', '--data', data, '--out', 'sigint'], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!sent && /epoch +3\//.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopping after the current iteration/);
    assert.match(stdout, /^stopped: \d+ iterations/m);
    const h = readHistory(join(cwd, 'sigint'));
    assert.equal(h.status, 'stopped');
    assert.ok(h.iterationsDone >= 61 && h.iterationsDone < 100000);
    assert.equal(h.losses.length, h.iterationsDone);
    for (const f of ['loss.svg', 'loss.png', 'accuracy.svg', 'accuracy.png', 'model.json']) assert.ok(existsSync(join(cwd, 'sigint', f)), f);
  });
});

describe('scratchnet predict', () => {
  let model: string;
  before(async () => {
    const r = await runCli(['train', '--iters', '200', '--seed', '2', '--data', data, '--out', 'pmodel', '--quiet'], cwd);
    assert.equal(r.code, 0, r.stderr);
    model = join(cwd, 'pmodel', 'model.json');
  });

  it('classifies a 28×28 PNG the same as the test image it was made from, light or dark background', async () => {
    const { test } = loadMnistSplits({ dir: data });
    const img = test.images.subarray(3 * 784, 4 * 784);
    writeFileSync(join(cwd, 'digit.png'), encode({ width: 28, height: 28, data: img, channels: 1, depth: 8 }));
    writeFileSync(join(cwd, 'digit-inverted.png'), encode({ width: 28, height: 28, data: img.map((v) => 255 - v), channels: 1, depth: 8 }));
    const byIndex = await runCli(['predict', '--model', model, '--index', '3', '--data', data], cwd);
    const byImage = await runCli(['predict', '--model', model, '--image', 'digit.png'], cwd);
    const inverted = await runCli(['predict', '--model', model, '--image', 'digit-inverted.png'], cwd);
    for (const r of [byIndex, byImage, inverted]) assert.equal(r.code, 0, r.stderr);
    const body = (s: string) => s.split('\n').slice(1).join('\n');
    assert.equal(body(byImage.stdout), body(byIndex.stdout));
    assert.match(inverted.stdout, /inverted: dark digit on light background/);
    assert.equal(body(inverted.stdout), body(byIndex.stdout));
  });

  it('rejects bad model files with a clear error, never a crash or a hang', async () => {
    const doc = JSON.parse(readFileSync(model, 'utf8')) as Record<string, any>;
    const variant = (mutate: (d: any) => void) => {
      const d = structuredClone(doc);
      mutate(d);
      return JSON.stringify(d);
    };
    const text = readFileSync(model, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['truncated', text.slice(0, text.length / 2), /not valid JSON .*the file may be truncated/],
      ['not-a-model', '{"hello": 1}', /not a ScratchNet model \(format is undefined/],
      ['version', variant((d) => (d.formatVersion = 99)), /unsupported formatVersion 99/],
      ['shape', variant((d) => (d.params.W1.shape = [50, 784])), /W1 has shape \[50,784\], expected \[784, 50\]/],
      ['missing', variant((d) => delete d.params.b2), /missing parameter "b2"/],
      ['extra', variant((d) => (d.params.W3 = { shape: [1], data: [0] })), /unexpected parameter "W3"/],
      ['nonfinite', variant((d) => (d.params.W2.data[7] = null)), /W2\.data\[7\] is null/],
      ['short', variant((d) => d.params.b1.data.pop()), /b1\.data has 49 numbers, shape \[50\] needs 50/],
      // Format version 1 keeps the sizes in "sizes", later versions in "config".
      ['absurd', variant((d) => ((d.sizes ?? d.config).hiddenSize = 4e9)), /hiddenSize must be an integer from 1 to 1000000, got 4000000000/],
      ['dtype', variant((d) => (d.dtype = 'int4')), /unknown dtype "int4"/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(cwd, `bad-${name}.json`);
      writeFileSync(path, content);
      const r = await runCli(['predict', '--model', path], cwd);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.ok(r.stderr.includes(path), `${name}: the message names the file`);
    }
    const missing = await runCli(['predict', '--model', 'nope.json'], cwd);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file: nope\.json/);
  });
});

describe('scratchnet gradcheck and plot', () => {
  it("gradcheck prints the four differences as the book does, all below 1e-6", async () => {
    const r = await runCli(['gradcheck'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['W1', 'b1', 'W2', 'b2']);
    for (const l of lines) {
      const v = Number(l.split(':')[1]);
      assert.ok(v > 0 && v < 1e-6, l);
    }
  });

  it('plot relu and plot sigmoid write SVG and PNG of the three panels', async () => {
    for (const layer of ['relu', 'sigmoid']) {
      const r = await runCli(['plot', layer, '--out', 'plots'], cwd);
      assert.equal(r.code, 0, r.stderr);
      const [w, h] = svgSize(join(cwd, 'plots', `${layer}.svg`));
      assert.deepEqual(pngSize(join(cwd, 'plots', `${layer}.png`)), [2 * w, 2 * h]);
      const svg = readFileSync(join(cwd, 'plots', `${layer}.svg`), 'utf8');
      for (const title of ['forward: y', 'backward: dy/dx', 'overlaid']) assert.ok(svg.includes(title), `${layer}: ${title}`);
    }
    const bad = await runCli(['plot', 'tanh'], cwd);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /value 'tanh' is invalid for argument 'layer'\. Allowed choices are relu, sigmoid/);
  });
});
