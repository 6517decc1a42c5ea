import type { Tensor } from '../tensor/tensor.ts';

/**
 * The book's layer contract (`common/layers.py`), written down once.
 *
 * - `forward(x)` computes the output and caches what `backward` needs (`mask`, `out`, `x`, …).
 * - `backward(dout)` takes the gradient of the loss with respect to the output and returns `dx`, the
 *   gradient with respect to the input. Layers with parameters also set `dW` and `db`.
 * - `backward` never mutates `dout` (the book's `Relu.backward` does: `dout[self.mask] = 0`).
 * - `dW`/`db` are overwritten by every `backward`, as in the book (they are not accumulated).
 * - Output buffers are reused: the tensor returned by `forward` (or `backward`) belongs to the layer
 *   and is overwritten by its next `forward` (or `backward`) with the same batch size. This keeps the
 *   training step free of allocation; call `.copy()` on a result you want to keep.
 * - Parameters are held by reference: `Affine` keeps the very `W` and `b` tensors it was given, so an
 *   optimizer that updates `params.W1` in place (`W -= lr * dW`) updates the layer too. Replacing a
 *   params entry with a new tensor would silently disconnect it — which is why `TwoLayerNet.params` is
 *   frozen.
 */
export interface Layer {
  forward(x: Tensor): Tensor;
  backward(dout: Tensor): Tensor;
}

/** A layer with parameters and their gradients (`Affine`). */
export interface ParamLayer extends Layer {
  readonly W: Tensor;
  readonly b: Tensor;
  dW: Tensor | undefined;
  db: Tensor | undefined;
}
