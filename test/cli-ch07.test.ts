/**
 * The chapter-7/8 commands (and ch03's neuralnet-mnist) as subprocesses in a temp dir, on a small slice
 * of the real MNIST: the book's lines, files written and valid, the same --seed repeating a run, bad
 * flags refused (exit 2) before any work. Params files are written as the book's are (a pickled dict of
 * NumPy arrays, by python3 + NumPy) and by ScratchNet's own saveParams. Float16 rounding is checked
 * against NumPy's astype(np.float16) (test/fixtures/ch07-float16.json).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { roundToFloat16 } from '../src/cli/ch07/float16.ts';
import { loadModel } from '../src/io/model-file.ts';
import { loadPickleFile } from '../src/io/pickle-file.ts';
import { DeepConvNet } from '../src/nets/deep-conv-net.ts';
import { SimpleConvNet } from '../src/nets/simple-conv-net.ts';
import { pyFloat } from '../src/train/trainer.ts';
import { runCli, spawnCli, type CliResult } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-ch07-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
/** The TypeScript kernels: these tests check the commands, not the (separately tested) WASM kernels. */
const TS = ['--kernels', 'ts', '--threads', '1'];
/** A number as Python prints a float. */
const PY = String.raw`-?\d+\.\d+(e-?\d+)?|-?\d(\.\d+)?e-?\d+`;
let data: string;
let expectedNumpyAccuracy: number;

/**
 * Pickles as the book's: SimpleConvNet (params.pkl) and DeepConvNet (deep_convnet_params.pkl) in their
 * default shapes, float64, and a float32 three-layer net (sample_weight.pkl), protocol 3; also NumPy's
 * accuracy of that three-layer net (float64) on the slice's test images.
 */
const PYTHON = String.raw`
import pickle, json, sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
simple = {'W1': 0.3 * rng.standard_normal((30, 1, 5, 5)), 'b1': 0.01 * rng.standard_normal(30),
          'W2': 0.05 * rng.standard_normal((4320, 100)), 'b2': np.zeros(100),
          'W3': 0.3 * rng.standard_normal((100, 10)), 'b3': np.zeros(10)}
deep = {}
shapes = [(16, 1), (16, 16), (32, 16), (32, 32), (64, 32), (64, 64)]
for i, (fn, c) in enumerate(shapes):
    deep['W%d' % (i + 1)] = np.sqrt(2.0 / (c * 9)) * rng.standard_normal((fn, c, 3, 3))
    deep['b%d' % (i + 1)] = 0.01 * rng.standard_normal(fn)
deep['W7'] = np.sqrt(2.0 / 1024) * rng.standard_normal((1024, 50)); deep['b7'] = np.zeros(50)
deep['W8'] = np.sqrt(2.0 / 50) * rng.standard_normal((50, 10)); deep['b8'] = np.zeros(10)
sample = {'W1': rng.standard_normal((784, 50)).astype(np.float32), 'b1': rng.standard_normal(50).astype(np.float32),
          'W2': rng.standard_normal((50, 100)).astype(np.float32), 'b2': rng.standard_normal(100).astype(np.float32),
          'W3': rng.standard_normal((100, 10)).astype(np.float32), 'b3': rng.standard_normal(10).astype(np.float32)}
for name, obj in [('params.pkl', simple), ('deep_convnet_params.pkl', deep), ('sample_weight.pkl', sample)]:
    with open(d + '/' + name, 'wb') as f:
        pickle.dump(obj, f, protocol=3)
raw = open(d + '/mnist/t10k-images-idx3-ubyte', 'rb').read()
n = int.from_bytes(raw[4:8], 'big')
x = np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, 784).astype(np.float32) / 255.0
t = np.frombuffer(open(d + '/mnist/t10k-labels-idx1-ubyte', 'rb').read()[8:], dtype=np.uint8)
sig = lambda a: 1 / (1 + np.exp(-a))
p = {k: v.astype(np.float64) for k, v in sample.items()}
y = sig(sig(x.astype(np.float64) @ p['W1'] + p['b1']) @ p['W2'] + p['b2']) @ p['W3'] + p['b3']
json.dump({'accuracy': float(np.sum(np.argmax(y, axis=1) == t)) / n}, open(d + '/numpy.json', 'w'))
`;

