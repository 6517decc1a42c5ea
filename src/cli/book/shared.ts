/**
 * What the commands of chapters 1–4 (and ch07/apply_filter.py) share: a printing command (the book's
 * lines, nothing else), a drawing command in the chapter-6 run context (`runCh06`: --seed, --out, the
 * figure as SVG + PNG, ScratchNet's notes on stderr), NumPy's `np.arange`, and images for the figures
 * (`--image FILE` or an MNIST digit, shown as grey levels).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { readPngLuminance } from '../../io/image-file.ts';
import type { GridImage } from '../../plot/ch07-specs.ts';
import { commonOptions, runCh06, type CommonFlags, type RunContext } from '../ch06/run.ts';
import { existingFile } from '../options.ts';

/** NumPy's `np.arange(start, stop, step)`: `start + i·step` while below `stop`. */
export function arange(start: number, stop: number, step: number): number[] {
  const n = Math.ceil((stop - start) / step);
  return Array.from({ length: Math.max(0, n) }, (_, i) => start + i * step);
}

/** A command that prints lines and draws nothing: no --out, no run directory. */
export function printing(program: Command, name: string, script: string, what: string, lines: () => string[]): Command {
  return program
    .command(name)
    .description(`the book's ${script}: ${what}`)
    .action(() => {
      for (const line of lines()) console.log(line);
    });
}

/** A command of the chapter-6 run context (--seed, --out, the figure as SVG + PNG). */
export function drawing<F extends CommonFlags>(
  program: Command,
  name: string,
  script: string,
  what: string,
  help: string,
  work: (ctx: RunContext, flags: F) => Promise<void> | void,
  options: { mnist?: boolean; setup?: (cmd: Command) => void } = {},
): Command {
  const cmd = program.command(name).description(`the book's ${script}: ${what}`);
  options.setup?.(cmd);
  commonOptions(cmd, { mnist: options.mnist === true }).addHelpText('after', `\n${help}`);
  cmd.action(async (flags: F) => {
    process.exitCode = await runCh06(name, flags, async (ctx) => {
      await work(ctx, flags);
    });
  });
  return cmd;
}

/** An image no larger than `max` pixels a side for a figure: box-averaged when larger. */
export function shrink(values: ArrayLike<number>, rows: number, cols: number, max: number): GridImage {
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

/**
 * Luminance (0 black … `white`) as the figures' `gray_r` levels (0 white … 1 black), so a photo or a
 * digit shows as a grey picture (the image grids draw `gray_r`, low values white).
 */
export function asInk(luminance: ArrayLike<number>, white = 1): Float64Array {
  return Float64Array.from(luminance, (v) => 1 - v / white);
}

export interface ImageFlags extends CommonFlags {
  image?: string;
}

/** `--image FILE` (any PNG, as luminance 0 black … 1 white), or MNIST's first test digit (pixels / 255). */
export function loadImage(ctx: RunContext, flags: ImageFlags): { values: Float64Array; rows: number; cols: number; name: string } {
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

/** Adds `--image FILE`. */
export function imageOption(cmd: Command, bookImage: string): Command {
  return cmd.option('--image <file>', `a PNG (the book's ${bookImage}; any colour type and bit depth, shown as grey levels); default: MNIST's first test digit`, existingImage);
}
