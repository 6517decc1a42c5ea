/**
 * Half of the contestants of a comparison (compare-loop.ts) trained on a second thread: on two cores the
 * networks run side by side, each product on one thread, instead of one network at a time with each
 * product split between the threads. What each network computes is unchanged — every product gives the
 * same bits on one thread as split — so the losses are the same, bit for bit, as with the networks in turn.
 *
 * The thread can be started before the images are read (`bootCompareThread`): Node, its modules and its
 * kernels load (~0.3 s) while this thread reads MNIST and builds the networks. Once started, it gets its
 * networks (their contents: the weights exactly, as typed arrays), the optimizers' names and
 * hyperparameters, and the images (a view of the shared WASM memory they were read into: no copy). The
 * calling thread draws every batch (the run's one generator) and publishes its image indices in shared
 * memory; the thread takes them in order, trains its networks on each batch and writes their losses to
 * shared memory. Nothing is posted per step: a step's only exchange is an index list and a counter.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { MnistSplit } from '../../data/mnist.ts';
import { MODULE_WORKER_SCRIPT, gracefulExit, tsxLoaderFor } from '../../internal/workers.ts';
import { modelContents, restoreNetwork, type ModelContents } from '../../io/model-format.ts';
import { useWasmKernels } from '../../kernels/wasm/index.ts';
import type { Network } from '../../nets/network.ts';
import { networkKind } from '../../nets/registry.ts';
import { createOptimizer } from '../../optimizers/index.ts';
import type { OptimizerParam } from '../../optimizers/optimizer.ts';
import type { DType } from '../../tensor/tensor.ts';
import { BatchDrawer } from './batches.ts';

// The control block's i32 slots.
/** Batches published by the calling thread (their indices written). */
const PUBLISHED = 0;
/** Batches the thread has finished (its losses written). */
const DONE = 1;
/** 1 once no more batches will be published. */
const END = 2;
/** 1 once the thread has failed (its message then in the error bytes). */
const FAILED = 3;
const CONTROL_INTS = 4;
/** Bytes kept for the thread's error message. */
const ERROR_BYTES = 1024;
/** Batches in flight at most: the index lists and the losses are rings of this many slots. */
const RING = 64;

/** What the thread is started with: its module, nothing of the work yet. */
interface BootData {
  module: string;
  entry: 'serveCompareThread';
  tsx: string | undefined;
}

