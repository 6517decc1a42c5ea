/** The model the Draw tab classifies with: trained on the page, or loaded from a model.json. */
import { TwoLayerNet } from '../../src/index.ts';
import type { ParamsMessage } from './protocol.ts';

export type ModelSource = { kind: 'page'; testAcc: number } | { kind: 'file'; name: string };

let model: { net: TwoLayerNet; source: ModelSource } | undefined;
const listeners: (() => void)[] = [];

export function currentModel(): typeof model {
  return model;
}

export function setModel(net: TwoLayerNet, source: ModelSource): void {
  model = { net, source };
  for (const l of listeners) l();
}

export function onModelChange(l: () => void): void {
  listeners.push(l);
}

export function netFromParams(p: ParamsMessage): TwoLayerNet {
  const dtype = p.W1 instanceof Float32Array ? 'float32' : 'float64';
  const net = new TwoLayerNet(...p.sizes, 0, { seed: 0, dtype });
  net.setParams({ W1: p.W1, b1: p.b1, W2: p.W2, b2: p.b2 });
  return net;
}
