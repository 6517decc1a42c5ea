/**
 * Chapter 6's training step, timed: MultiLayerNet 784-[100×4]-10 (ReLU, He init), batch 128, as the
 * book's ch06/optimizer_compare_mnist.py runs it — gradient, update, loss after the update — with SGD,
 * Momentum, AdaGrad and Adam, on the WASM kernels (2 threads unless --threads 1), float64 and float32.
 * With --profile, also the time of each kernel (wrappers around the active kernel set, one step at a time).
 *
 * With --micro, each product and update of the step alone instead (µs per call, dense-equivalent GFLOP/s).
 *
 *   npx tsx bench/ch06/kernels.ts [--steps 300] [--threads 2] [--dtype float64|float32] [--profile] [--micro] [--kernels ts]
 *   python3 bench/ch06/numpy_step.py [steps] [float64|float32]      (the same step in NumPy)
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
    micro: { type: 'boolean', default: false },
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
  const active = { ...kernels } as unknown as Record<string, (...args: unknown[]) => unknown>;
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

if (values.micro) {
  // Each product of the step alone, on realistic operands: µs per call and dense-equivalent GFLOP/s.
  for (const dtype of (values.dtype ? [values.dtype] : ['float64', 'float32']) as DType[]) {
    const f32 = dtype === 'float32';
    const buf = (n: number, zeroShare = 0, seed = 1) => {
      const t = bufferTensor([n], dtype);
      let s = seed;
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const u = s / 2 ** 32;
        t.data[i] = u < zeroShare ? 0 : (u - 0.5) * 0.2;
      }
      return t.data;
    };
    const x = bufferTensor([batch, 784], dtype);
    const mask = new Random(3).choice(train.count, batch);
    train.gatherImages(mask, x.data);
    const [W1, W, h, d, d1, c1, c] = [buf(784 * 100), buf(100 * 100), buf(batch * 100, 0.5, 2), buf(batch * 100, 0.5, 3), buf(batch * 100, 0, 4), buf(784 * 100), buf(batch * 100)];
    const time = (what: string, flops: number, fn: () => void) => {
      for (let i = 0; i < 20; i++) fn();
      const reps = 200;
      const t0 = performance.now();
      const c0 = process.cpuUsage().user;
      for (let i = 0; i < reps; i++) fn();
      const ms = (performance.now() - t0) / reps;
      const cpu = (process.cpuUsage().user - c0) / 1000 / reps;
      console.log(`${dtype} ${what.padEnd(34)} ${(ms * 1000).toFixed(1).padStart(7)} µs (cpu ${(cpu * 1000).toFixed(1).padStart(7)} µs)  ${((2 * flops) / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s dense-equivalent`);
    };
    kernels.keepRows(x.data, batch, 784);
    time('x·W1 kept (128×784·784×100)', batch * 784 * 100, () => kernels.gemm(false, false, batch, 100, 784, x.data, W1, c));
    time('xᵀ·d kept (784×128·128×100)', batch * 784 * 100, () => kernels.gemm(true, false, 784, 100, batch, x.data, d1, c1));
    time('h·W (128×100·100×100, h ½ zeros)', batch * 100 * 100, () => kernels.gemm(false, false, batch, 100, 100, h, W, c));
    time('hᵀ·d (100×128·128×100)', batch * 100 * 100, () => kernels.gemm(true, false, 100, 100, batch, h, d, W));
    time('d·Wᵀ (128×100·(100×100)ᵀ, d ½ zeros)', batch * 100 * 100, () => kernels.gemm(false, true, batch, 100, 100, d, W, c));
    const n = 784 * 100;
    const [p, g, s1, s2] = [buf(n), buf(n), buf(n), buf(n)];
    for (let i = 0; i < n; i++) s2[i] = Math.abs(s2[i]);
    time('adamUpdate W1 (78 400)', n, () => kernels.adamUpdate(1e-9, 0.1, 0.001, s1, s2, g, p));
    time('adaGradUpdate W1', n, () => kernels.adaGradUpdate(1e-9, s2, g, p));
    time('momentumUpdate W1', n, () => kernels.momentumUpdate(1e-9, 0.9, s1, g, p));
    void f32;
  }
  process.exit(0);
}
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
  const c0 = process.cpuUsage();
  run(steps, true);
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const per = nets.map((e) => `${e.name} ${(e.ms / steps).toFixed(3)}`).join('  ');
  console.log(`${dtype}: ${(total / steps).toFixed(3)} ms per iteration (4 nets incl. batch; cpu ${((cpu.user + cpu.system) / 1000 / steps).toFixed(3)}, both threads) | per net-step ms: ${per}`);
  if (values.profile) {
    const rows = [...spent.entries()].sort((a, b) => b[1] - a[1]);
    for (const [k, v] of rows) console.log(`  ${(v / steps).toFixed(4).padStart(8)} ms/it  ${k}`);
  }
}
process.exit(0);
