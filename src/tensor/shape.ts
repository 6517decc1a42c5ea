/** Shape helpers shared by the tensor ops. */

export type Shape = readonly number[];

/** NumPy's shape notation: `(2,3)`, `(3,)`, `()`. */
export function formatShape(shape: Shape): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(',')})`;
}

export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: invalid shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
    }
  }
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** NumPy's broadcasting rule: align trailing dimensions; each pair must match or contain a 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: operands could not be broadcast together with shapes ${formatShape(a)} ${formatShape(b)}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read an operand of `shape` as if it had `outShape` (0 on broadcast dimensions). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const nd = outShape.length;
  const out = new Array<number>(nd).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = nd - shape.length + i;
    out[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : own[i];
  }
  return out;
}

/** Resolves a possibly negative axis, or throws NumPy's AxisError message. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new Error(`${op}: axis ${axis} is out of bounds for array of dimension ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Resolves one `-1` in a requested shape and checks the size, as `np.reshape` does. */
export function resolveReshape(size: number, requested: Shape): number[] {
  const shape = [...requested];
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === -1) {
      if (unknown !== -1) throw new Error('reshape: can only specify one unknown dimension (-1)');
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`reshape: invalid dimension ${d} in shape ${formatShape(requested)}`);
    } else {
      known *= d;
    }
  }
  if (unknown !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new Error(`reshape: cannot reshape array of size ${size} into shape ${formatShape(requested)}`);
    }
    shape[unknown] = size / known;
  } else if (known !== size) {
    throw new Error(`reshape: cannot reshape array of size ${size} into shape ${formatShape(requested)}`);
  }
  return shape;
}
