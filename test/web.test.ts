/** The page driven in real Chromium (Playwright-core + Debian's chromium) against the built site. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
// Enables relaxed SIMD in this Node, as importing the package does: Chromium has it, and the Node side of
// the float32 comparisons below must run the same build (fused multiply-adds) to give the same bits.
import '../src/kernels/wasm/node-helper.ts';
import { TwoLayerNet, optimizerPath, serializeModel, useWasmKernels } from '../src/index.ts';
import { relaxedSimdSupported } from '../src/kernels/wasm/index.ts';
import { loadMnistSplits } from '../src/data/load-mnist.ts';
import { timeConvSteps } from '../web/src/conv-steps.ts';
import { browserSkipReason, launchChromium } from './helpers/browser.ts';
import { serveStatic } from './helpers/static-server.ts';
import { WEB_DIST, buildWeb, convStepsInWorker, trainWorkerUrl } from './helpers/web-build.ts';
import { ch06to08Tests } from './web-tabs/ch06-08.ts';
import { netgraphTests } from './web-tabs/netgraph.ts';

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

  it('graph: an input that is not a number is marked, the values that do not depend on it stay, and Reset restores the book’s example', async () => {
    await page.getByTestId('graph-backward').click();
    await page.getByTestId('graph-input-orange').fill('');
    await page.getByTestId('graph-input-tax').fill('1.2');
    assert.equal(await page.getByTestId('graph-input-orange').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByTestId('graph-input-apple').getAttribute('aria-invalid'), 'false');
    assert.match((await text('graph-error'))!, /Not a number: orange price/);
    assert.ok(await page.getByTestId('graph-error').isVisible());
    assert.equal(await text('graph-price'), '', 'the price depends on the orange price');
    assert.equal(await text('graph-d-tax'), '');
    assert.equal(await text('graph-d-apple'), '2.4', 'dApple = tax × apples does not depend on it');
    assert.equal(await text('graph-d-orange-num'), '', 'dOranges = tax × orange price does');
    assert.equal(await text('graph-d-orange'), '3.6');
    await page.getByTestId('graph-reset').click();
    const values = await Promise.all(['apple', 'apple-num', 'orange', 'orange-num', 'tax'].map((k) => page.getByTestId(`graph-input-${k}`).inputValue()));
    assert.deepEqual(values, ['100', '2', '150', '3', '1.1']);
    assert.equal(await page.getByTestId('graph-input-orange').getAttribute('aria-invalid'), 'false');
    assert.equal(await text('graph-error'), '');
    assert.ok(!(await page.getByTestId('graph-error').isVisible()));
    await page.getByTestId('graph-backward').click();
    assert.equal(await text('graph-price'), '715');
    assert.equal(await text('graph-d-orange-num'), '165');
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

  it('train: settings that cannot run are refused with a translated message, and Start stays usable', async () => {
    await page.getByTestId('tab-train').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement).disabled, null, { timeout: 30000 });
    const refused = async (field: string, value: string, message: RegExp) => {
      await page.getByTestId(field).fill(value);
      await page.getByTestId('train-start').click();
      assert.match((await text('train-error'))!, message);
      assert.ok(await page.getByTestId('train-error').isVisible());
      assert.equal(await page.getByTestId(field).getAttribute('aria-invalid'), 'true', field);
      assert.doesNotMatch((await text('train-status'))!, /iteration|繰り返し/, 'nothing started');
      assert.ok(await page.getByTestId('train-start').isEnabled());
    };
    await refused('train-iterations', '0', /^iterations must be a whole number from 1 to 100000$/);
    await page.getByTestId('train-iterations').fill('300');
    await refused('train-hidden', '1000000000', /^hidden size must be a whole number from 1 to 1000$/);
    await page.getByTestId('train-hidden').fill('50');
    await refused('train-batch-size', '1000000000', /^batch size must be a whole number from 1 to 10000$/);
    await page.getByTestId('train-batch-size').fill('100');
    await refused('train-lr', '0', /^the learning rate must be a number greater than 0$/);
    await page.getByTestId('lang-toggle').click();
    assert.equal(await text('train-error'), '学習率は 0 より大きい数にしてください');
    await refused('train-batch-size', '60001', /^バッチサイズは 1 以上 10000 以下の整数にしてください$/);
    assert.match((await text('train-status'))!, /^準備完了/, 'the ready status follows the language');
    await page.getByTestId('lang-toggle').click();
    assert.match((await text('train-error'))!, /^batch size must be/);
    await page.getByTestId('train-lr').fill('0.1');
    await page.getByTestId('train-batch-size').fill('100');
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
    assert.equal(await text('train-error'), '', 'the refused settings’ message is gone');
    assert.equal(await page.getByTestId('train-batch-size').getAttribute('aria-invalid'), 'false');
    assert.match((await text('train-test-acc'))!, /^0\.\d{4}$/);
    await page.getByTestId('train-loss-chart').locator('canvas').waitFor();
    await page.getByTestId('train-acc-chart').locator('canvas').waitFor();
  });

  it('train: every status reads in Japanese too (finished, diverged)', async () => {
    await page.getByTestId('lang-toggle').click();
    try {
      assert.match((await text('train-status'))!, /^繰り返し 300 \/ 300 · 完了 · [\d.]+ s$/);
      await page.getByTestId('train-lr').fill('1e9');
      await page.getByTestId('train-iterations').fill('30');
      await page.getByTestId('train-start').click();
      await page.waitForFunction(() => /発散/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), null, { timeout: 30000 });
      assert.match((await text('train-status'))!, /繰り返し \d+ で損失が発散しました。学習率を下げてください/);
      await page.getByTestId('lang-toggle').click();
      assert.match((await text('train-status'))!, /the loss diverged at iteration \d+: lower the learning rate/);
    } finally {
      if ((await page.locator('html').getAttribute('lang')) === 'ja') await page.getByTestId('lang-toggle').click();
      await page.getByTestId('train-lr').fill('0.1');
      await page.getByTestId('train-iterations').fill('300');
    }
  });

  it('train worker: a run that fails is reported with its run number, and the next run trains', async () => {
    // The built Worker itself, sent what the page never sends (its checks come first): a run the library
    // refuses, then a good one. A failed run must leave the Worker (and its kernels) ready for the next.
    const workerUrl = trainWorkerUrl(WEB_DIST);
    const good = { network: { kind: 'TwoLayerNet', config: { inputSize: 784, hiddenSize: 50, outputSize: 10 } }, optimizer: 'SGD', optimizerParam: { lr: 0.1 }, iters: 3, batchSize: 100, seed: 1, dtype: 'float32', evalAtEnd: true };
    const bad = { ...good, iters: -1 };
    const replies = await page.evaluate<{ type: string; run?: number; stage?: string; status?: string; message?: string }[]>(`new Promise((resolve, reject) => {
      const worker = new Worker('${workerUrl}', { type: 'module' });
      const replies = [];
      const timer = setTimeout(() => reject(new Error('timeout: ' + JSON.stringify(replies))), 60000);
      worker.onmessage = ({ data }) => {
        if (data.type === 'progress' || data.type === 'epoch') return;
        replies.push({ type: data.type, run: data.run, stage: data.stage, status: data.status, message: data.message });
        if (data.type === 'ready') worker.postMessage({ type: 'start', channel: 'train', run: 1, config: ${JSON.stringify(bad)} });
        else if (data.type === 'error' && data.run === 1) worker.postMessage({ type: 'start', channel: 'train', run: 2, config: ${JSON.stringify(good)} });
        else if (data.type === 'done' || data.type === 'error') {
          clearTimeout(timer);
          worker.terminate();
          resolve(replies);
        }
      };
    })`);
    assert.deepEqual(
      replies.slice(1).map((r) => [r.type, r.run, r.stage ?? r.status]),
      [
        ['error', 1, 'train'],
        ['done', 2, 'completed'],
      ],
    );
    assert.match(replies[1].message!, /iters must be an integer >= 0/);
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
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-model-error"]')?.textContent?.includes('broken.json: not valid JSON'));
    assert.match((await text('draw-model-error'))!, /^the model was not loaded: .*The previous model is kept\.$/);
    assert.equal(await text('draw-model'), 'model: model.json');
  });

  it('draw: a model that is not 784 → 10 is refused with what is wrong; the previous one stays and no stale bars remain', async () => {
    await page.getByTestId('draw-clear').click();
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 230, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction(() => /^\d$/.test(document.querySelector('[data-testid="draw-prediction"]')?.textContent ?? ''));
    const before = await page.getByTestId('draw-probs').textContent();
    for (const [inputs, classes] of [[784, 5], [784, 12], [100, 10]]) {
      const file = join(tmp, `net-${inputs}-${classes}.json`);
      writeFileSync(file, serializeModel(new TwoLayerNet(inputs, 8, classes, 0.01, { seed: 2 })));
      await page.getByTestId('draw-model-file').setInputFiles(file);
      await page.waitForFunction((name) => document.querySelector('[data-testid="draw-model-error"]')?.textContent?.startsWith(name), `net-${inputs}-${classes}.json`);
      assert.equal(
        await text('draw-model-error'),
        `net-${inputs}-${classes}.json was not loaded: the Draw tab needs a model with 784 inputs (28×28 pixels) and 10 classes (the digits 0–9), and this one has ${inputs} inputs and ${classes} classes. The previous model is kept.`,
      );
      assert.equal(await text('draw-model'), 'model: model.json');
      assert.equal(await page.getByTestId('draw-probs').locator('.bar').count(), 10);
      assert.equal(await page.getByTestId('draw-probs').textContent(), before, 'the bars are the kept model’s');
    }
    await page.getByTestId('lang-toggle').click();
    assert.match((await text('draw-model-error'))!, /^net-100-10\.json は読み込みませんでした。.*入力 100、10 クラスです。前のモデルをそのまま使います。$/);
    await page.getByTestId('lang-toggle').click();
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

  it('a phone (390×844): the graph and the layer plots fit the width, nothing scrolls sideways', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    try {
      await phone.goto(server.url);
      await phone.getByTestId('graph-backward').click();
      const inside = async (locator: ReturnType<Page['locator']>, what: string) => {
        const b = (await locator.boundingBox())!;
        assert.ok(b.x >= 0 && b.x + b.width <= 390, `${what}: ${b.x}..${b.x + b.width}`);
      };
      await inside(phone.locator('#graph svg'), 'graph');
      for (const id of ['graph-price', 'graph-d-apple', 'graph-d-tax']) await inside(phone.getByTestId(id), id);
      await phone.getByTestId('tab-layers').click();
      for (const id of ['layer-relu-plot', 'layer-sigmoid-plot']) {
        await phone.getByTestId(id).locator('svg').first().waitFor();
        await inside(phone.getByTestId(id).locator('svg').first(), id);
      }
      for (const tab of ['graph', 'layers', 'train', 'draw']) {
        await phone.getByTestId(`tab-${tab}`).click();
        assert.ok((await phone.evaluate<number>('document.documentElement.scrollWidth')) <= 390, `${tab} scrolls sideways`);
      }
    } finally {
      await phone.close();
    }
  });

  it('a failure to load MNIST is reported in the page’s language', async () => {
    const broken = await serveStatic(WEB_DIST, { missing: ['/mnist/train-labels-idx1-ubyte.gz'] });
    const other = await browser.newPage({ locale: 'ja-JP' });
    try {
      await other.goto(`${broken.url}/#train`);
      await other.waitForFunction(() => document.querySelector('[data-testid="train-error"]')?.textContent !== '', null, { timeout: 30000 });
      assert.equal(await other.getByTestId('train-error').textContent(), 'MNIST を読み込めませんでした:could not load /mnist/train-labels-idx1-ubyte.gz (HTTP 404)。ページを再読み込みしてください。');
      assert.ok(await other.getByTestId('train-start').isDisabled());
    } finally {
      await other.close();
      await broken.close();
    }
  });

  it("train worker: SimpleConvNet's Trainer steps give the same losses as in Node (same seed, same kernels)", async () => {
    const steps = 3;
    const inBrowser = await convStepsInWorker(page, trainWorkerUrl(WEB_DIST), steps, 3, 'float32');
    assert.equal(inBrowser.kernels, 'wasm-simd');
    assert.equal(inBrowser.stepMs.length, steps);
    useWasmKernels();
    assert.equal(relaxedSimdSupported(), true, 'the relaxed build in Node too');
    const inNode = timeConvSteps(loadMnistSplits(), steps, 3, 'float32');
    assert.ok(Number.isFinite(inNode.lastLoss) && inNode.lastLoss > 0 && inNode.lastLoss < 2.4, `loss ${inNode.lastLoss}`);
    assert.equal(inBrowser.lastLoss, inNode.lastLoss, 'the same steps, bit for bit');
  });

  it("optimizers: Step and Run move the library's optimizers on x²/20 + y²; SGD ends where optimizerPath ends in Node", async () => {
    await page.getByTestId('tab-optimizers').click();
    const final = page.getByTestId('opt-final-sgd');
    assert.equal(await final.textContent(), '-7, 2');
    await page.getByTestId('opt-step').click();
    const one = optimizerPath('sgd', 0.95, 30);
    assert.equal(await final.textContent(), `${one.x[1]}, ${one.y[1]}`);
    await page.getByTestId('opt-lr-sgd').fill('0.5');
    await page.getByTestId('opt-lr-sgd').dispatchEvent('change');
    await page.getByTestId('opt-steps').fill('40');
    await page.getByTestId('opt-steps').dispatchEvent('change');
    await page.getByTestId('opt-run').click();
    const want = optimizerPath('sgd', 0.5, 40);
    await page.waitForFunction((text) => document.querySelector('[data-testid="opt-final-sgd"]')?.textContent === text, `${want.x[40]}, ${want.y[40]}`, { timeout: 10_000 });
    assert.equal(await page.getByTestId('opt-table').locator('tr').count(), 6);
    const painted = await page.getByTestId('opt-canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let colored = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] < 80 && d[i + 2] < 80) colored++;
      return colored;
    });
    assert.ok(painted > 20, `the red Adam path and the minimum are drawn (${painted} red pixels)`);
  });

  const context = () => ({ page, consoleErrors, tmp });
  ch06to08Tests(context);
  netgraphTests(context);

  it('no console errors on any tab', async () => {
    for (const tab of ['graph', 'layers', 'train', 'draw', 'optimizers', 'init', 'overfit', 'cnn', 'netgraph']) await page.getByTestId(`tab-${tab}`).click();
    assert.deepEqual(consoleErrors, []);
  });
});
