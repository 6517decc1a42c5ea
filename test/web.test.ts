/** The page driven in real Chromium (Playwright-core + Debian's chromium) against the built site. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { TwoLayerNet, serializeModel } from '../src/index.ts';
import { browserSkipReason, launchChromium } from './helpers/browser.ts';
import { serveStatic } from './helpers/static-server.ts';
import { WEB_DIST, buildWeb } from './helpers/web-build.ts';

const skip = browserSkipReason();

describe('web page in Chromium', { skip }, () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let page: Page;
  const consoleErrors: string[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-web-'));

  before(async () => {
    const dist = await buildWeb();
    server = await serveStatic(dist);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    await page.goto(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const text = (id: string) => page.getByTestId(id).textContent();

  it("graph: forward then backward shows the book's numbers, and follows an edited input", async () => {
    await page.getByTestId('tab-graph').click();
    assert.equal(await text('graph-price'), '');
    await page.getByTestId('graph-forward').click();
    assert.equal(await text('graph-price'), '715');
    assert.equal(await text('graph-d-apple'), '', 'no derivatives before backward');
    await page.getByTestId('graph-backward').click();
    assert.equal(await text('graph-d-apple'), '2.2');
    assert.equal(await text('graph-d-tax'), '650');
    assert.equal(await text('graph-d-orange'), '3.3');
    assert.equal(await page.getByTestId('graph-d-orange').getAttribute('data-exact'), '3.3000000000000003');
    assert.equal(await text('graph-d-apple-num'), '110');
    assert.equal(await text('graph-d-orange-num'), '165');
    await page.getByTestId('graph-input-apple').fill('200');
    assert.equal(await text('graph-price'), '935');
    assert.equal(await text('graph-d-tax'), '850');
    assert.equal(await text('graph-d-apple-num'), '220');
  });

  it('graph: backward one step at a time, from the price back to the inputs', async () => {
    await page.getByTestId('graph-reset').click();
    await page.getByTestId('graph-input-apple').fill('100');
    await page.getByTestId('graph-backward-step').click();
    assert.equal(await text('graph-d-price'), '1');
    assert.equal(await text('graph-d-tax'), '');
    await page.getByTestId('graph-backward-step').click();
    assert.equal(await text('graph-d-tax'), '650');
    assert.equal(await text('graph-d-apple'), '');
    for (let i = 0; i < 3; i++) await page.getByTestId('graph-backward-step').click();
    assert.equal(await text('graph-d-apple'), '2.2');
  });

  it('layers: ReLU and Sigmoid plots render and the slider moves the point', async () => {
    await page.getByTestId('tab-layers').click();
    await page.getByTestId('layer-relu-plot').locator('svg').first().waitFor();
    await page.getByTestId('layer-sigmoid-plot').locator('svg').first().waitFor();
    await page.getByTestId('layer-x').fill('2');
    await page.waitForFunction(() => document.querySelector('[data-testid="layer-relu-readout"]')?.textContent?.includes('x = 2.00'));
    assert.match((await text('layer-relu-readout'))!, /y = 2\.0000 +dy\/dx = 1\.0000/);
    assert.match((await text('layer-sigmoid-readout'))!, /y = 0\.8808 +dy\/dx = 0\.1050/);
    assert.match((await text('affine-demo'))!, /dW = xᵀ·dout/);
  });

  it('train: a short run in the Worker raises test accuracy while the page stays responsive', async () => {
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-start').waitFor();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement).disabled, null, { timeout: 30000 });
    await page.getByTestId('train-iterations').fill('300');
    await page.getByTestId('train-start').click();
    // While the Worker trains, the main thread keeps drawing frames: no gap over 250 ms in 1.5 s.
    // (A string, not a closure: the test's transpiler would add helpers the page does not have.)
    const maxGap = await page.evaluate<number>(`new Promise((resolve) => {
      let last = performance.now();
      let max = 0;
      const end = last + 1500;
      const tick = (now) => {
        max = Math.max(max, now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else resolve(max);
      };
      requestAnimationFrame(tick);
    })`);
    assert.ok(maxGap < 250, `longest frame gap ${maxGap.toFixed(0)} ms`);
    assert.match((await text('train-status'))!, /iteration \d+ \/ 300/);
    await page.waitForFunction(() => /300 \/ 300 · done/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), null, { timeout: 90000 });
    const acc = Number(await text('train-test-acc'));
    assert.ok(acc > 0.8, `test accuracy ${acc}`);
    assert.match((await text('train-test-acc'))!, /^0\.\d{4}$/);
    await page.getByTestId('train-loss-chart').locator('canvas').waitFor();
    await page.getByTestId('train-acc-chart').locator('canvas').waitFor();
  });

  it('draw: a digit drawn on the canvas gets a prediction and ten probabilities', async () => {
    await page.getByTestId('tab-draw').click();
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    // A "7": a bar across the top, then a stroke down to the bottom left.
    await page.mouse.move(box.x + 70, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 210, box.y + 60, { steps: 10 });
    await page.mouse.move(box.x + 120, box.y + 230, { steps: 14 });
    await page.mouse.up();
    await page.waitForFunction(() => /^\d$/.test(document.querySelector('[data-testid="draw-prediction"]')?.textContent ?? ''));
    const probs = await page.getByTestId('draw-probs').locator('.bar').count();
    assert.equal(probs, 10);
    assert.match((await text('draw-model'))!, /trained on this page/);
    await page.getByTestId('draw-clear').click();
    assert.equal(await text('draw-prediction'), '–');
  });

  it('draw: loads a model.json from disk, and reports a bad one', async () => {
    const good = join(tmp, 'model.json');
    writeFileSync(good, serializeModel(new TwoLayerNet(784, 20, 10, 0.01, { seed: 1 })));
    await page.getByTestId('draw-model-file').setInputFiles(good);
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-model"]')?.textContent?.includes('model.json'));
    const bad = join(tmp, 'broken.json');
    writeFileSync(bad, '{"format": "scratchnet-model", "formatVersion": 1');
    await page.getByTestId('draw-model-file').setInputFiles(bad);
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-model"]')?.textContent?.includes('broken.json: not valid JSON'));
  });

  it('language toggle switches to the book’s Japanese terms and back', async () => {
    await page.getByTestId('lang-toggle').click();
    assert.equal(await text('tab-graph'), '計算グラフ');
    await page.getByTestId('tab-graph').click();
    assert.equal(await text('graph-forward'), '順伝播');
    assert.equal(await text('graph-backward'), '逆伝播(すべて)');
    await page.getByTestId('lang-toggle').click();
    assert.equal(await text('graph-forward'), 'Forward');
  });

  it('loads MNIST also from a server that sends .gz with Content-Encoding: gzip (Vite dev, nginx)', async () => {
    const encoded = await serveStatic(WEB_DIST, { gzipEncoding: true });
    const other = await browser.newPage();
    try {
      await other.goto(`${encoded.url}/#train`);
      await other.waitForFunction(() => /ready: 60000 training and 10000 test images/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), null, { timeout: 30000 });
    } finally {
      await other.close();
      await encoded.close();
    }
  });

  it('no console errors on any tab', async () => {
    for (const tab of ['graph', 'layers', 'train', 'draw']) await page.getByTestId(`tab-${tab}`).click();
    assert.deepEqual(consoleErrors, []);
  });
});
