/**
 * `scratchnet weight-init-activation-histogram` — the book's ch06/weight_init_activation_histogram.py:
 * 1000 random inputs (100 values each, standard normal) through 5 layers of 100 neurons without biases,
 * and a histogram of each layer's activations (figures 6-10, 6-11, 6-12, 6-14).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { activationHistogramSpec } from '../../plot/ch06-specs.ts';
import { layerActivations, weightInitScale } from '../../nets/weight-init.ts';
import { UsageError } from '../errors.ts';
import { positiveInt } from '../options.ts';
import { histogram } from '../../util/book-util.ts';
import { commonOptions, runCh06, type CommonFlags } from './run.ts';

interface Flags extends CommonFlags {
  weightInitStd: number | string;
  activation: 'sigmoid' | 'relu' | 'tanh';
  samples: number;
  nodes: number;
  layers: number;
  bins: number;
}

/** `--weight-init-std`: a number, or Xavier's √(1/n) or He's √(2/n). */
function initArg(value: string): number | string {
  const name = value.trim().toLowerCase();
  if (name === 'xavier' || name === 'he') return name;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number >= 0 (the book tries 1 and 0.01) or 'xavier' or 'he'.");
  return n;
}

export function registerWeightInitActivationHistogram(program: Command): void {
  const cmd = program
    .command('weight-init-activation-histogram')
    .description("the book's ch06/weight_init_activation_histogram.py: histograms of 5 layers' activations for a choice of initial weights")
    .option('--weight-init-std <x>', "the weights' standard deviation: a number (the book's text: 1, then 0.01), 'xavier' (√(1/n)) or 'he' (√(2/n))", initArg, 1)
    .addOption(new Option('--activation <name>', 'the activation function').choices(['sigmoid', 'relu', 'tanh']).default('sigmoid'))
    .option('--samples <n>', 'random input rows (the book: 1000)', positiveInt, 1000)
    .option('--nodes <n>', 'neurons per layer (the book: 100)', positiveInt, 100)
    .option('--layers <n>', 'hidden layers (the book: 5)', positiveInt, 5)
    .option('--bins <n>', 'histogram bins over [0, 1] (the book: 30)', positiveInt, 30);
  commonOptions(cmd, { mnist: false }).addHelpText(
    'after',
    `
The book's figures: --weight-init-std 1 (6-10: activations pile up at 0 and 1), 0.01 (6-11: all near
0.5), xavier (6-13); --activation relu with 0.01, xavier and he (6-14); tanh as the book suggests.
Prints nothing, as the book's script; writes weight-init-activation-histogram.svg/.png and
histograms.json (the counts) to --out.`,
  );
  cmd.action(async (flags: Flags) => {
    if (flags.samples * flags.nodes > 50_000_000) throw new UsageError(`--samples × --nodes must be at most 50000000 (got ${flags.samples * flags.nodes})`);
    process.exitCode = await runCh06('weight-init-activation-histogram', flags, async (ctx) => {
      const scale = weightInitScale(flags.weightInitStd, flags.nodes);
      const acts = layerActivations(ctx.rng, { samples: flags.samples, nodes: flags.nodes, layers: flags.layers, scale, activation: flags.activation });
      const counts = acts.map((a) => histogram(a, flags.bins, 0, 1));
      ctx.writeJson('histograms.json', { weightInitStd: flags.weightInitStd, scale, activation: flags.activation, range: [0, 1], bins: flags.bins, counts });
      // The book's ylim(0, 7000) for 100 000 values in 30 bins; scaled when the counts are.
      const yMax = Math.max(1, Math.round((7000 * flags.samples * flags.nodes * 30) / (100_000 * flags.bins)));
      const what = typeof flags.weightInitStd === 'number' ? `std ${flags.weightInitStd}` : flags.weightInitStd === 'he' ? 'He (√(2/n))' : 'Xavier (√(1/n))';
      ctx.figure('weight-init-activation-histogram', activationHistogramSpec(counts, { lo: 0, hi: 1, yMax, subtitle: `${flags.activation}, weights ${what}` }));
    });
  });
}
