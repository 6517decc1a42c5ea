// The Affine layer of chapter 5.6 followed by a Relu: shapes and values forward, then dX, dW and db
// backward. Run: npx tsx examples/affine-layer.ts
// (the same steps in NumPy: python3 test/fixtures/walkthroughs.py affine-layer)
import { Affine, Relu, tensor, type Tensor } from '../src/index.ts';

function show(label: string, value: Tensor): void {
  console.log(label);
  console.log(value);
}

/** The shape as Python prints a tuple: (2, 3), (4,). */
function shape(label: string, a: Tensor): void {
  console.log(`${label}.shape: ${a.ndim === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`}`);
}

const X = tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]);
const W = tensor([[0.1, -0.2, 0.3, 0.0], [0.5, 0.4, -0.6, 0.2], [-0.3, 0.1, 0.2, 0.7]]);
const b = tensor([0.1, 0.2, -0.3, 0.0]);
shape('X', X);
show('X:', X);
shape('W', W);
show('W:', W);
shape('b', b);
show('b:', b);

const affine = new Affine(W, b);
const relu = new Relu();
const Y = affine.forward(X);
shape('Y', Y);
show('Y = Affine.forward(X) = X . W + b:', Y);
const Z = relu.forward(Y);
shape('Z', Z);
show('Z = Relu.forward(Y):', Z);

const dout = tensor([[1.0, -1.0, 0.5, 2.0], [0.25, 1.5, -2.0, 1.0]]);
show('dout:', dout);
const dY = relu.backward(dout);
show('dY = Relu.backward(dout):', dY);
const dX = affine.backward(dY);
const dW = affine.dW as Tensor;
const db = affine.db as Tensor;
shape('dX', dX);
show('dX = dY . W^T:', dX);
shape('dW', dW);
show('dW = X^T . dY:', dW);
shape('db', db);
show('db = sum(dY, axis=0):', db);
