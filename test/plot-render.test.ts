import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as vegaModule from 'vega';
import * as vegaLiteModule from 'vega-lite';
import { activationHistogramSpec, smoothedLossSpec } from '../src/plot/ch06-specs.ts';
import { quiverSpec } from '../src/plot/book-specs.ts';
import { loadVega, renderSvg, renderSvgWith } from '../src/plot/render.ts';
import { accuracySpec, activationSpec, lossSpec } from '../src/plot/specs.ts';

// renderSvg loads vega and vega-lite from the single-file builds the two packages ship, not from their ES
// modules (84–87 ms of loading against 261–278 ms). That is right only while the bundles are the versions
// the modules are and draw the same: a dependency update that moved one and not the other would change
// the figures silently. The 30 SVGs of the 27 commands that draw were compared byte for byte when the
// bundles came in; these are one spec of each kind.
describe('vega from its bundles', () => {
  const losses = Array.from({ length: 300 }, (_, i) => 2.3 * Math.exp(-i / 60) + 0.05 * Math.sin(i));
  const specs = {
    activation: activationSpec('relu', { marker: 1.5 }),
    loss: lossSpec(losses, { title: 'loss' }),
    accuracy: accuracySpec([
      { epoch: 1, trainAcc: 0.1, testAcc: 0.11 },
      { epoch: 2, trainAcc: 0.9, testAcc: 0.91 },
    ]),
    smoothedLoss: smoothedLossSpec(
      [
        { name: 'SGD', values: losses },
        { name: 'Adam', values: losses.map((v) => v / 2) },
      ],
      { yMax: 1 },
    ),
    histogram: activationHistogramSpec([losses, losses.map((v) => v / 3)], { lo: 0, hi: 1, yMax: 50 }),
    quiver: quiverSpec([0, 1, 2], [0, 1, 0], [1, -1, 0.5], [0.5, 0, -1]),
  };

  it('are the versions the ES modules are', async () => {
    const [vega, vegaLite] = await loadVega();
    assert.equal(vega.version, vegaModule.version);
    assert.equal(vegaLite.version, vegaLiteModule.version);
  });

  for (const [name, spec] of Object.entries(specs)) {
    it(`draw the same SVG as the ES modules: ${name}`, async () => {
      const fromBundles = await renderSvg(spec);
      assert.match(fromBundles, /^<svg/);
      assert.equal(fromBundles, await renderSvgWith(vegaModule, vegaLiteModule, spec));
    });
  }
});

