import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx, loadMnistSplits, type MnistSplit } from '../../src/node.ts';

/** Writes the first `nTrain`/`nTest` real MNIST images as IDX files in `dir` (small and fast, still real). */
export function writeMnistSlice(dir: string, nTrain: number, nTest: number): string {
  mkdirSync(dir, { recursive: true });
  const { train, test } = loadMnistSplits();
  const write = (prefix: string, split: MnistSplit, n: number) => {
    const s = split.slice(0, n);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), encodeIdx([n, 28, 28], s.images));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdx([n], s.labels));
  };
  write('train', train, nTrain);
  write('t10k', test, nTest);
  return dir;
}
