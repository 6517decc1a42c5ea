import { mul } from '../tensor/ops.ts';
import type { Tensor } from '../tensor/tensor.ts';

type Value = number | Tensor;

function times(a: Value, b: Value): Value {
  return typeof a === 'number' && typeof b === 'number' ? a * b : mul(a, b);
}

/**
 * The multiplication node of a computational graph (the book's `layer_naive.py`), on numbers or
 * tensors of one shape.
 *
 * @example
 * const mulAppleLayer = new MulLayer();
 * const applePrice = mulAppleLayer.forward(100, 2); // 200
 * const [dApple, dAppleNum] = mulAppleLayer.backward(1.1); // [2.2, 110.00000000000001]
 */
export class MulLayer<T extends Value = number> {
  x: T | undefined;
  y: T | undefined;

  forward(x: T, y: T): T {
    this.x = x;
    this.y = y;
    return times(x, y) as T;
  }

  /** `dx = dout * y`, `dy = dout * x` (the inputs swap). */
  backward(dout: T): [dx: T, dy: T] {
    if (this.x === undefined || this.y === undefined) throw new Error('MulLayer.backward: call forward first');
    return [times(dout, this.y) as T, times(dout, this.x) as T];
  }
}
