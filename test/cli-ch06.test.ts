/**
 * The chapter-6 commands as subprocesses in a temp dir, on a small slice of the real MNIST and tiny
 * iteration counts: the book's lines on stdout, the figure as SVG and PNG, the same --seed repeating a
 * run, bad flags refused (exit 2) before any work.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pyFloat } from '../src/train/trainer.ts';
import { runCli, spawnCli, type CliResult } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-ch06-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
let data: string;
before(() => {
  data = writeMnistSlice(join(cwd, 'mnist'), 300, 60);
});

/** Checks the PNG signature and the SVG root of `<dir>/<name>.png|.svg`. */
function assertFigure(dir: string, name: string): void {
  const png = readFileSync(join(cwd, dir, `${name}.png`));
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], `${name}.png is a PNG`);
  assert.ok(png.length > 2000, `${name}.png has content`);
  const svg = readFileSync(join(cwd, dir, `${name}.svg`), 'utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${name}.svg is an SVG document`);
}

function ok(r: CliResult, what: string): string {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(cwd, dir, file), 'utf8'));
/** A number as Python prints a float (digits, optional exponent). */
const PY = String.raw`-?\d+\.\d+(e-?\d+)?|-?\d(\.\d+)?e-?\d+`;

interface NaiveFixture {
  naive: { optimizer: string; x: number[]; y: number[] }[];
}

