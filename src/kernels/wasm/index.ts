/**
 * WASM SIMD kernels behind the signatures of the TypeScript ones (`referenceKernels`). Browser-safe:
 * the module is embedded (`binary.ts`), so no file or fetch is needed.
 *
 * Arrays living on the WASM heap are passed by address (zero-copy); others are copied through scratch
 * memory, so every call is correct, and the hot paths — layer buffers, parameters, batches and the MNIST
 * bytes, which `useWasmKernels()` moves onto the heap — cost no copies. Mixed dtypes fall back to
 * TypeScript. With a helper thread (Node), large products, batch gathers and predictions are split by
 * rows between the threads — each row computed exactly as on one thread — and whole evaluations can run
 * on the helper while the caller trains (`predictTwoLayerAsync`).
 *
 * Nothing lost, nothing poisoned: a kernel that cannot get the heap memory it needs (scratch, index
 * lists, copies) runs the TypeScript reference kernel instead — the same results, slower — and a failed
 * allocation or kernel call leaves the heap and every scratch slot as usable as before. The products that
 * skip zeros of A check B once per call and leave a B holding NaN or ±Infinity to the reference, which
 * then multiplies densely: 0·Inf is NaN, as in NumPy.
 */
import { referenceKernels, setBufferAllocator, useKernels, type Kernels } from '../index.ts';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './binary.ts';
import type { KernelHelper } from './helper-protocol.ts';
import { WasmHeap } from './heap.ts';
import { createContext, helperOp, type Exports } from './context.ts';
import { createConvKernels } from './conv.ts';
import { createGatherKernels } from './gather.ts';
import { createGemmKernels } from './gemm.ts';
import { createPredictKernels } from './predict.ts';
import { bindTable } from './table.ts';

/**
 * 64 KiB pages: 4096 = 256 MiB of address space, committed only as it is touched. The shared-memory
 * build declares the same maximum (scripts/build-wasm.ts: --maximumMemory 4096): change both together.
 */
const PAGES = 4096;

/** The shared-memory builds (base64), registered by node-helper.ts: only the Node helper thread needs them. */
let sharedBuilds: { plain: string; relaxed: string } | undefined;

/** Called by node-helper.ts with binary-shared.ts's builds (a page's bundle then does not carry them). */
export function registerSharedBuilds(builds: { plain: string; relaxed: string }): void {
  sharedBuilds = builds;
}

/** The module's bytes: for a shared memory (the Node helper thread) or not; with relaxed SIMD or plain. */
export function wasmBytes(shared = false, relaxed = false): Uint8Array {
  if (shared && !sharedBuilds) throw new Error('WASM kernels: the shared-memory build comes with the Node helper thread (import createNodeHelper from node-helper.ts)');
  const bin = atob(shared ? (relaxed ? sharedBuilds!.relaxed : sharedBuilds!.plain) : relaxed ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** True when this JavaScript engine can run WASM SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes() as BufferSource);
  } catch {
    return false;
  }
}

let relaxedSupport: boolean | undefined;

/**
 * True when this engine runs relaxed SIMD (Chromium; Node 20 once `--experimental-wasm-relaxed-simd` is
 * set, which importing ScratchNet in Node does unless SCRATCHNET_RELAXED_SIMD=0). The kernels then use the
 * relaxed build, whose float32 products and convolutions fuse each multiply-add (one rounding instead of
 * two: equal to the plain build within rounding, ~1.8× faster on a convolution's filter gradient here);
 * float64 is the same bits in both builds. Decided once, on the first call.
 */
export function relaxedSimdSupported(): boolean {
  // The opt-out, where there is an environment (Node); browsers have none.
  if ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SCRATCHNET_RELAXED_SIMD === '0') return false;
  if (relaxedSupport === undefined) {
    try {
      relaxedSupport = typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes(false, true) as BufferSource);
    } catch {
      relaxedSupport = false;
    }
  }
  return relaxedSupport;
}