/** The work, posted once the images are read and the networks built (`null`: none, end). */
interface ThreadJob {
  images: Uint8Array;
  labels: Uint8Array;
  rows: number;
  cols: number;
  batchSize: number;
  dtype: DType;
  networks: ModelContents[];
  optimizers: { name: string; param: OptimizerParam }[];
  control: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  losses: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

/** The thread's last message: its trained networks' contents, and every loss. */
interface ThreadResult {
  networks: ModelContents[];
  losses: Float64Array;
}

/** The arrays of networks' contents (copies, `modelContents`): moved to the other thread, not cloned. */
function arraysOf(networks: readonly ModelContents[]): ArrayBuffer[] {
  return networks.flatMap((c) => [...Object.values(c.params), ...Object.values(c.state)].map((t) => (t.data as Float64Array).buffer as ArrayBuffer));
}

/** Whether a thread can take these contestants: images in shared memory (a view, no copy), and someone to train. */
function canShare(split: MnistSplit, contestants: readonly ThreadContestant[]): boolean {
  return split.images.buffer instanceof SharedArrayBuffer && contestants.length > 0;
}

/** A contestant of the thread: its network and its optimizer's name (as createOptimizer takes it) and hyperparameters. */
export interface ThreadContestant {
  network: Network;
  optimizer: { name: string; param: OptimizerParam };
}

export interface CompareThread {
  /** Batch `i` (its image indices) is ready: the thread may train on it (waits while RING batches are ahead of it). */
  publish(i: number, indices: Uint32Array): Promise<void>;
  /** Waits until the thread has finished batch `i` (the last one published, or one of the RING before it), then returns its contestants' losses on it. */
  lossesAt(i: number): Promise<Float64Array>;
  /**
   * No batch after `count`: waits until the thread has finished them all, copies its networks' weights
   * into the contestants' networks (their optimizers' state stays on the thread), ends it, and returns
   * every loss (batch after batch, its contestants' in order).
   */
  finish(count: number): Promise<Float64Array>;
  /** Ends the thread without waiting for its work (the caller failed). */
  abandon(): Promise<void>;
}

/** A thread booting (`bootCompareThread`): given its work by `start`, or ended unused by `abandon`. */
export interface CompareThreadBoot {
  /**
   * Gives the thread `contestants`, for batches of `batchSize` images of `split`, and waits until it has
   * built them. Undefined when the images are not in shared memory (the kernels' helper thread was not
   * started: one thread was asked for) or the thread failed to start; the caller then trains them itself.
   * Once only.
   */
  start(split: MnistSplit, contestants: readonly ThreadContestant[], batchSize: number): Promise<CompareThread | undefined>;
  /** Ends the thread if it was not started (after `start`, nothing to do: CompareThread's own calls end it). */
  abandon(): Promise<void>;
}

/**
 * Starts a thread that loads its modules and kernels and then waits for its work (`start`), so that it is
 * ready by the time the images are read. Undefined where no thread can be made. The thread never keeps
 * the process alive, but a caller that does not `start` it must `abandon` it: a process that exits while
 * the thread is still loading modules can abort (nodejs/node#38418; see `gracefulExit`).
 */
export function bootCompareThread(): CompareThreadBoot | undefined {
  const boot: BootData = { module: import.meta.url, entry: 'serveCompareThread', tsx: tsxLoaderFor(import.meta.url) };
  let worker: Worker;
  try {
    worker = new Worker(MODULE_WORKER_SCRIPT, { eval: true, workerData: boot });
  } catch {
    return undefined;
  }
  let gone: string | undefined;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      gone ??= `it exited (code ${code})`;
      resolve();
    }),
  );
  worker.on('error', (e) => {
    gone = e.message;
  });
  worker.unref();
  let used = false;
  const abandon = async (): Promise<void> => {
    if (used) return;
    used = true;
    worker.postMessage(null);
    // It ends once loaded: given time to finish loading (terminating it mid-load is what can abort).
    await gracefulExit(worker, exited, 10_000);
  };
  const start = async (split: MnistSplit, contestants: readonly ThreadContestant[], batchSize: number): Promise<CompareThread | undefined> => {
    if (used) throw new Error('CompareThreadBoot.start: this thread was already started or abandoned');
    if (!canShare(split, contestants)) {
      await abandon();
      return undefined;
    }
    used = true;
    return begin(worker, exited, () => gone, split, contestants, batchSize);
  };
  return { start, abandon };
}

/**
 * Starts a thread with `contestants` at once (`bootCompareThread` then `start`). Undefined when the images
 * are not in shared memory or the thread cannot start; the caller then trains them itself.
 */
export async function startCompareThread(split: MnistSplit, contestants: readonly ThreadContestant[], batchSize: number): Promise<CompareThread | undefined> {
  if (!canShare(split, contestants)) return undefined;
  return bootCompareThread()?.start(split, contestants, batchSize);
}

/** Posts the work to a booted thread and waits until it has built its networks. */
async function begin(
  worker: Worker,
  exited: Promise<void>,
  gone: () => string | undefined,
  split: MnistSplit,
  contestants: readonly ThreadContestant[],
  batchSize: number,
): Promise<CompareThread | undefined> {
  const n = contestants.length;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
  const indices = new Uint32Array(new SharedArrayBuffer(RING * batchSize * 4));
  const losses = new Float64Array(new SharedArrayBuffer(RING * n * 8));
  const error = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  const networks = contestants.map((c) => modelContents(c.network));
  const job: ThreadJob = {
    images: split.images,
    labels: split.labels,
    rows: split.rows,
    cols: split.cols,
    batchSize,
    dtype: contestants[0].network.dtype,
    networks,
    optimizers: contestants.map((c) => c.optimizer),
    control: control.buffer as SharedArrayBuffer,
    indices: indices.buffer as SharedArrayBuffer,
    losses: losses.buffer as SharedArrayBuffer,
    error: error.buffer as SharedArrayBuffer,
  };
  worker.postMessage(job, arraysOf(networks));
  // Ready once its networks are built (or failed before).
  const ready = await new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!ready) return undefined;
  // Its last message: the trained networks' weights and every loss.
  const trained = new Promise<ThreadResult | undefined>((resolve) => {
    worker.once('message', (result: ThreadResult) => resolve(result));
    void exited.then(() => resolve(undefined));
  });
  // The thread never keeps the process alive (after the 'message' listener: adding one refs it again).
  worker.unref();

  const failure = (): Error | undefined => {
    if (Atomics.load(control, FAILED) === 1) {
      const text = new TextDecoder().decode(error.slice(0, error.indexOf(0) < 0 ? ERROR_BYTES : error.indexOf(0)));
      return new Error(`the second training thread failed: ${text}`);
    }
    const why = gone();
    return why === undefined ? undefined : new Error(`the second training thread stopped: ${why}`);
  };
  /** Blocks in slices of 20 ms, giving the event loop a turn every ~100 ms (signals, the thread's exit). */
  const waitDone = async (count: number): Promise<void> => {
    let turn = performance.now();
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done >= count) return;
      const e = failure();
      if (e) throw e;
      Atomics.wait(control, DONE, done, 20);
      if (performance.now() - turn > 100) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
    }
  };
  const end = () => {
    Atomics.store(control, END, 1);
    Atomics.notify(control, PUBLISHED);
  };
  return {
    async publish(i, batch) {
      // Slot i % RING is free once batch i - RING is done.
      await waitDone(i - RING + 1);
      indices.set(batch.subarray(0, batchSize), (i % RING) * batchSize);
      Atomics.store(control, PUBLISHED, i + 1);
      Atomics.notify(control, PUBLISHED);
    },
    async lossesAt(i) {
      await waitDone(i + 1);
      return losses.slice((i % RING) * n, (i % RING + 1) * n);
    },
    async finish(count) {
      end();
      await waitDone(count);
      // Kept alive while the weights are on their way.
      worker.ref();
      const result = await trained;
      const e = failure();
      if (!result || e) throw e ?? new Error('the second training thread stopped without its networks');
      contestants.forEach((c, i) => {
        for (const [key, t] of Object.entries(c.network.params)) t.data.set(result.networks[i].params[key].data);
      });
      await gracefulExit(worker, exited);
      return result.losses;
    },
    async abandon() {
      end();
      await gracefulExit(worker, exited);
    },
  };
}

