/** The Train tab: controls, live charts and status for training in the Worker. */
import embed from 'vega-embed';
import { accuracySpec, lossSpec, twoLayerNetSpec, validateConfig, type EpochRecord, type TrainConfig, type TrainStatus } from '../../src/index.ts';
import { onLangChange, t, type TextKey } from './i18n.ts';
import { netFromParams, setModel } from './model-store.ts';
import type { FromWorker } from './protocol.ts';
import { ChannelRun, listen, send } from './worker-client.ts';
import { checkSettings, type Settings } from './train-limits.ts';

type State = 'loading' | 'failed-to-load' | 'ready' | 'running' | 'paused' | 'finished';

export function setupTrain(): void {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const form = $<HTMLFormElement>('train-form');
  const startButton = $<HTMLButtonElement>('train-start');
  const pauseButton = $<HTMLButtonElement>('train-pause');
  const resetButton = $<HTMLButtonElement>('train-reset');
  const gradButton = $<HTMLButtonElement>('train-gradcheck');
  const status = $('train-status');
  const errorLine = $('train-error');
  const testAcc = $('train-test-acc');
  const trainAcc = $('train-train-acc');
  const gradResult = $('train-gradcheck-result');
  const lossChart = $('train-loss-chart');
  const accChart = $('train-acc-chart');

  const channel = new ChannelRun('train');

  let state: State = 'loading';
  let loaded: { train: number; test: number; kernels: string } | undefined;
  let iters = 0;
  let iteration = 0;
  let itPerSec = 0;
  let losses: number[] = [];
  let records: EpochRecord[] = [];
  let chartsDirty = false;
  let finished: { status: TrainStatus; seconds: number; divergedAt?: number } | undefined;
  /** Texts are kept as functions of the language, so switching it re-renders every status and message. */
  let error: (() => string) | undefined;
  let gradText: (() => string) | undefined;

  const finalText = (f: NonNullable<typeof finished>): string => {
    const what = f.status === 'completed' ? t('done') : f.status === 'stopped' ? t('stopped') : t('diverged', { i: f.divergedAt ?? iteration });
    return `${what} · ${f.seconds.toFixed(1)} s`;
  };

  const render = () => {
    startButton.disabled = state === 'loading' || state === 'failed-to-load' || state === 'running' || state === 'paused';
    pauseButton.disabled = state !== 'running' && state !== 'paused';
    resetButton.disabled = state === 'loading' || state === 'failed-to-load';
    gradButton.disabled = state === 'loading' || state === 'failed-to-load';
    pauseButton.textContent = t(state === 'paused' ? 'resume' : 'pause');
    if (state === 'loading') status.textContent = t('loadingData');
    else if (state === 'failed-to-load') status.textContent = '';
    else if (state === 'ready') status.textContent = `${t('ready', { train: loaded!.train, test: loaded!.test })} · ${loaded!.kernels}`;
    else {
      const parts = [t('iteration', { i: iteration, n: iters })];
      if (state === 'running' && itPerSec > 0) parts.push(t('itPerSec', { v: itPerSec.toFixed(0) }));
      if (state === 'paused') parts.push(t('paused'));
      if (state === 'finished' && finished) parts.push(finalText(finished));
      status.textContent = parts.join(' · ');
    }
    errorLine.textContent = error?.() ?? '';
    gradResult.textContent = gradText?.() ?? '';
  };

  const drawCharts = async () => {
    chartsDirty = false;
    const width = Math.max(220, Math.min(560, lossChart.clientWidth - 100 || 560));
    await Promise.all([
      embed(lossChart, { ...lossSpec(losses, { title: 'loss' }), width } as never, { actions: false, renderer: 'canvas' }),
      embed(accChart, { ...accuracySpec(records, { title: 'accuracy' }), width } as never, { actions: false, renderer: 'canvas' }),
    ]);
  };
  // Charts are redrawn at most once a second while training: the page stays light.
  setInterval(() => {
    if (chartsDirty) void drawCharts();
  }, 1000);

  listen((m: FromWorker) => {
    // Other tabs' runs, and messages of a run that was reset (or replaced by a newer one), are not ours.
    if ('channel' in m ? !channel.current(m) : 'run' in m) return;
    switch (m.type) {
      case 'ready':
        state = 'ready';
        loaded = { train: m.trainCount, test: m.testCount, kernels: m.kernels === 'wasm-simd' ? 'WASM SIMD' : 'TypeScript' };
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
      case 'done': {
        state = 'finished';
        iteration = m.iterations;
        finished = { status: m.status, seconds: m.seconds };
        if (m.divergedAt !== undefined) finished.divergedAt = m.divergedAt;
        if (m.status !== 'diverged') setModel(netFromParams(m.params), { kind: 'page', testAcc: records.at(-1)?.testAcc ?? NaN });
        void drawCharts();
        break;
      }
      case 'gradcheck': {
        const diffs = Object.entries(m.diffs)
          .map(([k, v]) => `${k} ${v.toExponential(2)}`)
          .join('  ');
        gradText = () => `${t('gradcheckResult')} (${m.seconds.toFixed(1)} s): ${diffs}`;
        break;
      }
      case 'error': {
        const message = m.message;
        if (m.stage === 'load') {
          state = 'failed-to-load';
          error = () => t('loadFailed', { message });
        } else if (m.stage === 'train') {
          // The run is over; the Worker is ready for the next one, so Start is usable again.
          state = 'ready';
          error = () => t('trainFailed', { message });
        } else if (m.stage === 'gradcheck') gradText = () => t('gradcheckFailed', { message });
        break;
      }
    }
    render();
  });

  const field = (name: keyof Settings) => form.elements.namedItem(name) as HTMLInputElement;
  const NAMES: Record<keyof Settings, TextKey> = { hidden: 'hidden', lr: 'lr', batchSize: 'batchSize', iters: 'iterations', seed: 'seed' };

  /** The settings as a TrainConfig, or marks what is wrong (aria-invalid, a translated message) and returns undefined. */
  const readConfig = (): TrainConfig | undefined => {
    const settings: Settings = { hidden: 0, lr: 0, batchSize: 0, iters: 0, seed: 0 };
    for (const name of Object.keys(NAMES) as (keyof Settings)[]) {
      const input = field(name);
      settings[name] = input.value.trim() === '' || input.validity.badInput ? NaN : Number(input.value);
      input.setAttribute('aria-invalid', 'false');
    }
    const problem = checkSettings(settings);
    if (problem) {
      for (const name of problem.fields) field(name).setAttribute('aria-invalid', 'true');
      error = () => {
        const p = problem.problem;
        if (p.kind === 'integer') return t('invalidInteger', { name: t(NAMES[p.field]), min: p.min, max: p.max });
        if (p.kind === 'lr') return t('invalidLr');
        return t('invalidSeed', { max: p.max });
      };
      return undefined;
    }
    const config: TrainConfig = {
      network: twoLayerNetSpec(784, settings.hidden, 0.01),
      optimizer: 'SGD',
      optimizerParam: { lr: settings.lr },
      iters: settings.iters,
      batchSize: settings.batchSize,
      seed: settings.seed,
      // float32: as accurate here, and the faster kernels (the CLI's default is the book's float64).
      dtype: 'float32',
      // Accuracy every epoch as in the book, and once more at the end so short runs show a result.
      evalAtEnd: true,
    };
    try {
      // The library's own rules as well (the page's are stricter; this catches anything they miss).
      validateConfig(config, loaded?.train ?? 0);
    } catch (e) {
      const message = (e as Error).message;
      error = () => t('invalidSettings', { message });
      return undefined;
    }
    return config;
  };

  startButton.addEventListener('click', () => {
    error = undefined;
    const config = readConfig();
    if (!config) {
      render();
      return;
    }
    iters = config.iters;
    iteration = 0;
    itPerSec = 0;
    losses = [];
    records = [];
    finished = undefined;
    testAcc.textContent = '–';
    trainAcc.textContent = '–';
    state = 'running';
    channel.start(config);
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
    state = 'ready';
    error = undefined;
    losses = [];
    records = [];
    finished = undefined;
    chartsDirty = false;
    testAcc.textContent = '–';
    trainAcc.textContent = '–';
    lossChart.replaceChildren();
    accChart.replaceChildren();
    for (const name of Object.keys(NAMES) as (keyof Settings)[]) field(name).setAttribute('aria-invalid', 'false');
    render();
  });
  gradButton.addEventListener('click', () => {
    gradText = () => t('gradcheckRunning');
    render();
    send({ type: 'gradcheck', seed: Number(field('seed').value) || 1 });
  });
  onLangChange(render);
  render();
}
