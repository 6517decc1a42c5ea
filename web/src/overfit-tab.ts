/**
 * The Overfitting tab (chapter 6.4): the book's ch06/overfit_weight_decay.py and overfit_dropout.py in one
 * — MultiLayerNetExtend(784, [100 × 6], 10) trained by SGD (lr 0.01, batches of 100) on only 300
 * training images, with a weight-decay λ and a dropout ratio from the sliders; the training and test
 * accuracy of every epoch drawn live, and the gap between them.
 */
import { trainTestAccuracySpec, type EpochRecord } from '../../src/index.ts';
import { field, h, intIn } from './dom.ts';
import { localTexts, onLangChange } from './i18n.ts';
import { liveChart } from './live-chart.ts';
import type { FromWorker } from './protocol.ts';
import { ChannelRun, listen, whenReady } from './worker-client.ts';

const tt = localTexts({
  en: {
    intro:
      'The book’s experiment (6.4): a 7-layer network (6 hidden layers of 100 neurons) learns only 300 training images, so it soon knows them by heart — training accuracy near 100 %, test accuracy far below. Weight decay (λ) and Dropout are the book’s two remedies: move a slider and train again to see the gap shrink.',
    weightDecay: 'weight decay λ',
    dropout: 'dropout ratio',
    epochs: 'epochs',
    seed: 'seed',
    start: 'Start',
    reset: 'Reset',
    train: 'training accuracy',
    test: 'test accuracy',
    gap: 'gap',
    note: 'Test accuracy on the first {n} test images (the book uses all 10 000), for speed.',
    loading: 'loading MNIST…',
    ready: 'ready',
    running: 'epoch {e} / {n}',
    done: 'done',
    diverged: 'diverged (loss not finite) at iteration {i}',
    failed: 'training failed: {message}',
    invalid: 'epochs must be an integer from 1 to 301, and the seed an integer ≥ 0.',
  },
  ja: {
    intro:
      '本の実験(6.4節):7層のネットワーク(100ニューロンの隠れ層が6つ)が300枚の訓練データだけを学習するので、すぐに丸暗記します。訓練データの認識精度はほぼ100%、テストデータではずっと低くなります。Weight decay(λ)とDropoutが本の2つの対策です。スライダーを動かして学習し直すと、差が縮まります。',
    weightDecay: 'Weight decay λ',
    dropout: 'Dropoutの割合',
    epochs: 'エポック数',
    seed: 'シード',
    start: '開始',
    reset: 'リセット',
    train: '訓練データの認識精度',
    test: 'テストデータの認識精度',
    gap: '差',
    note: '速さのため、テストデータは先頭の {n} 枚で評価します(本は10,000枚すべて)。',
    loading: 'MNISTを読み込み中…',
    ready: '準備完了',
    running: 'エポック {e} / {n}',
    done: '完了',
    diverged: '反復 {i} で発散しました(損失が有限でない)',
    failed: '学習に失敗しました:{message}',
    invalid: 'エポック数は1〜301の整数、シードは0以上の整数にしてください。',
  },
});

const TRAIN_COUNT = 300;
const TEST_COUNT = 2000;
const BATCH = 100;

