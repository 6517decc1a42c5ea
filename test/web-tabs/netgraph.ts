/** Chromium tests of the Network graph tab (registered inside test/web.test.ts's describe). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LayerNet, Tensor, buildNetwork, referenceKernels, useKernels } from '../../src/index.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import type { WebContext } from './context.ts';

/** The L2 norm, summed in index order as the tab does. */
function l2norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * What the tab computes, in Node: TwoLayerNet(784, 50, 10) with `seed`, the first `batch` test images
 * (the Worker's sample), forward layer by layer, backward from SoftmaxWithLoss. Returns the loss and
 * |∂L/∂out| of each layer. The page's main thread runs the TypeScript kernels, so these do too.
 */
function nodePass(seed: number, batch: number): { loss: number; grads: Map<string, number> } {
  const restore = useKernels(referenceKernels);
  try {
    const { test } = loadMnistSplits();
    const net = buildNetwork('TwoLayerNet', { inputSize: 784, hiddenSize: 50, outputSize: 10, weightInitStd: 0.01 }, { dtype: 'float64', seed });
    assert.ok(net instanceof LayerNet);
    const x = new Tensor(Float64Array.from(test.images.subarray(0, batch * 784), (b) => b / 255), [batch, 784]);
    const t = Array.from(test.labels.subarray(0, batch));
    let y: Tensor = x;
    for (const layer of net.layers.values()) y = layer.forward(y, false);
    const loss = net.lastLayer.forward(y, t);
    let dout = net.lastLayer.backward(1);
    const grads = new Map<string, number>();
    for (const [name, layer] of [...net.layers].reverse()) {
      grads.set(name, l2norm(dout.data));
      dout = layer.backward(dout);
    }
    grads.set('x', l2norm(dout.data));
    return { loss, grads };
  } finally {
    restore();
  }
}

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Number.isFinite(actual) && expected > 0, `${what}: ${actual} vs ${expected}`);
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${what}: page ${actual}, Node ${expected}`);
}

export function netgraphTests(ctx: () => WebContext): void {
  const open = async () => {
    const { page } = ctx();
    await page.getByTestId('tab-netgraph').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="netgraph-run"]') as HTMLButtonElement | null)?.disabled, null, { timeout: 60_000 });
    return page;
  };

  it("netgraph: before a run the boxes show the config's shapes; forward & backward gives the library's loss and gradient norms", async () => {
    const page = await open();
    const node = (name: string) => page.getByTestId(`netgraph-node-${name}`);
    // Before the first run: shapes from the config, no gradients.
    for (const [name, shape] of [['x', '(4, 784)'], ['Affine1', '(4, 50)'], ['Relu1', '(4, 50)'], ['Affine2', '(4, 10)'], ['SoftmaxWithLoss', '()'], ['loss', '()']]) {
      assert.equal(await node(name).getAttribute('data-shape'), shape, name);
    }
    assert.equal(await node('Affine1').getAttribute('data-grad'), null);
    assert.match((await node('Affine1').textContent())!, /–/);
    const names = await page.getByTestId('netgraph').locator('[data-testid^="netgraph-node-"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.testid));
    assert.deepEqual(names, ['x', 'Affine1', 'Relu1', 'Affine2', 'SoftmaxWithLoss', 'loss'].map((n) => `netgraph-node-${n}`));

    await page.getByTestId('netgraph-seed').fill('1');
    await page.getByTestId('netgraph-batch').fill('4');
    await page.getByTestId('netgraph-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="netgraph-node-Affine1"]')?.hasAttribute('data-grad'));
    assert.equal(await page.getByTestId('netgraph-error').textContent(), '');
    assert.match((await node('Affine1').textContent())!, /\(4, 50\)/);
    assert.doesNotMatch((await node('Affine1').textContent())!, /–/, 'the gradient and |dW| are filled in');

    const want = nodePass(1, 4);
    const shownLoss = Number(await node('loss').getAttribute('data-loss'));
    assertClose(shownLoss, want.loss, 'loss');
    assert.ok(want.loss > 2 && want.loss < 2.6, `a fresh net's loss is about ln 10: ${want.loss}`);
    for (const name of ['Affine1', 'Relu1', 'Affine2', 'x']) assertClose(Number(await node(name).getAttribute('data-grad')), want.grads.get(name)!, `|∂L/∂out| of ${name}`);
    // The gradient norms differ from node to node: a mix-up of the names would show.
    assert.notEqual(want.grads.get('Affine1'), want.grads.get('Relu1'));
    assert.match((await page.getByTestId('netgraph-status').textContent())!, /labels 7, 2, 1, 0/);
  });

  it('netgraph: clicking Affine1 shows its output and gradient as two painted heat maps', async () => {
    const page = await open();
    await page.getByTestId('netgraph-node-Affine1').click();
    const detail = page.getByTestId('netgraph-detail');
    await detail.waitFor({ state: 'visible' });
    assert.match((await detail.textContent())!, /Affine1 \(4, 50\)/);
    assert.match((await detail.textContent())!, /dW = xᵀ·dout/);
    const canvases = detail.locator('canvas');
    assert.equal(await canvases.count(), 2);
    for (let i = 0; i < 2; i++) {
      const info = await canvases.nth(i).evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let coloured = 0;
        for (let p = 0; p < d.length; p += 4) if (d[p] < 240 || d[p + 1] < 240 || d[p + 2] < 240) coloured++;
        return { w: c.width, h: c.height, coloured };
      });
      assert.deepEqual([info.w, info.h], [50, 4], 'one pixel per value: 4 samples × 50 units');
      assert.ok(info.coloured > 5, `canvas ${i} has ${info.coloured} coloured pixels`);
    }
    assert.equal(await page.getByTestId('netgraph-node-Affine1').getAttribute('aria-pressed'), 'true');
    // The detail follows the language.
    await page.getByTestId('lang-toggle').click();
    assert.match((await detail.textContent())!, /逆伝播/);
    assert.match((await page.getByTestId('netgraph-run').textContent())!, /順伝播/);
    await page.getByTestId('lang-toggle').click();
    assert.match((await detail.textContent())!, /backward/i);
  });

  it('netgraph: a MultiLayerNet with hidden sizes "100, 50" shows Affine1 … Affine3', async () => {
    const page = await open();
    await page.getByTestId('netgraph-net').selectOption('multi');
    await page.getByTestId('netgraph-hidden').fill('100, 50');
    await page.getByTestId('netgraph-activation').selectOption('sigmoid');
    await page.getByTestId('netgraph-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="netgraph-node-Affine3"]')?.hasAttribute('data-grad'));
    const names = await page.getByTestId('netgraph').locator('[data-testid^="netgraph-node-"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.testid!.replace('netgraph-node-', '')));
    assert.deepEqual(names, ['x', 'Affine1', 'Activation_function1', 'Affine2', 'Activation_function2', 'Affine3', 'SoftmaxWithLoss', 'loss']);
    assert.equal(await page.getByTestId('netgraph-node-Affine2').getAttribute('data-shape'), '(4, 50)');
    assert.equal(await page.getByTestId('netgraph-node-Affine3').getAttribute('data-shape'), '(4, 10)');
    assert.ok(Number(await page.getByTestId('netgraph-node-Affine3').getAttribute('data-grad')) > 0);
    assert.ok(Number.isFinite(Number(await page.getByTestId('netgraph-node-loss').getAttribute('data-loss'))));
  });

  it('netgraph: bad hidden sizes, batch sizes and seeds are refused with a message, and nothing changes', async () => {
    const page = await open();
    await page.getByTestId('netgraph-net').selectOption('multi');
    await page.getByTestId('netgraph-hidden').fill('100, 50');
    await page.getByTestId('netgraph-run').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="netgraph-node-Affine3"]')?.hasAttribute('data-grad'));
    const before = await page.getByTestId('netgraph-node-Affine3').getAttribute('data-grad');
    const refused = async (id: string, value: string, message: RegExp) => {
      await page.getByTestId(id).fill(value);
      await page.getByTestId('netgraph-run').click();
      const error = page.getByTestId('netgraph-error');
      assert.match((await error.textContent())!, message);
      assert.ok(await error.isVisible());
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await page.getByTestId(id).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByTestId('netgraph-node-Affine3').getAttribute('data-grad'), before, 'nothing was recomputed');
    };
    await refused('netgraph-hidden', 'abc', /^hidden sizes must be/);
    await page.getByTestId('netgraph-hidden').fill('100, 50');
    await refused('netgraph-batch', '0', /^the batch size must be a whole number from 1 to 16$/);
    await refused('netgraph-batch', '99', /^the batch size must be a whole number from 1 to 16$/);
    await page.getByTestId('netgraph-batch').fill('4');
    await refused('netgraph-seed', '-1', /^the seed must be a whole number from 0 to/);
    await page.getByTestId('netgraph-seed').fill('1');
    assert.equal(await page.getByTestId('netgraph-error').textContent(), '', 'fixing the field clears the message');
    await page.getByTestId('netgraph-net').selectOption('two');
  });

  it('netgraph: on a phone (390 px) the chain wraps inside the page: no horizontal overflow', async () => {
    const page = await open();
    const viewport = page.viewportSize();
    try {
      await page.setViewportSize({ width: 390, height: 800 });
      await page.getByTestId('netgraph-run').click();
      await page.getByTestId('netgraph-node-x').click();
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: window.innerWidth }));
      assert.ok(widths.doc <= widths.win, `page ${widths.doc} px wide in a ${widths.win} px window`);
      const box = await page.getByTestId('netgraph-node-loss').boundingBox();
      assert.ok(box && box.x + box.width <= 390, 'the last box is on screen');
    } finally {
      if (viewport) await page.setViewportSize(viewport);
    }
  });
}