export interface WasmKernels {
  heap: WasmHeap;
  /** True when a helper thread exists and is taking half of the large products. */
  helperReady: () => boolean;
  /** Stops the helper thread (resolves once it is gone); products are then computed here, with the same arithmetic. */
  stopHelper: () => Promise<void>;
  /** The kernels, with the signatures of `referenceKernels`. */
  kernels: Pick<
    Kernels,
    | 'gemm' | 'axpy' | 'bytesToFloat' | 'gatherRows' | 'reluForward' | 'reluBackward' | 'addRowVector' | 'sumRows' | 'softmaxRows' | 'sigmoid' | 'predictTwoLayer' | 'predictTwoLayerAsync' | 'keepRows'
    | 'momentumUpdate' | 'nesterovUpdate' | 'adaGradUpdate' | 'rmspropUpdate' | 'adamUpdate'
    | 'batchNormForwardTrain' | 'batchNormForwardTest' | 'batchNormBackwardTrain' | 'batchNormBackwardTest' | 'applyMask'
    | 'im2col' | 'col2im' | 'col2imT' | 'addChannelBias' | 'sumChannels' | 'maxPoolForward' | 'maxPoolBackward' | 'convForward' | 'convReluPoolForward' | 'convPoolBackwardParams' | 'convPoolBackwardData' | 'convBackwardFilter' | 'convBackwardData'
  >;
}

export interface WasmKernelOptions {
  /**
   * Starts a second thread on the (then shared) memory that computes half of each large kernel call
   * (products, convolutions, long elementwise kernels; Node: `createNodeHelper`). Results do not depend
   * on whether or when the thread is ready.
   */
  helper?: (memory: WebAssembly.Memory, relaxed: boolean) => KernelHelper;
  /** The relaxed-SIMD build (default: where the engine has it, `relaxedSimdSupported()`), or the plain one. */
  relaxed?: boolean;
}

/** The kernels' memory and the module instantiated on it (the relaxed build or not). */
interface Prepared {
  memory: WebAssembly.Memory;
  instance: WebAssembly.Instance;
  relaxed: boolean;
}

function newMemory(shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared } as WebAssembly.MemoryDescriptor);
}

const imports = (memory: WebAssembly.Memory) => ({ env: { memory, abort: () => { throw new Error('wasm kernel aborted'); } } });

/** Compiles and instantiates the module synchronously (Node, Workers: it is ~30 KB). */
function prepare(shared: boolean, relaxed: boolean): Prepared {
  const memory = newMemory(shared);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes(shared, relaxed) as BufferSource), imports(memory));
  return { memory, instance, relaxed };
}

/**
 * Instantiates the module (synchronously unless `prepared` was compiled asynchronously — a browser's
 * main thread allows only that) and builds kernel wrappers around it.
 */
export function createWasmKernels(options: WasmKernelOptions = {}, prepared?: Prepared): WasmKernels {
  const { memory, instance, relaxed } = prepared ?? prepare(options.helper !== undefined, options.relaxed ?? relaxedSimdSupported());
  const x = instance.exports as unknown as Exports;
  const heap = new WasmHeap(memory, x.heapBase());
  const helper = options.helper?.(memory, relaxed);
  const ctx = createContext(x, heap, helper, relaxed);
  const { forget } = ctx;
  // The one-call kernels: a table of descriptors (table.ts); the others, one file per family.
  const table = bindTable({ exports: x as unknown as Record<string, unknown>, heap, forget, reference: referenceKernels, freeHelper: ctx.freeHelper, ownedSplit: ctx.ownedSplit, helperOp });
  const { gemm, keepRows } = createGemmKernels(ctx);
  const gather = createGatherKernels(ctx, table.bytesToFloat);
  const predict = createPredictKernels(ctx);
  const conv = createConvKernels({ exports: x, heap, freeHelper: ctx.freeHelper, helperOp, setArgs: ctx.setArgs, gemm, reluForward: table.reluForward, forget, onHeap: ctx.onHeap });

  return {
    heap,
    helperReady: () => !ctx.helperStopped && (helper?.ready() ?? false),
    stopHelper: () => {
      const closed = helper && !ctx.helperStopped ? helper.close() : Promise.resolve();
      ctx.helperStopped = true;
      return closed;
    },
    kernels: { gemm, keepRows, ...gather, ...predict, ...table, ...conv },
  };
}