before(() => {
  data = writeMnistSlice(join(cwd, 'mnist'), 200, 100);
  const r = spawnSync('python3', ['-c', PYTHON, cwd], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python3: ${r.stderr}`);
  expectedNumpyAccuracy = (JSON.parse(readFileSync(join(cwd, 'numpy.json'), 'utf8')) as { accuracy: number }).accuracy;
});

function ok(r: CliResult, what: string): string[] {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r.stdout.trimEnd().split('\n');
}

function assertFigure(dir: string, name: string): void {
  const png = readFileSync(join(cwd, dir, `${name}.png`));
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${name}.png is a PNG`);
  assert.ok(png.length > 2000, `${name}.png has content`);
  assert.match(readFileSync(join(cwd, dir, `${name}.svg`), 'utf8'), /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
}

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(cwd, dir, file), 'utf8'));

describe('float16 rounding', () => {
  it("equals NumPy's astype(np.float16) (ties to even, subnormals, overflow, signed zero)", () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/ch07-float16.json', import.meta.url), 'utf8')) as { pairs: [number | string, number | string][] };
    const num = (v: number | string) => (typeof v === 'string' ? Number(v) : v);
    assert.ok(fixture.pairs.length > 1000);
    for (const [x, expected] of fixture.pairs) assert.ok(Object.is(roundToFloat16(num(x)), num(expected)), `${x} → ${roundToFloat16(num(x))}, NumPy ${expected}`);
    assert.ok(Number.isNaN(roundToFloat16(NaN)));
    assert.ok(Object.is(roundToFloat16(-0), -0));
  });
});

