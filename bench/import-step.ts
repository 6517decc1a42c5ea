/**
 * Fast by default, as a new user meets it: `import { SimpleConvNet, Adam } from 'scratchnet'` in a fresh
 * Node process and a training step (the book's Trainer step: batch 100 of real MNIST, gradient, Adam
 * update, the loss after it) — timed on the kernels the import chose, and, in a second fresh process,
 * with SCRATCHNET_KERNELS=typescript (the TypeScript reference kernels). Prints "RESULTS {json}".
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs } from './args.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The module body run in each fresh process: `steps` timed steps after one warm-up step; prints the median ms. */
const body = (steps: number, dtype: string) => `
import { SimpleConvNet, Adam, kernelBackend, loadMnistSplits, tensor } from './src/node.ts';
const { train } = loadMnistSplits();
const net = new SimpleConvNet({ seed: 1, dtype: '${dtype}' });
const opt = new Adam(0.001);
const x = tensor(new ${dtype === 'float32' ? 'Float32Array' : 'Float64Array'}(100 * 784), { shape: [100, 1, 28, 28], dtype: '${dtype}' });
train.copyImages(0, 100, x.data);
const t = [...train.labels.subarray(0, 100)];
const ms = [];
for (let i = 0; i <= ${steps}; i++) {
  const t0 = performance.now();
  opt.update(net.params, net.gradient(x, t));
  net.loss(x, t);
  if (i > 0) ms.push(performance.now() - t0);
}
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ kernels: kernelBackend(), medianStepMs: ms[ms.length >> 1] }));`;

function timeIn(env: Record<string, string>, steps: number, dtype: string): { kernels: string; medianStepMs: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body(steps, dtype)], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`import-step: the timed process failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const values = benchArgs(
    `node --import tsx bench/import-step.ts [--steps 8] [--dtype float32|float64]

A SimpleConvNet training step right after importing the package (fast kernels by default) and with
SCRATCHNET_KERNELS=typescript, each in a fresh process; prints "RESULTS {json}".`,
    { steps: { type: 'string', default: '8' }, dtype: { type: 'string', default: 'float32' } },
    { steps: 1 },
  );
  const dtype = values.dtype === 'float64' ? 'float64' : 'float32';
  const steps = Number(values.steps);
  const byDefault = timeIn({}, steps, dtype);
  const typescript = timeIn({ SCRATCHNET_KERNELS: 'typescript' }, steps, dtype);
  console.log(`RESULTS ${JSON.stringify({ dtype, steps, byDefault, typescript, speedup: typescript.medianStepMs / byDefault.medianStepMs })}`);
}