let active: { restore: () => void; heap: WasmHeap; threads: number; stopHelper: () => Promise<void>; helperReady: () => boolean } | undefined;

/**
 * Switches ScratchNet to the WASM SIMD kernels and puts long-lived buffers (layer outputs, parameters,
 * batches) on the WASM heap. Returns false (and changes nothing) where WASM SIMD is unavailable.
 * Call it before creating networks so their parameters live on the heap too. In Node, pass
 * `{ helper: createNodeHelper }` to use a second thread for large products.
 */
export function useWasmKernels(options: WasmKernelOptions = {}): boolean {
  const threads = options.helper ? 2 : 1;
  if (active?.threads === threads) return true;
  if (!wasmSimdSupported()) return false;
  // Active with another number of threads (the package's default, then a benchmark's one thread): a new
  // backend. Buffers already on the old heap stay valid; the new kernels copy them (correct, slower).
  if (active) useTypeScriptKernels();
  activate(createWasmKernels(options), threads);
  return true;
}

/**
 * `useWasmKernels` for a browser's main thread, which may not compile a module of this size
 * synchronously: compiles it asynchronously, then switches. Resolves to the backend in use.
 *
 * @example
 * import { initKernels, SimpleConvNet } from 'scratchnet/browser';
 * await initKernels(); // 'wasm-simd' (or 'typescript' where WASM SIMD is missing)
 * const net = new SimpleConvNet({ seed: 1 }); // its buffers on the WASM heap
 */
export async function initKernels(): Promise<'wasm-simd' | 'typescript'> {
  if (active || !wasmSimdSupported()) return kernelBackend();
  const memory = newMemory(false);
  const relaxed = relaxedSimdSupported();
  const { instance } = await WebAssembly.instantiate(wasmBytes(false, relaxed) as BufferSource, imports(memory));
  // Another call may have switched while this one compiled.
  if (!active) activate(createWasmKernels({}, { memory, instance, relaxed }), 1);
  return kernelBackend();
}

function activate({ heap, kernels, stopHelper, helperReady }: WasmKernels, threads: number): void {
  const restoreKernels = useKernels(kernels);
  const restoreAllocator = setBufferAllocator((kind, length) => heap.allocateKind(kind, length));
  active = {
    heap,
    threads,
    stopHelper,
    helperReady,
    restore: () => {
      void stopHelper();
      restoreKernels();
      restoreAllocator();
    },
  };
}

/** True once the active backend's helper thread (if any) has started and takes work. */
export function kernelThreadReady(): boolean {
  return active?.helperReady() ?? false;
}

/** Stops the active backend's helper thread, if any (e.g. when the heavy work is done); resolves once it is gone. */
export function stopKernelThreads(): Promise<void> {
  return active?.stopHelper() ?? Promise.resolve();
}

/**
 * Back to the TypeScript kernels. Existing heap buffers stay valid while referenced; once nothing
 * references them (nor a helper thread the memory), the whole WASM memory — with the MNIST images
 * `loadMnist` read into it — is garbage and returned to the system.
 */
export function useTypeScriptKernels(): void {
  active?.restore();
  active = undefined;
}

/** The heap of the active WASM backend, if any. */
export function activeWasmHeap(): WasmHeap | undefined {
  return active?.heap;
}

/** Which kernels are in use. */
export function kernelBackend(): 'wasm-simd' | 'typescript' {
  return active ? 'wasm-simd' : 'typescript';
}
