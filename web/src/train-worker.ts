/// <reference lib="webworker" />
/**
 * Trains in a Worker so the page never freezes: loads the gzipped MNIST assets once, runs the library's
 * `train()` loop for every tab (one run per channel; runs of different channels take turns), and posts
 * progress, evaluation records and the weights. It also reads params files the page was given.
 */
import { MnistSplit, allocateBytes, gradientCheck, networkAccuracy, readNetwork, train, useWasmKernels, kernelBackend, type DType, type MnistSplits } from '../../src/index.ts';
import { timeConvSteps } from './conv-steps.ts';
import type { Network } from '../../src/index.ts';
import type { Channel, DataSlice, FromWorker, ParamsMessage, ToWorker } from './protocol.ts';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(m, transfer);

/**
 * Fetches a gzipped asset and inflates it. Some servers (Vite's dev server, nginx with gzip_static) send
 * .gz files with `Content-Encoding: gzip`, and the browser then inflates them itself: so inflate only
 * bytes that still start with gzip's magic number.
 */
async function fetchGz(name: string): Promise<Uint8Array> {
  const url = new URL(`/mnist/${name}.gz`, self.location.origin);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url.pathname} (HTTP ${res.status})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function loadData(): Promise<MnistSplits> {
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  // Into long-lived buffers — the WASM heap — so the kernels gather batches and evaluate on the bytes in place.
  const [trI, trL, teI, teL] = (await Promise.all(names.map(fetchGz))).map((bytes) => {
    const kept = allocateBytes(bytes.length);
    kept.set(bytes);
    return kept;
  });
  return {
    train: MnistSplit.fromIdx(trI, trL, names[0], names[1]),
    test: MnistSplit.fromIdx(teI, teL, names[2], names[3]),
  };
}

function paramsOf(net: Network): ParamsMessage {
  // Copies: the network keeps training on its own arrays.
  const params: ParamsMessage['params'] = {};
  for (const key of Object.keys(net.params)) params[key] = net.params[key].data.slice();
  const state: ParamsMessage['state'] = {};
  const netState = net.state;
  for (const key of Object.keys(netState)) state[key] = { shape: [...netState[key].shape], data: netState[key].data.slice() };
  return { kind: net.kind, config: net.config, dtype: net.dtype, params, state };
}

// The same WASM SIMD kernels as in Node (TypeScript ones where a browser lacks WASM SIMD). The package
// switches by itself when a Worker imports it (dist/index.js); this page bundles the sources, where the
// bundler may drop that statement of index.ts (declared side-effect free, so the page's bundle leaves out
// the file formats it does not use), so it says so here.
useWasmKernels();

let data: MnistSplits | undefined;

/** A run in progress: its own stop and pause flags, so a late message never touches the next run. */
interface Run {
  channel: Channel;
  id: number;
  stop: boolean;
  paused: boolean;
  resume?: () => void;
  finished: Promise<void>;
}
/** The run of each channel. */
const runs = new Map<Channel, Run>();

/** How many test images `ready` carries for the page's own drawings. */
const SAMPLE_COUNT = 16;

const ready = (async () => {
  const t0 = performance.now();
  data = await loadData();
  const n = Math.min(SAMPLE_COUNT, data.test.count);
  const sample = { count: n, images: data.test.images.slice(0, n * data.test.pixels), labels: data.test.labels.slice(0, n) };
  post({ type: 'ready', trainCount: data.train.count, testCount: data.test.count, loadMs: performance.now() - t0, kernels: kernelBackend(), sample });
})();
ready.catch((e: unknown) => post({ type: 'error', stage: 'load', message: messageOf(e) }));

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function stopRun(channel: Channel): Promise<void> {
  const run = runs.get(channel);
  if (!run) return Promise.resolve();
  run.stop = true;
  run.paused = false;
  run.resume?.();
  return run.finished;
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'pause': {
      const run = runs.get(msg.channel);
      if (run) run.paused = true;
      return;
    }
    case 'resume': {
      const run = runs.get(msg.channel);
      if (run) {
        run.paused = false;
        run.resume?.();
      }
      return;
    }
    case 'stop':
      await stopRun(msg.channel);
      return;
    case 'start': {
      // One run per channel: a run still going (a quick Reset → Start) is stopped and waited for first.
      await stopRun(msg.channel);
      try {
        await ready;
      } catch {
        return; // already reported
      }
      const run: Run = { channel: msg.channel, id: msg.run, stop: false, paused: false, finished: Promise.resolve() };
      runs.set(msg.channel, run);
      // A failed run is reported; the kernels stay usable for the next (a failed allocation leaves them so).
      run.finished = runTraining(run, msg.config, msg.data).catch((e: unknown) => post({ type: 'error', stage: 'train', channel: run.channel, run: run.id, message: messageOf(e) }));
      await run.finished;
      if (runs.get(msg.channel) === run) runs.delete(msg.channel);
      return;
    }
    case 'loadParams':
      try {
        await ready;
        loadParams(msg.channel, msg.name, msg.bytes);
      } catch (e) {
        if (data) post({ type: 'error', stage: 'loadParams', channel: msg.channel, name: msg.name, message: messageOf(e) });
      }
      return;
    case 'gradcheck':
      try {
        await ready;
        gradcheck(msg.seed);
      } catch (e) {
        if (data) post({ type: 'error', stage: 'gradcheck', message: messageOf(e) });
      }
      return;
    case 'convSteps':
      try {
        await ready;
        convSteps(msg.steps, msg.seed, msg.dtype);
      } catch (e) {
        if (data) post({ type: 'error', stage: 'convSteps', message: messageOf(e) });
      }
      return;
  }
};

