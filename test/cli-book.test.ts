/**
 * `scratchnet book chNN/script` in a temp dir: the table covers every .py of the book's ch01–ch08, the
 * deterministic scripts print the lines recorded with Python + NumPy (test/fixtures/make-book-lines.py),
 * figure scripts leave SVG + PNG, and bad paths or missing files are usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOOK_SCRIPTS, normalizeBookPath } from '../src/cli/book/index.ts';
import { SimpleConvNet } from '../src/node.ts';
import { runCli } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

const LINES = JSON.parse(readFileSync(new URL('./fixtures/book-lines.json', import.meta.url), 'utf8')) as Record<string, string[]>;
const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-book-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
let data: string;
before(() => {
  data = writeMnistSlice(join(cwd, 'mnist'), 1200, 200);
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

function ok(r: { code: number | null; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

describe('scratchnet book', () => {
  it('the table has every .py of the book, each with a command or the class to use; --list prints it', async () => {
    assert.deepEqual(BOOK_SCRIPTS.map((s) => s.path).sort(), [...BOOK_FILES].sort());
    for (const s of BOOK_SCRIPTS) assert.ok(s.command !== undefined || s.module !== undefined, s.path);
    const out = ok(await runCli(['book', '--list'], cwd), 'book --list');
    assert.equal(out.trim().split('\n').length, BOOK_FILES.length + 1);
    assert.match(out, /^ch04\/gradient_1d\.py\s+gradient-1d\s+prints 0\.1999999999990898/m);
    assert.match(out, /^ch03\/neuralnet_mnist\.py\s+neuralnet-mnist --batch-size 1\s/m);
    assert.match(out, /^ch07\/simple_convnet\.py\s+—\s+defines SimpleConvNet: use the library class SimpleConvNet/m);
    // Every command in the table exists: its --help answers.
    const help = ok(await runCli(['--help'], cwd), '--help');
    for (const s of BOOK_SCRIPTS) if (s.command) assert.match(help, new RegExp(`^  ${s.command} `, 'm'), s.command);
    assert.equal(normalizeBookPath('./ch04/gradient_1d.py'), 'ch04/gradient_1d');
  });

  it("prints the book's own lines (recorded with Python + NumPy), with or without .py", async () => {
    for (const [path, lines] of Object.entries(LINES)) {
      const args = path === 'ch03/mnist_show' ? ['--data', data, '--out', join(cwd, 'ms')] : path === 'ch04/gradient_1d' ? ['--out', join(cwd, 'g1')] : [];
      const out = ok(await runCli(['book', `${path}${path.endsWith('man') ? '.py' : ''}`, ...args], cwd), path);
      assert.deepEqual(out.trimEnd().split('\n'), lines, path);
    }
  });

  it('figure scripts leave their figure as SVG and PNG; ScratchNet\'s notes go to stderr', async () => {
    const figures: [string, string[], string[]][] = [
      ['ch01/sin_cos_graph', [], ['sin-cos-graph']],
      ['ch03/sig_step_compare', [], ['sig-step-compare']],
      ['ch04/gradient_2d', [], ['gradient-2d']],
      ['ch04/gradient_method', ['--step-num', '5'], ['gradient-method']],
      ['ch03/mnist_show', ['--data', data], ['mnist-show']],
      ['ch01/img_show', ['--data', data], ['img-show']],
    ];
    for (const [path, args, names] of figures) {
      const out = join(cwd, `fig-${path.replace('/', '-')}`);
      const r = await runCli(['book', path, ...args, '--out', out], cwd);
      ok(r, path);
      assert.match(r.stderr, /wrote:/, path);
      for (const name of names) {
        const png = readFileSync(join(out, `${name}.png`));
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}.png`);
        assert.match(readFileSync(join(out, `${name}.svg`), 'utf8'), /^<svg/, `${name}.svg`);
      }
    }
    assert.match(readFileSync(join(cwd, 'fig-ch01-sin_cos_graph', 'sin-cos-graph.svg'), 'utf8'), /sin &amp; cos/);
  });

  it("ch04/train_neuralnet prints the book's epoch lines and learns; apply_filter draws a params file's filters", async () => {
    const out = ok(await runCli(['book', 'ch04/train_neuralnet', '--data', data, '--iters', '13', '--batch-size', '100', '--seed', '3', '--out', join(cwd, 'tn')], cwd), 'train_neuralnet');
    // 1200 training images: an epoch is 12 iterations, so iterations 0 and 12 print.
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^train acc, test acc \| \d\.\d+, \d\.\d+$/);
    assert.deepEqual(readdirSync(join(cwd, 'tn')).sort(), ['history.json', 'train-neuralnet-ch04.png', 'train-neuralnet-ch04.svg']);
    new SimpleConvNet({ seed: 1 }).saveParams(join(cwd, 'p.pkl'));
    ok(await runCli(['book', 'ch07/apply_filter', '--params', 'p.pkl', '--data', data, '--out', join(cwd, 'af')], cwd), 'apply_filter');
    assert.deepEqual(readdirSync(join(cwd, 'af')).sort(), ['apply-filter-filters.png', 'apply-filter-filters.svg', 'apply-filter.png', 'apply-filter.svg']);
  });

  it('gradient_simplenet prints dW as NumPy prints a 2×3 array; the same --seed repeats it', async () => {
    const a = ok(await runCli(['book', 'ch04/gradient_simplenet', '--seed', '5'], cwd), 'simplenet');
    assert.match(a, /^\[\[ ?-?\d\.\d+ +-?\d\.\d+ +-?\d\.\d+\]\n \[ ?-?\d\.\d+ +-?\d\.\d+ +-?\d\.\d+\]\]\n$/);
    assert.equal(ok(await runCli(['book', 'ch04/gradient_simplenet', '--seed', '5'], cwd), 'again'), a);
  });

  it('refuses unknown paths, module files and missing book files with exit 2 and what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['book', 'ch04/gradient_1x'], /no script "ch04\/gradient_1x" in the book \(did you mean ch04\/gradient_1d\.py/],
      [['book', 'ch05/layer_naive.py'], /ch05\/layer_naive\.py defines MulLayer and AddLayer; it runs nothing — use the library classes MulLayer and AddLayer/],
      [['book', 'ch03/neuralnet_mnist', '--params', 'sample_weight.pkl', '--data', data], /no such file: sample_weight\.pkl \(the book's ch03\/sample_weight\.pkl is in its repository/],
      [['book', 'ch07/apply_filter', '--params', 'params.pkl'], /no such file: params\.pkl \(the book's ch07\/params\.pkl is in its repository .*`scratchnet train-convnet` writes an equivalent params\.pkl\)/],
      [['book', 'ch04/gradient_method', '--lr', 'fast'], /--lr/],
      [['book', 'ch01/img_show', '--image', 'lena.png'], /no such file: lena\.png \(the book's dataset\/lena\.png and lena_gray\.png are in its repository/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, cwd);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
    }
  });

  it('--help of a script through book is the command\'s help', async () => {
    const out = ok(await runCli(['book', 'ch04/train_neuralnet', '--help'], cwd), 'help');
    assert.match(out, /Usage: scratchnet train-neuralnet-ch04 \[options\]/);
    assert.match(out, /--iters <n>/);
  });
});
