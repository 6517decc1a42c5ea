/** Chromium tests of the chapter 6–8 tabs: Weights & BatchNorm, Overfitting, CNN (registered inside test/web.test.ts's describe). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { Random, histogram, layerActivations, weightInitScale } from '../../src/index.ts';
import { runCli } from '../helpers/cli.ts';
import type { WebContext } from './context.ts';

/** The histograms the book's experiment gives in Node, for the tab's settings. */
function nodeHistograms(std: number | 'xavier' | 'he', activation: 'sigmoid' | 'relu' | 'tanh', seed: number): number[][] {
  const acts = layerActivations(new Random(seed), { samples: 1000, nodes: 100, layers: 5, scale: weightInitScale(std, 100), activation });
  return acts.map((a) => histogram(a, 30, activation === 'tanh' ? -1 : 0, 1));
}

export function ch06to08Tests(ctx: () => WebContext): void {
  it("weights: the five histograms are the library's, for std 1 and for He with ReLU", async () => {
    const { page } = ctx();
    await page.getByTestId('tab-init').click();
    await page.waitForFunction(() => document.getElementById('tab-init')?.dataset.histDrawn === '1/sigmoid/1');
    const counts = async () => Promise.all([1, 2, 3, 4, 5].map(async (i) => JSON.parse((await page.getByTestId(`init-hist-${i}`).getAttribute('data-counts'))!) as number[]));
    assert.deepEqual(await counts(), nodeHistograms(1, 'sigmoid', 1));
    await page.getByTestId('init-select').selectOption('he');
    await page.getByTestId('init-activation').selectOption('relu');
    await page.waitForFunction(() => document.getElementById('tab-init')?.dataset.histDrawn === 'he/relu/1');
    const he = await counts();
    assert.deepEqual(he, nodeHistograms('he', 'relu', 1));
    // Drawn: each chart holds a canvas with something on it.
    for (let i = 1; i <= 5; i++) assert.equal(await page.getByTestId(`init-hist-${i}`).locator('canvas').count(), 1);
  });

  it('BatchNorm: with BatchNorm the 5-layer net learns at weight scale 0.01, without it does not', async () => {
    const { page } = ctx();
    await page.getByTestId('tab-init').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="bn-start"]') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
    await page.getByTestId('bn-epochs').fill('6');
    await page.getByTestId('bn-start').click();
    await page.waitForFunction(() => /^done/.test(document.querySelector('[data-testid="bn-status"]')?.textContent ?? ''), null, { timeout: 90_000 });
    const withBn = Number(await page.getByTestId('bn-acc-with').textContent());
    const without = Number(await page.getByTestId('bn-acc-without').textContent());
    assert.ok(withBn > 0.6, `with BatchNorm ${withBn}`);
    assert.ok(without < 0.3, `without BatchNorm ${without}`);
    assert.equal(await page.getByTestId('bn-chart').locator('canvas').count(), 1);
  });

  it('overfitting: 300 training images — training accuracy runs ahead of test accuracy, and the gap is their difference', async () => {
    const { page } = ctx();
    await page.getByTestId('tab-overfit').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="overfit-start"]') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
    await page.getByTestId('overfit-epochs').fill('40');
    await page.getByTestId('overfit-start').click();
    await page.waitForFunction(() => /^done/.test(document.querySelector('[data-testid="overfit-status"]')?.textContent ?? ''), null, { timeout: 120_000 });
    const train = Number(await page.getByTestId('overfit-train-acc').textContent());
    const test = Number(await page.getByTestId('overfit-test-acc').textContent());
    const gap = Number(await page.getByTestId('overfit-gap').textContent());
    assert.ok(train > test + 0.05, `train ${train}, test ${test}`);
    assert.ok(Math.abs(gap - (train - test)) < 2e-4, `gap ${gap}`);
    assert.equal(await page.getByTestId('overfit-chart').locator('canvas').count(), 1);
  });

  it('CNN: SimpleConvNet learns in the Worker while the page keeps drawing frames; its filters change; pause holds it', async (t) => {
    const { page } = ctx();
    await page.getByTestId('tab-cnn').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="cnn-start"]') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
    // The longest gap between two animation frames while it trains.
    // (A string: tsx would wrap a named function in a helper the page does not have.)
    await page.evaluate(`(() => {
      window.maxFrameGap = 0;
      window.frames = 0;
      let last = performance.now();
      const tick = (now) => {
        window.maxFrameGap = Math.max(window.maxFrameGap, now - last);
        window.frames++;
        last = now;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    await page.getByTestId('cnn-start').click();
    const iterationOf = async () => Number(/(\d+) \//.exec((await page.getByTestId('cnn-status').textContent()) ?? '')?.[1] ?? NaN);
    // The first evaluation (iteration 0) draws the filters.
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="cnn-filters"]')?.dataset.sum !== undefined, null, { timeout: 60_000 });
    const firstSum = await page.getByTestId('cnn-filters').getAttribute('data-sum');
    assert.equal(await page.getByTestId('cnn-filters').getAttribute('data-count'), '30');
    await page.waitForFunction(() => Number(/(\d+) \//.exec(document.querySelector('[data-testid="cnn-status"]')?.textContent ?? '')?.[1] ?? 0) >= 101, null, { timeout: 120_000 });
    await page.waitForFunction(() => /^0\.\d+$/.test(document.querySelector('[data-testid="cnn-test-acc"]')?.textContent ?? '') && document.querySelector<HTMLElement>('[data-testid="cnn-maps-pool"]')?.dataset.count === '30', null, { timeout: 60_000 });
    await page.getByTestId('cnn-pause').click();
    const acc = Number(await page.getByTestId('cnn-test-acc').textContent());
    assert.ok(acc > 0.7, `test accuracy after 100 iterations: ${acc}`);
    assert.notEqual(await page.getByTestId('cnn-filters').getAttribute('data-sum'), firstSum, 'the filters changed while it learned');
    const { maxFrameGap, frames } = await page.evaluate<{ maxFrameGap: number; frames: number }>('({ maxFrameGap: window.maxFrameGap, frames: window.frames })');
    t.diagnostic(`${frames} frames, the longest gap ${maxFrameGap.toFixed(0)} ms; test accuracy ${acc} after 100 iterations`);
    assert.ok(frames > 20, `${frames} frames drawn`);
    assert.ok(maxFrameGap < 250, `the page drew a frame at least every 250 ms (longest gap ${maxFrameGap.toFixed(0)} ms)`);
    // Paused: the iteration holds.
    await page.waitForTimeout(300);
    const held = await iterationOf();
    await page.waitForTimeout(800);
    assert.equal(await iterationOf(), held);
    assert.match((await page.getByTestId('cnn-status').textContent()) ?? '', /paused/);
    await page.getByTestId('cnn-reset').click();
    assert.match((await page.getByTestId('cnn-status').textContent()) ?? '', /^ready/);
  });

  it('CNN: the params.pkl that scratchnet train-convnet writes loads with the test accuracy the CLI printed', async () => {
    const { page, tmp } = ctx();
    const out = join(tmp, 'convnet');
    const r = await runCli(['train-convnet', '--epochs', '1', '--batch-size', '100', '--train-size', '300', '--evaluate-sample-num', '100', '--seed', '3', '--out', out], tmp);
    assert.equal(r.code, 0, r.stderr);
    const printed = /^test acc:(\S+)$/m.exec(r.stdout)?.[1];
    assert.ok(printed !== undefined, r.stdout);
    const pkl = join(out, 'params.pkl');
    assert.ok(existsSync(pkl), 'train-convnet wrote params.pkl');
    await page.getByTestId('tab-cnn').click();
    await page.getByTestId('cnn-load-params').setInputFiles(pkl);
    await page.waitForFunction(() => /test accuracy/.test(document.querySelector('[data-testid="cnn-file-status"]')?.textContent ?? ''), null, { timeout: 120_000 });
    assert.match((await page.getByTestId('cnn-file-status').textContent()) ?? '', /on 10000 test images/);
    assert.equal(await page.getByTestId('cnn-test-acc').textContent(), Number(printed).toFixed(4));
    assert.equal(await page.getByTestId('cnn-filters').getAttribute('data-count'), '30');
    // The Draw tab now classifies with it.
    await page.getByTestId('tab-draw').click();
    assert.match((await page.getByTestId('draw-model').textContent()) ?? '', /params\.pkl/);
  });
}
