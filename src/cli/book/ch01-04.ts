/**
 * The scripts of chapters 1–4 (and ch07/apply_filter.py) as commands: each prints the book's lines on
 * stdout (nothing else there) and writes the script's figure as SVG + PNG to --out, ScratchNet's notes on
 * stderr — the chapter-6 run context (`runCh06`). `scratchnet book ch04/gradient_1d` reaches each by the
 * book's path.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { sigmoid, stepFunction } from '../../functions.ts';
import { function1, function2, gradientDescent, numericalDiff, numericalGradientRows } from '../../gradient.ts';
import { readPngLuminance } from '../../io/image-file.ts';
import { Convolution } from '../../layers/convolution.ts';
import { SimpleNet } from '../../nets/simple-net.ts';
import { TwoLayerNetCh04 } from '../../nets/two-layer-net-ch04.ts';
import { AND, GATE_INPUTS, NAND, OR, XOR } from '../../perceptron.ts';
import { curvesSpec, quiverSpec } from '../../plot/book-specs.ts';
import { filterGridSpec, imageGridSpec, type GridImage } from '../../plot/ch07-specs.ts';
import { tensor, Tensor } from '../../tensor/tensor.ts';
import { pyFloat } from '../../train/trainer.ts';
import { UsageError } from '../errors.ts';
import { existingFile, nonNegativeInt, positiveInt, positiveNumber } from '../options.ts';
import { commonOptions, runCh06, type CommonFlags, type RunContext } from '../ch06/run.ts';
import { BOOK_FILES, loadAnyConvNet, paramsOption } from '../ch07/common.ts';

/** NumPy's `np.arange(start, stop, step)`: `start + i·step` while below `stop`. */
export function arange(start: number, stop: number, step: number): number[] {
  const n = Math.ceil((stop - start) / step);
  return Array.from({ length: Math.max(0, n) }, (_, i) => start + i * step);
}

/** A command that prints lines and draws nothing: no --out, no run directory. */
function printing(program: Command, name: string, script: string, what: string, lines: () => string[]): void {
  program
    .command(name)
    .description(`the book's ${script}: ${what}`)
    .action(() => {
      for (const line of lines()) console.log(line);
    });
}

/** A command of the chapter-6 run context (--seed, --out, the figure as SVG + PNG). */
function drawing<F extends CommonFlags>(program: Command, name: string, script: string, what: string, help: string, work: (ctx: RunContext, flags: F) => Promise<void> | void, options: { mnist?: boolean; setup?: (cmd: Command) => void } = {}): void {
  const cmd = program.command(name).description(`the book's ${script}: ${what}`);
  options.setup?.(cmd);
  commonOptions(cmd, { mnist: options.mnist === true }).addHelpText('after', `\n${help}`);
  cmd.action(async (flags: F) => {
    process.exitCode = await runCh06(name, flags, async (ctx) => {
      await work(ctx, flags);
    });
  });
}

/** The book's `plt.plot(x, f(x))` over `np.arange(-5.0, 5.0, 0.1)` with its y-limits (chapter 3's activation figures). */
function activationFigure(f: (x: number[]) => number[], yLim: [number, number]) {
  const x = arange(-5.0, 5.0, 0.1);
  return curvesSpec([{ x, y: f(x) }], { yLim });
}

const sigmoidOf = (x: number[]) => Array.from(sigmoid(tensor(x)).data);
const stepOf = (x: number[]) => Array.from(stepFunction(tensor(x)).data);

/** A square image no larger than `max` pixels a side for a figure: box-averaged when larger. */
function shrink(values: ArrayLike<number>, rows: number, cols: number, max: number): GridImage {
  const k = Math.max(1, Math.ceil(Math.max(rows, cols) / max));
  if (k === 1) return { values, rows, cols };
  const r2 = Math.floor(rows / k);
  const c2 = Math.floor(cols / k);
  const out = new Float64Array(r2 * c2);
  for (let r = 0; r < r2; r++) {
    for (let c = 0; c < c2; c++) {
      let s = 0;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += values[(r * k + i) * cols + c * k + j];
      out[r * c2 + c] = s / (k * k);
    }
  }
  return { values: out, rows: r2, cols: c2 };
}

interface ImageFlags extends CommonFlags {
  image?: string;
}

