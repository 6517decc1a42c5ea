/**
 * What the book's two convolutional networks (`SimpleConvNet`, `DeepConvNet`) share beyond `LayerNet`:
 * chunked `accuracy(x, t, batchSize = 100)`, `predictLabels`, and the checks of their configs (`saveParams` /
 * `loadParams` are every network's, in `LayerNet`).
 */
import { labelIndices, type Labels } from '../functions.ts';
import { kernels } from '../kernels/index.ts';
import { formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { LayerNet } from './layer-net.ts';
import { MAX_LAYER_SIZE, type JsonValue, type NetworkConfig } from './network.ts';

/** The book's `conv_param`: `{ filter_num, filter_size, pad, stride }` in camelCase. */
export interface ConvParam {
  filterNum: number;
  filterSize: number;
  pad: number;
  stride: number;
}

export function checkInt(net: string, name: string, v: unknown, min: number, max = MAX_LAYER_SIZE): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${net}: ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** `inputDim` (C, H, W), checked. */
export function checkInputDim(net: string, v: unknown): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3) throw new Error(`${net}: inputDim must be [channels, height, width], got ${JSON.stringify(v)}`);
  return [checkInt(net, 'inputDim[0]', v[0], 1, 4096), checkInt(net, 'inputDim[1]', v[1], 1, 4096), checkInt(net, 'inputDim[2]', v[2], 1, 4096)];
}

/** A conv param, checked, with the book's defaults for missing fields (`defaults`). */
export function checkConvParam(net: string, name: string, v: unknown, defaults: ConvParam): ConvParam {
  if (v === undefined) return { ...defaults };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${net}: ${name} must be { filterNum, filterSize, pad, stride }, got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['filterNum', 'filterSize', 'pad', 'stride'].includes(key)) throw new Error(`${net}: ${name} has an unknown field '${key}' (it takes filterNum, filterSize, pad, stride)`);
  }
  return {
    filterNum: checkInt(net, `${name}.filterNum`, o.filterNum ?? defaults.filterNum, 1, 65536),
    filterSize: checkInt(net, `${name}.filterSize`, o.filterSize ?? defaults.filterSize, 1, 4096),
    pad: checkInt(net, `${name}.pad`, o.pad ?? defaults.pad, 0, 4096),
    stride: checkInt(net, `${name}.stride`, o.stride ?? defaults.stride, 1, 4096),
  };
}

/** `(size + 2·pad − filter) // stride + 1`, at least 1 or an error naming the layer. */
export function outSize(net: string, layer: string, size: number, filter: number, stride: number, pad: number): number {
  const span = size + 2 * pad - filter;
  if (span < 0) throw new Error(`${net}: ${layer}: a ${filter}×${filter} window does not fit a ${size}×${size} input with pad ${pad}`);
  return Math.floor(span / stride) + 1;
}

export function convParamJson(p: ConvParam): JsonValue {
  return { filterNum: p.filterNum, filterSize: p.filterSize, pad: p.pad, stride: p.stride };
}

/** A `LayerNet` on images (N, C, H, W) with the book's conv-net extras. */
export abstract class ConvNetBase extends LayerNet {
  /**
   * The book's `accuracy(x, t, batch_size=100)`: predictions in chunks of `batchSize` images (test mode),
   * so a whole test set never goes through the layers at once. `t` is label indices or one-hot rows.
   * (The book loops `int(N / batch_size)` times and so counts a last partial chunk as wrong; here it is
   * evaluated — the same result whenever `batchSize` divides N.)
   */
  override accuracy(x: Tensor, t: Labels, batchSize = 100): number {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${this.kind}.accuracy: batchSize must be an integer >= 1, got ${batchSize}`);
    if (x.ndim !== this.inputShape.length + 1) {
      throw new Error(`${this.kind}.accuracy: x of shape ${formatShape(x.shape)} is not a batch of ${formatShape(this.inputShape)} images`);
    }
    const n = x.shape[0];
    const labels = labelIndices(`${this.kind}.accuracy`, t, n, this.outputSize);
    const per = x.size / Math.max(n, 1);
    const predicted = new Float64Array(Math.min(batchSize, n));
    let correct = 0;
    for (let start = 0; start < n; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      const chunk = new Tensor(x.data.subarray(start * per, (start + rows) * per), [rows, ...x.shape.slice(1)]);
      const y = this.predict(chunk, false);
      kernels.argmaxAxis(y.data, rows, this.outputSize, 1, predicted);
      for (let i = 0; i < rows; i++) if (predicted[i] === labels[start + i]) correct++;
    }
    return correct / n;
  }

  /** The predicted class of every image, computed in chunks of `batchSize` (test mode). */
  predictLabels(x: Tensor, batchSize = 100): Int32Array {
    const n = x.shape[0];
    const per = x.size / Math.max(n, 1);
    const out = new Int32Array(n);
    const predicted = new Float64Array(Math.min(batchSize, n));
    for (let start = 0; start < n; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      const y = this.predict(new Tensor(x.data.subarray(start * per, (start + rows) * per), [rows, ...x.shape.slice(1)]), false);
      kernels.argmaxAxis(y.data, rows, this.outputSize, 1, predicted);
      for (let i = 0; i < rows; i++) out[start + i] = predicted[i];
    }
    return out;
  }
}

export type { NetworkConfig };