/** The first `slice.trainCount` / `slice.testCount` images of each split (views: no copy). */
function sliced(slice: DataSlice | undefined): MnistSplits {
  const { train: tr, test: te } = data!;
  return {
    train: slice?.trainCount === undefined ? tr : tr.slice(0, Math.min(slice.trainCount, tr.count)),
    test: slice?.testCount === undefined ? te : te.slice(0, Math.min(slice.testCount, te.count)),
  };
}

async function runTraining(run: Run, config: Parameters<typeof train>[1], slice: DataSlice | undefined): Promise<void> {
  const { channel } = run;
  let pendingLosses: number[] = [];
  let lastPost = performance.now();
  let lastIter = 0;
  const result = await train(sliced(slice), config, {
    yieldEveryMs: 30,
    shouldStop: () => run.stop,
    beforeIteration: () => (run.paused ? new Promise<void>((r) => (run.resume = r)) : undefined),
    onIteration: (i, loss) => {
      pendingLosses.push(loss);
      const now = performance.now();
      if (now - lastPost > 100 || i === config.iters - 1) {
        post({ type: 'progress', channel, run: run.id, iteration: i + 1, losses: pendingLosses, itPerSec: ((i + 1 - lastIter) * 1000) / (now - lastPost) });
        pendingLosses = [];
        lastPost = now;
        lastIter = i + 1;
      }
    },
    // Each evaluation also sends the current weights, so the Draw tab can use the model while it trains.
    onEpoch: (record, net) => post({ type: 'epoch', channel, run: run.id, record, params: paramsOf(net) }),
  });
  if (pendingLosses.length) post({ type: 'progress', channel, run: run.id, iteration: result.iterationsDone, losses: pendingLosses, itPerSec: 0 });
  const params = paramsOf(result.net);
  const done: FromWorker = { type: 'done', channel, run: run.id, status: result.status, iterations: result.iterationsDone, seconds: result.seconds, params };
  if (result.divergedAt !== undefined) done.divergedAt = result.divergedAt;
  post(done);
}

/** A params file: its network identified and built (any registered kind), then its accuracy on the whole test set. */
function loadParams(channel: Channel, name: string, bytes: Uint8Array): void {
  // In the file's own dtype (the book's .pkl: float64), so the accuracy is the CLI's.
  const net = readNetwork(bytes, { name });
  const testAcc = networkAccuracy(net, data!.test, { batchSize: net.inputShape.length > 1 ? 100 : 1000 });
  post({ type: 'loaded', channel, name, testAcc, params: paramsOf(net) });
}

/** SimpleConvNet's Trainer steps, timed one by one (bench/browser.ts compares them with Node's). */
function convSteps(steps: number, seed: number, dtype: DType): void {
  const { stepMs, lastLoss } = timeConvSteps(data!, steps, seed, dtype);
  post({ type: 'convSteps', stepMs, lastLoss, kernels: kernelBackend() });
}

function gradcheck(seed: number): void {
  const t0 = performance.now();
  const diffs = gradientCheck(data!.train, { seed });
  post({ type: 'gradcheck', diffs, seconds: (performance.now() - t0) / 1000 });
}
