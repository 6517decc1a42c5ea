/**
 * The Network graph tab: chapter 5's computational graph drawn on a real network of the library.
 * TwoLayerNet(784, 50, 10), or a MultiLayerNet of the reader's hidden sizes, is built with
 * `buildNetwork`; a batch of the Worker's sample test images goes forward layer by layer and the
 * gradient comes back from SoftmaxWithLoss, each box being one of the network's layer objects. Every
 * box shows its output's shape (as NumPy prints it) and the size of the gradient flowing back into it;
 * clicking one shows its output and its gradient as heat maps.
 */
import './netgraph.css';
import { Affine, LayerNet, Tensor, buildNetwork } from '../../src/index.ts';
import { field, h } from './dom.ts';
import { localTexts, onLangChange } from './i18n.ts';
import type { SampleImages } from './protocol.ts';
import { whenReady } from './worker-client.ts';

const tt = localTexts({
  en: {
    intro:
      'Chapter 5’s computational graph, now on a real network: each box below is one layer object of the library (Affine, Relu, Sigmoid, SoftmaxWithLoss), chained left to right as the book draws TwoLayerNet. “Forward & backward” sends a batch of MNIST test images forward through the layers — each box shows the shape of its output — and then backward from the loss: each box shows the size (L2 norm) of the gradient of the loss with respect to its output, the dout its backward receives. Click a box to see its values and its gradient.',
    network: 'network',
    hiddenSizes: 'hidden sizes',
    activation: 'activation',
    seed: 'seed',
    batchSize: 'batch size',
    run: 'Forward & backward',
    loading: 'loading the sample images (MNIST test images)…',
    ready: '{n} MNIST test images ready',
    ran: 'loss {loss} on {n} test images (labels {labels})',
    legendForward: '→ forward: the shape of the output',
    legendBackward: '← backward: |∂L/∂out|, the size of the gradient',
    grad: '|∂L/∂out|',
    dW: '|dW|',
    lossValue: 'L',
    clickHint: 'Click a box to see its values.',
    badHidden: 'hidden sizes must be 1 to {maxLayers} whole numbers from 1 to {max}, separated by commas (e.g. “100, 50”)',
    badBatch: 'the batch size must be a whole number from 1 to {max}',
    badSeed: 'the seed must be a whole number from 0 to {max}',
    failed: 'the pass failed: {message}',
    outputTitle: 'forward: output {shape}',
    gradTitle: 'backward: gradient ∂L/∂out',
    softmaxY: 'inside, forward: softmax y {shape}',
    softmaxDx: 'sent back: (y − t) / N',
    lossTerms: 'forward: each sample’s −log y(label)',
    lossGrad: 'backward: ∂L/∂(each term) = 1/N',
    range: 'min {min} · max {max}',
    axes: 'rows: the {n} samples (labels {labels}) · columns: units',
    noRun: 'Press “Forward & backward” to fill the heat maps.',
    nodeX: 'The input x: {n} MNIST test images, 784 pixels each scaled to 0–1. Its gradient ∂L/∂x (what Affine1’s backward returns as dx) says how the loss would change with each pixel; training never uses it.',
    nodeAffine: 'Affine: forward computes out = x·W + b. Backward receives dout = ∂L/∂out from the right and computes dx = dout·Wᵀ (sent to the left), dW = xᵀ·dout (|dW| = {dW}) and db = Σ dout over the batch (|db| = {db}).',
    nodeRelu: 'ReLU: forward keeps the positive inputs and sets the rest to 0. Backward passes dout where the input was positive and sends 0 elsewhere: the gradient has no way back through a unit that was off.',
    nodeSigmoid: 'Sigmoid: forward computes y = 1 / (1 + exp(−x)). Backward multiplies dout by y(1 − y), at most 0.25: the gradient shrinks at every Sigmoid (chapter 6’s vanishing gradient).',
    nodeSoftmax: 'SoftmaxWithLoss: its output is the scalar loss L, so its inside is shown: the softmax probabilities y, and what its backward sends to the left, (y − t) / N — chapter 5’s clean result (t: the one-hot labels). Its own gradient ∂L/∂L is 1.',
    nodeLoss: 'The loss L = {loss}: the mean over the batch of each sample’s cross-entropy error −log y(label). Backward starts here with ∂L/∂L = 1; each sample’s term gets 1/N.',
  },
  ja: {
    intro:
      '第5章の計算グラフを本物のネットワークで描きます。下の箱はどれもライブラリのレイヤのオブジェクト(Affine、Relu、Sigmoid、SoftmaxWithLoss)で、本が TwoLayerNet を描くように左から右へつながっています。「順伝播と逆伝播」を押すと、MNIST のテスト画像のバッチがレイヤを順に通り(各箱に出力の形状を表示)、そのあと損失から逆伝播します。各箱には、その出力に関する損失の勾配(逆伝播で受け取る dout)の大きさ(L2 ノルム)を表示します。箱をクリックすると、値と勾配を見られます。',
    network: 'ネットワーク',
    hiddenSizes: '隠れ層のサイズ',
    activation: '活性化関数',
    seed: 'シード',
    batchSize: 'バッチサイズ',
    run: '順伝播と逆伝播',
    loading: 'サンプル画像(MNIST のテスト画像)を読み込み中…',
    ready: 'MNIST のテスト画像 {n} 枚を用意しました',
    ran: 'テスト画像 {n} 枚(正解ラベル {labels})での損失 {loss}',
    legendForward: '→ 順伝播:出力の形状',
    legendBackward: '← 逆伝播:|∂L/∂out|(勾配の大きさ)',
    grad: '|∂L/∂out|',
    dW: '|dW|',
    lossValue: 'L',
    clickHint: '箱をクリックすると値を表示します。',
    badHidden: '隠れ層のサイズは 1 以上 {max} 以下の整数を、カンマで区切って 1〜{maxLayers} 個にしてください(例:「100, 50」)',
    badBatch: 'バッチサイズは 1 以上 {max} 以下の整数にしてください',
    badSeed: 'シードは 0 以上 {max} 以下の整数にしてください',
    failed: '計算に失敗しました:{message}',
    outputTitle: '順伝播:出力 {shape}',
    gradTitle: '逆伝播:勾配 ∂L/∂out',
    softmaxY: '内部の順伝播:ソフトマックスの出力 y {shape}',
    softmaxDx: '逆伝播で左へ送る値:(y − t) / N',
    lossTerms: '順伝播:各サンプルの −log y(正解)',
    lossGrad: '逆伝播:∂L/∂(各項) = 1/N',
    range: '最小 {min} · 最大 {max}',
    axes: '行:{n} 個のサンプル(正解ラベル {labels}) · 列:ユニット',
    noRun: '「順伝播と逆伝播」を押すとヒートマップを表示します。',
    nodeX: '入力 x:MNIST のテスト画像 {n} 枚(各 784 ピクセル、0〜1 に正規化)。勾配 ∂L/∂x(Affine1 の逆伝播が dx として返す値)は、各ピクセルが変わると損失がどれだけ変わるかを表します。学習では使いません。',
    nodeAffine: 'Affine:順伝播で out = x·W + b を計算します。逆伝播では右から dout = ∂L/∂out を受け取り、dx = dout·Wᵀ(左へ送る)、dW = xᵀ·dout(|dW| = {dW})、db = バッチ方向の dout の和(|db| = {db})を計算します。',
    nodeRelu: 'ReLU:順伝播では正の入力をそのまま通し、それ以外は 0 にします。逆伝播では入力が正だったところだけ dout を通し、ほかは 0 を送ります。オフだったユニットを通って勾配は戻れません。',
    nodeSigmoid: 'Sigmoid:順伝播で y = 1 / (1 + exp(−x)) を計算します。逆伝播では dout に y(1 − y)(最大 0.25)を掛けます。Sigmoid を通るたびに勾配は小さくなります(第6章の勾配消失)。',
    nodeSoftmax: 'SoftmaxWithLoss:出力はスカラーの損失 L なので、内部を表示します。ソフトマックスの出力 y と、逆伝播で左へ送る (y − t) / N です(t は one-hot の正解ラベル)。第5章のきれいな結果です。このレイヤ自身の勾配 ∂L/∂L は 1 です。',
    nodeLoss: '損失 L = {loss}:各サンプルの交差エントロピー誤差 −log y(正解) のバッチ平均です。逆伝播はここから ∂L/∂L = 1 で始まり、各サンプルの項には 1/N が届きます。',
  },
});

