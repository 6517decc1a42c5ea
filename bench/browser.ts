/**
 * Training speed in Chromium's Worker against Node, same kernels, same configuration: the page's Train
 * tab (driven by Playwright-core) and `train()` in this process, both timed by `train()` itself.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { benchArgs } from './args.ts';
import { selectKernels } from '../src/cli/options.ts';
import { BOOK_CONFIG, loadMnistSplits, train, useWasmKernels, type TrainConfig } from '../src/node.ts';
import { timeConvSteps } from '../web/src/conv-steps.ts';
import { CHROMIUM, launchChromium } from '../test/helpers/browser.ts';
import { serveStatic } from '../test/helpers/static-server.ts';
import { buildWeb, convStepsInWorker, trainWorkerUrl } from '../test/helpers/web-build.ts';
import { median } from './systems.ts';

export interface BrowserBench {
  iters: number;
  nodeSeconds: number;
  browserSeconds: number;
}

export async function browserBench(iters: number): Promise<BrowserBench | string> {
  if (!existsSync(CHROMIUM)) return `skipped: no Chromium at ${CHROMIUM}`;
  const config: TrainConfig = { ...BOOK_CONFIG, iters, seed: 1, dtype: 'float32', evalAtEnd: true };
  useWasmKernels();
  const node = await train(loadMnistSplits(), config);

  const server = await serveStatic(await buildWeb());
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/#train`);
    await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement).disabled, null, { timeout: 60000 });
    await page.getByTestId('train-iterations').fill(String(iters));
    await page.getByTestId('train-seed').fill('1');
    await page.getByTestId('train-start').click();
    await page.waitForFunction(() => /· done · [\d.]+ s/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), null, { timeout: 600000 });
    const status = (await page.getByTestId('train-status').textContent()) ?? '';
    const browserSeconds = Number(/done · ([\d.]+) s/.exec(status)![1]);
    return { iters, nodeSeconds: node.seconds, browserSeconds };
  } finally {
    await browser.close();
    await server.close();
  }
}

export interface BrowserConvBench {
  steps: number;
  dtype: 'float32' | 'float64';
  /** Median milliseconds per SimpleConvNet Trainer step. */
  nodeMs: number;
  browserMs: number;
  /** The last loss of each: the same seed and kernels give the same steps. */
  nodeLoss: number;
  browserLoss: number;
}

/**
 * Chapter 7 in the browser: SimpleConvNet's Trainer steps (web/src/conv-steps.ts) in the page's own Worker
 * script (the built train-worker asset, started by the page under test) against the same function in
 * this process with one thread (the browser has no helper thread).
 */
export async function browserConvBench(steps: number, dtype: 'float32' | 'float64' = 'float32'): Promise<BrowserConvBench | string> {
  if (!existsSync(CHROMIUM)) return `skipped: no Chromium at ${CHROMIUM}`;
  selectKernels('wasm', '1');
  const node = timeConvSteps(loadMnistSplits(), steps, 1, dtype);

  const dist = await buildWeb();
  const workerUrl = trainWorkerUrl(dist);
  const server = await serveStatic(dist);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/#train`);
    // The page's own Worker has loaded MNIST (Start enabled): it stays idle while ours is timed.
    await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement).disabled, null, { timeout: 60000 });
    const result = await convStepsInWorker(page, workerUrl, steps, 1, dtype);
    if (result.kernels !== 'wasm-simd') throw new Error(`browserConvBench: the Worker ran the ${result.kernels} kernels`);
    return { steps, dtype, nodeMs: median(node.stepMs), browserMs: median(result.stepMs), nodeLoss: node.lastLoss, browserLoss: result.lastLoss };
  } finally {
    await browser.close();
    await server.close();
  }
}

// Run alone (npm run bench runs it so, in a fresh process: an earlier in-process benchmark's buffers on the
// WASM heap or a stopped helper thread must not slow the Node side):
//   node --import tsx bench/browser.ts [--iters 3000] [--conv-steps 20]     prints "RESULTS {json}"
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const values = benchArgs(
    `node --import tsx bench/browser.ts [--iters 3000] [--conv-steps 20]

Chapter 5's training in the page's Worker (Chromium) against Node with one thread, and SimpleConvNet's
Trainer steps the same way; prints "RESULTS {json}".`,
    { iters: { type: 'string', default: '3000' }, 'conv-steps': { type: 'string', default: '20' } },
    { iters: 1, 'conv-steps': 1 },
  );
  const chapter5 = await browserBench(Number(values.iters));
  const chapter7 = await browserConvBench(Number(values['conv-steps']));
  console.log(`RESULTS ${JSON.stringify({ chapter5, chapter7 })}`);
  process.exit(0);
}
