// The Softmax-with-Loss layer of chapter 5.6.3: softmax step by step, the cross-entropy loss, and the
// famously simple backward (y - t) / batch_size. Run: npx tsx examples/softmax-with-loss.ts
// (the same steps in NumPy: python3 test/fixtures/walkthroughs.py softmax-with-loss)
import { SoftmaxWithLoss, exp, max, round, scalarString, sub, sum, tensor, type Tensor } from '../src/index.ts';

function show(label: string, value: Tensor): void {
  console.log(label);
  console.log(value);
}

const x = tensor([[0.3, 2.9, 4.0], [1.0, -1.0, 0.5]]);
const t = tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]);
show('x (scores):', x);
show('t (one-hot labels):', t);
const c = max(x, { axis: 1, keepdims: true });
show('max per row (subtracted against overflow):', c);
const expX = exp(sub(x, c));
show('exp(x - max):', expX);

const layer = new SoftmaxWithLoss();
const loss = layer.forward(x, t);
const y = layer.y as Tensor;
show('y = softmax(x):', y);
show('sum of each row of y:', round(sum(y, { axis: 1 }), 12));
console.log('loss = cross_entropy_error(y, t), rounded to 8 decimals:', scalarString(round(tensor(loss), 8).item(), 'float64'));
show('dx = backward(1) = (y - t) / batch_size:', layer.backward());
