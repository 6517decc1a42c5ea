// The ReLU layer of chapter 5.5.1, every intermediate array printed as NumPy prints it.
// Run: npx tsx examples/relu-layer.ts   (the same steps in NumPy: python3 test/fixtures/walkthroughs.py relu-layer)
import { Mask, Relu, arange, lessEqual, maskedAssign, onesLike, round, tensor, type Tensor } from '../src/index.ts';

function show(label: string, value: Tensor | Mask): void {
  console.log(label);
  console.log(value);
}

/** NumPy's `a[mask]`: the elements where the mask is true, as a 1-d array. */
function select(a: Tensor, mask: Mask): Tensor {
  return tensor(a.data.filter((_, i) => mask.data[i] === 1));
}

const x = tensor([[1.0, -0.5], [-2.0, 3.0]]);
show('x:', x);
const mask = lessEqual(x, 0);
show('mask = (x <= 0):', mask);
const out = x.copy();
show('out = x.copy():', out);
show('out[mask]:', select(out, mask));
maskedAssign(out, mask, 0);
show('out[mask] = 0 -> forward(x):', out);
const dout = tensor([[0.5, -1.0], [2.0, 0.25]]);
show('dout:', dout);
// The layer does the same: forward keeps the mask, backward zeroes dout where x <= 0.
const relu = new Relu();
relu.forward(x);
show('dx = backward(dout):', relu.backward(dout));

// The curve of `scratchnet plot relu`: forward and backward over [-3, 3).
const xs = arange(-3, 3, 0.01);
const curve = new Relu();
const ys = curve.forward(xs);
show('curve x = np.round(np.arange(-3, 3, 0.01), 2):', round(xs, 2));
show('forward, rounded to 2 decimals:', round(ys, 2));
show('backward of ones:', curve.backward(onesLike(xs)));
