/** The model the Draw tab classifies with: trained on the page, or loaded from a model.json. */
import { Tensor, buildNetwork, type Network } from '../../src/index.ts';
import type { ParamsMessage } from './protocol.ts';

/** Where the Draw tab's model came from: the Train tab, the CNN tab (trained there), or a file. */
export type ModelSource = { kind: 'page'; testAcc: number } | { kind: 'cnn'; testAcc: number } | { kind: 'file'; name: string };

let model: { net: Network; source: ModelSource } | undefined;
const listeners: (() => void)[] = [];

export function currentModel(): typeof model {
  return model;
}

export function setModel(net: Network, source: ModelSource): void {
  model = { net, source };
  for (const l of listeners) l();
}

export function onModelChange(l: () => void): void {
  listeners.push(l);
}

/** The network a Worker message describes (any kind the library can build). */
export function netFromParams(p: ParamsMessage): Network {
  return paramsInto(buildNetwork(p.kind, p.config, { dtype: p.dtype, seed: 0 }), p);
}

/**
 * `p`'s weights and state written into `net` — `net` itself when it is of the message's kind, config and
 * dtype (no new buffers, no random weights drawn), else a new network (`netFromParams`).
 */
export function updateNet(net: Network | undefined, p: ParamsMessage): Network {
  const same = net !== undefined && net.kind === p.kind && net.dtype === p.dtype && JSON.stringify(net.config) === JSON.stringify(p.config);
  return same ? paramsInto(net, p) : netFromParams(p);
}

function paramsInto(net: Network, p: ParamsMessage): Network {
  for (const key of Object.keys(p.params)) net.params[key].data.set(p.params[key]);
  const state: Record<string, Tensor> = {};
  for (const key of Object.keys(p.state)) state[key] = new Tensor(p.state[key].data, p.state[key].shape);
  if (Object.keys(state).length > 0) net.setState?.(state);
  return net;
}
