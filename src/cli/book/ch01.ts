/**
 * Chapter 1's scripts as commands: `hungry`, `man` (the book's lines), `simple-graph`, `sin-graph`,
 * `sin-cos-graph` (its `plt.plot` figures) and `img-show` (an image). `scratchnet book ch01/…` reaches each
 * by the book's path.
 */
import type { Command } from 'commander';
import { curvesSpec } from '../../plot/book-specs.ts';
import { imageGridSpec } from '../../plot/ch07-specs.ts';
import { arange, asInk, drawing, imageOption, loadImage, printing, shrink, type ImageFlags } from './shared.ts';

export function registerCh01(program: Command): void {
  printing(program, 'hungry', 'ch01/hungry.py', "prints I'm hungry!", () => ["I'm hungry!"]);
  // The book's class prints "Initilized!" (sic): its line, as it prints it.
  printing(program, 'man', 'ch01/man.py', 'a class Man("David") that greets and says goodbye', () => ['Initilized!', 'Hello David!', 'Good-bye David!']);
  for (const [name, script] of [['simple-graph', 'ch01/simple_graph.py'], ['sin-graph', 'ch01/sin_graph.py']] as const) {
    drawing(program, name, script, 'the sine over np.arange(0, 6, 0.1)', `Prints nothing (as the book's script); writes ${name}.svg/.png to --out.`, (ctx) => {
      const x = arange(0, 6, 0.1);
      ctx.figure(name, curvesSpec([{ x, y: x.map(Math.sin) }]));
    });
  }
  drawing(program, 'sin-cos-graph', 'ch01/sin_cos_graph.py', 'sine and (dashed) cosine with labels, legend and title', "Prints nothing (as the book's script); writes sin-cos-graph.svg/.png (title 'sin & cos') to --out.", (ctx) => {
    const x = arange(0, 6, 0.1);
    ctx.figure('sin-cos-graph', curvesSpec([{ x, y: x.map(Math.sin), label: 'sin' }, { x, y: x.map(Math.cos), label: 'cos', dashed: true }], { xLabel: 'x', yLabel: 'y', title: 'sin & cos' }));
  });
  drawing<ImageFlags>(
    program,
    'img-show',
    'ch01/img_show.py',
    'shows an image (imread + imshow)',
    "Prints nothing (as the book's script); writes img-show.svg/.png to --out: the image in grey levels (the\nbook's imshow shows lena.png in colour), at most 96 pixels a side (larger images are box-averaged).",
    (ctx, flags) => {
      const img = loadImage(ctx, flags);
      const small = shrink(img.values, img.rows, img.cols, 96);
      ctx.figure('img-show', imageGridSpec([{ ...small, values: asInk(small.values), caption: img.name }], { columns: 1, pixel: small.rows > 48 ? 4 : 8, range: [0, 1] }));
    },
    { mnist: true, setup: (cmd) => imageOption(cmd, 'dataset/lena.png') },
  );
}