describe('chapter-7/8 commands', { concurrency: 2 }, () => {
  it('gradient-check-conv: "<key> <diff>" per parameter as the book, all small; the same seed repeats it', async () => {
    const a = ok(await runCli(['gradient-check-conv', '--seed', '5', '--out', 'gc1', ...TS], cwd), 'gradient-check-conv');
    assert.deepEqual(a.map((l) => l.split(' ')[0]), ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    for (const l of a) assert.match(l, new RegExp(`^\\w+ (${PY})$`));
    const g = json('gc1', 'gradient-check.json') as { differences: Record<string, number>; x: number[] };
    assert.equal(g.x.length, 100);
    // Tiny where the functions are smooth; a ReLU or max-pooling input near its kink can leave ~1e-5.
    for (const v of Object.values(g.differences)) assert.ok(v < 1e-3, `difference ${v}`);
    assert.ok(Object.values(g.differences).filter((v) => v < 1e-7).length >= 3, 'most differences are tiny');
    const b = ok(await runCli(['gradient-check-conv', '--seed', '5', '--out', 'gc2', ...TS], cwd), 'again');
    assert.deepEqual(b, a);
  });

  it('train-convnet: epoch lines, final test accuracy, "Saved Network Parameters!", a loadable model, history and figure; the same seed repeats it', async () => {
    const args = ['train-convnet', '--data', data, '--epochs', '1', '--batch-size', '50', '--train-size', '200', '--test-size', '60', '--evaluate-sample-num', '60', '--seed', '11', ...TS];
    const a = ok(await runCli([...args, '--out', 'tc1'], cwd), 'train-convnet');
    assert.equal(a.length, 4);
    assert.match(a[0], new RegExp(`^=== epoch:1, train acc:(${PY}), test acc:(${PY}) ===$`));
    assert.equal(a[1], '=============== Final Test Accuracy ===============');
    assert.match(a[2], new RegExp(`^test acc:(${PY})$`));
    assert.equal(a[3], 'Saved Network Parameters!');
    const h = json('tc1', 'history.json') as { trainLoss: number[]; testAcc: number[]; finalTestAcc: number; status: string };
    assert.equal(h.status, 'completed');
    assert.equal(h.trainLoss.length, 4);
    assert.equal(h.testAcc.length, 1);
    assert.equal(a[2], `test acc:${pyFloat(h.finalTestAcc)}`);
    const net = loadModel(join(cwd, 'tc1', 'params.json'));
    assert.equal(net.kind, 'SimpleConvNet');
    assert.deepEqual(net.params.W1.shape, [30, 1, 5, 5]);
    assertFigure('tc1', 'train-convnet');
    const v = ok(await runCli([...args, '--verbose', '--out', 'tc2'], cwd), 'train-convnet --verbose');
    // --verbose adds the book's "train loss:…" after every step; the rest is the same run.
    assert.equal(v.filter((l) => l.startsWith('train loss:')).length, 4);
    assert.deepEqual(v.filter((l) => !l.startsWith('train loss:')), a);
    assert.deepEqual(json('tc2', 'history.json').trainLoss, h.trainLoss);
  });

  it('train-convnet: SIGTERM stops after the current step and still writes the model, history and figure', async () => {
    const run = spawnCli(['train-convnet', '--data', data, '--epochs', '1000', '--batch-size', '50', '--train-size', '200', '--test-size', '20', '--evaluate-sample-num', '20', '--seed', '4', '--out', 'tcs', ...TS], cwd);
    await run.waitForStdout(/=== epoch:1,/);
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopping/);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'Saved Network Parameters!');
    const h = json('tcs', 'history.json') as { status: string; iterations: number };
    assert.equal(h.status, 'stopped');
    assert.ok(h.iterations >= 1 && h.iterations < 4000);
    assert.equal(loadModel(join(cwd, 'tcs', 'params.json')).kind, 'SimpleConvNet');
    assertFigure('tcs', 'train-convnet');
  });

  it('train-convnet: a loss that stops being finite exits 1 and still draws the figure (after the kernels\' memory is released), without params.json', async () => {
    // WASM kernels and two threads (the default): the helper is stopped and the heap let go before drawing.
    const r = await runCli(['train-convnet', '--data', data, '--epochs', '1', '--batch-size', '50', '--train-size', '200', '--test-size', '20', '--evaluate-sample-num', '20', '--lr', '1e300', '--seed', '1', '--out', 'tcd'], cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /error: the loss became nan at step \d+: the weights were not saved \(try a smaller --lr\)/);
    assert.equal(json('tcd', 'history.json').status, 'diverged');
    assert.equal(existsSync(join(cwd, 'tcd', 'params.json')), false);
    assertFigure('tcd', 'train-convnet');
  });

  it('train-deepnet: DeepConvNet by the Trainer, the book\'s lines, its model file', async () => {
    const r = await runCli(['train-deepnet', '--data', data, '--epochs', '1', '--batch-size', '50', '--train-size', '100', '--test-size', '20', '--evaluate-sample-num', '20', '--seed', '2', '--out', 'td', ...TS], cwd);
    const lines = ok(r, 'train-deepnet');
    assert.match(lines[0], /^=== epoch:1, train acc:/);
    assert.deepEqual(lines.slice(1, 2), ['=============== Final Test Accuracy ===============']);
    assert.equal(lines.at(-1), 'Saved Network Parameters!');
    assert.equal(loadModel(join(cwd, 'td', 'params.json')).kind, 'DeepConvNet');
    assertFigure('td', 'train-deepnet');
  });

  it("visualize-filter: the book's pickle and ScratchNet's model file, before and after grids", async () => {
    ok(await runCli(['visualize-filter', '--params', 'params.pkl', '--seed', '3', '--out', 'vf1'], cwd), 'visualize-filter');
    assertFigure('vf1', 'filter-before');
    assertFigure('vf1', 'filter-after');
    const f = json('vf1', 'filters.json') as { shape: number[]; before: number[]; after: number[]; kind: string };
    assert.equal(f.kind, 'SimpleConvNet');
    assert.deepEqual(f.shape, [30, 1, 5, 5]);
    assert.deepEqual(f.after, Array.from(loadPickleFile(join(cwd, 'params.pkl')).W1.data));
    assert.deepEqual(f.before, Array.from(new SimpleConvNet({ seed: 3 }).params.W1.data), 'the random initial values of SimpleConvNet with --seed');
    const own = new SimpleConvNet({ seed: 9 });
    own.saveParams(join(cwd, 'own-simple.json'));
    ok(await runCli(['visualize-filter', '--params', 'own-simple.json', '--seed', '3', '--out', 'vf2'], cwd), 'visualize-filter model file');
    assert.deepEqual(json('vf2', 'filters.json').after, Array.from(own.params.W1.data));
  });

  it('misclassified-mnist: the book\'s lines; a pickle and the same weights saved by saveParams print the same', async () => {
    const a = ok(await runCli(['misclassified-mnist', '--data', data, '--params', 'deep_convnet_params.pkl', '--test-size', '40', '--out', 'mm1', ...TS], cwd), 'misclassified-mnist');
    assert.equal(a[0], 'calculating test accuracy ... ');
    assert.match(a[1], new RegExp(`^test accuracy:(${PY})$`));
    assert.equal(a[2], '======= misclassified result =======');
    assert.equal(a[3], '{view index: (label, inference), ...}');
    const m = json('mm1', 'misclassified.json') as { accuracy: number; correct: number; images: number; misclassified: { index: number; label: number; inference: number }[] };
    assert.equal(m.images, 40);
    assert.equal(m.correct + m.misclassified.length, 40);
    const shown = m.misclassified.slice(0, 20);
    assert.equal(a[4], `{${shown.map((w, i) => `${i + 1}: (${w.label}, ${w.inference})`).join(', ')}}`);
    assertFigure('mm1', 'misclassified-mnist');
    const net = new DeepConvNet({ seed: 1 });
    net.loadParams(join(cwd, 'deep_convnet_params.pkl'));
    net.saveParams(join(cwd, 'own-deep.json'));
    const b = ok(await runCli(['misclassified-mnist', '--data', data, '--params', 'own-deep.json', '--test-size', '40', '--out', 'mm2', ...TS], cwd), 'misclassified-mnist model file');
    assert.deepEqual(b, a);
  });

  it('examples/book-weights.ts: lists the pickle\'s arrays and tests them as misclassified-mnist does', async () => {
    const root = join(import.meta.dirname, '..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples/book-weights.ts'), join(cwd, 'params.pkl'), '60'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 6), ['W1 float64 (30, 1, 5, 5)', 'b1 float64 (30)', 'W2 float64 (4320, 100)', 'b2 float64 (100)', 'W3 float64 (100, 10)', 'b3 float64 (10)']);
    const acc = /^SimpleConvNet: test accuracy ([\d.]+) on 60 images$/.exec(lines[6]);
    assert.ok(acc, lines[6]);
    // The same weights and the same 60 real test images through the command.
    const m = ok(await runCli(['misclassified-mnist', '--params', 'params.pkl', '--test-size', '60', '--out', 'bw'], cwd), 'misclassified-mnist');
    assert.equal(Number(acc[1]), Number(/^test accuracy:(.*)$/.exec(m[1])![1]));
  });

  it("half-float-network: the book's four lines (its spelling), float64 then float16", async () => {
    const a = ok(await runCli(['half-float-network', '--data', data, '--params', 'deep_convnet_params.pkl', '--test-size', '40', '--out', 'hf', ...TS], cwd), 'half-float-network');
    assert.equal(a.length, 4);
    assert.equal(a[0], 'caluculate accuracy (float64) ... ');
    assert.match(a[1], new RegExp(`^(${PY})$`));
    assert.equal(a[2], 'caluculate accuracy (float16) ... ');
    assert.match(a[3], new RegExp(`^(${PY})$`));
    const h = json('hf', 'half-float.json') as { results: { float64: { accuracy: number }; float16: { accuracy: number } } };
    // float16 keeps ~3 decimal digits: the predictions barely change.
    assert.ok(Math.abs(h.results.float64.accuracy - h.results.float16.accuracy) <= 0.05);
  });

  it("neuralnet-mnist: \"Accuracy:…\" as the book, equal to NumPy's on the same images", async () => {
    const a = ok(await runCli(['neuralnet-mnist', '--data', data, '--params', 'sample_weight.pkl', '--dtype', 'float64', '--out', 'nm1', ...TS], cwd), 'neuralnet-mnist');
    assert.equal(a.length, 1);
    assert.equal(a[0], `Accuracy:${pyFloat(expectedNumpyAccuracy)}`);
    const f32 = ok(await runCli(['neuralnet-mnist', '--data', data, '--params', 'sample_weight.pkl', '--batch-size', '30', '--out', 'nm2', ...TS], cwd), 'float32');
    assert.match(f32[0], new RegExp(`^Accuracy:(${PY})$`));
    assert.equal(json('nm2', 'accuracy.json').dtype, 'float32');
  });

  it('bad flags and unusable params files exit 2 before any work', async () => {
    writeFileSync(join(cwd, 'garbage.pkl'), 'not a pickle at all');
    const cases: [string[], RegExp][] = [
      [['misclassified-mnist', '--data', data], /--params/],
      [['visualize-filter', '--params', 'missing.pkl'], /no such file/],
      [['half-float-network', '--data', data, '--params', 'deep_convnet_params.pkl', '--dtype', 'float16'], /float16/],
      [['train-convnet', '--data', data, '--epochs', '0'], /--epochs/],
      [['train-deepnet', '--data', data, '--lr', '-1'], /--lr/],
      [['neuralnet-mnist', '--data', data, '--params', 'params.pkl'], /--params params\.pkl/],
      [['misclassified-mnist', '--data', data, '--params', 'garbage.pkl'], /--params garbage\.pkl/],
      [['misclassified-mnist', '--data', data, '--params', 'sample_weight.pkl'], /--params sample_weight\.pkl/],
      [['train-convnet', '--data', data, '--train-size', '5000'], /--train-size 5000/],
      [['gradient-check-conv', '--out', 'garbage.pkl'], /is a file/],
    ];
    for (const [i, [args, pattern]] of cases.entries()) {
      const out = `bad${i}`;
      const r = await runCli([...args, ...(args.includes('--out') ? [] : ['--out', out]), ...TS], cwd);
      assert.equal(r.code, 2, `${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
      assert.equal(r.stdout, '', `${args.join(' ')} printed nothing`);
      if (existsSync(join(cwd, out))) assert.deepEqual(readdirSync(join(cwd, out)), [], `${args.join(' ')} wrote nothing`);
    }
  });
});
