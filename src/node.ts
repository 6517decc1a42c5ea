/**
 * The package root in Node: everything from the browser-safe entry, plus loading MNIST from disk — and
 * the fast kernels from the start: importing it switches to the WASM SIMD kernels, with a helper thread
 * for the large products where the machine has two cores or more (the thread never keeps the process
 * alive). `useTypeScriptKernels()` goes back to the TypeScript reference kernels; so does the environment
 * variable SCRATCHNET_KERNELS=typescript, before the import. `kernelBackend()` tells which are in use.
 */
import { availableParallelism } from 'node:os';
import { useWasmKernels } from './kernels/wasm/index.ts';
import { createNodeHelper } from './kernels/wasm/node-helper.ts';

export * from './index.ts';
export { loadMnist, loadMnistSplit, loadMnistSplits, defaultMnistDir, readIdxFile } from './data/load-mnist.ts';
export type { MnistDirOptions } from './data/load-mnist.ts';
export { saveModel, loadModel } from './io/model-file.ts';
export { saveNetwork, loadNetwork, loadParamsInto, readNetworkFile } from './io/network-file.ts';
export type { SaveNetworkOptions } from './io/network-file.ts';
export { loadPickleFile, MAX_PICKLE_FILE_BYTES } from './io/pickle-file.ts';
export { writeFileAtomic } from './io/atomic.ts';
export { renderSvg, svgToPng, writePlot } from './plot/render.ts';
export { useWasmKernels, useTypeScriptKernels, kernelBackend, wasmSimdSupported, relaxedSimdSupported, initKernels, stopKernelThreads } from './kernels/wasm/index.ts';
export { createNodeHelper } from './kernels/wasm/node-helper.ts';

// Before any network exists, so that parameters and buffers are placed on the WASM heap.
if (process.env.SCRATCHNET_KERNELS !== 'typescript') useWasmKernels(availableParallelism() >= 2 ? { helper: createNodeHelper } : {});
