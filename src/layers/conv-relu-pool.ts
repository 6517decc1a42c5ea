import { kernels } from '../kernels/index.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Convolution } from './convolution.ts';
import type { SkipsInputGradient } from './layer.ts';
import type { Pooling } from './pooling.ts';
import type { Relu } from './relu.ts';

/**
 * The book's `Convolution → Relu → Pooling` as one step of a network's pass (LayerNet runs every such
 * run of its layers this way): the three layers' own objects, parameters and gradients, with the forward
 * pass in one kernel (`kernels.convReluPoolForward`) that pools the convolution's output as it is computed
 * instead of writing it out for ReLU and pooling to read back — a SimpleConvNet batch's is ~7 MB in
 * float32, ~14 in float64.
 *
 * Same values, bit for bit, as the three layers in turn: max pooling takes the first maximum of ReLU's
 * outputs in each window, and ReLU's mask at that maximum is the pooled value's own (`relu(v) ≤ 0` exactly
 * when the pooled value is), so ReLU runs on the pooled output instead (its mask then has the pooled
 * shape). The backward pass is `Relu.backward`, then the convolution's gradients straight from the pooled
 * gradient (`kernels.convPoolBackwardParams` and `convPoolBackwardData`: the same values as
 * `Pooling.backward`, then `Convolution.backward`, from the pooled gradient's non-zeros only).
 * What changes is what the layers hold after a pass: `Relu.mask` has the pooled shape, `Pooling.x` (the
 * ReLU output) is undefined, and the pooling's own input gradient is not computed. Each layer still runs
 * on its own (`layer.forward(x)`, `layer.backward(dout)`) as before.
 */
export class ConvReluPool implements SkipsInputGradient {
  readonly conv: Convolution;
  readonly relu: Relu;
  readonly pool: Pooling;

  constructor(conv: Convolution, relu: Relu, pool: Pooling) {
    this.conv = conv;
    this.relu = relu;
    this.pool = pool;
  }

  forward(x: Tensor): Tensor {
    const { conv, pool } = this;
    const s = conv.forwardShape(x, 'ConvReluPool.forward');
    const convShape = [s.n, s.fn, s.outH, s.outW];
    const { out, argMax } = pool.outputFor(convShape, s.dtype, 'ConvReluPool.forward');
    kernels.convReluPoolForward(
      x.data, s.n, s.c, s.h, s.w, conv.W.data, s.fn, s.fh, s.fw, conv.stride, conv.pad, conv.b.data, s.col,
      pool.poolH, pool.poolW, pool.stride, pool.pad, out.data, argMax,
    );
    conv.record(x, s.outH, s.outW);
    pool.record(undefined, convShape);
    // The pooled values are ReLU's already: this computes the mask (and leaves the values as they are).
    return this.relu.forward(out);
  }

  // The convolution's gradient (3/4 zeros at least: the pooling's backward pass puts each pooled value at
  // its window's maximum) is never written: dW, db and dx come from the pooled gradient's non-zeros.
  backward(dout: Tensor): Tensor {
    return this.conv.backwardPooled(this.relu.backward(dout), this.pool);
  }

  backwardParams(dout: Tensor): void {
    this.conv.backwardParamsPooled(this.relu.backward(dout), this.pool);
  }
}
