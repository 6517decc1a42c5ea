/**
 * Chapter 6's training step, timed: MultiLayerNet 784-[100×4]-10 (ReLU, He init), batch 128, as the
 * book's ch06/optimizer_compare_mnist.py runs it — gradient, update, loss after the update — with SGD,
 * Momentum, AdaGrad and Adam, on the WASM kernels (2 threads unless --threads 1), float64 and float32.
 * With --profile, also the time of each kernel (wrappers around the active kernel set, one step at a time).
 *
 *   npx tsx bench/ch06/kernels.ts [--steps 300] [--threads 2] [--dtype float64|float32] [--profile] [--kernels ts]
 */
import { parseArgs } from 'node:util';
import { kernels, type Kernels } from '../../src/kernels/index.ts';
import { createNodeHelper } from '../../src/kernels/wasm/node-helper.ts';
import { useWasmKernels } from '../../src/kernels/wasm/index.ts';
import { loadMnistSplits } from '../../src/data/load-mnist.ts';
import { MultiLayerNet } from '../../src/nets/multi-layer-net.ts';
import { createOptimizer, type OptimizerName } from '../../src/optimizers/index.ts';
import { Random } from '../../src/tensor/random.ts';
import { bufferTensor } from '../../src/internal/buffers.ts';
import type { DType } from '../../src/tensor/tensor.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    threads: { type: 'string', default: '2' },
    dtype: { type: 'string' },
    kernels: { type: 'string', default: 'wasm' },
    profile: { type: 'boolean', default: false },
    optimizers: { type: 'string', default: 'SGD,Momentum,AdaGrad,Adam' },
  },
});
const steps = Number(values.steps);
if (values.kernels === 'wasm') {
  if (!useWasmKernels(values.threads === '2' ? { helper: createNodeHelper } : {})) throw new Error('no WASM SIMD');
}
const { train } = loadMnistSplits();
const batch = 128;
const optimizers = values.optimizers.split(',') as OptimizerName[];
const LR: Record<string, number> = { SGD: 0.01, Momentum: 0.01, AdaGrad: 0.01, Adam: 0.001, RMSprop: 0.01, Nesterov: 0.01 };

// Per-kernel timing: every kernel wrapped to add its time under its name (and the gemm shape).
const spent = new Map<string, number>();
if (values.profile) {
  const active = { ...kernels } as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(active)) {
    const fn = active[name];
    (kernels as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = fn(...args);
      let key = name;
      if (name === 'gemm') key = `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} m${args[2]} n${args[3]} k${args[4]}`;
      spent.set(key, (spent.get(key) ?? 0) + performance.now() - t0);
      return r;
    };
  }
}
void (undefined as unknown as Kernels);

await new Promise((r) => setTimeout(r, 300)); // let the helper thread start
const dtypes: DType[] = values.dtype ? [values.dtype as DType] : ['float64', 'float32'];
for (const dtype of dtypes) {
  const rng = new Random(1);
  const mask = new Uint32Array(batch);
  const x = bufferTensor([batch, 784], dtype);
  const t = new Float64Array(batch);
  const nets = optimizers.map((o, i) => ({
    name: o,
    net: new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100, 100, 100], outputSize: 10, dtype, seed: 10 + i }),
    opt: createOptimizer(o, { lr: LR[o] }),
    ms: 0,
  }));
  const run = (count: number, timed: boolean) => {
    for (let s = 0; s < count; s++) {
      rng.choice(train.count, batch, mask);
      train.gatherImages(mask, x.data);
      train.gatherLabels(mask, t);
      kernels.keepRows(x.data, batch, 784);
      for (const e of nets) {
        const t0 = performance.now();
        const grads = e.net.gradient(x, t);
        e.opt.update(e.net.params, grads);
        e.net.loss(x, t);
        if (timed) e.ms += performance.now() - t0;
      }
    }
  };
  run(50, false);
  spent.clear();
  const t0 = performance.now();
  run(steps, true);
  const total = performance.now() - t0;
  const per = nets.map((e) => `${e.name} ${(e.ms / steps).toFixed(3)}`).join('  ');
  console.log(`${dtype}: ${(total / steps).toFixed(3)} ms per iteration (4 nets incl. batch) | per net-step ms: ${per}`);
  if (values.profile) {
    const rows = [...spent.entries()].sort((a, b) => b[1] - a[1]);
    for (const [k, v] of rows) console.log(`  ${(v / steps).toFixed(4).padStart(8)} ms/it  ${k}`);
  }
}
process.exit(0);
