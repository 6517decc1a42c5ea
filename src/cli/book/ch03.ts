/**
 * Chapter 3's new scripts as commands: the activation figures (`step-function`, `sigmoid`, `relu`,
 * `sig-step-compare`: `plt.plot` over `np.arange(-5.0, 5.0, 0.1)` with the book's y-limits) and
 * `mnist-show` (the first training image: its label and shapes, and the digit). ch03/neuralnet_mnist.py
 * and neuralnet_mnist_batch.py are the existing `neuralnet-mnist` (see the table in index.ts).
 */
import type { Command } from 'commander';
import { relu, sigmoid, stepFunction } from '../../functions.ts';
import { curvesSpec } from '../../plot/book-specs.ts';
import { imageGridSpec } from '../../plot/ch07-specs.ts';
import type { VegaLiteSpec } from '../../plot/specs.ts';
import { arange, asInk, drawing } from './shared.ts';

/** `f` of each x, as the book's NumPy functions of an array. */
const apply = (f: (v: number) => number) => (x: readonly number[]) => x.map((v) => f(v));
const stepOf = apply((v) => stepFunction(v));
const sigmoidOf = apply((v) => sigmoid(v));
const reluOf = apply((v) => relu(v));

/** The book's `plt.plot(x, f(x))` over `np.arange(-5.0, 5.0, 0.1)` with its `plt.ylim`. */
function activationFigure(f: (x: readonly number[]) => number[], yLim: [number, number]): VegaLiteSpec {
  const x = arange(-5.0, 5.0, 0.1);
  return curvesSpec([{ x, y: f(x) }], { yLim });
}

export function registerCh03(program: Command): void {
  const figures = [
    ['step-function', 'ch03/step_function.py', 'the step function over −5…5 (y from −0.1 to 1.1)', stepOf, [-0.1, 1.1]],
    ['sigmoid', 'ch03/sigmoid.py', 'the sigmoid over −5…5 (y from −0.1 to 1.1)', sigmoidOf, [-0.1, 1.1]],
    ['relu', 'ch03/relu.py', 'ReLU over −5…5 (y from −1 to 5.5)', reluOf, [-1.0, 5.5]],
  ] as const;
  for (const [name, script, what, f, yLim] of figures) {
    drawing(program, name, script, what, `Prints nothing (as the book's script); writes ${name}.svg/.png to --out.`, (ctx) => {
      ctx.figure(name, activationFigure(f, [...yLim]));
    });
  }
  drawing(program, 'sig-step-compare', 'ch03/sig_step_compare.py', 'the sigmoid and (black, dashed) the step function together', "Prints nothing (as the book's script); writes sig-step-compare.svg/.png to --out.", (ctx) => {
    const x = arange(-5.0, 5.0, 0.1);
    ctx.figure('sig-step-compare', curvesSpec([{ x, y: sigmoidOf(x) }, { x, y: stepOf(x), dashed: true, color: '#000000' }], { yLim: [-0.1, 1.1] }));
  });
  drawing(
    program,
    'mnist-show',
    'ch03/mnist_show.py',
    "the first training image's label and shapes, and the image",
    "Prints the book's lines: the label of the first training image (5), (784,) and (28, 28); writes\nmnist-show.svg/.png (the digit, white on black as PIL shows it) to --out.",
    (ctx) => {
      const train = ctx.mnist().train;
      const img = new Float64Array(train.pixels);
      train.copyImages(0, 1, img, false);
      ctx.print(String(train.labels[0]));
      ctx.print(`(${train.pixels},)`);
      ctx.print(`(${train.rows}, ${train.cols})`);
      ctx.figure('mnist-show', imageGridSpec([{ values: asInk(img, 255), rows: train.rows, cols: train.cols }], { columns: 1, pixel: 8, range: [0, 1] }));
    },
    { mnist: true },
  );
}
