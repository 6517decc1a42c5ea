/**
 * Chapter 4's scripts as commands: `gradient-1d` (the derivative at 5 and its tangent line), `gradient-2d`
 * (the gradient field, figure 4-9), `gradient-method` (the descent path, figure 4-10),
 * `gradient-simplenet` (dW of simpleNet) and `train-neuralnet-ch04` (chapter 4's TwoLayerNet on MNIST,
 * figure 4-12). `scratchnet book ch04/…` reaches each by the book's path.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { function1, function2, gradientDescent, numericalDiff, numericalGradientRows } from '../../gradient.ts';
import type { MnistSplit } from '../../data/mnist.ts';
import { allocateBuffer, kernels } from '../../kernels/index.ts';
import { SimpleNet } from '../../nets/simple-net.ts';
import { TwoLayerNetCh04, TwoLayerNetCh04Workspace } from '../../nets/two-layer-net-ch04.ts';
import { curvesSpec, quiverSpec } from '../../plot/book-specs.ts';
import { Tensor, tensor } from '../../tensor/tensor.ts';
import { pyFloat } from '../../train/trainer.ts';
import type { CommonFlags } from '../ch06/run.ts';
import { nonNegativeInt, positiveInt, positiveNumber } from '../options.ts';
import { arange, drawing } from './shared.ts';

/** Images converted to floats at a time for train-neuralnet-ch04's accuracies (~6 MB in float64). */
const ACCURACY_ROWS = 1000;

/**
 * `net.accuracy` over a whole MNIST split, converting `rows` images to floats at a time (~6 MB in float64)
 * instead of the whole split (376 MB for the training set): the same number, as each image's class is
 * predicted on its own. `net`: a TwoLayerNetCh04, or a workspace of one with room for `rows` rows.
 */
export function accuracyInBlocks(net: Pick<TwoLayerNetCh04, 'accuracy'>, split: MnistSplit, rows = ACCURACY_ROWS, block?: Float64Array): number {
  const p = split.pixels;
  if (!block || block.length < Math.min(rows, split.count) * p) block = allocateBuffer(false, Math.min(rows, split.count) * p, 'accuracyInBlocks') as Float64Array;
  let correct = 0;
  for (let start = 0; start < split.count; start += rows) {
    const n = Math.min(rows, split.count - start);
    split.copyImages(start, n, block);
    correct += Math.round(net.accuracy(new Tensor(block.subarray(0, n * p), [n, p]), split.labels.subarray(start, start + n)) * n);
  }
  return correct / split.count;
}

/** `--weights '[[…, …, …], […, …, …]]'`: simpleNet's 2×3 W as JSON. */
export function simpleNetWeights(value: string): Tensor {
  let rows: unknown;
  try {
    rows = JSON.parse(value);
  } catch {
    rows = undefined;
  }
  const ok = Array.isArray(rows) && rows.length === 2 && rows.every((r) => Array.isArray(r) && r.length === 3 && r.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!ok) throw new InvalidArgumentError("must be a 2×3 JSON array of numbers, e.g. '[[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]'.");
  return tensor(rows as number[][]);
}

