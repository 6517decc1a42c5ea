import { add } from '../tensor/ops.ts';
import type { Tensor } from '../tensor/tensor.ts';

type Value = number | Tensor;

/**
 * The addition node of a computational graph (the book's `layer_naive.py`): backward passes `dout`
 * through unchanged to both inputs.
 *
 * @example
 * const addAppleOrangeLayer = new AddLayer();
 * addAppleOrangeLayer.forward(200, 450); // 650
 * addAppleOrangeLayer.backward(1.1);     // [1.1, 1.1]
 */
export class AddLayer<T extends Value = number> {
  forward(x: T, y: T): T {
    return (typeof x === 'number' && typeof y === 'number' ? x + y : add(x, y)) as T;
  }

  /** `dx = dout * 1`, `dy = dout * 1`. */
  backward(dout: T): [dx: T, dy: T] {
    return [dout, dout];
  }
}
