/** `scratchnet plot relu|sigmoid` — forward and backward curves of the activation layers. */
import { join, relative } from 'node:path';
import { Argument, type Command } from 'commander';
import { activationSpec, type ActivationName } from '../plot/specs.ts';

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description('plot the forward, backward and overlaid curves of the ReLU or Sigmoid layer (SVG and PNG)')
    .addArgument(new Argument('<layer>', 'which layer').choices(['relu', 'sigmoid']))
    .option('--out <dir>', 'directory to write <layer>.svg and <layer>.png', '.')
    .addHelpText('after', '\nx runs from -3 to 3 in steps of 0.01; backward is called with dout = 1, so it shows dy/dx.')
    .action(async (layer: ActivationName, flags: { out: string }) => {
      const { writePlot } = await import('../plot/render.ts');
      for (const path of await writePlot(join(flags.out, layer), activationSpec(layer))) console.log(`wrote ${relative(process.cwd(), path) || path}`);
    });
}
