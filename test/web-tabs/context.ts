/** What a tab's Chromium tests get from test/web.test.ts: the page (already loaded), its console errors, a temp dir. */
import type { Page } from 'playwright-core';

export interface WebContext {
  page: Page;
  /** Console errors, page errors and failed responses seen so far. */
  consoleErrors: string[];
  /** A temporary directory, removed after the tests. */
  tmp: string;
}