/** The limits of the form: the Worker sends 16 sample images; hidden layers are kept small enough to build at once. */
const MAX_BATCH = 16;
const MAX_HIDDEN = 1000;
const MAX_HIDDEN_LAYERS = 8;
const INPUT = 784;
const CLASSES = 10;

type NetChoice = 'two' | 'multi';
type Activation = 'relu' | 'sigmoid';

/** What the form asks for, checked. */
interface Config {
  net: NetChoice;
  hidden: number[];
  activation: Activation;
  seed: number;
  batch: number;
}

type NodeKind = 'input' | 'affine' | 'relu' | 'sigmoid' | 'softmax' | 'loss';

/** One box of the chain: a layer, or the input x / the loss L at the ends. */
interface NodeSpec {
  name: string;
  kind: NodeKind;
  shape: number[];
}

/** Two small matrices (rows × cols, row-major) for a node's detail panel. */
interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** What one forward & backward pass left at a node. */
interface NodeResult {
  /** |∂L/∂out|: the L2 norm of the gradient flowing into the node from the right. */
  grad: number;
  /** The forward output (or what is shown for it: softmax y, per-sample losses). */
  out: Matrix;
  /** The gradient (or what is shown for it: (y − t)/N, 1/N). */
  dout: Matrix;
  dW?: number;
  db?: number;
}

