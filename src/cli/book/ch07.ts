/**
 * ch07/apply_filter.py as `apply-filter`: the first 16 learned filters of a SimpleConvNet (the book's
 * `filter_show`) and an image through each filter alone (`Convolution(w, 0)`), as the book's two figures.
 * The other chapter-7 scripts are existing commands (see the table in index.ts).
 */
import type { Command } from 'commander';
import { Convolution } from '../../layers/convolution.ts';
import { filterGridSpec, imageGridSpec, type GridImage } from '../../plot/ch07-specs.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { BOOK_FILES, loadAnyConvNet, paramsOption } from '../ch07/common.ts';
import { UsageError } from '../errors.ts';
import { drawing, imageOption, loadImage, shrink, type ImageFlags } from './shared.ts';

export function registerCh07(program: Command): void {
  drawing<ImageFlags & { params: string }>(
    program,
    'apply-filter',
    'ch07/apply_filter.py',
    'the first 16 learned filters of a SimpleConvNet, and each applied to an image',
    "Prints nothing (as the book's script); writes apply-filter-filters.svg/.png (the 16 filters, as the book's\nfilter_show) and apply-filter.svg/.png (the image through each filter alone, bias 0, each output scaled\non its own, gray_r; outputs larger than 48 pixels a side are box-averaged) to --out. --params: the book's\nch07/params.pkl, or the params.pkl / params.json that `scratchnet train-convnet` writes. --image: the\nbook's dataset/lena_gray.png or any PNG (default: the first MNIST test digit).",
    (ctx, flags) => {
      const net = loadAnyConvNet(flags.params, 'float64');
      const W = net.params.W1;
      const [fn, c, fh, fw] = W.shape;
      if (c !== 1) throw new UsageError(`--params ${flags.params}: the first layer's filters take ${c} channels; apply-filter shows one-channel (grey) images`);
      const show = Math.min(16, fn);
      const img = loadImage(ctx, flags);
      if (img.rows < fh || img.cols < fw) throw new UsageError(`--image ${img.name}: ${img.rows}×${img.cols} pixels is smaller than the ${fh}×${fw} filters`);
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
        imageOption(cmd, 'dataset/lena_gray.png');
        cmd.addOption(paramsOption("the learned weights: the book's ch07/params.pkl or train-convnet's params.pkl / params.json", BOOK_FILES.params));
      },
    },
  );
}
