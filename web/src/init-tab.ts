/**
 * The "Weights & BatchNorm" tab (chapter 6.2–6.3):
 * - the book's ch06/weight_init_activation_histogram.py — 1000 random inputs through 5 layers of 100
 *   neurons; each layer's activations as a histogram, for std 1, 0.01, Xavier or He and sigmoid, ReLU or
 *   tanh (`layerActivations`, `histogram`: the library's, as the CLI's figure);
 * - the book's ch06/batch_norm_test.py for one weight scale — MultiLayerNetExtend(784, [100 × 5], 10)
 *   with and without Batch Normalization, SGD lr 0.01 on 1000 training images, trained side by side in
 *   the Worker (two channels, the same seed: the same initial weights and batches), accuracy each epoch.
 */
import embed from 'vega-embed';
import { Random, accuracyGridSpec, activationHistogramSpec, histogram, layerActivations, weightInitScale, type EpochRecord } from '../../src/index.ts';
import { field, h, intIn } from './dom.ts';
import { localTexts, onLangChange } from './i18n.ts';
import { liveChart } from './live-chart.ts';
import type { FromWorker } from './protocol.ts';
import { ChannelRun, listen, whenReady } from './worker-client.ts';

const tt = localTexts({
  en: {
    histTitle: 'Initial weights: the activations of 5 layers',
    histIntro:
      'The book’s experiment (6.2): 1000 random inputs pass through 5 layers of 100 neurons. With std 1 and sigmoid the activations pile up at 0 and 1 (vanishing gradients); with 0.01 they all sit near 0.5 (every neuron alike); Xavier (√(1/n)) keeps them spread for sigmoid and tanh, He (√(2/n)) for ReLU. Pick a scale and an activation.',
    weights: 'initial weights',
    activation: 'activation',
    seed: 'seed',
    bnTitle: 'Batch Normalization',
    bnIntro:
      'The book’s experiment (6.3): the same 5-layer network (100 neurons each) with and without Batch Normalization, the same initial weights and mini-batches, SGD with learning rate 0.01 on 1000 training images — trained side by side in the Web Worker. With a small weight scale the network without BatchNorm does not learn at all.',
    scale: 'weight scale',
    epochs: 'epochs',
    start: 'Start',
    reset: 'Reset',
    withBn: 'with BatchNorm',
    withoutBn: 'without BatchNorm',
    trainAcc: 'training accuracy',
    loading: 'loading MNIST…',
    ready: 'ready',
    running: 'epoch {e} / {n}',
    done: 'done',
    diverged: 'without BatchNorm diverged (loss not finite) at iteration {i}',
    failed: 'training failed: {message}',
    invalid: 'epochs must be an integer from 1 to 100, and the seed an integer ≥ 0.',
  },
  ja: {
    histTitle: '重みの初期値:5層のアクティベーション',
    histIntro:
      '本の実験(6.2節):1000個のランダムな入力が100ニューロンの層を5つ通ります。標準偏差1とシグモイドではアクティベーションが0と1に偏り(勾配消失)、0.01ではすべて0.5付近に集まります(表現力の制限)。Xavierの初期値(√(1/n))はシグモイドとtanhで、Heの初期値(√(2/n))はReLUで広がりを保ちます。初期値と活性化関数を選んでください。',
    weights: '重みの初期値',
    activation: '活性化関数',
    seed: 'シード',
    bnTitle: 'Batch Normalization',
    bnIntro:
      '本の実験(6.3節):同じ5層のネットワーク(各100ニューロン)をBatch Normalizationあり・なしで、同じ初期値と同じミニバッチ、学習係数0.01のSGDで1000枚の訓練データについて学習します(Web Workerで並べて実行)。重みのスケールが小さいと、Batch Normなしのネットワークはまったく学習が進みません。',
    scale: '重みのスケール',
    epochs: 'エポック数',
    start: '開始',
    reset: 'リセット',
    withBn: 'Batch Normあり',
    withoutBn: 'Batch Normなし',
    trainAcc: '訓練データの認識精度',
    loading: 'MNISTを読み込み中…',
    ready: '準備完了',
    running: 'エポック {e} / {n}',
    done: '完了',
    diverged: 'Batch Normなしは反復 {i} で発散しました(損失が有限でない)',
    failed: '学習に失敗しました:{message}',
    invalid: 'エポック数は1〜100の整数、シードは0以上の整数にしてください。',
  },
});