export function registerCh04(program: Command): void {
  drawing(
    program,
    'gradient-1d',
    'ch04/gradient_1d.py',
    'the numerical derivative of 0.01x² + 0.1x at 5, and its tangent line',
    "Prints the book's line: the numerical derivative at x = 5 (0.1999999999990898); writes gradient-1d.svg/.png\n(the function over 0…20 and the tangent at 5) to --out.",
    (ctx) => {
      const x = arange(0.0, 20.0, 0.1);
      const d = numericalDiff(function1, 5);
      ctx.print(pyFloat(d));
      const y0 = function1(5) - d * 5;
      ctx.figure('gradient-1d', curvesSpec([{ x, y: x.map(function1) }, { x, y: x.map((t) => d * t + y0) }], { xLabel: 'x', yLabel: 'f(x)' }));
    },
  );
  drawing(
    program,
    'gradient-2d',
    'ch04/gradient_2d.py',
    'the gradient field of x0² + x1² (arrows of the negative gradient)',
    "Prints nothing (as the book's script); writes gradient-2d.svg/.png (figure 4-9: an arrow of −∇f at each\npoint of np.arange(-2, 2.5, 0.25)²) and gradients.json (the points and their gradients) to --out.",
    (ctx) => {
      const axis = arange(-2, 2.5, 0.25);
      const points: number[][] = [];
      // np.meshgrid(x0, x1) flattened: x0 varies fastest.
      for (const x1 of axis) for (const x0 of axis) points.push([x0, x1]);
      const g = numericalGradientRows(function2, tensor(points)).data;
      ctx.writeJson('gradients.json', { function: 'x0**2 + x1**2', points, gradients: points.map((_, i) => [g[2 * i], g[2 * i + 1]]) });
      ctx.figure(
        'gradient-2d',
        quiverSpec(points.map((p) => p[0]), points.map((p) => p[1]), points.map((_, i) => -g[2 * i]), points.map((_, i) => -g[2 * i + 1]), { xLim: [-2, 2], yLim: [-2, 2], xLabel: 'x0', yLabel: 'x1', grid: true }),
      );
    },
  );
  drawing<CommonFlags & { lr: number; stepNum: number }>(
    program,
    'gradient-method',
    'ch04/gradient_method.py',
    'gradient descent on x0² + x1² from (−3, 4), step by step',
    "Prints nothing (as the book's script); writes gradient-method.svg/.png (figure 4-10: the point before each\nstep, and the axes as dashed blue lines) and path.json (x_history and the end point) to --out.",
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
  program
    .command('gradient-simplenet')
    .description("the book's ch04/gradient_simplenet.py: the numerical gradient dW of simpleNet's loss at x = [0.6, 0.9], t = [0, 0, 1]")
    .option('--seed <n>', 'seed of the 2×3 weights (the book draws np.random.randn(2, 3): every run differs; default: a random seed, printed on stderr)', nonNegativeInt)
    .option('--weights <json>', "the 2×3 weights instead of random ones, as JSON (e.g. the book's text: '[[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]')", simpleNetWeights)
    .addHelpText(
      'after',
      "\nPrints the book's line: dW, a 2×3 array printed as NumPy prints it. The weights are random, as in the\nbook (np.random.randn), so every run prints other numbers: ScratchNet draws them from its own seeded\ngenerator (not NumPy's), and --seed repeats a run. --weights takes given weights, e.g. those the book's\ntext prints (its dW then differs from the text's in the 7th digit: the text prints W rounded to 8 decimals).",
    )
    .action((flags: { seed?: number; weights?: Tensor }) => {
      const net = new SimpleNet(flags.weights !== undefined ? { W: flags.weights } : flags.seed === undefined ? {} : { seed: flags.seed });
      console.log(String(net.numericalGradient(tensor([0.6, 0.9]), tensor([0, 0, 1]))));
      if (net.seed !== undefined) process.stderr.write(`gradient-simplenet: seed ${net.seed}${flags.seed === undefined ? ` (repeat this run with --seed ${net.seed})` : ''}\n`);
    });
  drawing<CommonFlags & { iters: number; batchSize: number; lr: number; hidden: number }>(
    program,
    'train-neuralnet-ch04',
    'ch04/train_neuralnet.py',
    "chapter 4's TwoLayerNet (sigmoid, its hand-written gradient) trained by mini-batch SGD on MNIST",
    "Prints the book's line every epoch (600 iterations, from iteration 0): \"train acc, test acc | 0.x, 0.y\"\n(accuracies on the whole training and test sets); writes train-neuralnet-ch04.svg/.png (train and, dashed,\ntest accuracy per epoch) and history.json to --out. The book's 10000 iterations take about 15 s (2 cores):\n--iters for a short run. Mini-batches are drawn with replacement (np.random.choice) from --seed.",
    (ctx, flags) => {
      const { train, test } = ctx.mnist();
      // The book converts both whole sets to float arrays (load_mnist(normalize=True, one_hot_label=True));
      // in float64 that is 439 MB, and the process peaked at ~780 MB. The images stay bytes instead: each
      // mini-batch is converted when drawn, each block of images when its accuracy is counted (the same
      // values, so the same printed lines and history.json).
      const p = train.pixels;
      const net = new TwoLayerNetCh04(p, flags.hidden, 10, 0.01, { seed: ctx.seed });
      const iterPerEpoch = Math.max(train.count / flags.batchSize, 1);
      // Long-lived buffers, on the WASM kernels' heap when they are in use (the products read them in place).
      const xb = new Tensor(allocateBuffer(false, flags.batchSize * p, 'train-neuralnet-ch04'), [flags.batchSize, p]);
      const tb = new Tensor(allocateBuffer(false, flags.batchSize * 10, 'train-neuralnet-ch04'), [flags.batchSize, 10]);
      const block = allocateBuffer(false, Math.min(ACCURACY_ROWS, Math.max(train.count, test.count)) * p, 'train-neuralnet-ch04') as Float64Array;
      const batchIndex = new Int32Array(flags.batchSize);
      // The net's gradient, loss and accuracy in buffers allocated once (the same numbers, bit for bit).
      const step = new TwoLayerNetCh04Workspace(net, flags.batchSize);
      const blocks = new TwoLayerNetCh04Workspace(net, ACCURACY_ROWS);
      const trainAcc: number[] = [];
      const testAcc: number[] = [];
      const losses: number[] = [];
      const bar = ctx.progress(flags.iters, 'iterations');
      for (let i = 0; i < flags.iters && !ctx.stopRequested(); i++) {
        tb.data.fill(0);
        for (let r = 0; r < flags.batchSize; r++) {
          batchIndex[r] = ctx.rng.int(train.count);
          tb.data[r * 10 + train.labels[batchIndex[r]]] = 1;
        }
        train.gatherImages(batchIndex, xb.data);
        const grad = step.gradient(xb, tb);
        // The book's `params[key] -= learning_rate * grad[key]`: w + (−lr)·g is w − lr·g exactly.
        for (const key of ['W1', 'b1', 'W2', 'b2'] as const) kernels.axpy(-flags.lr, grad[key].data, net.params[key].data);
        losses.push(step.loss(xb, tb));
        if (i % iterPerEpoch === 0) {
          trainAcc.push(accuracyInBlocks(blocks, train, ACCURACY_ROWS, block));
          testAcc.push(accuracyInBlocks(blocks, test, ACCURACY_ROWS, block));
          ctx.print(`train acc, test acc | ${pyFloat(trainAcc.at(-1)!)}, ${pyFloat(testAcc.at(-1)!)}`);
        }
        bar.update(i + 1, `loss ${losses.at(-1)!.toFixed(3)}`);
      }
      bar.stop();
      ctx.writeJson('history.json', { script: 'ch04/train_neuralnet.py', seed: ctx.seed, iters: losses.length, batchSize: flags.batchSize, lr: flags.lr, hidden: flags.hidden, trainAcc, testAcc, losses });
      const epochs = trainAcc.map((_, e) => e);
      ctx.figure(
        'train-neuralnet-ch04',
        curvesSpec([{ x: epochs, y: trainAcc, label: 'train acc' }, { x: epochs, y: testAcc, label: 'test acc', dashed: true }], { xLabel: 'epochs', yLabel: 'accuracy', yLim: [0, 1.0] }),
      );
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
}
