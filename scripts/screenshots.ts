/**
 * Screenshots of the four parts of the page for the README (docs/*.png), and of two at phone size, taken from the built site in
 * Chromium exactly as the browser tests drive it. Run: node --import tsx scripts/screenshots.ts
 */
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/browser.ts';
import { serveStatic } from '../test/helpers/static-server.ts';
import { buildWeb } from '../test/helpers/web-build.ts';

const out = (name: string) => fileURLToPath(new URL(`../docs/${name}.png`, import.meta.url));
const server = await serveStatic(await buildWeb());
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 }, deviceScaleFactor: 1 });
  await page.goto(server.url);
  await page.getByTestId('graph-forward').click();
  await page.getByTestId('graph-backward').click();
  await page.waitForTimeout(800); // let the derivatives finish fading in
  await page.screenshot({ path: out('web-graph'), fullPage: true });

  await page.getByTestId('tab-layers').click();
  await page.getByTestId('layer-x').fill('0.8');
  await page.getByTestId('layer-sigmoid-plot').locator('svg').first().waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out('web-layers'), fullPage: false });

  await page.getByTestId('tab-train').click();
  await page.waitForFunction(() => !(document.querySelector('[data-testid="train-start"]') as HTMLButtonElement).disabled, null, { timeout: 30000 });
  await page.getByTestId('train-iterations').fill('1800');
  await page.getByTestId('train-start').click();
  await page.waitForFunction(() => /· done/.test(document.querySelector('[data-testid="train-status"]')?.textContent ?? ''), null, { timeout: 180000 });
  await page.waitForTimeout(1200);
  await page.screenshot({ path: out('web-train'), fullPage: true });

  await page.getByTestId('tab-draw').click();
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  // A "3".
  const pts: [number, number][] = [[80, 70], [140, 45], [200, 75], [190, 120], [140, 140], [200, 165], [205, 215], [140, 240], [80, 215]];
  await page.mouse.move(box.x + pts[0][0], box.y + pts[0][1]);
  await page.mouse.down();
  for (const [x, y] of pts.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out('web-draw'), fullPage: false });

  // A phone (390×844): the graph and the plots scale to the width.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  await phone.goto(server.url);
  await phone.getByTestId('graph-forward').click();
  await phone.getByTestId('graph-backward').click();
  await phone.waitForTimeout(800);
  await phone.screenshot({ path: out('web-graph-phone'), fullPage: false });
  await phone.getByTestId('tab-layers').click();
  await phone.getByTestId('layer-sigmoid-plot').locator('svg').first().waitFor();
  await phone.waitForTimeout(300);
  await phone.screenshot({ path: out('web-layers-phone'), fullPage: false });
  console.log('wrote docs/web-graph.png, web-layers.png, web-train.png, web-draw.png, web-graph-phone.png, web-layers-phone.png');
} finally {
  await browser.close();
  await server.close();
}
