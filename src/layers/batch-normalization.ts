import { kernels } from '../kernels/index.ts';
import { bufferTensor, reuse } from '../internal/buffers.ts';
import { resultDtype } from '../tensor/ops.ts';
import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { ParamLayer, StatefulLayer } from './layer.ts';

/** The book's `10e-7` (that is, 1e-6) added to the variance before the square root. */
export const BATCH_NORM_EPS = 10e-7;

/**
 * Batch Normalization (Ioffe & Szegedy 2015, http://arxiv.org/abs/1502.03167), as the book's
 * `common/layers.py` writes it:
 *
 * - training (`trainFlg = true`): normalize each feature with the batch's mean and variance,
 *   `xn = (x − μ) / √(σ² + 10e-7)`, `out = gamma·xn + beta`, and move the running statistics towards the
 *   batch's: `runningMean = momentum·runningMean + (1 − momentum)·μ` (same for `runningVar` with `σ²`);
 * - test (`trainFlg = false`, the contract's default): normalize with `runningMean` and `runningVar`.
 *
 * Input of more than two dimensions (N×C×H×W after a convolution) is treated as N×(C·H·W) — one
 * statistic per element of a sample, as the book does — and the output has the input's shape.
 *
 * The book's attributes are readable after the calls: `runningMean`, `runningVar`, `batchSize`, `xc`,
 * `xn`, `std` (of the last training forward), `dgamma`, `dbeta` (of the last backward).
 *
 * Running statistics, a deliberate difference: the book creates them as zeros on the first forward.
 * Their length is fixed by then anyway — `gamma·xn` only works when `gamma` has one entry per feature —
 * so here they are created at construction, as zeros of `gamma`'s shape (or taken from the arguments,
 * e.g. restored from a model file). The values are the same as the book's; what changes is that
 * `state('runningMean')` exists from the start, so a network's `state` is complete before any forward
 * and a model file saved before training restores cleanly. They are updated in place (the book assigns
 * new arrays), so the tensors a network lists in `state` stay the ones this layer computes with.
 *
 * Backward after a test-mode forward: the book's `backward` always uses the last training batch's
 * statistics. Here it differentiates the forward that ran: after a test-mode forward the statistics
 * are constants and `dx = gamma·dout / √(runningVar + 10e-7)`.
 *
 * @example
 * const bn = new BatchNormalization(ones([3]), zeros([3]));
 * const out = bn.forward(tensor([[1, 2, 3], [3, 6, 9]]), true); // [[-1, -1, -1], [1, 1, 1]] (almost)
 * bn.runningMean.toArray(); // [0.2, 0.4, 0.6]
 */
export class BatchNormalization implements ParamLayer, StatefulLayer {
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly momentum: number;
  /** Mean used at test time; zeros until the first training forward moves it (updated in place). */
  readonly runningMean: Tensor;
  /** Variance used at test time; zeros until the first training forward moves it (updated in place). */
  readonly runningVar: Tensor;
  readonly paramKeys = ['gamma', 'beta'] as const;
  readonly stateKeys = ['runningMean', 'runningVar'] as const;
  /** The shape of the last input (2-D, or N×C×H×W). */
  inputShape: readonly number[] | undefined;
  /** N of the last training batch. */
  batchSize: number | undefined;
  /** `x − μ` of the last training batch, N×D. */
  xc: Tensor | undefined;
  /** The normalized last training batch, N×D. */
  xn: Tensor | undefined;
  /** `√(σ² + 10e-7)` of the last training batch, per feature. */
  std: Tensor | undefined;
  dgamma: Tensor | undefined;
  dbeta: Tensor | undefined;
  /** Features per sample: the length of `gamma`. */
  private readonly d: number;
  /** Scratch for the batch mean and variance (training) and dvar, dmu (backward). */
  private readonly mu: Float64Array;
  private readonly variance: Float64Array;
  /** Test-mode caches, apart from the book's training ones (which a test forward leaves alone). */
  private testXc: Tensor | undefined;
  private testXn: Tensor | undefined;
  private readonly testStd: Tensor;
  private lastTrain = false;
  private out: Tensor | undefined;
  private dx: Tensor | undefined;

  constructor(gamma: Tensor, beta: Tensor, momentum = 0.9, runningMean?: Tensor, runningVar?: Tensor) {
    if (gamma.ndim !== 1 || gamma.size === 0) {
      throw new Error(`BatchNormalization: gamma must be 1-D and non-empty, got shape ${formatShape(gamma.shape)}`);
    }
    if (!sameShape(beta.shape, gamma.shape)) {
      throw new Error(`BatchNormalization: beta of shape ${formatShape(beta.shape)} does not match gamma of shape ${formatShape(gamma.shape)}`);
    }
    if (!Number.isFinite(momentum) || momentum < 0 || momentum > 1) {
      throw new Error(`BatchNormalization: momentum must be in [0, 1], got ${momentum}`);
    }
    for (const [name, s] of [['runningMean', runningMean], ['runningVar', runningVar]] as const) {
      if (s !== undefined && !sameShape(s.shape, gamma.shape)) {
        throw new Error(`BatchNormalization: ${name} of shape ${formatShape(s.shape)} does not match gamma of shape ${formatShape(gamma.shape)}`);
      }
    }
    this.gamma = gamma;
    this.beta = beta;
    this.momentum = momentum;
    this.d = gamma.size;
    this.runningMean = runningMean ?? bufferTensor(gamma.shape, gamma.dtype);
    this.runningVar = runningVar ?? bufferTensor(gamma.shape, gamma.dtype);
    this.mu = new Float64Array(this.d);
    this.variance = new Float64Array(this.d);
    this.testStd = bufferTensor(gamma.shape, gamma.dtype);
  }