interface RunResult {
  key: string;
  loss: number;
  labels: number[];
  nodes: Map<string, NodeResult>;
}

/** The L2 norm, summed in index order (the test computes it the same way). */
function l2norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** A shape as NumPy prints it: `(4, 50)`, `(10,)`, `()`. */
function numpyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** 3 significant digits, without float noise: 0.0123, 1.23e-7, 2.30. */
function sig3(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-4 && a < 1e6 ? v.toPrecision(3) : v.toExponential(2);
}

function matrixOf(t: Tensor): Matrix {
  const rows = t.ndim >= 2 ? t.shape[0] : 1;
  return { rows, cols: t.size / Math.max(rows, 1), data: Float64Array.from(t.data as ArrayLike<number>) };
}

/** The chain of boxes a config gives, with the shapes of a batch of `batch` samples. */
function chainOf(c: Config): NodeSpec[] {
  const hidden = c.net === 'two' ? [50] : c.hidden;
  const act: NodeKind = c.net === 'two' ? 'relu' : c.activation;
  const nodes: NodeSpec[] = [{ name: 'x', kind: 'input', shape: [c.batch, INPUT] }];
  hidden.forEach((size, i) => {
    nodes.push({ name: `Affine${i + 1}`, kind: 'affine', shape: [c.batch, size] });
    // TwoLayerNet names its ReLU Relu1, as the book's ch05 net; MultiLayerNet Activation_function{i}.
    nodes.push({ name: c.net === 'two' ? `Relu${i + 1}` : `Activation_function${i + 1}`, kind: act, shape: [c.batch, size] });
  });
  nodes.push({ name: `Affine${hidden.length + 1}`, kind: 'affine', shape: [c.batch, CLASSES] });
  nodes.push({ name: 'SoftmaxWithLoss', kind: 'softmax', shape: [] });
  nodes.push({ name: 'loss', kind: 'loss', shape: [] });
  return nodes;
}

