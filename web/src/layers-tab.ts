/** ReLU and Sigmoid curves with a movable point; Affine → SoftmaxWithLoss on a tiny batch. */
import embed from 'vega-embed';
import { Affine, Random, SoftmaxWithLoss, activationAt, activationSpec, randn, type ActivationName, type Tensor } from '../../src/index.ts';
import { fixed } from './format.ts';
import { onLangChange } from './i18n.ts';

async function drawChart(el: HTMLElement, name: ActivationName, x: number): Promise<void> {
  const width = Math.max(150, Math.min(260, Math.floor((el.clientWidth || 900) / 3) - 70));
  await embed(el, activationSpec(name, { marker: x, width }) as never, { actions: false, renderer: 'svg' });
}

export function setupLayers(): void {
  const slider = document.getElementById('layer-x') as HTMLInputElement;
  const output = document.getElementById('layer-x-value') as HTMLOutputElement;
  const charts: [ActivationName, string][] = [
    ['relu', 'layer-relu'],
    ['sigmoid', 'layer-sigmoid'],
  ];
  let pending = false;
  let drawn = false;
  const update = () => {
    pending = false;
    const x = Number(slider.value);
    output.value = x.toFixed(2);
    for (const [name, id] of charts) {
      const { y, dydx } = activationAt(name, x);
      document.getElementById(`${id}-readout`)!.textContent = `x = ${x.toFixed(2)}   y = ${y.toFixed(4)}   dy/dx = ${dydx.toFixed(4)}`;
      void drawChart(document.getElementById(`${id}-plot`)!, name, x);
    }
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(update);
    }
  };
  slider.addEventListener('input', schedule);
  // Charts are drawn when the tab is first shown (their width depends on the layout).
  document.addEventListener('tab-shown', (e) => {
    if ((e as CustomEvent<string>).detail === 'layers' && !drawn) {
      drawn = true;
      update();
    }
  });

  let seed = 1;
  const demo = document.getElementById('affine-demo')!;
  const renderDemo = () => {
    const rng = new Random(seed);
    const x = randn([2, 3], { rng });
    const W = randn([3, 3], { rng }).mul(0.5);
    const b = randn([3], { rng }).mul(0.1);
    const labels = [rng.int(3), rng.int(3)];
    const affine = new Affine(W, b);
    const lossLayer = new SoftmaxWithLoss();
    const out = affine.forward(x).copy();
    const loss = lossLayer.forward(out, labels);
    const y = lossLayer.y!.copy();
    const dout = lossLayer.backward(1).copy();
    const dx = affine.backward(dout).copy();
    demo.replaceChildren(
      matrix('x', x),
      matrix('W', W),
      matrix('b', b),
      matrix('out = x·W + b', out),
      matrix('y = softmax(out)', y),
      note(`t = [${labels.join(', ')}]   loss = ${loss.toFixed(4)}`),
      matrix('dout = (y − t) / 2', dout, true),
      matrix('dx = dout·Wᵀ', dx, true),
      matrix('dW = xᵀ·dout', affine.dW!, true),
      matrix('db = Σ dout', affine.db!, true),
    );
  };
  document.getElementById('affine-new')!.addEventListener('click', () => {
    seed++;
    renderDemo();
  });
  renderDemo();
  onLangChange(() => {
    if (drawn) update();
  });
}

function matrix(caption: string, m: Tensor, grad = false): HTMLTableElement {
  const table = document.createElement('table');
  table.className = grad ? 'matrix grad' : 'matrix';
  const cap = table.createCaption();
  cap.textContent = `${caption}  (${m.shape.join(', ')}${m.ndim === 1 ? ',' : ''})`;
  const rows = m.ndim === 1 ? 1 : m.shape[0];
  const cols = m.ndim === 1 ? m.shape[0] : m.shape[1];
  for (let r = 0; r < rows; r++) {
    const tr = table.insertRow();
    for (let c = 0; c < cols; c++) tr.insertCell().textContent = fixed(m.data[r * cols + c], 3);
  }
  return table;
}

function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'mono';
  p.textContent = text;
  return p;
}
