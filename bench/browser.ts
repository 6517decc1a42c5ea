/**
 * Training speed in Chromium's Worker against Node, same kernels, same configuration: the page's Train
 * tab (driven by Playwright-core) and `train()` in this process, both timed by `train()` itself.
 */
import { existsSync } from 'node:fs';
import { loadMnistSplits, train, useWasmKernels, type TrainConfig } from '../src/node.ts';
import { CHROMIUM, launchChromium } from '../test/helpers/browser.ts';
import { serveStatic } from '../test/helpers/static-server.ts';
import { buildWeb } from '../test/helpers/web-build.ts';

export interface BrowserBench {
  iters: number;
  nodeSeconds: number;
  browserSeconds: number;
}

export async function browserBench(iters: number): Promise<BrowserBench | string> {
  if (!existsSync(CHROMIUM)) return `skipped: no Chromium at ${CHROMIUM}`;
  const config: TrainConfig = { iters, batchSize: 100, lr: 0.1, hiddenSize: 50, weightInitStd: 0.01, seed: 1, dtype: 'float32', evalAtEnd: true };
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