function configKey(c: Config): string {
  return JSON.stringify(c);
}

/**
 * Builds the network with the library and runs forward layer by layer, then backward from
 * SoftmaxWithLoss: what each box shows. Tensors are copied, since layers reuse their buffers.
 */
function forwardBackward(c: Config, sample: SampleImages): RunResult {
  const net =
    c.net === 'two'
      ? buildNetwork('TwoLayerNet', { inputSize: INPUT, hiddenSize: 50, outputSize: CLASSES, weightInitStd: 0.01 }, { dtype: 'float64', seed: c.seed })
      : buildNetwork('MultiLayerNet', { inputSize: INPUT, hiddenSizeList: c.hidden, outputSize: CLASSES, activation: c.activation, weightInitStd: c.activation }, { dtype: 'float64', seed: c.seed });
  if (!(net instanceof LayerNet)) throw new Error(`${net.kind} is not a chain of layers`);
  const n = c.batch;
  const xData = new Float64Array(n * INPUT);
  for (let i = 0; i < xData.length; i++) xData[i] = sample.images[i] / 255;
  const x = new Tensor(xData, [n, INPUT]);
  const labels = Array.from(sample.labels.subarray(0, n));
  const outputs = new Map<string, Tensor>();
  let y: Tensor = x;
  for (const [name, layer] of net.layers) {
    y = layer.forward(y, false);
    outputs.set(name, y.copy());
  }
  const loss = net.lastLayer.forward(y, labels);
  const softmaxY = net.lastLayer.y!.copy();
  let dout: Tensor = net.lastLayer.backward(1);
  const sentBack = dout.copy();
  const nodes = new Map<string, NodeResult>();
  for (const [name, layer] of [...net.layers].reverse()) {
    const gradOut = dout.copy();
    dout = layer.backward(dout);
    const r: NodeResult = { grad: l2norm(gradOut.data as ArrayLike<number>), out: matrixOf(outputs.get(name)!), dout: matrixOf(gradOut) };
    if (layer instanceof Affine) {
      r.dW = l2norm(layer.dW!.data as ArrayLike<number>);
      r.db = l2norm(layer.db!.data as ArrayLike<number>);
    }
    nodes.set(name, r);
  }
  // dout is now ∂L/∂x, what Affine1's backward returned.
  nodes.set('x', { grad: l2norm(dout.data as ArrayLike<number>), out: matrixOf(x), dout: matrixOf(dout) });
  nodes.set('SoftmaxWithLoss', { grad: 1, out: matrixOf(softmaxY), dout: matrixOf(sentBack) });
  const terms = new Float64Array(n);
  for (let i = 0; i < n; i++) terms[i] = -Math.log(softmaxY.data[i * CLASSES + labels[i]] + 1e-7);
  nodes.set('loss', { grad: 1, out: { rows: n, cols: 1, data: terms }, dout: { rows: n, cols: 1, data: new Float64Array(n).fill(1 / n) } });
  return { key: configKey(c), loss, labels, nodes };
}

/** Blue (negative) – white (0) – red (positive), scaled by the largest |value|. */
function diverging(v: number, scale: number): [number, number, number] {
  const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  const [r, g, b] = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  const a = Math.abs(t);
  return [Math.round(255 + (r - 255) * a), Math.round(255 + (g - 255) * a), Math.round(255 + (b - 255) * a)];
}

