/** Chromium tests of the Network graph tab (registered inside test/web.test.ts's describe). Placeholder: being written. */
import type { WebContext } from './context.ts';

export function netgraphTests(_ctx: () => WebContext): void {}