describe('chapter-6 commands', { concurrency: 2 }, () => {
  it('optimizer-compare-naive: the paths are the book\'s NumPy trajectories, and the 2×2 figure', async () => {
    const r = await runCli(['optimizer-compare-naive', '--out', 'naive'], cwd);
    assert.equal(ok(r, 'optimizer-compare-naive'), '', 'the book\'s script prints nothing');
    assert.match(r.stderr, /seed \d+ \(repeat this run with --seed \d+\)/);
    assertFigure('naive', 'optimizer-compare-naive');
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-optimizers.json', import.meta.url), 'utf8')) as NaiveFixture;
    const { paths } = json('naive', 'paths.json') as { paths: { name: string; x: number[]; y: number[] }[] };
    assert.deepEqual(paths.map((p) => p.name), ['SGD', 'Momentum', 'AdaGrad', 'Adam']);
    for (const [i, p] of paths.entries()) {
      // The book draws the 30 positions before each update; NumPy's trajectory, bit for bit.
      assert.equal(p.x.length, 30);
      assert.deepEqual(p.x, fixture.naive[i].x.slice(0, 30), `${p.name} x`);
      assert.deepEqual(p.y, fixture.naive[i].y.slice(0, 30), `${p.name} y`);
    }
  });

  it('optimizer-compare-mnist: the book\'s lines every 100 iterations; the same seed repeats them, with half the networks on a second thread', async () => {
    const args = ['optimizer-compare-mnist', '--data', data, '--iters', '101', '--hidden', '20,20', '--seed', '7', '--threads', '1'];
    const a = ok(await runCli([...args, '--out', 'ocm1'], cwd), 'optimizer-compare-mnist');
    const lines = a.trimEnd().split('\n');
    assert.equal(lines.length, 10);
    for (const [k, it] of [[0, 0], [5, 100]]) {
      assert.equal(lines[k], `===========iteration:${it}===========`);
      assert.deepEqual(lines.slice(k + 1, k + 5).map((l) => l.split(':')[0]), ['SGD', 'Momentum', 'AdaGrad', 'Adam']);
      for (const l of lines.slice(k + 1, k + 5)) assert.match(l, new RegExp(`^\\w+:(${PY})$`));
    }
    const { losses } = json('ocm1', 'losses.json') as { losses: Record<string, number[]> };
    assert.equal(losses.Adam.length, 101);
    // The printed loss is the loss after that iteration's update.
    assert.equal(lines[6], `SGD:${String(losses.SGD[100])}`);
    // Adam learns: its loss falls well below the starting ~2.3.
    assert.ok(losses.Adam.slice(-10).reduce((s, v) => s + v, 0) / 10 < 1.5, 'Adam lowers the loss');
    assertFigure('ocm1', 'optimizer-compare-mnist');
    // Two threads: AdaGrad and Adam train on a thread of their own (compare-thread.ts), each product on
    // one thread — the same bits as one thread for everything.
    const r2 = await runCli([...args.slice(0, -1), '2', '--out', 'ocm2'], cwd);
    const b = ok(r2, 'optimizer-compare-mnist on two threads');
    assert.match(r2.stderr, /training Momentum, Adam on a second thread, the others on this one/);
    assert.equal(b, a, 'the same seed repeats the run');
    assert.deepEqual(json('ocm2', 'losses.json').losses, losses);
  });

  it('optimizer-compare-mnist on two threads, SIGINT: every network stops after the same iteration, with the one-thread run\'s losses', async () => {
    const args = ['optimizer-compare-mnist', '--data', data, '--iters', '100000', '--hidden', '20,20', '--seed', '8'];
    const run = spawnCli([...args, '--threads', '2', '--out', 'ocmi'], cwd);
    await run.waitForStdout(/iteration:100=+\n(.*\n){4}/);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /training Momentum, Adam on a second thread/);
    const { losses, iterations } = json('ocmi', 'losses.json') as { losses: Record<string, number[]>; iterations: number };
    assert.ok(iterations > 100 && iterations < 100000, `stopped at ${iterations}`);
    for (const name of ['SGD', 'Momentum', 'AdaGrad', 'Adam']) assert.equal(losses[name].length, iterations, name);
    assertFigure('ocmi', 'optimizer-compare-mnist');
    // The same iterations on one thread: the same losses, bit for bit.
    ok(await runCli([...args.slice(0, 3), '--iters', String(iterations), ...args.slice(5), '--threads', '1', '--out', 'ocmi1'], cwd), 'one thread');
    assert.deepEqual(json('ocmi1', 'losses.json').losses, losses);
  });

  it('optimizer-compare-mnist on two threads, SIGINT while the second thread is loading: a clean stop (exit 130), never an abort', async () => {
    // The handlers are installed before the seed line is printed; the thread is started just after, before
    // the images are read, and takes a while to load (from source, longer). A stop then must wait for it
    // and end it, not leave the process exiting with a thread mid-load (SIGABRT, nodejs/node#38418).
    for (const [k, delay] of [0, 150, 400].entries()) {
      const run = spawnCli(['optimizer-compare-mnist', '--data', data, '--iters', '100000', '--hidden', '20,20', '--seed', '9', '--threads', '2', '--out', `ocmi-early-${k}`], cwd);
      for (let waited = 0; !/seed 9/.test(run.stderr()); waited += 10) {
        assert.ok(waited < 60_000, 'the run starts');
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGINT');
      const r = await run.done;
      const what = `SIGINT ${delay} ms after the seed line: code ${r.code}, signal ${r.signal}\n${r.stderr}`;
      assert.equal(r.code, 130, what);
      assert.match(r.stderr, /SIGINT: stopping after the current step/, what);
      assert.doesNotMatch(r.stderr, /FATAL|Aborted|core dumped/, what);
      const { iterations } = json(`ocmi-early-${k}`, 'losses.json') as { iterations: number };
      assert.ok(iterations < 100000, what);
    }
  });

  it('weight-init-activation-histogram: counts of every activation in [0, 1], per layer', async () => {
    const r = await runCli(['weight-init-activation-histogram', '--samples', '200', '--seed', '1', '--out', 'hist'], cwd);
    assert.equal(ok(r, 'histogram'), '');
    const h = json('hist', 'histograms.json') as { counts: number[][]; scale: number };
    assert.equal(h.scale, 1);
    assert.equal(h.counts.length, 5);
    for (const c of h.counts) {
      assert.equal(c.length, 30);
      // Sigmoid's outputs all lie in (0, 1): every one of the 200 × 100 is counted.
      assert.equal(c.reduce((s, v) => s + v, 0), 200 * 100);
      // With std 1 they pile up at both ends (figure 6-10).
      assert.ok(c[0] + c[29] > 4 * (c[14] + c[15]), 'activations at 0 and 1');
    }
    const x = await runCli(['weight-init-activation-histogram', '--samples', '200', '--weight-init-std', 'xavier', '--seed', '1', '--out', 'hist2'], cwd);
    ok(x, 'xavier');
    const hx = json('hist2', 'histograms.json') as { counts: number[][]; scale: number };
    assert.equal(hx.scale, Math.sqrt(1 / 100));
    assert.ok(hx.counts[4][0] + hx.counts[4][29] < hx.counts[4][14] + hx.counts[4][15], 'Xavier: spread around 0.5');
    assertFigure('hist2', 'weight-init-activation-histogram');
  });

  it('weight-init-compare: std=0.01, Xavier, He lines', async () => {
    const r = await runCli(['weight-init-compare', '--data', data, '--iters', '3', '--hidden', '10,10', '--seed', '2', '--out', 'wic'], cwd);
    const lines = ok(r, 'weight-init-compare').trimEnd().split('\n');
    // Three networks train one at a time (a thread for one of them would not be faster).
    assert.doesNotMatch(r.stderr, /second thread/);
    assert.equal(lines[0], '===========iteration:0===========');
    assert.deepEqual(lines.slice(1).map((l) => l.split(':')[0]), ['std=0.01', 'Xavier', 'He']);
    assertFigure('wic', 'weight-init-compare');
  });

  it('reads the test set only where a command uses it: the training files alone run weight-init-compare', async () => {
    const trainOnly = join(cwd, 'mnist-train-only');
    mkdirSync(trainOnly);
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']) copyFileSync(join(data, f), join(trainOnly, f));
    ok(await runCli(['weight-init-compare', '--data', trainOnly, '--iters', '2', '--hidden', '10,10', '--seed', '2', '--out', 'wic-train-only'], cwd), 'weight-init-compare on the training files');
    assertFigure('wic-train-only', 'weight-init-compare');
    // overfit-weight-decay evaluates on the test set: its absence is the error, naming the file it looked for.
    const r = await runCli(['overfit-weight-decay', '--data', trainOnly, '--epochs', '1', '--train-size', '100', '--hidden', '10', '--seed', '5', '--out', 'owd-train-only'], cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no t10k-images-idx3-ubyte \(or t10k-images-idx3-ubyte\.gz\) in .*mnist-train-only/);
  });

  it('batch-norm-test: the book\'s scale headers and epoch lines, a grid of panels', async () => {
    const r = await runCli(['batch-norm-test', '--data', data, '--scales', '2', '--epochs', '2', '--train-size', '200', '--hidden', '10,10', '--seed', '3', '--out', 'bn'], cwd);
    const lines = ok(r, 'batch-norm-test').trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines[0], '============== 1/2 ==============');
    assert.equal(lines[3], '============== 2/2 ==============');
    for (const l of [lines[1], lines[2], lines[4], lines[5]]) assert.match(l, new RegExp(`^epoch:[01] \\| (${PY}) - (${PY})$`));
    const { results } = json('bn', 'results.json') as { results: { weightScale: number; trainAcc: number[] }[] };
    // logspace(0, -4, 2)
    assert.deepEqual(results.map((x) => x.weightScale), [1, 0.0001]);
    assertFigure('bn', 'batch-norm-test');
  });

  it('batch-norm-gradient-check: one line per parameter in the book\'s order; with 2 images they agree', async () => {
    const r = await runCli(['batch-norm-gradient-check', '--data', data, '--count', '2', '--hidden', '6,5', '--seed', '4', '--out', 'gc'], cwd);
    const lines = ok(r, 'batch-norm-gradient-check').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3']);
    for (const l of lines) {
      const v = Number(l.split(':')[1]);
      assert.ok(v >= 0 && v < 1e-6, `${l}: backprop and numerical gradients agree`);
    }
    assert.equal(readdirSync(join(cwd, 'gc')).filter((f) => f.endsWith('.png')).length, 0, 'the book draws no figure');
  });

  it('overfit-weight-decay: epoch lines and the train/test figure', async () => {
    const r = await runCli(['overfit-weight-decay', '--data', data, '--epochs', '3', '--train-size', '200', '--test-size', '50', '--hidden', '10,10', '--seed', '5', '--out', 'owd'], cwd);
    const lines = ok(r, 'overfit-weight-decay').trimEnd().split('\n');
    assert.equal(lines.length, 3);
    lines.forEach((l, e) => assert.match(l, new RegExp(`^epoch:${e}, train acc:(${PY}), test acc:(${PY})$`)));
    const h = json('owd', 'history.json') as { trainAcc: number[]; testAcc: number[] };
    assert.equal(lines[2], `epoch:2, train acc:${pyFloat(h.trainAcc[2])}, test acc:${pyFloat(h.testAcc[2])}`);
    assertFigure('owd', 'overfit-weight-decay');
  });

  it('overfit-dropout: the Trainer\'s verbose lines; the same seed repeats Dropout\'s masks', async () => {
    const args = ['overfit-dropout', '--data', data, '--epochs', '2', '--train-size', '200', '--test-size', '50', '--hidden', '10,10', '--seed', '6', '--threads', '1'];
    const a = ok(await runCli([...args, '--out', 'od1'], cwd), 'overfit-dropout');
    const lines = a.trimEnd().split('\n');
    // 2 epochs × 2 iterations: a loss line each, an epoch line at iterations 0 and 2, then the final accuracy.
    assert.equal(lines.filter((l) => l.startsWith('train loss:')).length, 4);
    assert.match(lines[1], new RegExp(`^=== epoch:1, train acc:(${PY}), test acc:(${PY}) ===$`));
    assert.deepEqual(lines.slice(-2, -1), ['=============== Final Test Accuracy ===============']);
    assert.match(lines.at(-1)!, new RegExp(`^test acc:(${PY})$`));
    assertFigure('od1', 'overfit-dropout');
    const b = ok(await runCli([...args, '--out', 'od2'], cwd), 'overfit-dropout again');
    assert.equal(b, a);
  });

  it('hyperparameter-optimization: a line per trial, then the best, in order', async () => {
    const r = await runCli(['hyperparameter-optimization', '--data', data, '--trials', '3', '--epochs', '2', '--train-size', '100', '--hidden', '10', '--best', '2', '--seed', '8', '--out', 'hpo'], cwd);
    const lines = ok(r, 'hyperparameter-optimization').trimEnd().split('\n');
    assert.equal(lines.length, 3 + 1 + 2);
    for (const l of lines.slice(0, 3)) assert.match(l, new RegExp(`^val acc:(${PY}) \\| lr:(${PY}), weight decay:(${PY})$`));
    assert.equal(lines[3], '=========== Hyper-Parameter Optimization Result ===========');
    const { trials, validationSize } = json('hpo', 'trials.json') as { validationSize: number; trials: { lr: number; weightDecay: number; valAcc: number[] }[] };
    assert.equal(validationSize, 20);
    for (const t of trials) {
      assert.ok(t.lr >= 1e-6 && t.lr <= 1e-2 && t.weightDecay >= 1e-8 && t.weightDecay <= 1e-4);
    }
    const best = lines.slice(4).map((l) => Number(/val acc:([^)]+)\)/.exec(l)![1]));
    assert.ok(best[0] >= best[1]);
    assert.match(lines[4], /^Best-1\(val acc:.+\) \| lr:.+, weight decay:.+$/);
    assertFigure('hpo', 'hyperparameter-optimization');
  });

  it('bad flags exit 2 with what is allowed, before any work; --help for each', async () => {
    writeFileSync(join(cwd, 'a-file'), 'x');
    const cases: [string[], RegExp][] = [
      [['optimizer-compare-mnist', '--optimizers', 'sgd,foo'], /comma-separated list of SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam.*not foo/],
      [['batch-norm-test', '--scales', '0'], /--scales.*whole number >= 1/],
      [['weight-init-activation-histogram', '--activation', 'softplus'], /Allowed choices are sigmoid, relu, tanh/],
      [['weight-init-activation-histogram', '--weight-init-std', 'big'], /'xavier' or 'he'/],
      [['overfit-dropout', '--dropout-ratio', '1.5'], /in \(0, 1\)/],
      [['hyperparameter-optimization', '--hidden', '10,x'], /comma-separated layer sizes/],
      [['optimizer-compare-naive', '--out', 'a-file'], /--out a-file: is a file/],
      [['overfit-weight-decay', '--data', data, '--train-size', '5000', '--out', 'too-many'], /--train-size 5000: the training set has only 300 images/],
      // Found after the second training thread was started (it loads while the images are read): it is
      // ended, not left to abort the exiting process.
      [['optimizer-compare-mnist', '--data', data, '--train-size', '5000', '--threads', '2', '--out', 'ocm-too-many'], /--train-size 5000: the training set has only 300 images/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, cwd);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.ok(!existsSync(join(cwd, 'too-many', 'history.json')));
    for (const name of ['optimizer-compare-naive', 'hyperparameter-optimization']) {
      const h = await runCli([name, '--help'], cwd);
      assert.equal(h.code, 0);
      assert.match(h.stdout, /--seed <n>/);
      assert.match(h.stdout, /--out <dir>/);
    }
  });
});
