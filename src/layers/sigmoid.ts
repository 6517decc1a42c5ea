import { kernels } from '../kernels/index.ts';
import { reuse } from '../internal/buffers.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Layer } from './layer.ts';

/** Sigmoid layer: `y = 1 / (1 + e^-x)`; keeps `out` for backward, as the book does. */
export class Sigmoid implements Layer {
  out: Tensor | undefined;
  private dx: Tensor | undefined;

  forward(x: Tensor): Tensor {
    const out = (this.out = reuse(this.out, x.shape, x.dtype));
    kernels.sigmoid(x.data, out.data);
    return out;
  }

  // dx = dout * (1 - y) * y
  backward(dout: Tensor): Tensor {
    const y = this.out;
    if (y === undefined) throw new Error('Sigmoid.backward: call forward first');
    if (!sameShape(dout.shape, y.shape)) {
      throw new Error(`Sigmoid.backward: dout of shape ${formatShape(dout.shape)} does not match the output ${formatShape(y.shape)}`);
    }
    const dx = (this.dx = reuse(this.dx, dout.shape, dout.dtype));
    kernels.sigmoidBackward(dout.data, y.data, dx.data);
    return dx;
  }
}