/** A heat map on a canvas (one pixel per value, stretched by CSS) with its range printed below. */
function heatMap(m: Matrix, title: string, testid: string): HTMLElement {
  const canvas = h('canvas', { width: m.cols, height: m.rows, testid, class: 'netgraph-heat' });
  const cell = Math.max(1, Math.min(28, Math.floor(420 / m.cols)));
  canvas.style.width = `${m.cols * cell}px`;
  canvas.style.height = `${Math.max(m.rows * 16, 16)}px`;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(m.cols, m.rows);
    for (let i = 0; i < m.data.length; i++) {
      const [r, g, b] = diverging(m.data[i], scale);
      img.data[4 * i] = r;
      img.data[4 * i + 1] = g;
      img.data[4 * i + 2] = b;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  const legend = h(
    'div',
    { class: 'netgraph-legend small readout' },
    h('span', {}, sig3(-scale)),
    h('span', { class: 'netgraph-scale', 'aria-hidden': 'true' }),
    h('span', {}, sig3(scale)),
  );
  return h('figure', { class: 'netgraph-figure' }, h('figcaption', {}, title), canvas, legend, h('div', { class: 'small readout' }, tt('range', { min: sig3(lo), max: sig3(hi) })));
}

/** Parses "100, 50" into sizes, or undefined. */
function parseHidden(text: string): number[] | undefined {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '');
  if (parts.length < 1 || parts.length > MAX_HIDDEN_LAYERS) return undefined;
  const sizes = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  return sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= MAX_HIDDEN) ? sizes : undefined;
}

function parseInteger(text: string): number {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : NaN;
}