export function setupOverfit(root: HTMLElement): void {
  const decay = h('input', { type: 'range', min: 0, max: 0.3, step: 0.01, value: 0, testid: 'overfit-decay' });
  const decayValue = h('span', { class: 'mono' });
  const dropout = h('input', { type: 'range', min: 0, max: 0.5, step: 0.05, value: 0, testid: 'overfit-dropout' });
  const dropoutValue = h('span', { class: 'mono' });
  const epochsInput = h('input', { type: 'number', min: 1, max: 301, step: 1, value: 201, testid: 'overfit-epochs' });
  const seedInput = h('input', { type: 'number', min: 0, step: 1, value: 1, testid: 'overfit-seed' });
  const startButton = h('button', { testid: 'overfit-start', disabled: true });
  const resetButton = h('button', { class: 'secondary', testid: 'overfit-reset' });
  const status = h('span', { testid: 'overfit-status' });
  const errorLine = h('p', { class: 'error', role: 'alert', testid: 'overfit-error' });
  const trainAcc = h('strong', { testid: 'overfit-train-acc' }, '–');
  const testAcc = h('strong', { testid: 'overfit-test-acc' }, '–');
  const gap = h('strong', { testid: 'overfit-gap' }, '–');
  const labels = { train: h('span'), test: h('span'), gap: h('span') };
  const note = h('p', { class: 'small' });
  const intro = h('p');
  const chart = h('div', { class: 'chart', testid: 'overfit-chart' });

  const channel = new ChannelRun('overfit');
  let ready = false;
  let epochs = 201;
  let records: EpochRecord[] = [];
  let active = false;
  let finished: { status: string; divergedAt?: number } | undefined;
  let error: (() => string) | undefined;
  let dirty = false;

  const render = () => {
    startButton.textContent = tt('start');
    resetButton.textContent = tt('reset');
    labels.train.textContent = tt('train');
    labels.test.textContent = tt('test');
    labels.gap.textContent = tt('gap');
    note.textContent = tt('note', { n: TEST_COUNT });
    intro.textContent = tt('intro');
    decayValue.textContent = Number(decay.value).toFixed(2);
    dropoutValue.textContent = Number(dropout.value).toFixed(2);
    startButton.disabled = !ready || active;
    if (!ready) status.textContent = tt('loading');
    else if (!active && !finished) status.textContent = tt('ready');
    else if (finished) status.textContent = finished.status === 'diverged' ? tt('diverged', { i: finished.divergedAt ?? 0 }) : tt('done');
    else status.textContent = tt('running', { e: records.length, n: epochs });
    errorLine.textContent = error?.() ?? '';
  };

  const view = liveChart(chart);
  const drawChart = async () => {
    dirty = false;
    const spec = trainTestAccuracySpec(
      records.map((r) => r.trainAcc),
      records.map((r) => r.testAcc),
      { markEvery: 10 },
    );
    const width = Math.max(220, Math.min(560, chart.clientWidth - 100 || 560));
    await view.draw({ ...spec, width, height: 280 });
  };
  setInterval(() => {
    if (dirty) void drawChart();
  }, 1000);

  listen((m: FromWorker) => {
    if (!channel.current(m)) return;
    if (m.type === 'epoch') {
      records.push(m.record);
      trainAcc.textContent = m.record.trainAcc.toFixed(4);
      testAcc.textContent = m.record.testAcc.toFixed(4);
      gap.textContent = (m.record.trainAcc - m.record.testAcc).toFixed(4);
      dirty = true;
    } else if (m.type === 'done') {
      active = false;
      finished = { status: m.status, ...(m.divergedAt !== undefined ? { divergedAt: m.divergedAt } : {}) };
      void drawChart();
    } else if (m.type === 'error') {
      active = false;
      finished = { status: 'failed' };
      const message = m.message;
      error = () => tt('failed', { message });
    }
    render();
  });

  startButton.addEventListener('click', () => {
    const e = intIn(epochsInput, 1, 301);
    const seed = intIn(seedInput, 0);
    if (e === undefined || seed === undefined) {
      error = () => tt('invalid');
      render();
      return;
    }
    error = undefined;
    epochs = e;
    active = true;
    records = [];
    finished = undefined;
    for (const el of [trainAcc, testAcc, gap]) el.textContent = '–';
    const ratio = Number(dropout.value);
    channel.start(
      {
        network: {
          kind: 'MultiLayerNetExtend',
          config: {
            inputSize: 784,
            hiddenSizeList: [100, 100, 100, 100, 100, 100],
            outputSize: 10,
            weightDecayLambda: Number(decay.value),
            useDropout: ratio > 0,
            dropoutRatio: ratio > 0 ? ratio : 0.5,
          },
        },
        optimizer: 'SGD',
        optimizerParam: { lr: 0.01 },
        // iter_per_epoch = 300 / 100 = 3: an accuracy every 3 iterations, `epochs` of them.
        iters: e * (TRAIN_COUNT / BATCH),
        batchSize: BATCH,
        seed,
        dtype: 'float32',
      },
      { trainCount: TRAIN_COUNT, testCount: TEST_COUNT },
    );
    render();
  });
  resetButton.addEventListener('click', () => {
    channel.stop(); // whatever the stopped run still sends is now late
    active = false;
    records = [];
    finished = undefined;
    for (const el of [trainAcc, testAcc, gap]) el.textContent = '–';
    view.clear();
    error = undefined;
    render();
  });
  for (const s of [decay, dropout]) s.addEventListener('input', render);

  root.append(
    intro,
    h(
      'div',
      { class: 'inputs' },
      field(() => tt('weightDecay'), h('span', { class: 'slider' }, decay, decayValue), onLangChange),
      field(() => tt('dropout'), h('span', { class: 'slider' }, dropout, dropoutValue), onLangChange),
      field(() => tt('epochs'), epochsInput, onLangChange),
      field(() => tt('seed'), seedInput, onLangChange),
    ),
    h('div', { class: 'buttons' }, startButton, resetButton),
    h('p', { class: 'status' }, status),
    errorLine,
    h('p', { class: 'big' }, labels.train, ': ', trainAcc, ' \u00a0 ', labels.test, ': ', testAcc, ' \u00a0 ', labels.gap, ': ', gap),
    chart,
    note,
  );
  onLangChange(() => {
    render();
    if (records.length > 0) dirty = true;
  });
  render();
  whenReady(() => {
    ready = true;
    render();
  });
}
