/**
 * `scratchnet book chNN/script` in a temp dir: the table covers every .py of the book's ch01–ch08 (and
 * names the library's classes for its modules), the deterministic scripts print the lines recorded with
 * Python + NumPy (test/fixtures/make-book-lines.py), figure scripts leave SVG + PNG with the book's labels
 * and the numbers behind them, and bad paths or missing files are usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOOK_MODULES, BOOK_SCRIPTS, normalizeBookPath, resolveBookScript } from '../src/cli/book/index.ts';
import { UsageError } from '../src/cli/errors.ts';
import { buildProgram } from '../src/cli/program.ts';
import { SimpleConvNet, savePickle, Tensor } from '../src/node.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

interface Fixture {
  lines: Record<string, string[]>;
  simplenet: { weights: number[][]; lines: string[] };
  neuralnetMnist: { testImages: number; lines: string[] };
  gradient2d: { points: number[][]; gradients: number[][] };
  gradientMethod: { history: number[][]; x: number[] };
}
const NUMPY = JSON.parse(readFileSync(new URL('./fixtures/book-lines.json', import.meta.url), 'utf8')) as Fixture;
const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-book-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
let data: string;
before(() => {
  data = writeMnistSlice(join(cwd, 'mnist'), 1200, NUMPY.neuralnetMnist.testImages);
});

/** The book repository's .py files of ch01–ch08 (its tree at the time of writing). */
const BOOK_FILES = [
  'ch01/hungry', 'ch01/img_show', 'ch01/man', 'ch01/simple_graph', 'ch01/sin_cos_graph', 'ch01/sin_graph',
  'ch02/and_gate', 'ch02/nand_gate', 'ch02/or_gate', 'ch02/xor_gate',
  'ch03/mnist_show', 'ch03/neuralnet_mnist', 'ch03/neuralnet_mnist_batch', 'ch03/relu', 'ch03/sig_step_compare', 'ch03/sigmoid', 'ch03/step_function',
  'ch04/gradient_1d', 'ch04/gradient_2d', 'ch04/gradient_method', 'ch04/gradient_simplenet', 'ch04/train_neuralnet', 'ch04/two_layer_net',
  'ch05/buy_apple', 'ch05/buy_apple_orange', 'ch05/gradient_check', 'ch05/layer_naive', 'ch05/train_neuralnet', 'ch05/two_layer_net',
  'ch06/batch_norm_gradient_check', 'ch06/batch_norm_test', 'ch06/hyperparameter_optimization', 'ch06/optimizer_compare_mnist', 'ch06/optimizer_compare_naive',
  'ch06/overfit_dropout', 'ch06/overfit_weight_decay', 'ch06/weight_init_activation_histogram', 'ch06/weight_init_compare',
  'ch07/apply_filter', 'ch07/gradient_check', 'ch07/simple_convnet', 'ch07/train_convnet', 'ch07/visualize_filter',
  'ch08/awesome_net', 'ch08/deep_convnet', 'ch08/half_float_network', 'ch08/misclassified_mnist', 'ch08/train_deepnet',
];
/** Its modules outside the chapters. */
const MODULE_FILES = [
  'common/__init__', 'common/functions', 'common/gradient', 'common/layers', 'common/multi_layer_net', 'common/multi_layer_net_extend',
  'common/optimizer', 'common/trainer', 'common/util', 'dataset/__init__', 'dataset/mnist',
];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Runs the CLI once per argument list, at most three at a time (the machine has two cores). */
async function runAll(argLists: string[][]): Promise<CliResult[]> {
  const results: CliResult[] = new Array(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      results[i] = await runCli(argLists[i], cwd);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return results;
}

function ok(r: CliResult, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

/** The SVG of `<dir>/<name>.svg` after checking `<name>.png` is a PNG. */
function figure(dir: string, name: string): string {
  const png = readFileSync(join(cwd, dir, `${name}.png`));
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, `${name}.png`);
  const svg = readFileSync(join(cwd, dir, `${name}.svg`), 'utf8');
  assert.match(svg, /^<svg/, `${name}.svg`);
  return svg;
}

/** The texts of an SVG (titles, axis titles, legend labels, captions). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** The rect marks drawn (an image grid's dark pixels, and each image's frame). */
function rects(svg: string): number {
  return svg.split('aria-roledescription="rect mark"').length - 1;
}

function json<T>(dir: string, name: string): T {
  return JSON.parse(readFileSync(join(cwd, dir, name), 'utf8')) as T;
}

function assertClose(actual: number[][], expected: number[][], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) <= tol, `${what}[${i}][${j}]: ${v} vs NumPy's ${expected[i][j]}`)));
}