/** `--image FILE` (any PNG, as luminance 0 black … 1 white), or MNIST's first test digit (pixels / 255). */
function loadImage(ctx: RunContext, flags: ImageFlags): { values: Float64Array; rows: number; cols: number; name: string } {
  if (flags.image !== undefined) {
    const img = readPngLuminance(flags.image);
    return { values: img.luminance, rows: img.height, cols: img.width, name: flags.image };
  }
  const test = ctx.mnist().test;
  const values = new Float64Array(test.pixels);
  test.copyImages(0, 1, values);
  return { values, rows: test.rows, cols: test.cols, name: `MNIST test image #0 (label ${test.labels[0]})` };
}

/** `--image FILE`: a missing file's error says where the book's image is and what works instead. */
function existingImage(value: string): string {
  try {
    return existingFile(value);
  } catch {
    throw new InvalidArgumentError(`no such file: ${value} (the book's dataset/lena.png and lena_gray.png are in its repository, oreilly-japan/deep-learning-from-scratch; any PNG works, and without --image the first MNIST test digit is used)`);
  }
}

const imageOption = (cmd: Command) => cmd.option('--image <file>', "a PNG (the book's dataset/lena.png; any colour type and bit depth); default: MNIST's first test digit", existingImage);

export function registerCh01To04(program: Command): void {
  // --- chapter 1 ---------------------------------------------------------------------------------
  printing(program, 'hungry', 'ch01/hungry.py', 'prints I\'m hungry!', () => ["I'm hungry!"]);
  // The book's class prints "Initilized!" (sic): its line, as it prints it.
  printing(program, 'man', 'ch01/man.py', 'a class Man("David") that greets and says goodbye', () => ['Initilized!', 'Hello David!', 'Good-bye David!']);
  for (const [name, script] of [['simple-graph', 'ch01/simple_graph.py'], ['sin-graph', 'ch01/sin_graph.py']] as const) {
    drawing(program, name, script, 'the sine over np.arange(0, 6, 0.1)', `Prints nothing (as the book's script); writes ${name}.svg/.png to --out.`, (ctx) => {
      const x = arange(0, 6, 0.1);
      ctx.figure(name, curvesSpec([{ x, y: x.map(Math.sin) }]));
    });
  }
  drawing(program, 'sin-cos-graph', 'ch01/sin_cos_graph.py', 'sine and (dashed) cosine with labels, legend and title', "Prints nothing (as the book's script); writes sin-cos-graph.svg/.png to --out.", (ctx) => {
    const x = arange(0, 6, 0.1);
    ctx.figure('sin-cos-graph', curvesSpec([{ x, y: x.map(Math.sin), label: 'sin' }, { x, y: x.map(Math.cos), label: 'cos', dashed: true }], { xLabel: 'x', yLabel: 'y', title: 'sin & cos' }));
  });
  drawing<ImageFlags>(
    program,
    'img-show',
    'ch01/img_show.py',
    'shows an image (imread + imshow)',
    "Prints nothing (as the book's script); writes img-show.svg/.png (the image, shown at most 96 pixels a side) to --out.",
    (ctx, flags) => {
      const img = loadImage(ctx, flags);
      ctx.figure('img-show', imageGridSpec([{ ...shrink(img.values, img.rows, img.cols, 96), caption: img.name }], { columns: 1, pixel: img.rows > 48 ? 4 : 8, range: [1, 0] }));
    },
    { mnist: true, setup: imageOption },
  );

  // --- chapter 2 ---------------------------------------------------------------------------------
  for (const [name, gate] of [['and-gate', AND], ['nand-gate', NAND], ['or-gate', OR], ['xor-gate', XOR]] as const) {
    const script = `ch02/${name.replace('-', '_')}.py`;
    printing(program, name, script, `the ${name.split('-')[0].toUpperCase()} perceptron's truth table`, () => GATE_INPUTS.map(([a, b]) => `(${a}, ${b}) -> ${gate(a, b)}`));
  }

  // --- chapter 3 ---------------------------------------------------------------------------------
  drawing(program, 'step-function', 'ch03/step_function.py', 'the step function over −5…5', "Prints nothing (as the book's script); writes step-function.svg/.png to --out.", (ctx) => {
    ctx.figure('step-function', activationFigure(stepOf, [-0.1, 1.1]));
  });
  drawing(program, 'sigmoid', 'ch03/sigmoid.py', 'the sigmoid over −5…5', "Prints nothing (as the book's script); writes sigmoid.svg/.png to --out.", (ctx) => {
    ctx.figure('sigmoid', activationFigure(sigmoidOf, [-0.1, 1.1]));
  });
  drawing(program, 'relu', 'ch03/relu.py', 'ReLU over −5…5', "Prints nothing (as the book's script); writes relu.svg/.png to --out.", (ctx) => {
    ctx.figure('relu', activationFigure((x) => x.map((v) => Math.max(0, v)), [-1.0, 5.5]));
  });
  drawing(program, 'sig-step-compare', 'ch03/sig_step_compare.py', 'the sigmoid and (dashed) the step function together', "Prints nothing (as the book's script); writes sig-step-compare.svg/.png to --out.", (ctx) => {
    const x = arange(-5.0, 5.0, 0.1);
    ctx.figure('sig-step-compare', curvesSpec([{ x, y: sigmoidOf(x) }, { x, y: stepOf(x), dashed: true, color: '#000000' }], { yLim: [-0.1, 1.1] }));
  });
  drawing(program, 'mnist-show', 'ch03/mnist_show.py', "the first training image's label and shapes, and the image", "Prints the book's lines: the label of the first training image (5), (784,) and (28, 28); writes\nmnist-show.svg/.png (the digit, white on black as PIL shows it) to --out.", (ctx) => {
    const train = ctx.mnist().train;
    const img = new Float64Array(train.pixels);
    train.copyImages(0, 1, img, false);
    ctx.print(String(train.labels[0]));
    ctx.print(`(${train.pixels},)`);
    ctx.print(`(${train.rows}, ${train.cols})`);
    ctx.figure('mnist-show', imageGridSpec([{ values: img, rows: train.rows, cols: train.cols }], { columns: 1, pixel: 8, range: [255, 0] }));
  }, { mnist: true });

  // --- chapter 4 ---------------------------------------------------------------------------------
  drawing(program, 'gradient-1d', 'ch04/gradient_1d.py', 'the numerical derivative of 0.01x² + 0.1x at 5, and its tangent line', "Prints the book's line: the numerical derivative at x = 5 (0.1999999999990898); writes gradient-1d.svg/.png\n(the function over 0…20 and the tangent at 5) to --out.", (ctx) => {
    const x = arange(0.0, 20.0, 0.1);
    const d = numericalDiff(function1, 5);
    ctx.print(pyFloat(d));
    const y0 = function1(5) - d * 5;
    ctx.figure('gradient-1d', curvesSpec([{ x, y: x.map(function1) }, { x, y: x.map((t) => d * t + y0) }], { xLabel: 'x', yLabel: 'f(x)' }));
  });
  drawing(program, 'gradient-2d', 'ch04/gradient_2d.py', 'the gradient field of x0² + x1² (arrows of the negative gradient)', "Prints nothing (as the book's script); writes gradient-2d.svg/.png (figure 4-9) and gradients.json to --out.", (ctx) => {
    const axis = arange(-2, 2.5, 0.25);
    const points: number[][] = [];
    for (const x1 of axis) for (const x0 of axis) points.push([x0, x1]);
    const grad = numericalGradientRows(function2, tensor(points));
    const g = grad.data;
    ctx.writeJson('gradients.json', { function: 'x0**2 + x1**2', points, gradients: points.map((_, i) => [g[2 * i], g[2 * i + 1]]) });
    ctx.figure(
      'gradient-2d',
      quiverSpec(points.map((p) => p[0]), points.map((p) => p[1]), points.map((_, i) => -g[2 * i]), points.map((_, i) => -g[2 * i + 1]), { xLim: [-2, 2], yLim: [-2, 2], xLabel: 'x0', yLabel: 'x1', grid: true }),
    );
  });
  drawing<CommonFlags & { lr: number; stepNum: number }>(
    program,
    'gradient-method',
    'ch04/gradient_method.py',
    'gradient descent on x0² + x1² from (−3, 4), step by step',
    "Prints nothing (as the book's script); writes gradient-method.svg/.png (figure 4-10: the points before\neach step) and path.json to --out.",
    (ctx, flags) => {
      const { x, history } = gradientDescent(function2, [-3.0, 4.0], { lr: flags.lr, stepNum: flags.stepNum });
      const h = history.data;
      const xs = Array.from({ length: flags.stepNum }, (_, i) => h[2 * i]);
      const ys = Array.from({ length: flags.stepNum }, (_, i) => h[2 * i + 1]);
      ctx.writeJson('path.json', { init: [-3, 4], lr: flags.lr, stepNum: flags.stepNum, history: xs.map((v, i) => [v, ys[i]]), x: Array.from(x.data) });
      ctx.figure(
        'gradient-method',
        curvesSpec(
          [
            { x: [-5, 5], y: [0, 0], dashed: true, color: '#0000ff' },
            { x: [0, 0], y: [-5, 5], dashed: true, color: '#0000ff' },
            { x: xs, y: ys, points: true, color: '#1f77b4' },
          ],
          { xLim: [-3.5, 3.5], yLim: [-4.5, 4.5], xLabel: 'X0', yLabel: 'X1' },
        ),
      );
    },
    {
      setup: (cmd) => cmd.option('--lr <x>', 'learning rate (the book: 0.1)', positiveNumber, 0.1).option('--step-num <n>', 'steps (the book: 20)', nonNegativeInt, 20),
    },
  );
  {
    const cmd = program
      .command('gradient-simplenet')
      .description("the book's ch04/gradient_simplenet.py: the numerical gradient dW of simpleNet's loss")
      .option('--seed <n>', 'seed of the 2×3 weights (the book draws np.random.randn(2, 3): every run differs; default: a random seed, printed on stderr)', nonNegativeInt)
      .addHelpText('after', "\nPrints the book's line: dW, a 2×3 array printed as NumPy prints it. The weights are random, as in the\nbook, so the numbers differ from the book's unless you give the same weights; --seed repeats a run.");
    cmd.action((flags: { seed?: number }) => {
      const net = new SimpleNet(flags.seed === undefined ? {} : { seed: flags.seed });
      console.log(String(net.numericalGradient(tensor([0.6, 0.9]), tensor([0, 0, 1]))));
      process.stderr.write(`gradient-simplenet: seed ${net.seed}${flags.seed === undefined ? ` (repeat this run with --seed ${net.seed})` : ''}\n`);
    });
  }
  drawing<CommonFlags & { iters: number; batchSize: number; lr: number; hidden: number }>(
    program,
    'train-neuralnet-ch04',
    'ch04/train_neuralnet.py',
    "chapter 4's TwoLayerNet (sigmoid, its hand-written gradient) trained by mini-batch SGD on MNIST",
    "Prints the book's line every epoch (600 iterations, from iteration 0): \"train acc, test acc | 0.x, 0.y\"\n(accuracies on the whole training and test sets); writes train-neuralnet-ch04.svg/.png (train and, dashed,\ntest accuracy per epoch) and history.json to --out. The book's 10000 iterations take minutes: --iters for\na short run.",
    (ctx, flags) => {
      const { train, test } = ctx.mnist();
      const toTensor = (split: typeof train) => {
        const x = new Float64Array(split.count * split.pixels);
        split.copyImages(0, split.count, x);
        const t = new Float64Array(split.count * 10);
        for (let i = 0; i < split.count; i++) t[i * 10 + split.labels[i]] = 1;
        return { x: new Tensor(x, [split.count, split.pixels]), t: new Tensor(t, [split.count, 10]) };
      };
      const tr = toTensor(train);
      const te = toTensor(test);
      const net = new TwoLayerNetCh04(train.pixels, flags.hidden, 10, 0.01, { seed: ctx.seed });
      const iterPerEpoch = Math.max(train.count / flags.batchSize, 1);
      const xb = new Tensor(new Float64Array(flags.batchSize * train.pixels), [flags.batchSize, train.pixels]);
      const tb = new Tensor(new Float64Array(flags.batchSize * 10), [flags.batchSize, 10]);
      const trainAcc: number[] = [];
      const testAcc: number[] = [];
      const losses: number[] = [];
      const bar = ctx.progress(flags.iters, 'iterations');
      for (let i = 0; i < flags.iters && !ctx.stopRequested(); i++) {
        for (let r = 0; r < flags.batchSize; r++) {
          const k = ctx.rng.int(train.count);
          xb.data.set(tr.x.data.subarray(k * train.pixels, (k + 1) * train.pixels), r * train.pixels);
          tb.data.set(tr.t.data.subarray(k * 10, (k + 1) * 10), r * 10);
        }
        const grad = net.gradient(xb, tb);
        for (const key of ['W1', 'b1', 'W2', 'b2'] as const) {
          const p = net.params[key].data;
          const g = grad[key].data;
          for (let j = 0; j < p.length; j++) p[j] -= flags.lr * g[j];
        }
        losses.push(net.loss(xb, tb));
        if (i % iterPerEpoch === 0) {
          trainAcc.push(net.accuracy(tr.x, tr.t));
          testAcc.push(net.accuracy(te.x, te.t));
          ctx.print(`train acc, test acc | ${pyFloat(trainAcc.at(-1)!)}, ${pyFloat(testAcc.at(-1)!)}`);
        }
        bar.update(i + 1, `loss ${losses.at(-1)!.toFixed(3)}`);
      }
      bar.stop();
      ctx.writeJson('history.json', { script: 'ch04/train_neuralnet.py', seed: ctx.seed, iters: losses.length, batchSize: flags.batchSize, lr: flags.lr, hidden: flags.hidden, trainAcc, testAcc, losses });
      const epochs = trainAcc.map((_, e) => e);
      ctx.figure('train-neuralnet-ch04', curvesSpec([{ x: epochs, y: trainAcc, label: 'train acc' }, { x: epochs, y: testAcc, label: 'test acc', dashed: true }], { xLabel: 'epochs', yLabel: 'accuracy', yLim: [0, 1.0] }));
    },
    {
      mnist: true,
      setup: (cmd) =>
        cmd
          .option('--iters <n>', 'iterations (the book: 10000)', positiveInt, 10000)
          .option('--batch-size <n>', 'mini-batch size (the book: 100)', positiveInt, 100)
          .option('--lr <x>', 'learning rate (the book: 0.1)', positiveNumber, 0.1)
          .option('--hidden <n>', 'hidden units (the book: 50)', positiveInt, 50),
    },
  );

  // --- ch07/apply_filter.py ------------------------------------------------------------------------
  drawing<ImageFlags & { params: string }>(
    program,
    'apply-filter',
    'ch07/apply_filter.py',
    "the first 16 learned filters of a SimpleConvNet, and each applied to an image",
    "Prints nothing (as the book's script); writes apply-filter-filters.svg/.png (the 16 filters, as the book's\nfilter_show) and apply-filter.svg/.png (the image through each filter alone, bias 0, each output scaled\non its own, gray_r) to --out. --params: the book's ch07/params.pkl, or the params.pkl / params.json that\n`scratchnet train-convnet` writes.",
    (ctx, flags) => {
      const net = loadAnyConvNet(flags.params, 'float64');
      const W = net.params.W1;
      const [fn, c, fh, fw] = W.shape;
      const show = Math.min(16, fn);
      const img = loadImage(ctx, flags);
      if (c !== 1) throw new UsageError(`--params ${flags.params}: the first layer's filters take ${c} channels; apply-filter shows one-channel (grey) images`);
      const x = new Tensor(Float64Array.from(img.values), [1, 1, img.rows, img.cols]);
      const outputs: GridImage[] = [];
      for (let i = 0; i < show; i++) {
        const w = new Tensor(W.data.slice(i * c * fh * fw, (i + 1) * c * fh * fw), [1, c, fh, fw]);
        const out = new Convolution(w, new Tensor(new Float64Array(1), [1])).forward(x);
        outputs.push(shrink(Float64Array.from(out.data), out.shape[2], out.shape[3], 48));
      }
      ctx.figure('apply-filter-filters', filterGridSpec(W.data.slice(0, show * c * fh * fw), [show, c, fh, fw], { columns: 4 }));
      ctx.figure('apply-filter', imageGridSpec(outputs, { columns: 4, pixel: outputs[0].rows > 30 ? 3 : 6, range: 'each' }));
    },
    {
      mnist: true,
      setup: (cmd) => {
        imageOption(cmd);
        cmd.addOption(paramsOption("the learned weights: the book's ch07/params.pkl or train-convnet's params.pkl / params.json", BOOK_FILES.params));
      },
    },
  );
}