/**
 * The thread's side: loads the kernels, then waits for its work (`ThreadJob`; `null`: none), builds its
 * networks, says so, and trains them on each published batch until the end.
 */
export function serveCompareThread(port: MessagePort): void {
  let bootError: unknown;
  try {
    // One thread of WASM kernels on a memory of its own; the networks' buffers on its heap.
    useWasmKernels({});
  } catch (e) {
    bootError = e;
  }
  port.once('message', (job: ThreadJob | null) => {
    if (job === null) port.close();
    else train(port, job, bootError);
  });
}

function train(port: MessagePort, data: ThreadJob, bootError: unknown): void {
  const control = new Int32Array(data.control);
  try {
    if (bootError !== undefined) throw bootError;
    const networks = data.networks.map((contents, i) => restoreNetwork(contents, networkKind(contents.kind), `contestant ${i}`));
    const optimizers = data.optimizers.map((o) => createOptimizer(o.name, o.param));
    const split = new MnistSplit(data.images, data.labels, data.rows, data.cols);
    const batches = new BatchDrawer(split, data.batchSize, undefined, data.dtype);
    const indices = new Uint32Array(data.indices);
    const losses = new Float64Array(data.losses);
    const n = networks.length;
    // Every loss, sent at the end (the shared ring holds the last RING batches').
    let all = new Float64Array(1024 * n);
    port.postMessage('ready');
    for (let i = 0; ; i++) {
      // The next batch, or the end once every published batch is done.
      for (;;) {
        const published = Atomics.load(control, PUBLISHED);
        if (published > i) break;
        if (Atomics.load(control, END) === 1) {
          const result: ThreadResult = { networks: networks.map((net) => modelContents(net)), losses: all.slice(0, i * n) };
          port.postMessage(result, [...arraysOf(result.networks), result.losses.buffer as ArrayBuffer]);
          return;
        }
        Atomics.wait(control, PUBLISHED, published, 100);
      }
      const slot = i % RING;
      batches.take(indices.subarray(slot * data.batchSize, (slot + 1) * data.batchSize));
      if (all.length < (i + 1) * n) {
        const grown = new Float64Array(all.length * 2);
        grown.set(all);
        all = grown;
      }
      for (let c = 0; c < n; c++) {
        const grads = networks[c].gradient(batches.x, batches.t);
        optimizers[c].update(networks[c].params, grads);
        all[i * n + c] = losses[slot * n + c] = networks[c].loss(batches.x, batches.t);
      }
      Atomics.store(control, DONE, i + 1);
      Atomics.notify(control, DONE);
    }
  } catch (e) {
    const bytes = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, ERROR_BYTES - 1);
    new Uint8Array(data.error).set(bytes);
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, DONE);
    // Not ready yet: the caller learns it from the exit and trains these networks itself.
  } finally {
    port.close();
  }
}
