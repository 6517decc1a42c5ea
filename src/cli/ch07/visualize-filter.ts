/**
 * `scratchnet visualize-filter --params FILE` — the book's ch07/visualize_filter.py: the first layer's
 * filters (W1; 30 of 5×5 for SimpleConvNet) as a grid of grey images, 8 per row, each scaled from its
 * minimum (white) to its maximum (black): once as randomly initialised (seeded), once as learned (the
 * params file).
 */
import type { Command } from 'commander';
import { buildNetwork } from '../../nets/registry.ts';
import type { ConvNetBase } from '../../nets/conv-net.ts';
import { filterGridSpec } from '../../plot/ch07-specs.ts';
import type { DType } from '../../tensor/tensor.ts';
import { commonOptions, runCh06, type CommonFlags } from '../ch06/run.ts';
import { BOOK_FILES, loadAnyConvNet, paramsOption } from './common.ts';

interface Flags extends CommonFlags {
  params: string;
}

function filterShape(net: ConvNetBase): [number, number, number, number] {
  const s = net.params.W1.shape;
  return [s[0], s[1], s[2], s[3]];
}

export function registerVisualizeFilter(program: Command): void {
  const cmd = program
    .command('visualize-filter')
    .description("the book's ch07/visualize_filter.py: the first layer's filters before (random) and after learning, as image grids")
    .addOption(paramsOption("the learned weights: the book's ch07/params.pkl or a model file of train-convnet (params.json); a DeepConvNet's work too", BOOK_FILES.params));
  commonOptions(cmd, { mnist: false }).addHelpText(
    'after',
    `
Prints nothing (as the book's script). Writes filter-before.svg/.png (the filters as initialised: the
network of the params file's kind and config, weights drawn with --seed), filter-after.svg/.png (the
filters of --params) and filters.json (both sets of W1 values) to --out. Each filter is scaled on its
own, white its smallest value and black its largest (matplotlib's imshow with gray_r).`,
  );
  cmd.action(async (flags: Flags) => {
    process.exitCode = await runCh06('visualize-filter', flags, async (ctx) => {
      const dtype: DType = 'float64';
      const learned = loadAnyConvNet(flags.params, dtype);
      const initial = buildNetwork(learned.kind, learned.config, { dtype, seed: ctx.seed }) as ConvNetBase;
      const shape = filterShape(learned);
      const before = Array.from(initial.params.W1.data);
      const after = Array.from(learned.params.W1.data);
      ctx.figure('filter-before', filterGridSpec(before, shape, { title: `${learned.kind} W1: random initial values (seed ${ctx.seed})` }));
      ctx.figure('filter-after', filterGridSpec(after, shape, { title: `${learned.kind} W1: after learning` }));
      ctx.writeJson('filters.json', { script: 'ch07/visualize_filter.py', seed: ctx.seed, params: flags.params, kind: learned.kind, shape, before, after });
    });
  });
}
