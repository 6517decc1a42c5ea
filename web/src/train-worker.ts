/// <reference lib="webworker" />
/**
 * Trains in a Worker so the page never freezes: loads the gzipped MNIST assets, runs the library's
 * `train()` loop, and posts progress, epoch records and the weights.
 */
import { MnistSplit, TwoLayerNet, allocateBytes, gradientCheck, train, useWasmKernels, kernelBackend, type MnistSplits } from '../../src/index.ts';
import type { FromWorker, ParamsMessage, ToWorker } from './protocol.ts';

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

function paramsOf(net: TwoLayerNet): ParamsMessage {
  // Copies: the network keeps training on its own arrays.
  return {
    sizes: [net.inputSize, net.hiddenSize, net.outputSize],
    W1: net.params.W1.data.slice(),
    b1: net.params.b1.data.slice(),
    W2: net.params.W2.data.slice(),
    b2: net.params.b2.data.slice(),
  };
}

// The same WASM SIMD kernels as in Node (TypeScript ones where a browser lacks WASM SIMD).
useWasmKernels();

let data: MnistSplits | undefined;
let stopRequested = false;
let paused = false;
let resume: (() => void) | undefined;

const ready = (async () => {
  const t0 = performance.now();
  data = await loadData();
  post({ type: 'ready', trainCount: data.train.count, testCount: data.test.count, loadMs: performance.now() - t0, kernels: kernelBackend() });
})().catch((e: unknown) => post({ type: 'error', message: (e as Error).message }));

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    switch (msg.type) {
      case 'pause':
        paused = true;
        return;
      case 'resume':
        paused = false;
        resume?.();
        return;
      case 'stop':
        stopRequested = true;
        paused = false;
        resume?.();
        return;
      case 'start':
        await ready;
        await runTraining(msg.config);
        return;
      case 'gradcheck':
        await ready;
        gradcheck(msg.seed);
        return;
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
};

async function runTraining(config: Parameters<typeof train>[1]): Promise<void> {
  stopRequested = false;
  paused = false;
  let pendingLosses: number[] = [];
  let lastPost = performance.now();
  let lastIter = 0;
  const result = await train(data!, config, {
    yieldEveryMs: 30,
    shouldStop: () => stopRequested,
    beforeIteration: () => (paused ? new Promise<void>((r) => (resume = r)) : undefined),
    onIteration: (i, loss) => {
      pendingLosses.push(loss);
      const now = performance.now();
      if (now - lastPost > 100 || i === config.iters - 1) {
        post({ type: 'progress', iteration: i + 1, losses: pendingLosses, itPerSec: ((i + 1 - lastIter) * 1000) / (now - lastPost) });
        pendingLosses = [];
        lastPost = now;
        lastIter = i + 1;
      }
    },
    // Each evaluation also sends the current weights, so the Draw tab can use the model while it trains.
    onEpoch: (record, net) => post({ type: 'epoch', record, params: paramsOf(net) }),
  });
  if (pendingLosses.length) post({ type: 'progress', iteration: result.iterationsDone, losses: pendingLosses, itPerSec: 0 });
  const params = paramsOf(result.net);
  const done: FromWorker = { type: 'done', status: result.status, iterations: result.iterationsDone, seconds: result.seconds, params };
  if (result.divergedAt !== undefined) done.divergedAt = result.divergedAt;
  post(done);
}

function gradcheck(seed: number): void {
  const t0 = performance.now();
  const diffs = gradientCheck(data!.train, { seed });
  post({ type: 'gradcheck', diffs, seconds: (performance.now() - t0) / 1000 });
}
