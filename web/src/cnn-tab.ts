/**
 * The CNN tab (chapter 7): the book's ch07/train_convnet.py — SimpleConvNet (Conv 30 × 5×5 → ReLU →
 * Pool 2×2 → Affine 100 → ReLU → Affine 10) trained on MNIST by Adam (lr 0.001) in the Worker, with
 * start / pause / reset; live loss and accuracy; the 30 first-layer filters drawn as images that change
 * while it learns (the book's visualize_filter.py, as ConvNetJS showed them); for one test image, the
 * activation maps after Convolution, ReLU and Pooling. A params file (the book's params.pkl, or what
 * `scratchnet train-convnet` writes) can be loaded instead: the Worker identifies it and measures its
 * accuracy on the whole test set. The Draw tab then classifies with this network.
 */
import { accuracySpec, lossSpec, tensor, type EpochRecord, type Network, type Tensor } from '../../src/index.ts';
import { field, h, intIn } from './dom.ts';
import { localTexts, onLangChange } from './i18n.ts';
import { liveChart } from './live-chart.ts';
import { setModel, updateNet } from './model-store.ts';
import type { FromWorker, ParamsMessage, SampleImages } from './protocol.ts';
import { ChannelRun, listen, send } from './worker-client.ts';

const tt = localTexts({
  en: {
    intro:
      'Chapter 7’s SimpleConvNet learns MNIST in the Web Worker with Adam (learning rate 0.001), as the book’s train_convnet.py. Watch the 30 filters of the first layer turn from noise into edge and blob detectors, and what one test image looks like after each of the first three layers.',
    epochs: 'epochs',
    batchSize: 'batch size',
    seed: 'seed',
    start: 'Start',
    pause: 'Pause',
    resume: 'Resume',
    reset: 'Reset',
    loadParams: 'Load weights (params.pkl, .npz, .safetensors, model.json)',
    loading: 'loading MNIST…',
    ready: 'ready: {train} training and {test} test images',
    status: 'iteration {i} / {n}',
    paused: 'paused',
    done: 'done',
    stopped: 'stopped',
    diverged: 'diverged (loss not finite) at iteration {i}',
    itPerSec: '{v} it/s',
    testAcc: 'test accuracy',
    testAccNote: '(1000 test images every 50 iterations; the whole test set for a loaded file)',
    filters: 'First-layer filters (Conv1: 30 × 5×5)',
    maps: 'One test image through the first layers',
    image: 'test image',
    predicted: 'prediction {p} (label {l})',
    conv: 'after Convolution (30 × 24×24)',
    relu: 'after ReLU',
    pool: 'after Pooling (30 × 12×12)',
    loaded: 'loaded {name}: test accuracy {acc} on {n} test images',
    loadingFile: 'reading {name} and measuring its accuracy…',
    loadFailed: '{name} was not loaded: {message}',
    notConv: '{name} is a {kind}, not a SimpleConvNet: its accuracy is shown, but there are no filters to draw.',
    failed: 'training failed: {message}',
    invalid: 'epochs must be an integer from 1 to 20, the batch size from 1 to 1000, and the seed an integer ≥ 0.',
  },
  ja: {
    intro:
      '第7章のSimpleConvNetが、本のtrain_convnet.pyと同じくAdam(学習係数0.001)でMNISTをWeb Workerの中で学習します。1層目の30個のフィルターがノイズからエッジやブロブの検出器に変わっていく様子と、テスト画像1枚が最初の3つのレイヤを通った姿を見てください。',
    epochs: 'エポック数',
    batchSize: 'バッチサイズ',
    seed: 'シード',
    start: '開始',
    pause: '一時停止',
    resume: '再開',
    reset: 'リセット',
    loadParams: '重みを読み込む(params.pkl、.npz、.safetensors、model.json)',
    loading: 'MNISTを読み込み中…',
    ready: '準備完了:訓練データ {train} 枚、テストデータ {test} 枚',
    status: '反復 {i} / {n}',
    paused: '一時停止中',
    done: '完了',
    stopped: '停止',
    diverged: '反復 {i} で発散しました(損失が有限でない)',
    itPerSec: '{v} 回/秒',
    testAcc: 'テストデータの認識精度',
    testAccNote: '(50反復ごとにテストデータ1000枚で評価。読み込んだファイルはテストデータ全体で評価)',
    filters: '1層目のフィルター(Conv1:30 × 5×5)',
    maps: 'テスト画像1枚が最初のレイヤを通った姿',
    image: 'テスト画像',
    predicted: '認識結果 {p}(正解 {l})',
    conv: 'Convolutionの後(30 × 24×24)',
    relu: 'ReLUの後',
    pool: 'Poolingの後(30 × 12×12)',
    loaded: '{name} を読み込みました:テストデータ {n} 枚の認識精度 {acc}',
    loadingFile: '{name} を読み込んで認識精度を測っています…',
    loadFailed: '{name} は読み込めませんでした:{message}',
    notConv: '{name} はSimpleConvNetではなく{kind}です。認識精度は表示しますが、描くフィルターはありません。',
    failed: '学習に失敗しました:{message}',
    invalid: 'エポック数は1〜20、バッチサイズは1〜1000の整数、シードは0以上の整数にしてください。',
  },
});

