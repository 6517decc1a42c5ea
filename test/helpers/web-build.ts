import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { buildWebData } from '../../scripts/build-web-data.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the page (MNIST assets + Vite build) exactly as `npm run web:build` does. */
export async function buildWeb(): Promise<string> {
  buildWebData(() => {});
  await build({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'error' });
  return WEB_DIST;
}

/** The built page's training Worker script (`/assets/train-worker-<hash>.js`), as a URL path. */
export function trainWorkerUrl(dist: string): string {
  const asset = readdirSync(join(dist, 'assets')).find((f) => /^train-worker-.*\.js$/.test(f));
  if (!asset) throw new Error(`no train-worker asset in ${join(dist, 'assets')}`);
  return `/assets/${asset}`;
}

/**
 * Starts the page's own Worker script in `page` (served from the built site), waits for it to load MNIST,
 * and has it time SimpleConvNet's Trainer steps (web/src/conv-steps.ts).
 */
export function convStepsInWorker(page: Page, workerUrl: string, steps: number, seed: number, dtype: 'float32' | 'float64'): Promise<{ stepMs: number[]; lastLoss: number; kernels: string }> {
  return page.evaluate(
    ({ url, steps, seed, dtype }) =>
      new Promise<{ stepMs: number[]; lastLoss: number; kernels: string }>((resolve, reject) => {
        const w = new Worker(url, { type: 'module' });
        w.onmessage = (e: MessageEvent) => {
          const m = e.data as { type: string; stepMs: number[]; lastLoss: number; kernels: string; message?: string };
          if (m.type === 'ready') w.postMessage({ type: 'convSteps', steps, seed, dtype });
          else if (m.type === 'convSteps') {
            w.terminate();
            resolve(m);
          } else if (m.type === 'error') reject(new Error(m.message));
        };
      }),
    { url: workerUrl, steps, seed, dtype },
  );
}