/** The made-up three-layer weights of make-book-lines.py (exact in float32), as a sample_weight.pkl. */
function writeSampleWeights(path: string): void {
  const weights = (rows: number, cols: number, salt: number, scale: number) =>
    new Tensor(Float32Array.from({ length: rows * cols }, (_, k) => ((((7 * Math.floor(k / cols) + 13 * (k % cols) + 5 * salt) % 23) - 11) / scale)), [rows, cols]);
  const bias = (n: number, salt: number) => new Tensor(Float32Array.from({ length: n }, (_, j) => (((3 * j + salt) % 7) - 3) / 16), [n]);
  savePickle(path, { W1: weights(784, 50, 1, 1024), b1: bias(50, 1), W2: weights(50, 100, 2, 64), b2: bias(100, 2), W3: weights(100, 10, 3, 64), b3: bias(10, 3) });
}

describe('scratchnet book', () => {
  it('the table has every .py of the book, each with a command or the class to use; --list prints it', async () => {
    assert.deepEqual(BOOK_SCRIPTS.map((s) => s.path).sort(), [...BOOK_FILES].sort());
    assert.deepEqual(BOOK_MODULES.map((s) => s.path).sort(), [...MODULE_FILES].sort());
    for (const s of [...BOOK_SCRIPTS, ...BOOK_MODULES]) assert.ok(s.command !== undefined || s.module !== undefined, s.path);
    const out = ok(await runCli(['book', '--list'], cwd), 'book --list');
    const [scripts, modules] = out.trimEnd().split('\n\n');
    assert.equal(scripts.split('\n').length, BOOK_FILES.length + 1);
    assert.equal(modules.split('\n').length, MODULE_FILES.length + 1);
    assert.match(scripts, /^book path\s+command\s+what it prints and draws$/m);
    assert.match(scripts, /^ch01\/hungry\.py\s+hungry\s+prints I'm hungry!$/m);
    assert.match(scripts, /^ch04\/gradient_1d\.py\s+gradient-1d\s+prints 0\.1999999999990898/m);
    assert.match(scripts, /^ch03\/neuralnet_mnist\.py\s+neuralnet-mnist --batch-size 1\s/m);
    assert.match(scripts, /^ch03\/neuralnet_mnist_batch\.py\s+neuralnet-mnist\s+prints Accuracy:0\.9352/m);
    assert.match(scripts, /^ch04\/train_neuralnet\.py\s+train-neuralnet-ch04\s/m);
    assert.match(scripts, /^ch05\/train_neuralnet\.py\s+train\s/m);
    assert.match(scripts, /^ch07\/simple_convnet\.py\s+—\s+defines the class SimpleConvNet: use the library class SimpleConvNet/m);
    assert.match(modules, /^common\/layers\.py\s+defines the classes Relu, .*: use the library classes Relu, Sigmoid, Affine, SoftmaxWithLoss/m);
    // Every command in the table exists, and no new one takes an existing name (commander would keep both).
    const names = buildProgram().commands.map((c) => c.name());
    for (const s of BOOK_SCRIPTS) if (s.command) assert.ok(names.includes(s.command), s.command);
    assert.equal(new Set(names).size, names.length, `duplicate command names: ${names.join(' ')}`);
    assert.equal(normalizeBookPath('./ch04/gradient_1d.py'), 'ch04/gradient_1d');
  });

  it("prints the book's own lines (recorded with Python + NumPy), with or without .py", async () => {
    const scripts = Object.entries(NUMPY.lines);
    const results = await runAll(
      scripts.map(([path], i) => ['book', `${path}${i % 2 === 0 ? '.py' : ''}`, ...(path === 'ch03/mnist_show' ? ['--data', data, '--out', 'fig-mnist-show'] : path === 'ch04/gradient_1d' ? ['--out', 'fig-gradient-1d'] : [])]),
    );
    scripts.forEach(([path, lines], i) => assert.deepEqual(ok(results[i], path).trimEnd().split('\n'), lines, path));
  });

  it('gradient_simplenet prints dW as NumPy prints it: equal to NumPy for the weights of the book\'s text; random weights repeat with --seed', async () => {
    const [given, a, b] = await runAll([
      ['book', 'ch04/gradient_simplenet', '--weights', JSON.stringify(NUMPY.simplenet.weights)],
      ['book', 'ch04/gradient_simplenet', '--seed', '5'],
      ['book', 'ch04/gradient_simplenet', '--seed', '5'],
    ]);
    assert.deepEqual(ok(given, '--weights').trimEnd().split('\n'), NUMPY.simplenet.lines);
    assert.match(ok(a, '--seed'), /^\[\[ ?-?\d\.\d+ +-?\d\.\d+ +-?\d\.\d+\]\n \[ ?-?\d\.\d+ +-?\d\.\d+ +-?\d\.\d+\]\]\n$/);
    assert.equal(ok(b, 'again'), a.stdout);
    assert.match(a.stderr, /seed 5/);
  });

  it('ch03/neuralnet_mnist and neuralnet_mnist_batch print NumPy\'s "Accuracy:…" for the same weights', async () => {
    writeSampleWeights(join(cwd, 'sample_weight.pkl'));
    const common = ['--params', 'sample_weight.pkl', '--data', data, '--dtype', 'float64'];
    const [one, batch] = await runAll([
      ['book', 'ch03/neuralnet_mnist', ...common, '--out', 'nm1'],
      ['book', 'ch03/neuralnet_mnist_batch.py', ...common, '--out', 'nm100'],
    ]);
    assert.deepEqual(ok(one, 'neuralnet_mnist').trimEnd().split('\n'), NUMPY.neuralnetMnist.lines);
    assert.deepEqual(ok(batch, 'neuralnet_mnist_batch').trimEnd().split('\n'), NUMPY.neuralnetMnist.lines);
  });

  it("figure scripts leave their figure as SVG and PNG, with the book's labels; ScratchNet's notes go to stderr", async () => {
    // (simple_graph and sin_graph, step_function, sigmoid and relu share their code: one of each runs here.)
    const figures: [path: string, args: string[], name: string, labels: string[]][] = [
      ['ch01/sin_graph', [], 'sin-graph', []],
      ['ch01/sin_cos_graph', [], 'sin-cos-graph', ['sin &amp; cos', 'x', 'y', 'sin', 'cos']],
      ['ch03/relu', [], 'relu', []],
      ['ch03/sig_step_compare', [], 'sig-step-compare', []],
      ['ch04/gradient_2d', [], 'gradient-2d', ['x0', 'x1']],
      ['ch04/gradient_method', [], 'gradient-method', ['X0', 'X1']],
      ['ch01/img_show', ['--data', data], 'img-show', ['MNIST test image #0 (label 7)']],
    ];
    const results = await runAll(figures.map(([path, args, name]) => ['book', path, ...args, '--out', `fig-${name}`]));
    figures.forEach(([path, , name, labels], i) => {
      ok(results[i], path);
      assert.match(results[i].stderr, /wrote:/, path);
      const svg = figure(`fig-${name}`, name);
      for (const label of labels) assert.ok(texts(svg).includes(label), `${name}.svg has no text ${label}: ${texts(svg).slice(0, 20).join(' | ')}`);
    });
    // Written by the runs of the previous test.
    assert.ok(['x', 'f(x)'].every((label) => texts(figure('fig-gradient-1d', 'gradient-1d')).includes(label)));
    // The digits are drawn (white on black in mnist-show: most of its 784 pixels are dark rects).
    assert.ok(rects(figure('fig-mnist-show', 'mnist-show')) > 500);
    assert.ok(rects(figure('fig-img-show', 'img-show')) > 50);
    // The numbers behind figures 4-9 and 4-10 are NumPy's.
    const g = json<{ points: number[][]; gradients: number[][] }>('fig-gradient-2d', 'gradients.json');
    assertClose(g.points, NUMPY.gradient2d.points, 0, 'points');
    assertClose(g.gradients, NUMPY.gradient2d.gradients, 1e-9, 'gradients');
    const p = json<{ history: number[][]; x: number[] }>('fig-gradient-method', 'path.json');
    assertClose(p.history, NUMPY.gradientMethod.history, 1e-12, 'x_history');
    assertClose([p.x], [NUMPY.gradientMethod.x], 1e-12, 'x');
  });

  it("ch04/train_neuralnet prints the book's epoch lines and learns; apply_filter and img_show take a params file and any PNG", async () => {
    new SimpleConvNet({ seed: 1 }).saveParams(join(cwd, 'p.pkl'));
    // Any PNG: the figure mnist-show wrote (RGBA, larger than the figures show).
    const png = join(cwd, 'fig-mnist-show', 'mnist-show.png');
    const [tn, af, img] = await runAll([
      ['book', 'ch04/train_neuralnet', '--data', data, '--iters', '13', '--batch-size', '100', '--seed', '3', '--out', 'tn'],
      ['book', 'ch07/apply_filter', '--params', 'p.pkl', '--image', png, '--out', 'af'],
      ['book', 'ch01/img_show', '--image', png, '--out', 'img'],
    ]);
    // 1200 training images: an epoch is 12 iterations, so iterations 0 and 12 print.
    const lines = ok(tn, 'train_neuralnet').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^train acc, test acc \| \d\.\d+, \d\.\d+$/);
    assert.deepEqual(readdirSync(join(cwd, 'tn')).sort(), ['history.json', 'train-neuralnet-ch04.png', 'train-neuralnet-ch04.svg']);
    const labels = texts(figure('tn', 'train-neuralnet-ch04'));
    for (const label of ['epochs', 'accuracy', 'train acc', 'test acc']) assert.ok(labels.includes(label), label);
    const h = json<{ trainAcc: number[]; losses: number[] }>('tn', 'history.json');
    assert.equal(h.losses.length, 13);
    assert.ok(h.trainAcc[1] > h.trainAcc[0], `train accuracy ${h.trainAcc.join(' → ')}`);
    assert.equal(ok(af, 'apply_filter'), '');
    assert.deepEqual(readdirSync(join(cwd, 'af')).sort(), ['apply-filter-filters.png', 'apply-filter-filters.svg', 'apply-filter.png', 'apply-filter.svg']);
    assert.ok(rects(figure('af', 'apply-filter')) > 16 * 50);
    ok(img, 'img_show --image');
    assert.ok(rects(figure('img', 'img-show')) > 1000);
  });

  it('refuses unknown paths, module files and missing book files with exit 2 and what to do', async () => {
    // The table's refusals (in-process: resolveBookScript is what `book` calls).
    const refusals: [string, RegExp][] = [
      ['xor_gate', /no script "xor_gate" in the book \(did you mean ch02\/xor_gate\.py/],
      ['ch04/two_layer_net', /ch04\/two_layer_net\.py defines the class TwoLayerNet .*use the library class TwoLayerNetCh04/],
      ['ch08/deep_convnet.py', /defines the class DeepConvNet; it runs nothing — use the library class DeepConvNet/],
      ['common/layers.py', /common\/layers\.py defines the classes Relu, .* — use the library classes Relu/],
      ['ch08/awesome_net.py', /ch08\/awesome_net\.py is empty in the book: its one line is the comment "# Create your awesome net!!"/],
      ['dataset/mnist.py', /ScratchNet downloads nothing/],
    ];
    for (const [path, pattern] of refusals) assert.throws(() => resolveBookScript(path, []), (e) => e instanceof UsageError && pattern.test(e.message), path);
    assert.deepEqual(resolveBookScript('./ch03/neuralnet_mnist.py', ['--params', 'w.pkl']), ['neuralnet-mnist', '--batch-size', '1', '--params', 'w.pkl']);
    const cases: [string[], RegExp][] = [
      [['book', 'ch04/gradient_1x'], /no script "ch04\/gradient_1x" in the book \(did you mean ch04\/gradient_1d\.py/],
      [['book', 'ch05/layer_naive.py'], /ch05\/layer_naive\.py defines the classes MulLayer and AddLayer; it runs nothing — use the library classes MulLayer and AddLayer/],
      [['book', 'ch03/neuralnet_mnist_batch', '--data', data], /--params/],
      [['book', 'ch03/neuralnet_mnist', '--params', 'missing.pkl', '--data', data], /no such file: missing\.pkl \(the book's ch03\/sample_weight\.pkl is in its repository/],
      [['book', 'ch07/apply_filter', '--params', 'params.pkl'], /no such file: params\.pkl \(the book's ch07\/params\.pkl is in its repository .*`scratchnet train-convnet` writes an equivalent params\.pkl\)/],
      [['book', 'ch04/gradient_method', '--lr', 'fast'], /--lr/],
      [['book', 'ch04/gradient_simplenet', '--weights', '[[1, 2]]'], /--weights .* must be a 2×3 JSON array/],
      [['book', 'ch01/img_show', '--image', 'lena.png'], /no such file: lena\.png \(the book's dataset\/lena\.png and lena_gray\.png are in its repository/],
    ];
    const results = await runAll(cases.map(([args]) => args));
    cases.forEach(([args, pattern], i) => {
      assert.equal(results[i].code, 2, `${args.join(' ')}: ${results[i].stderr}`);
      assert.match(results[i].stderr, pattern, args.join(' '));
      assert.equal(results[i].stdout, '', args.join(' '));
    });
  });

  it("--help of a script through book is the command's help; book --help shows the table", async () => {
    const [tn, gate, book] = await runAll([['book', 'ch04/train_neuralnet', '--help'], ['book', 'ch02/and_gate.py', '--help'], ['book', '--help']]);
    assert.match(ok(tn, 'help'), /Usage: scratchnet train-neuralnet-ch04 \[options\]/);
    assert.match(tn.stdout, /--iters <n>/);
    assert.match(ok(gate, 'gate help'), /Usage: scratchnet and-gate/);
    assert.match(ok(book, 'book help'), /Usage: scratchnet book/);
    assert.match(book.stdout, /^ch02\/and_gate\.py\s+and-gate\s/m);
  });
});