/** Evaluations of the page's runs: every 50 iterations on the first 1000 images of each set (the book's evaluate_sample_num_per_epoch). */
const EVAL_EVERY = 50;
const EVAL_SAMPLES = 1000;

/** Pixels between two maps of a grid. */
const GAP = 2;

/**
 * Draws `count` maps of `size`×`size` (consecutive in `data`) into `container`'s one canvas, as a grid
 * of up to `columns` maps, each map grey and scaled to its own range, each pixel a `scale`×`scale`
 * square; `dark`: high values dark (gray_r, as the book's filters). One canvas per grid, not one per
 * map: the page stays light while the Worker trains. `data-count` tells how many maps it holds.
 */
function drawMaps(container: HTMLElement, data: ArrayLike<number>, count: number, size: number, scale: number, dark: boolean, columns = 15): void {
  let canvas = container.querySelector('canvas');
  if (!canvas) container.append((canvas = h('canvas')));
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  const cell = size * scale + GAP;
  const width = cols * cell - GAP;
  const height = rows * cell - GAP;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  const px = img.data;
  // The gaps: white.
  px.fill(255);
  const area = size * size;
  for (let m = 0; m < count; m++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < area; i++) {
      const v = data[m * area + i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo || 1;
    const x0 = (m % cols) * cell;
    const y0 = Math.floor(m / cols) * cell;
    for (let i = 0; i < area; i++) {
      const g = Math.round(((data[m * area + i] - lo) / range) * 255);
      const v = dark ? 255 - g : g;
      const cx = x0 + (i % size) * scale;
      const cy = y0 + Math.floor(i / size) * scale;
      for (let dy = 0; dy < scale; dy++) {
        let o = 4 * ((cy + dy) * width + cx);
        for (let dx = 0; dx < scale; dx++, o += 4) px[o] = px[o + 1] = px[o + 2] = v;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  container.dataset.count = String(count);
}

export function setupCnn(root: HTMLElement): void {
  const epochsInput = h('input', { type: 'number', min: 1, max: 20, step: 1, value: 1, testid: 'cnn-epochs' });
  const batchInput = h('input', { type: 'number', min: 1, max: 1000, step: 1, value: 100, testid: 'cnn-batch-size' });
  const seedInput = h('input', { type: 'number', min: 0, step: 1, value: 1, testid: 'cnn-seed' });
  const startButton = h('button', { testid: 'cnn-start', disabled: true });
  const pauseButton = h('button', { testid: 'cnn-pause', disabled: true });
  const resetButton = h('button', { class: 'secondary', testid: 'cnn-reset' });
  const fileInput = h('input', { type: 'file', accept: '.pkl,.npz,.safetensors,.json', testid: 'cnn-load-params' });
  const fileLabel = h('span');
  const status = h('span', { testid: 'cnn-status' });
  const errorLine = h('p', { class: 'error', role: 'alert', testid: 'cnn-error' });
  const testAccLabel = h('span');
  const testAcc = h('strong', { testid: 'cnn-test-acc' }, '–');
  const testAccNote = h('span', { class: 'small' });
  const fileStatus = h('p', { class: 'small', testid: 'cnn-file-status' });
  const lossChart = h('div', { class: 'chart', testid: 'cnn-loss-chart' });
  const accChart = h('div', { class: 'chart', testid: 'cnn-acc-chart' });
  const filtersTitle = h('h2');
  const filters = h('div', { class: 'maps', testid: 'cnn-filters' });
  const mapsTitle = h('h2');
  const imageSelect = h('select', { testid: 'cnn-image' });
  const predicted = h('span', { testid: 'cnn-predicted' });
  const input = h('div', { class: 'maps' });
  const mapTitles = { conv: h('p', { class: 'small' }), relu: h('p', { class: 'small' }), pool: h('p', { class: 'small' }) };
  const maps = { conv: h('div', { class: 'maps', testid: 'cnn-maps-conv' }), relu: h('div', { class: 'maps', testid: 'cnn-maps-relu' }), pool: h('div', { class: 'maps', testid: 'cnn-maps-pool' }) };
  const intro = h('p');

  const channel = new ChannelRun('cnn');
  type State = 'loading' | 'ready' | 'running' | 'paused' | 'finished';
  let state: State = 'loading';
  let loaded: { train: number; test: number } | undefined;
  let sample: SampleImages | undefined;
  let iters = 0;
  let iteration = 0;
  let itPerSec = 0;
  let losses: number[] = [];
  let records: EpochRecord[] = [];
  let finished: { status: string; divergedAt?: number } | undefined;
  let error: (() => string) | undefined;
  let fileText: (() => string) | undefined;
  let net: Network | undefined;
  let dirty = false;

  const render = () => {
    startButton.textContent = tt('start');
    pauseButton.textContent = tt(state === 'paused' ? 'resume' : 'pause');
    resetButton.textContent = tt('reset');
    fileLabel.textContent = tt('loadParams');
    testAccLabel.textContent = tt('testAcc');
    testAccNote.textContent = ` ${tt('testAccNote')}`;
    filtersTitle.textContent = tt('filters');
    mapsTitle.textContent = tt('maps');
    mapTitles.conv.textContent = tt('conv');
    mapTitles.relu.textContent = tt('relu');
    mapTitles.pool.textContent = tt('pool');
    intro.textContent = tt('intro');
    startButton.disabled = state === 'loading' || state === 'running' || state === 'paused';
    pauseButton.disabled = state !== 'running' && state !== 'paused';
    if (state === 'loading') status.textContent = tt('loading');
    else if (state === 'ready') status.textContent = tt('ready', { train: loaded!.train, test: loaded!.test });
    else {
      const parts = [tt('status', { i: iteration, n: iters })];
      if (state === 'running' && itPerSec > 0) parts.push(tt('itPerSec', { v: itPerSec.toFixed(1) }));
      if (state === 'paused') parts.push(tt('paused'));
      if (state === 'finished' && finished) parts.push(finished.status === 'diverged' ? tt('diverged', { i: finished.divergedAt ?? iteration }) : tt(finished.status === 'completed' ? 'done' : 'stopped'));
      status.textContent = parts.join(' · ');
    }
    errorLine.textContent = error?.() ?? '';
    fileStatus.textContent = fileText?.() ?? '';
  };

  // One chart per task, with the page's frames between them: it keeps drawing while the Worker trains.
  const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  const lossView = liveChart(lossChart);
  const accView = liveChart(accChart);
  const drawCharts = async () => {
    dirty = false;
    const width = Math.max(220, Math.min(420, lossChart.clientWidth - 100 || 420));
    await lossView.draw({ ...lossSpec(losses, { title: 'loss', maxPoints: 300 }), width, height: 200 });
    await nextTask();
    await accView.draw({ ...accuracySpec(records, { title: 'accuracy', x: 'iteration' }), width, height: 200 });
  };
  // Redrawn every 2 s at most while training.
  setInterval(() => {
    if (dirty) void drawCharts();
  }, 2000);

  /** The activation maps of the chosen test image through the network's first three layers (a copy of each: ReLU works in place). */
  const drawActivations = () => {
    if (!net || !sample) return;
    // Networks built from layers (every kind of the library) expose them by the book's names.
    const layers = (net as { layers?: ReadonlyMap<string, { forward(x: Tensor, trainFlg?: boolean): Tensor }> }).layers ?? new Map();
    const conv = layers.get('Conv1');
    const relu = layers.get('Relu1');
    const pool = layers.get('Pool1');
    const k = Number(imageSelect.value) || 0;
    const pixels = Float64Array.from(sample.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
    drawMaps(input, pixels, 1, 28, 3, false);
    if (!conv || !relu || !pool) return;
    const x = tensor(pixels, { shape: [1, 1, 28, 28], dtype: net.dtype });
    const c = conv.forward(x, false).copy();
    const r = relu.forward(c.copy(), false).copy();
    const p = pool.forward(r, false);
    const [, channels, size] = c.shape;
    drawMaps(maps.conv, c.data, channels, size, 2, false);
    drawMaps(maps.relu, r.data, channels, size, 2, false);
    drawMaps(maps.pool, p.data, channels, p.shape[2], 4, false);
    const scores = net.predict(x, false).data;
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    predicted.textContent = tt('predicted', { p: best, l: sample.labels[k] });
  };

  /** A network the Worker sent: its filters, the activation maps, and the Draw tab's model. */
  const showNetwork = (p: ParamsMessage, acc: number, source: 'page' | string) => {
    // The same network as last time takes the new weights in place.
    net = updateNet(net, p);
    // The maps in a task of their own (a frame may be drawn between).
    setTimeout(drawActivations, 0);
    const W1 = net.params.W1;
    if (net.kind === 'SimpleConvNet' && W1 && W1.ndim === 4) {
      const [n, c, fh, fw] = W1.shape;
      // Channel 0 of each filter, as the book's filter_show.
      const first = new Float64Array(n * fh * fw);
      for (let f = 0; f < n; f++) for (let i = 0; i < fh * fw; i++) first[f * fh * fw + i] = W1.data[f * c * fh * fw + i];
      drawMaps(filters, first, n, fh, 8, true);
      filters.dataset.sum = String(first.reduce((s, v) => s + Math.abs(v), 0));
    }
    if (net.inputShape.reduce((a, b) => a * b, 1) === 784 && net.outputSize === 10) {
      setModel(net, source === 'page' ? { kind: 'cnn', testAcc: acc } : { kind: 'file', name: source });
    }
  };

  listen((m: FromWorker) => {
    if (m.type === 'ready') {
      loaded = { train: m.trainCount, test: m.testCount };
      sample = m.sample;
      imageSelect.replaceChildren(...Array.from({ length: sample.count }, (_, i) => h('option', { value: i }, `#${i} (${sample!.labels[i]})`)));
      drawMaps(input, Float64Array.from(sample.images.subarray(0, 784)), 1, 28, 3, false);
      if (state === 'loading') state = 'ready';
      render();
      return;
    }
    if (!('channel' in m) || m.channel !== channel.channel) return;
    if (m.type === 'loaded') {
      const name = m.name;
      const acc = m.testAcc;
      testAcc.textContent = acc.toFixed(4);
      const n = loaded?.test ?? 0;
      const kind = m.params.kind;
      fileText = () => (kind === 'SimpleConvNet' ? tt('loaded', { name, acc: acc.toFixed(4), n }) : `${tt('loaded', { name, acc: acc.toFixed(4), n })} ${tt('notConv', { name, kind })}`);
      showNetwork(m.params, acc, name);
      render();
      return;
    }
    if (m.type === 'error' && m.stage === 'loadParams') {
      const { name, message } = m;
      fileText = () => tt('loadFailed', { name, message });
      render();
      return;
    }
    if (!channel.current(m)) return;
    switch (m.type) {
      case 'progress':
        iteration = m.iteration;
        if (m.itPerSec > 0) itPerSec = m.itPerSec;
        losses.push(...m.losses);
        dirty = true;
        break;
      case 'epoch':
        records.push(m.record);
        testAcc.textContent = m.record.testAcc.toFixed(4);
        showNetwork(m.params, m.record.testAcc, 'page');
        dirty = true;
        break;
      case 'done':
        state = 'finished';
        iteration = m.iterations;
        finished = { status: m.status, ...(m.divergedAt !== undefined ? { divergedAt: m.divergedAt } : {}) };
        if (m.status !== 'diverged') showNetwork(m.params, records.at(-1)?.testAcc ?? NaN, 'page');
        void drawCharts();
        break;
      case 'error': {
        state = 'ready';
        const message = m.message;
        error = () => tt('failed', { message });
        break;
      }
    }
    render();
  });

  startButton.addEventListener('click', () => {
    const epochs = intIn(epochsInput, 1, 20);
    const batchSize = intIn(batchInput, 1, 1000);
    const seed = intIn(seedInput, 0);
    if (epochs === undefined || batchSize === undefined || seed === undefined) {
      error = () => tt('invalid');
      render();
      return;
    }
    error = undefined;
    const trainCount = loaded!.train;
    // The book's Trainer: int(epochs × max(train_size / batch_size, 1)) steps.
    iters = Math.trunc(epochs * Math.max(trainCount / batchSize, 1));
    iteration = 0;
    itPerSec = 0;
    losses = [];
    records = [];
    finished = undefined;
    testAcc.textContent = '–';
    state = 'running';
    channel.start({
      network: { kind: 'SimpleConvNet', config: { inputDim: [1, 28, 28], convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 100, outputSize: 10, weightInitStd: 0.01 } },
      optimizer: 'Adam',
      optimizerParam: { lr: 0.001 },
      iters,
      batchSize,
      seed,
      dtype: 'float32',
      evalEvery: EVAL_EVERY,
      evalAtEnd: true,
      evaluateSampleNumPerEpoch: EVAL_SAMPLES,
    });
    render();
  });
  pauseButton.addEventListener('click', () => {
    if (state === 'running') {
      state = 'paused';
      channel.pause();
    } else if (state === 'paused') {
      state = 'running';
      channel.resume();
    }
    render();
  });
  resetButton.addEventListener('click', () => {
    channel.stop(); // whatever the stopped run still sends is now late
    if (state !== 'loading') state = 'ready';
    losses = [];
    records = [];
    finished = undefined;
    error = undefined;
    testAcc.textContent = '–';
    lossView.clear();
    accView.clear();
    render();
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const name = file.name;
    fileText = () => tt('loadingFile', { name });
    render();
    const bytes = new Uint8Array(await file.arrayBuffer());
    send({ type: 'loadParams', channel: channel.channel, name, bytes }, [bytes.buffer]);
    fileInput.value = '';
  });
  imageSelect.addEventListener('change', drawActivations);

  root.append(
    intro,
    h('div', { class: 'inputs' }, field(() => tt('epochs'), epochsInput, onLangChange), field(() => tt('batchSize'), batchInput, onLangChange), field(() => tt('seed'), seedInput, onLangChange)),
    h('div', { class: 'buttons' }, startButton, pauseButton, resetButton, h('label', { class: 'file' }, fileLabel, fileInput)),
    h('p', { class: 'status' }, status),
    errorLine,
    fileStatus,
    h('p', { class: 'big' }, testAccLabel, ': ', testAcc, testAccNote),
    h('div', { class: 'charts' }, lossChart, accChart),
    filtersTitle,
    filters,
    mapsTitle,
    h('div', { class: 'inputs' }, field(() => tt('image'), imageSelect, onLangChange)),
    h('div', { class: 'row' }, input, predicted),
    mapTitles.conv,
    maps.conv,
    mapTitles.relu,
    maps.relu,
    mapTitles.pool,
    maps.pool,
  );
  onLangChange(() => {
    render();
    drawActivations();
    if (losses.length > 0) dirty = true;
  });
  render();
}
