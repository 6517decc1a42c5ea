/**
 * Chapter 3's trained three-layer network (`ch03/neuralnet_mnist.py`): inference only, with the weights
 * of the book's `sample_weight.pkl` (784 → 50 → 100 → 10, sigmoid hidden layers, float32).
 */
import { sigmoid, softmax } from '../functions.ts';
import { add, dot } from '../tensor/ops.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { asBytes } from '../util/bytes.ts';
import { networkIO } from './network-io.ts';

const KEYS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;
export type SampleNetParams = Readonly<Record<(typeof KEYS)[number], Tensor>>;

/**
 * The book's `init_network()` + `predict(network, x)`:
 * `softmax(sigmoid(sigmoid(x·W1 + b1)·W2 + b2)·W3 + b3)`.
 *
 * @example
 * const net = SampleNet.fromPickleFile('ch03/sample_weight.pkl');
 * net.predict(xTest).argmax({ axis: 1 });   // the book's 0.9352 on MNIST's test set
 */
export class SampleNet {
  readonly params: SampleNetParams;

  constructor(params: Readonly<Record<string, Tensor>>, source = 'SampleNet') {
    for (const key of KEYS) if (params[key] === undefined) throw new Error(`${source}: parameter '${key}' is missing (it needs ${KEYS.join(', ')})`);
    const { W1, b1, W2, b2, W3, b3 } = params;
    const chain: [string, Tensor, string, Tensor][] = [['W1', W1, 'b1', b1], ['W2', W2, 'b2', b2], ['W3', W3, 'b3', b3]];
    let prev: number | undefined;
    for (const [wk, W, bk, b] of chain) {
      if (W.ndim !== 2 || b.ndim !== 1 || b.shape[0] !== W.shape[1] || (prev !== undefined && W.shape[0] !== prev)) {
        throw new Error(`${source}: ${wk} of shape ${formatShape(W.shape)} and ${bk} of shape ${formatShape(b.shape)} do not chain`);
      }
      prev = W.shape[1];
    }
    this.params = Object.freeze({ W1, b1, W2, b2, W3, b3 });
  }

  /** The network in a pickled dict (the bytes of `sample_weight.pkl`). */
  static fromPickle(bytes: Uint8Array | ArrayBuffer, name = 'sample_weight.pkl'): SampleNet {
    const data = asBytes(bytes, 'SampleNet.fromPickle', 'SampleNet.fromPickleFile');
    return new SampleNet(networkIO('SampleNet.fromPickle').readArrays(data, name, 'SampleNet.fromPickle'), name);
  }

  /** The network in the book's `sample_weight.pkl` (Node only). */
  static fromPickleFile(path: string): SampleNet {
    return new SampleNet(networkIO('SampleNet.fromPickleFile').readArrays(path, path, 'SampleNet.fromPickleFile'), path);
  }

  /** Class probabilities of each row of `x` (N, 784) — the book's `predict`. */
  predict(x: Tensor): Tensor {
    const { W1, b1, W2, b2, W3, b3 } = this.params;
    const z1 = sigmoid(add(dot(x, W1), b1));
    const z2 = sigmoid(add(dot(z1, W2), b2));
    return softmax(add(dot(z2, W3), b3));
  }
}