  param(key: string): Tensor {
    if (key === 'gamma') return this.gamma;
    if (key === 'beta') return this.beta;
    throw new Error(`BatchNormalization: no parameter '${key}' (it has gamma, beta)`);
  }

  grad(key: string): Tensor | undefined {
    if (key === 'gamma') return this.dgamma;
    if (key === 'beta') return this.dbeta;
    throw new Error(`BatchNormalization: no parameter '${key}' (it has gamma, beta)`);
  }

  state(key: string): Tensor {
    if (key === 'runningMean') return this.runningMean;
    if (key === 'runningVar') return this.runningVar;
    throw new Error(`BatchNormalization: no state '${key}' (it has runningMean, runningVar)`);
  }

  /** Copies `value` into `runningMean` or `runningVar` (e.g. restored from a model file); shapes must match. */
  setState(key: string, value: Tensor): void {
    const target = this.state(key);
    if (!sameShape(value.shape, target.shape)) {
      throw new Error(`BatchNormalization.setState: ${key} of shape ${formatShape(value.shape)} does not match ${formatShape(target.shape)}`);
    }
    target.data.set(value.data);
  }

  forward(x: Tensor, trainFlg = false): Tensor {
    const n = x.ndim >= 2 ? x.shape[0] : 0;
    if (x.ndim < 2 || x.size !== n * this.d) {
      throw new Error(
        `BatchNormalization.forward: input of shape ${formatShape(x.shape)} does not have ${this.d} features per sample (gamma has shape ${formatShape(this.gamma.shape)})`,
      );
    }
    const d = this.d;
    const dtype = resultDtype(x, this.gamma);
    this.inputShape = x.shape;
    const out = (this.out = reuse(this.out, x.shape, dtype));
    if (trainFlg) {
      if (n === 0) throw new Error('BatchNormalization.forward: a training batch needs at least one sample');
      const xc = (this.xc = reuse(this.xc, [n, d], dtype));
      const xn = (this.xn = reuse(this.xn, [n, d], dtype));
      const std = (this.std = reuse(this.std, this.gamma.shape, this.gamma.dtype));
      this.batchSize = n;
      kernels.batchNormForwardTrain(
        x.data, n, d, this.gamma.data, this.beta.data, BATCH_NORM_EPS, this.momentum,
        this.runningMean.data, this.runningVar.data, this.mu, this.variance, xc.data, xn.data, std.data, out.data,
      );
    } else {
      const xc = (this.testXc = reuse(this.testXc, [n, d], dtype));
      const xn = (this.testXn = reuse(this.testXn, [n, d], dtype));
      kernels.batchNormForwardTest(
        x.data, n, d, this.gamma.data, this.beta.data, BATCH_NORM_EPS,
        this.runningMean.data, this.runningVar.data, xc.data, xn.data, this.testStd.data, out.data,
      );
    }
    this.lastTrain = trainFlg;
    return out;
  }

  /** Sets `dgamma` and `dbeta` and returns `dx` in the input's shape. */
  backward(dout: Tensor): Tensor {
    const inputShape = this.inputShape;
    if (inputShape === undefined) throw new Error('BatchNormalization.backward: call forward first');
    if (!sameShape(dout.shape, inputShape)) {
      throw new Error(`BatchNormalization.backward: dout of shape ${formatShape(dout.shape)} does not match the forward input ${formatShape(inputShape)}`);
    }
    const d = this.d;
    const n = inputShape[0];
    const dgamma = (this.dgamma = reuse(this.dgamma, this.gamma.shape, this.gamma.dtype));
    const dbeta = (this.dbeta = reuse(this.dbeta, this.beta.shape, this.beta.dtype));
    const dx = (this.dx = reuse(this.dx, inputShape, resultDtype(dout, this.gamma)));
    if (this.lastTrain) {
      // The training caches are set whenever lastTrain is.
      const { xc, xn, std } = this as { xc: Tensor; xn: Tensor; std: Tensor };
      kernels.batchNormBackwardTrain(
        dout.data, n, d, this.gamma.data, xc.data, xn.data, std.data, dgamma.data, dbeta.data, this.mu, this.variance, dx.data,
      );
    } else {
      const xn = this.testXn as Tensor;
      kernels.batchNormBackwardTest(dout.data, n, d, this.gamma.data, xn.data, this.testStd.data, dgamma.data, dbeta.data, dx.data);
    }
    return dx;
  }
}
