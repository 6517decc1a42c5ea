// The Sigmoid layer of chapter 5.5.2: forward, backward = dout * (1 - y) * y, and a check against the
// numerical derivative. Run: npx tsx examples/sigmoid-layer.ts
// (the same steps in NumPy: python3 test/fixtures/walkthroughs.py sigmoid-layer)
import { Sigmoid, less, maximum, onesLike, round, sigmoid, sub, tensor, type Mask, type Tensor } from '../src/index.ts';

function show(label: string, value: Tensor | Mask): void {
  console.log(label);
  console.log(value);
}

const x = tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]);
show('x:', x);
const layer = new Sigmoid();
const y = layer.forward(x);
show('y = forward(x) = 1 / (1 + exp(-x)):', y);
const dx = layer.backward(onesLike(x)).copy(); // copied: the layer reuses its dx buffer
show('dx = backward(1) = dout * (1 - y) * y:', dx);
const h = 1e-4;
const numerical = sub(sigmoid(x.add(h)), sigmoid(x.sub(h))).div(2 * h);
show('numerical derivative (f(x+h) - f(x-h)) / 2h, h=1e-4, rounded to 6 decimals:', round(numerical, 6));
const difference = maximum(sub(dx, numerical), sub(numerical, dx)); // |dx - numerical|
show('|dx - numerical| < 1e-8:', less(difference, 1e-8));
const dout = tensor([0.5, -1.0, 2.0, 1.0, -0.5, 0.25, 3.0]);
show('dout:', dout);
show('backward(dout):', layer.backward(dout));
