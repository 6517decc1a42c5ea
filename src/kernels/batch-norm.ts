import type { FloatArray } from './types.ts';

/**
 * The loops of the book's `BatchNormalization` and `Dropout` (`common/layers.py`). `x` is an n×d matrix
 * (row-major): n samples of d features; statistics are per feature (per column). The arithmetic follows
 * the book's NumPy expressions term by term, in the same order, so results agree with NumPy to rounding.
 */

/**
 * Training-mode forward with batch statistics:
 * `mu = mean(x, 0)`, `xc = x − mu`, `var = mean(xc², 0)`, `std = √(var + eps)`, `xn = xc / std`,
 * `out = gamma·xn + beta`, and the running statistics updated in place:
 * `runningMean = momentum·runningMean + (1 − momentum)·mu` (same for `runningVar` with `var`).
 * `mu` and `variance` are d-long scratch arrays (written).
 */
export function batchNormForwardTrain(
  x: FloatArray,
  n: number,
  d: number,
  gamma: FloatArray,
  beta: FloatArray,
  eps: number,
  momentum: number,
  runningMean: FloatArray,
  runningVar: FloatArray,
  mu: FloatArray,
  variance: FloatArray,
  xc: FloatArray,
  xn: FloatArray,
  std: FloatArray,
  out: FloatArray,
): void {
  // Column sums row by row, as NumPy reduces over axis 0 of a C-ordered array.
  mu.fill(0, 0, d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mu[j] += x[row + j];
  }
  for (let j = 0; j < d; j++) mu[j] /= n;
  variance.fill(0, 0, d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const c = x[row + j] - mu[j];
      xc[row + j] = c;
      variance[j] += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    variance[j] /= n;
    std[j] = Math.sqrt(variance[j] + eps);
  }
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const v = xc[row + j] / std[j];
      xn[row + j] = v;
      out[row + j] = gamma[j] * v + beta[j];
    }
  }
  const keep = 1 - momentum;
  for (let j = 0; j < d; j++) {
    runningMean[j] = momentum * runningMean[j] + keep * mu[j];
    runningVar[j] = momentum * runningVar[j] + keep * variance[j];
  }
}

/**
 * Test-mode forward with the running statistics: `xc = x − runningMean`,
 * `xn = xc / √(runningVar + eps)`, `out = gamma·xn + beta`. `std` (d-long) receives `√(runningVar + eps)`.
 */
export function batchNormForwardTest(
  x: FloatArray,
  n: number,
  d: number,
  gamma: FloatArray,
  beta: FloatArray,
  eps: number,
  runningMean: FloatArray,
  runningVar: FloatArray,
  xc: FloatArray,
  xn: FloatArray,
  std: FloatArray,
  out: FloatArray,
): void {
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(runningVar[j] + eps);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const c = x[row + j] - runningMean[j];
      const v = c / std[j];
      xc[row + j] = c;
      xn[row + j] = v;
      out[row + j] = gamma[j] * v + beta[j];
    }
  }
}

/**
 * Training-mode backward, the book's computational graph walked back:
 * `dbeta = Σ dout`, `dgamma = Σ xn·dout`, `dxn = gamma·dout`, `dxc = dxn / std`,
 * `dstd = −Σ dxn·xc / std²`, `dvar = 0.5·dstd / std`, `dxc += (2/n)·xc·dvar`, `dmu = Σ dxc`,
 * `dx = dxc − dmu / n` (sums over the batch, per feature). `dvar` and `dmu` are d-long scratch arrays.
 */
export function batchNormBackwardTrain(
  dout: FloatArray,
  n: number,
  d: number,
  gamma: FloatArray,
  xc: FloatArray,
  xn: FloatArray,
  std: FloatArray,
  dgamma: FloatArray,
  dbeta: FloatArray,
  dvar: FloatArray,
  dmu: FloatArray,
  dx: FloatArray,
): void {
  dbeta.fill(0, 0, d);
  dgamma.fill(0, 0, d);
  // dvar first collects Σ dxn·xc / (std·std); it becomes dvar = 0.5·dstd/std below.
  dvar.fill(0, 0, d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const g = dout[row + j];
      dbeta[j] += g;
      dgamma[j] += xn[row + j] * g;
      dvar[j] += (gamma[j] * g * xc[row + j]) / (std[j] * std[j]);
    }
  }
  for (let j = 0; j < d; j++) dvar[j] = (0.5 * -dvar[j]) / std[j];
  const twoOverN = 2.0 / n;
  dmu.fill(0, 0, d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const v = (gamma[j] * dout[row + j]) / std[j] + twoOverN * xc[row + j] * dvar[j];
      dx[row + j] = v;
      dmu[j] += v;
    }
  }
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) dx[row + j] -= dmu[j] / n;
  }
}

/**
 * Test-mode backward (the statistics are constants there, so BatchNorm is a per-feature affine map):
 * `dbeta = Σ dout`, `dgamma = Σ xn·dout`, `dx = gamma·dout / std`. The book has no such path (its
 * backward always uses the last training batch); this is the exact derivative of the test-mode forward.
 */
export function batchNormBackwardTest(
  dout: FloatArray,
  n: number,
  d: number,
  gamma: FloatArray,
  xn: FloatArray,
  std: FloatArray,
  dgamma: FloatArray,
  dbeta: FloatArray,
  dx: FloatArray,
): void {
  dbeta.fill(0, 0, d);
  dgamma.fill(0, 0, d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const g = dout[row + j];
      dbeta[j] += g;
      dgamma[j] += xn[row + j] * g;
      dx[row + j] = (gamma[j] * g) / std[j];
    }
  }
}

/** Dropout's mask applied: `out = x · mask` (the mask is 1 for kept units, 0 for dropped ones). */
export function applyMask(x: FloatArray, mask: Uint8Array, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * mask[i];
}
