import type { Tensor } from '../tensor/tensor.ts';

/**
 * The book's layer contract (`common/layers.py`), written down once. Every layer of every chapter —
 * `Relu`, `Sigmoid`, `Affine`, `BatchNormalization`, `Dropout`, `Convolution`, `Pooling` — has it, so a
 * network is just a list of layers and everything downstream (training, evaluation, gradient checks,
 * model files) works on any of them.
 *
 * - `forward(x, trainFlg = false)` computes the output and caches what `backward` needs (`mask`, `out`,
 *   `x`, …). `trainFlg` is the book's `train_flg`: layers that behave differently while training
 *   (`BatchNormalization`, `Dropout`) read it; the others ignore it. (The book's
 *   `MultiLayerNetExtend.predict` finds the layers that take it by matching substrings of their names;
 *   here every layer takes it.)
 * - `backward(dout)` takes the gradient of the loss with respect to the output and returns `dx`, the
 *   gradient with respect to the input. Layers with parameters also set their gradients (`dW`, `db`,
 *   `dgamma`, `dbeta`, as the book names them).
 * - `backward` never mutates `dout` (the book's `Relu.backward` does: `dout[self.mask] = 0`).
 * - Gradients are overwritten by every `backward`, as in the book (they are not accumulated).
 * - Output buffers are reused: the tensor returned by `forward` (or `backward`) belongs to the layer
 *   and is overwritten by its next `forward` (or `backward`) with the same batch size. This keeps the
 *   training step free of allocation; call `.copy()` on a result you want to keep.
 * - Parameters are held by reference: `Affine` keeps the very `W` and `b` tensors it was given, so an
 *   optimizer that updates `params.W1` in place (`W -= lr * dW`) updates the layer too. Replacing a
 *   params entry with a new tensor would silently disconnect it — which is why networks' `params` are
 *   frozen.
 */
export interface Layer {
  forward(x: Tensor, trainFlg?: boolean): Tensor;
  backward(dout: Tensor): Tensor;
}

/**
 * A layer with trained parameters, listed uniformly by the book's attribute names: `['W', 'b']` for
 * `Affine` and `Convolution`, `['gamma', 'beta']` for `BatchNormalization`. `param(key)` is the tensor
 * the layer computes with (held by reference); `grad(key)` is the gradient the last `backward` computed
 * (the book's `dW`, `db`, `dgamma`, `dbeta`), undefined before the first one. A network collects these
 * under its own names (`W1`, `b1`, `gamma1`, …) — no per-layer code.
 */
export interface ParamLayer extends Layer {
  readonly paramKeys: readonly string[];
  param(key: string): Tensor;
  grad(key: string): Tensor | undefined;
}

/**
 * A layer with state that is not trained by gradients but belongs to the model — `BatchNormalization`'s
 * `runningMean` and `runningVar`. Model files save and restore it beside the parameters.
 * `state(key)` is undefined until the state exists (the book creates the running statistics on the first
 * forward); `setState(key, value)` copies `value` in (creating the state when needed), e.g. from a model
 * file, and throws with the layer, key and shapes when it does not fit.
 */
export interface StatefulLayer extends Layer {
  readonly stateKeys: readonly string[];
  state(key: string): Tensor | undefined;
  setState(key: string, value: Tensor): void;
}

/**
 * A layer that can compute its parameter gradients without `dx` (`Affine`): a network calls it on its
 * first layer, whose input gradient (the gradient with respect to the images) nobody uses.
 */
export interface SkipsInputGradient extends Layer {
  backwardParams(dout: Tensor): unknown;
}

export function skipsInputGradient(layer: Layer): layer is SkipsInputGradient {
  return typeof (layer as Partial<SkipsInputGradient>).backwardParams === 'function';
}

export function hasParams(layer: Layer): layer is ParamLayer {
  return Array.isArray((layer as Partial<ParamLayer>).paramKeys) && (layer as ParamLayer).paramKeys.length > 0;
}

export function hasState(layer: Layer): layer is StatefulLayer {
  return Array.isArray((layer as Partial<StatefulLayer>).stateKeys) && (layer as StatefulLayer).stateKeys.length > 0;
}
