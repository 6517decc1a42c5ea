/**
 * The package root in Node: everything from the browser-safe entry, plus loading MNIST from disk.
 */
export * from './index.ts';
export { loadMnist, loadMnistSplits, defaultMnistDir, readIdxFile } from './data/load-mnist.ts';
export type { MnistDirOptions } from './data/load-mnist.ts';
export { saveModel, loadModel } from './io/model-file.ts';
export { saveNetwork, loadNetwork, loadParamsInto, readNetworkFile } from './io/network-file.ts';
export type { SaveNetworkOptions } from './io/network-file.ts';
export { loadPickleFile, MAX_PICKLE_FILE_BYTES } from './io/pickle-file.ts';
export { writeFileAtomic } from './io/atomic.ts';
export { renderSvg, svgToPng, writePlot } from './plot/render.ts';
export { useWasmKernels, useTypeScriptKernels, kernelBackend, wasmSimdSupported } from './kernels/wasm/index.ts';
export { createNodeHelper } from './kernels/wasm/node-helper.ts';