/** The choices of the histogram experiment: the book's std 1 and 0.01, Xavier and He. */
const INITS = [
  { value: '1', label: 'std = 1' },
  { value: '0.01', label: 'std = 0.01' },
  { value: 'xavier', label: 'Xavier √(1/n)' },
  { value: 'he', label: 'He √(2/n)' },
] as const;
const ACTIVATIONS = ['sigmoid', 'relu', 'tanh'] as const;
/** Weight scales of batch_norm_test.py's range (logspace(0, −4)), a few of its 16. */
const SCALES = [1, 0.1, 0.03, 0.01, 0.001, 0.0001];
const SAMPLES = 1000;
const NODES = 100;
const LAYERS = 5;
const BINS = 30;

export function setupInit(root: HTMLElement): void {
  // --- histograms ---------------------------------------------------------------------------------
  const initSelect = h('select', { testid: 'init-select' }, ...INITS.map((o) => h('option', { value: o.value }, o.label)));
  const actSelect = h('select', { testid: 'init-activation' }, ...ACTIVATIONS.map((a) => h('option', { value: a }, a)));
  const histSeed = h('input', { type: 'number', min: 0, step: 1, value: 1, testid: 'init-seed' });
  const hists = Array.from({ length: LAYERS }, (_, i) => h('div', { class: 'chart hist', testid: `init-hist-${i + 1}` }));
  const histTitle = h('h2');
  const histIntro = h('p');

  const drawHistograms = async () => {
    const seed = intIn(histSeed, 0);
    if (seed === undefined) return;
    const std = initSelect.value;
    const scale = weightInitScale(std === 'xavier' || std === 'he' ? std : Number(std), NODES);
    const activation = actSelect.value as (typeof ACTIVATIONS)[number];
    const acts = layerActivations(new Random(seed), { samples: SAMPLES, nodes: NODES, layers: LAYERS, scale, activation });
    // The book's range (0, 1); tanh's values reach −1.
    const lo = activation === 'tanh' ? -1 : 0;
    await Promise.all(
      acts.map((a, i) => {
        const counts = histogram(a, BINS, lo, 1);
        hists[i].dataset.counts = JSON.stringify(counts);
        const spec = activationHistogramSpec([counts], { lo, hi: 1, yMax: 7000, firstLayer: i + 1 });
        return embed(hists[i], { ...spec, width: 120, height: 150 } as never, { actions: false, renderer: 'canvas' });
      }),
    );
    root.dataset.histDrawn = `${std}/${activation}/${seed}`;
  };
  for (const input of [initSelect, actSelect, histSeed]) input.addEventListener('change', () => void drawHistograms());

  // --- BatchNorm ----------------------------------------------------------------------------------
  const scaleSelect = h('select', { testid: 'bn-scale' }, ...SCALES.map((s) => h('option', { value: s, selected: s === 0.01 }, String(s))));
  const epochsInput = h('input', { type: 'number', min: 1, max: 100, step: 1, value: 20, testid: 'bn-epochs' });
  const bnSeed = h('input', { type: 'number', min: 0, step: 1, value: 1, testid: 'bn-seed' });
  const startButton = h('button', { testid: 'bn-start', disabled: true });
  const resetButton = h('button', { class: 'secondary', testid: 'bn-reset' });
  const status = h('span', { testid: 'bn-status' });
  const errorLine = h('p', { class: 'error', role: 'alert', testid: 'bn-error' });
  const accWith = h('strong', { testid: 'bn-acc-with' }, '–');
  const accWithout = h('strong', { testid: 'bn-acc-without' }, '–');
  const withLabel = h('span');
  const withoutLabel = h('span');
  const chart = h('div', { class: 'chart', testid: 'bn-chart' });
  const bnTitle = h('h2');
  const bnIntro = h('p');

  const channels = { with: new ChannelRun('bn-with'), without: new ChannelRun('bn-without') };
  let ready = false;
  let epochs = 20;
  let records: Record<'with' | 'without', EpochRecord[]> = { with: [], without: [] };
  let active = false;
  let finished = { with: false, without: false };
  let divergedAt: number | undefined;
  let error: (() => string) | undefined;
  let dirty = false;

  const render = () => {
    startButton.textContent = tt('start');
    resetButton.textContent = tt('reset');
    withLabel.textContent = tt('withBn');
    withoutLabel.textContent = tt('withoutBn');
    startButton.disabled = !ready || active;
    const e = Math.max(records.with.length, records.without.length);
    if (!ready) status.textContent = tt('loading');
    else if (!active && records.with.length + records.without.length === 0) status.textContent = tt('ready');
    else if (!active) status.textContent = divergedAt !== undefined ? `${tt('done')} · ${tt('diverged', { i: divergedAt })}` : tt('done');
    else status.textContent = tt('running', { e, n: epochs });
    errorLine.textContent = error?.() ?? '';
  };

  const bnView = liveChart(chart);
  const drawChart = async () => {
    dirty = false;
    const spec = accuracyGridSpec(
      [
        {
          title: `W: ${scaleSelect.value}`,
          series: [
            { name: tt('withBn'), values: records.with.map((r) => r.trainAcc) },
            { name: tt('withoutBn'), values: records.without.map((r) => r.trainAcc) },
          ],
        },
      ],
      { columns: 1, xTitle: 'epochs' },
    );
    const width = Math.max(220, Math.min(520, chart.clientWidth - 140 || 520));
    await bnView.draw({ ...spec, concat: (spec as { concat: object[] }).concat.map((p) => ({ ...p, width, height: 240 })) });
  };
  setInterval(() => {
    if (dirty) void drawChart();
  }, 1000);

  listen((m: FromWorker) => {
    if (m.type === 'ready') {
      ready = true;
      render();
      return;
    }
    const which = channels.with.current(m) ? 'with' : channels.without.current(m) ? 'without' : undefined;
    if (!which) return;
    if (m.type === 'epoch') {
      records[which].push(m.record);
      (which === 'with' ? accWith : accWithout).textContent = m.record.trainAcc.toFixed(4);
      dirty = true;
    } else if (m.type === 'done') {
      finished[which] = true;
      if (m.status === 'diverged') divergedAt = m.divergedAt;
      active = !(finished.with && finished.without);
      if (!active) void drawChart();
    } else if (m.type === 'error') {
      finished[which] = true;
      active = !(finished.with && finished.without);
      const message = m.message;
      error = () => tt('failed', { message });
    }
    render();
  });

  startButton.addEventListener('click', () => {
    const e = intIn(epochsInput, 1, 100);
    const seed = intIn(bnSeed, 0);
    if (e === undefined || seed === undefined) {
      error = () => tt('invalid');
      render();
      return;
    }
    error = undefined;
    epochs = e;
    active = true;
    records = { with: [], without: [] };
    finished = { with: false, without: false };
    divergedAt = undefined;
    accWith.textContent = '–';
    accWithout.textContent = '–';
    const trainCount = 1000;
    const batchSize = 100;
    for (const which of ['with', 'without'] as const) {
      channels[which].start(
        {
          network: {
            kind: 'MultiLayerNetExtend',
            config: { inputSize: 784, hiddenSizeList: [100, 100, 100, 100, 100], outputSize: 10, weightInitStd: Number(scaleSelect.value), useBatchnorm: which === 'with' },
          },
          optimizer: 'SGD',
          optimizerParam: { lr: 0.01 },
          // batch_norm_test.py: an accuracy every iter_per_epoch (10) iterations, `epochs` of them.
          iters: e * (trainCount / batchSize),
          batchSize,
          seed,
          dtype: 'float32',
        },
        { trainCount, testCount: 1000 },
      );
    }
    render();
  });
  resetButton.addEventListener('click', () => {
    // Whatever the stopped runs still send is now late.
    channels.with.stop();
    channels.without.stop();
    active = false;
    records = { with: [], without: [] };
    accWith.textContent = '–';
    accWithout.textContent = '–';
    bnView.clear();
    error = undefined;
    render();
  });

  const histControls = h('div', { class: 'inputs' }, field(() => tt('weights'), initSelect, onLangChange), field(() => tt('activation'), actSelect, onLangChange), field(() => tt('seed'), histSeed, onLangChange));
  const bnControls = h('div', { class: 'inputs' }, field(() => tt('scale'), scaleSelect, onLangChange), field(() => tt('epochs'), epochsInput, onLangChange), field(() => tt('seed'), bnSeed, onLangChange));
  root.append(
    histTitle,
    histIntro,
    histControls,
    h('div', { class: 'hists' }, ...hists),
    bnTitle,
    bnIntro,
    bnControls,
    h('div', { class: 'buttons' }, startButton, resetButton),
    h('p', { class: 'status' }, status),
    errorLine,
    h('p', { class: 'big' }, withLabel, ': ', accWith, ' \u00a0 ', withoutLabel, ': ', accWithout),
    chart,
  );
  const texts = () => {
    histTitle.textContent = tt('histTitle');
    histIntro.textContent = tt('histIntro');
    bnTitle.textContent = tt('bnTitle');
    bnIntro.textContent = tt('bnIntro');
    render();
    if (records.with.length + records.without.length > 0) dirty = true;
  };
  onLangChange(texts);
  texts();
  whenReady(() => {
    ready = true;
    render();
  });
  // Drawn when the tab is first shown (the page opens on another tab).
  let drawn = false;
  document.addEventListener('tab-shown', (e) => {
    if ((e as CustomEvent<string>).detail === 'init' && !drawn) {
      drawn = true;
      void drawHistograms();
    }
  });
}