export function setupNetgraph(root: HTMLElement): void {
  root.classList.add('netgraph-tab');
  const intro = h('p');
  const netSelect = h('select', { testid: 'netgraph-net' }, h('option', { value: 'two' }, 'TwoLayerNet(784, 50, 10)'), h('option', { value: 'multi' }, 'MultiLayerNet'));
  const hiddenInput = h('input', { type: 'text', value: '100, 50', testid: 'netgraph-hidden', spellcheck: 'false', autocomplete: 'off', class: 'netgraph-hidden' });
  const activationSelect = h('select', { testid: 'netgraph-activation' }, h('option', { value: 'relu' }, 'relu'), h('option', { value: 'sigmoid' }, 'sigmoid'));
  const seedInput = h('input', { type: 'number', min: 0, step: 1, value: 1, testid: 'netgraph-seed' });
  const batchInput = h('input', { type: 'number', min: 1, max: MAX_BATCH, step: 1, value: 4, testid: 'netgraph-batch' });
  const runButton = h('button', { testid: 'netgraph-run', disabled: true });
  const status = h('span', { class: 'status', testid: 'netgraph-status', 'aria-live': 'polite' });
  const errorLine = h('p', { class: 'error', role: 'alert', testid: 'netgraph-error' });
  const hiddenField = field(() => tt('hiddenSizes'), hiddenInput, onLangChange);
  const activationField = field(() => tt('activation'), activationSelect, onLangChange);
  const inputs = h(
    'div',
    { class: 'inputs' },
    field(() => tt('network'), netSelect, onLangChange),
    hiddenField,
    activationField,
    field(() => tt('seed'), seedInput, onLangChange),
    field(() => tt('batchSize'), batchInput, onLangChange),
  );
  const legendFwd = h('span', { class: 'fwd' });
  const legendBwd = h('span', { class: 'bwd' });
  const legend = h('p', { class: 'netgraph-key small' }, legendFwd, legendBwd);
  const chain = h('div', { class: 'netgraph-chain', testid: 'netgraph', role: 'group' });
  const detail = h('div', { class: 'netgraph-detail', testid: 'netgraph-detail', hidden: true, 'aria-live': 'polite' });
  root.append(intro, inputs, h('div', { class: 'buttons' }, runButton, status), errorLine, legend, chain, detail);

  let sample: SampleImages | undefined;
  let error: (() => string) | undefined;
  let shown: Config = { net: 'two', hidden: [100, 50], activation: 'relu', seed: 1, batch: 4 };
  let result: RunResult | undefined;
  let selected: string | undefined;
  let boxes = new Map<string, { button: HTMLButtonElement; shape: HTMLElement; grad: HTMLElement; extra: HTMLElement }>();
  let chainKey = '';

  const maxBatch = () => Math.min(MAX_BATCH, sample?.count ?? MAX_BATCH);

  /** The form's config, or what is wrong with it (and which field). */
  const readForm = (): { config: Config } | { problem: () => string; field: HTMLElement } => {
    const net = netSelect.value === 'multi' ? 'multi' : 'two';
    let hidden = [50];
    if (net === 'multi') {
      const parsed = parseHidden(hiddenInput.value);
      if (!parsed) return { problem: () => tt('badHidden', { max: MAX_HIDDEN, maxLayers: MAX_HIDDEN_LAYERS }), field: hiddenInput };
      hidden = parsed;
    }
    const seed = parseInteger(seedInput.value);
    if (!Number.isSafeInteger(seed) || seed < 0) return { problem: () => tt('badSeed', { max: Number.MAX_SAFE_INTEGER }), field: seedInput };
    const batch = parseInteger(batchInput.value);
    const max = maxBatch();
    if (!Number.isInteger(batch) || batch < 1 || batch > max) return { problem: () => tt('badBatch', { max }), field: batchInput };
    return { config: { net, hidden, activation: activationSelect.value === 'sigmoid' ? 'sigmoid' : 'relu', seed, batch } };
  };

  const buildChain = (nodes: NodeSpec[]) => {
    chain.textContent = '';
    boxes = new Map();
    nodes.forEach((node, i) => {
      const shape = h('span', { class: 'netgraph-shape fwd readout' });
      const grad = h('span', { class: 'netgraph-grad bwd readout' });
      const extra = h('span', { class: 'netgraph-extra readout' });
      const button = h(
        'button',
        { type: 'button', class: `netgraph-node netgraph-${node.kind}`, testid: `netgraph-node-${node.name}`, 'aria-pressed': 'false', 'data-name': node.name },
        h('span', { class: 'netgraph-name' }, node.name),
        shape,
        grad,
        extra,
      );
      button.addEventListener('click', () => {
        selected = node.name;
        render();
      });
      boxes.set(node.name, { button, shape, grad, extra });
      const step = h('div', { class: 'netgraph-step' });
      if (i > 0) step.append(h('span', { class: 'netgraph-edge', 'aria-hidden': 'true' }, h('span', { class: 'fwd' }, '→'), h('span', { class: 'bwd' }, '←')));
      step.append(button);
      chain.append(step);
    });
  };

  const renderDetail = (nodes: NodeSpec[]) => {
    const node = nodes.find((n) => n.name === selected);
    if (!node) {
      detail.hidden = true;
      detail.textContent = '';
      return;
    }
    detail.hidden = false;
    detail.textContent = '';
    const r = result?.nodes.get(node.name);
    detail.append(h('h2', {}, `${node.name} ${numpyShape(node.shape)}`));
    const n = result ? result.labels.length : shown.batch;
    const texts: Record<NodeKind, () => string> = {
      input: () => tt('nodeX', { n }),
      affine: () => tt('nodeAffine', { dW: r?.dW === undefined ? '–' : sig3(r.dW), db: r?.db === undefined ? '–' : sig3(r.db) }),
      relu: () => tt('nodeRelu'),
      sigmoid: () => tt('nodeSigmoid'),
      softmax: () => tt('nodeSoftmax'),
      loss: () => tt('nodeLoss', { loss: result ? sig3(result.loss) : '–' }),
    };
    detail.append(h('p', { class: 'netgraph-text' }, texts[node.kind]()));
    if (!r || !result) {
      detail.append(h('p', { class: 'small' }, tt('noRun')));
      return;
    }
    const titles: [string, string] =
      node.kind === 'softmax'
        ? [tt('softmaxY', { shape: numpyShape([r.out.rows, r.out.cols]) }), tt('softmaxDx')]
        : node.kind === 'loss'
          ? [tt('lossTerms'), tt('lossGrad')]
          : [tt('outputTitle', { shape: numpyShape(node.shape) }), tt('gradTitle')];
    detail.append(
      h('div', { class: 'netgraph-maps' }, heatMap(r.out, titles[0], 'netgraph-heat-out'), heatMap(r.dout, titles[1], 'netgraph-heat-grad')),
      h('p', { class: 'small' }, tt('axes', { n: result.labels.length, labels: result.labels.join(' ') })),
    );
  };

  const render = () => {
    intro.textContent = tt('intro');
    runButton.textContent = tt('run');
    runButton.disabled = sample === undefined;
    legendFwd.textContent = tt('legendForward');
    legendBwd.textContent = tt('legendBackward');
    const multi = netSelect.value === 'multi';
    hiddenField.hidden = !multi;
    activationField.hidden = !multi;
    if (!sample) status.textContent = tt('loading');
    else if (result) status.textContent = tt('ran', { loss: sig3(result.loss), n: result.labels.length, labels: result.labels.join(', ') });
    else status.textContent = `${tt('ready', { n: sample.count })} ${tt('clickHint')}`;
    errorLine.textContent = error?.() ?? '';

    const nodes = chainOf(shown);
    const key = nodes.map((n) => n.name).join(' ');
    if (key !== chainKey) {
      buildChain(nodes);
      chainKey = key;
    }
    if (selected !== undefined && !boxes.has(selected)) selected = undefined;
    for (const node of nodes) {
      const box = boxes.get(node.name)!;
      const r = result?.nodes.get(node.name);
      box.shape.textContent = numpyShape(node.shape);
      box.button.dataset.shape = numpyShape(node.shape);
      box.button.setAttribute('aria-pressed', String(selected === node.name));
      if (node.kind === 'loss') {
        box.grad.textContent = `${tt('lossValue')} = ${result ? sig3(result.loss) : '–'}`;
        if (result) box.button.dataset.loss = String(result.loss);
        else delete box.button.dataset.loss;
      } else {
        box.grad.textContent = `${tt('grad')} ${r ? sig3(r.grad) : '–'}`;
      }
      if (r) box.button.dataset.grad = String(r.grad);
      else delete box.button.dataset.grad;
      box.extra.textContent = node.kind === 'affine' ? `${tt('dW')} ${r?.dW === undefined ? '–' : sig3(r.dW)}` : '';
      box.extra.hidden = node.kind !== 'affine';
    }
    renderDetail(nodes);
  };

  /** Shows the new config's shapes (and drops results of another config) as the form changes. */
  const preview = () => {
    const form = readForm();
    if ('config' in form) {
      for (const el of [hiddenInput, seedInput, batchInput]) el.setAttribute('aria-invalid', 'false');
      error = undefined;
      if (result && result.key !== configKey(form.config)) result = undefined;
      shown = form.config;
    }
    render();
  };

  const run = () => {
    const form = readForm();
    for (const el of [hiddenInput, seedInput, batchInput]) el.setAttribute('aria-invalid', 'false');
    if (!('config' in form)) {
      error = form.problem;
      form.field.setAttribute('aria-invalid', 'true');
      render();
      return;
    }
    if (!sample) return;
    try {
      const r = forwardBackward(form.config, sample);
      shown = form.config;
      result = r;
      error = undefined;
    } catch (e) {
      const message = (e as Error).message;
      error = () => tt('failed', { message });
    }
    render();
  };

  runButton.addEventListener('click', run);
  for (const el of [netSelect, activationSelect]) el.addEventListener('change', preview);
  for (const el of [hiddenInput, seedInput, batchInput]) el.addEventListener('input', preview);
  onLangChange(render);
  whenReady((m) => {
    sample = m.sample;
    render();
  });
  render();
}
