import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildWebData } from '../../scripts/build-web-data.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds the page (MNIST assets + Vite build) exactly as `npm run web:build` does. */
export async function buildWeb(): Promise<string> {
  buildWebData(() => {});
  await build({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), logLevel: 'error' });
  return WEB_DIST;
}
