import type { Command } from 'commander';

/** One readable script under examples/ (run from a checkout with tsx). */
export interface ExampleScript {
  name: string;
  description: string;
}

/**
 * The scripts in examples/, in reading order. The walk-throughs print every intermediate array as
 * NumPy prints it, so their output can be laid beside the same steps in Python
 * (test/fixtures/walkthroughs.py, compared line by line by test/walkthroughs.test.ts).
 */
export const EXAMPLES: readonly ExampleScript[] = [
  { name: 'buy-apple', description: "the book's buy_apple.py: forward and backward through the apple-with-tax graph" },
  { name: 'buy-apple-orange', description: "the book's buy_apple_orange.py: apples and oranges, added, with tax" },
  { name: 'add-mul-layers', description: 'MulLayer and AddLayer on both shopping graphs: every edge forward, every derivative backward' },
  { name: 'relu-layer', description: 'Relu step by step: x, mask, out[mask] = 0, dout, dx; then the curve over arange(-3, 3, 0.01)' },
  { name: 'sigmoid-layer', description: 'Sigmoid forward, backward = dout * (1 - y) * y, checked against the numerical derivative' },
  { name: 'affine-layer', description: 'Affine then Relu on X (2,3), W (3,4), b (4,): shapes and values forward, dX, dW, db backward' },
  { name: 'softmax-with-loss', description: 'softmax step by step, the cross-entropy loss, and backward = (y - t) / batch_size' },
  { name: 'gradient-check', description: "the book's gradient_check.py: backprop against numerical gradients on MNIST" },
  { name: 'train-neuralnet', description: "the book's train_neuralnet.py: the two-layer net trained on MNIST" },
  { name: 'trainer', description: "chapter 6: the book's Trainer with Adam on MultiLayerNetExtend (BatchNorm, He weights)" },
  { name: 'train-loop', description: 'the one training loop: train() on a network spec (SimpleConvNet, Adam), then TrainingLoop step by step' },
  { name: 'book-weights', description: "chapters 7-8: the book's pickled weights (ch07/params.pkl, ch08/deep_convnet_params.pkl) loaded and tested" },
];

/** The lines `scratchnet examples` prints. */
export function exampleLines(): string[] {
  const width = Math.max(...EXAMPLES.map((e) => e.name.length));
  return [
    'Example scripts (run from a ScratchNet checkout):',
    '',
    ...EXAMPLES.map((e) => `  ${e.name.padEnd(width)}  ${e.description}`),
    '',
    'Run one:  npx tsx examples/<name>.ts      e.g. npx tsx examples/relu-layer.ts',
    'The walk-throughs print every array as NumPy prints it; the same steps in NumPy:',
    '          python3 test/fixtures/walkthroughs.py <name>',
  ];
}

export function registerExamples(program: Command): void {
  program
    .command('examples')
    .description('list the example scripts under examples/ (chapter-5 walk-throughs) and how to run them')
    .action(() => {
      for (const line of exampleLines()) console.log(line);
    });
}
