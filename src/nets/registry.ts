/**
 * The kinds of network ScratchNet can rebuild from a config — what the model file, `scratchnet predict`
 * and the web worker use, so none of them knows a concrete network. A new network registers its
 * `NetworkKind` here (or with `registerNetworkKind`) and needs no change anywhere downstream.
 */
import type { Random } from '../tensor/random.ts';
import type { DType } from '../tensor/tensor.ts';
import type { Network, NetworkConfig, NetworkKind } from './network.ts';
import { MULTI_LAYER_NET_EXTEND } from './multi-layer-net-extend.ts';
import { MULTI_LAYER_NET } from './multi-layer-net.ts';
import { TWO_LAYER_NET } from './two-layer-net.ts';
import { SIMPLE_CONV_NET } from './simple-conv-net.ts';
import { DEEP_CONV_NET } from './deep-conv-net.ts';

const KINDS = new Map<string, NetworkKind>(
  [TWO_LAYER_NET, MULTI_LAYER_NET, MULTI_LAYER_NET_EXTEND, SIMPLE_CONV_NET, DEEP_CONV_NET].map((k) => [k.kind, k]),
);

/** Adds (or replaces) a kind of network, e.g. one of your own, so model files of that kind load. */
export function registerNetworkKind(kind: NetworkKind): void {
  KINDS.set(kind.kind, kind);
}

/** The registered kinds, in the order a loader tries them when a file names none. */
export function registeredKinds(): NetworkKind[] {
  return [...KINDS.values()];
}

/** The kinds that can be built, by name. */
export function networkKinds(): string[] {
  return [...KINDS.keys()];
}

export function networkKind(kind: string, name = 'buildNetwork'): NetworkKind {
  const k = KINDS.get(kind);
  if (!k) throw new Error(`${name}: unknown network kind ${JSON.stringify(kind)} (known: ${networkKinds().join(', ')})`);
  return k;
}

/**
 * A fresh network of `kind` from its config (the book's constructor arguments in camelCase). Its weights
 * are drawn from `rng` when given (a generator shared with the batch draws, as the book's global
 * np.random), else from a generator seeded with `seed` (a random seed when omitted).
 */
export function buildNetwork(kind: string, config: NetworkConfig, options: { dtype?: DType; seed?: number; rng?: Random } = {}): Network {
  const k = networkKind(kind);
  try {
    k.describe(config);
  } catch (e) {
    throw new Error(`buildNetwork: ${kind} config: ${(e as Error).message}`);
  }
  return k.create(config, { dtype: options.dtype ?? 'float64', ...(options.seed === undefined ? {} : { seed: options.seed }), ...(options.rng ? { rng: options.rng } : {}) });
}

/** A network of the same kind and config with a copy of `net`'s parameters and state (its own buffers), or that copy written into `into`. */
export function cloneNetwork<N extends Network>(net: N, into?: N): N {
  const copy = into ?? (buildNetwork(net.kind, net.config, { dtype: net.dtype, seed: 0 }) as N);
  for (const key of Object.keys(net.params)) copy.params[key].data.set(net.params[key].data);
  const state = net.state;
  if (Object.keys(state).length > 0) copy.setState?.(state);
  return copy;
}
