/** The Train tab: controls, live charts and status for training in the Worker. */
import embed from 'vega-embed';
import { accuracySpec, lossSpec, validateConfig, type EpochRecord, type TrainConfig } from '../../src/index.ts';
import { onLangChange, t } from './i18n.ts';
import { netFromParams, setModel } from './model-store.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

type State = 'loading' | 'ready' | 'running' | 'paused' | 'finished';

export function setupTrain(): void {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const form = $<HTMLFormElement>('train-form');
  const startButton = $<HTMLButtonElement>('train-start');
  const pauseButton = $<HTMLButtonElement>('train-pause');
  const resetButton = $<HTMLButtonElement>('train-reset');
  const gradButton = $<HTMLButtonElement>('train-gradcheck');
  const status = $('train-status');
  const testAcc = $('train-test-acc');
  const trainAcc = $('train-train-acc');
  const gradResult = $('train-gradcheck-result');
  const lossChart = $('train-loss-chart');
  const accChart = $('train-acc-chart');

  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);

  let state: State = 'loading';
  let readyText = '';
  let trainCount = 0;
  let iters = 0;
  let iteration = 0;
  let itPerSec = 0;
  let losses: number[] = [];
  let records: EpochRecord[] = [];
  let chartsDirty = false;
  let finalStatus = '';

  const renderStatus = () => {
    startButton.disabled = state === 'loading' || state === 'running' || state === 'paused';
    pauseButton.disabled = state !== 'running' && state !== 'paused';
    resetButton.disabled = state === 'loading';
    gradButton.disabled = state === 'loading';
    pauseButton.textContent = t(state === 'paused' ? 'resume' : 'pause');
    if (state === 'loading') status.textContent = t('loadingData');
    else if (state === 'ready') status.textContent = readyText;
    else {
      const parts = [t('iteration', { i: iteration, n: iters })];
      if (state === 'running' && itPerSec > 0) parts.push(t('itPerSec', { v: itPerSec.toFixed(0) }));
      if (state === 'paused') parts.push(t('paused'));
      if (state === 'finished') parts.push(finalStatus);
      status.textContent = parts.join(' · ');
    }
  };

  const drawCharts = async () => {
    chartsDirty = false;
    const width = Math.max(260, Math.min(560, lossChart.clientWidth - 40 || 560));
    await Promise.all([
      embed(lossChart, { ...lossSpec(losses, { title: 'loss' }), width } as never, { actions: false, renderer: 'canvas' }),
      embed(accChart, { ...accuracySpec(records, { title: 'accuracy' }), width } as never, { actions: false, renderer: 'canvas' }),
    ]);
  };
  // Charts are redrawn at most once a second while training: the page stays light.
  setInterval(() => {
    if (chartsDirty) void drawCharts();
  }, 1000);

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    switch (m.type) {
      case 'ready':
        state = 'ready';
        trainCount = m.trainCount;
        readyText = `${t('ready', { train: m.trainCount, test: m.testCount })} · ${m.kernels === 'wasm-simd' ? 'WASM SIMD' : 'TypeScript'}`;
        break;
      case 'progress':
        iteration = m.iteration;
        if (m.itPerSec > 0) itPerSec = m.itPerSec;
        losses.push(...m.losses);
        chartsDirty = true;
        break;
      case 'epoch':
        records.push(m.record);
        testAcc.textContent = m.record.testAcc.toFixed(4);
        trainAcc.textContent = m.record.trainAcc.toFixed(4);
        setModel(netFromParams(m.params), { kind: 'page', testAcc: m.record.testAcc });
        chartsDirty = true;
        break;
      case 'done':
        state = 'finished';
        iteration = m.iterations;
        finalStatus = m.status === 'completed' ? t('done') : m.status === 'stopped' ? t('stopped') : `loss diverged at iteration ${m.divergedAt} — lower the learning rate`;
        finalStatus += ` · ${m.seconds.toFixed(1)} s`;
        if (m.status !== 'diverged') setModel(netFromParams(m.params), { kind: 'page', testAcc: records.at(-1)?.testAcc ?? NaN });
        void drawCharts();
        break;
      case 'gradcheck':
        gradResult.textContent = `${t('gradcheckResult')} (${m.seconds.toFixed(1)} s): ${Object.entries(m.diffs)
          .map(([k, v]) => `${k} ${v.toExponential(2)}`)
          .join('  ')}`;
        break;
      case 'error':
        status.textContent = `error: ${m.message}`;
        return;
    }
    renderStatus();
  };

  /** The settings as a TrainConfig, or the library's own message saying what is not allowed. */
  const readConfig = (): TrainConfig | string => {
    const v = (name: string) => Number((form.elements.namedItem(name) as HTMLInputElement).value);
    const config: TrainConfig = {
      iters: v('iters'),
      batchSize: v('batchSize'),
      lr: v('lr'),
      hiddenSize: v('hidden'),
      weightInitStd: 0.01,
      seed: v('seed'),
      // float32: as accurate here, and the faster kernels (the CLI's default is the book's float64).
      dtype: 'float32',
      // Accuracy every epoch as in the book, and once more at the end so short runs show a result.
      evalAtEnd: true,
    };
    try {
      validateConfig(config, trainCount);
    } catch (e) {
      return (e as Error).message;
    }
    return config;
  };

  startButton.addEventListener('click', () => {
    const config = readConfig();
    form.classList.toggle('invalid', typeof config === 'string');
    if (typeof config === 'string') {
      status.textContent = config;
      return;
    }
    iters = config.iters;
    iteration = 0;
    itPerSec = 0;
    losses = [];
    records = [];
    testAcc.textContent = '–';
    trainAcc.textContent = '–';
    state = 'running';
    send({ type: 'start', config });
    renderStatus();
  });
  pauseButton.addEventListener('click', () => {
    if (state === 'running') {
      state = 'paused';
      send({ type: 'pause' });
    } else if (state === 'paused') {
      state = 'running';
      send({ type: 'resume' });
    }
    renderStatus();
  });
  resetButton.addEventListener('click', () => {
    send({ type: 'stop' });
    state = 'ready';
    losses = [];
    records = [];
    testAcc.textContent = '–';
    trainAcc.textContent = '–';
    lossChart.replaceChildren();
    accChart.replaceChildren();
    renderStatus();
  });
  gradButton.addEventListener('click', () => {
    gradResult.textContent = t('gradcheckRunning');
    send({ type: 'gradcheck', seed: Number((form.elements.namedItem('seed') as HTMLInputElement).value) || 1 });
  });
  onLangChange(renderStatus);
  renderStatus();
}
