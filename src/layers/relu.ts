import { kernels } from '../kernels/index.ts';
import { reuse, reuseBytes } from '../internal/buffers.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import { Mask, type Tensor } from '../tensor/tensor.ts';
import type { Layer } from './layer.ts';

/**
 * ReLU layer: `y = x` for `x > 0`, else 0. `mask` marks where `x <= 0`, as in the book.
 *
 * The book's `backward` writes `dout[self.mask] = 0`, zeroing the caller's array in place. This one
 * writes a fresh (layer-owned) `dx` and leaves `dout` alone.
 */
export class Relu implements Layer {
  mask: Mask | undefined;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  forward(x: Tensor): Tensor {
    const out = (this.out = reuse(this.out, x.shape, x.dtype));
    const maskData = reuseBytes(this.mask?.data, x.size);
    if (this.mask === undefined || this.mask.data !== maskData || !sameShape(this.mask.shape, x.shape)) {
      this.mask = new Mask(maskData, x.shape);
    }
    kernels.reluForward(x.data, out.data, maskData);
    return out;
  }

  // dx = dout where x > 0, else 0
  backward(dout: Tensor): Tensor {
    const mask = this.mask;
    if (mask === undefined) throw new Error('Relu.backward: call forward first');
    if (!sameShape(dout.shape, mask.shape)) {
      throw new Error(`Relu.backward: dout of shape ${formatShape(dout.shape)} does not match the forward input ${formatShape(mask.shape)}`);
    }
    const dx = (this.dx = reuse(this.dx, dout.shape, dout.dtype));
    kernels.reluBackward(dout.data, mask.data, dx.data);
    return dx;
  }
}
