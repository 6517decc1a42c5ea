/**
 * Node-only: the kernel helper thread (worker_threads) on a shared WASM memory. The thread's code is a
 * small inline script that instantiates the shared-memory build of the kernels on the main thread's
 * memory; the module and the protocol come in `workerData`, so it runs the same from src/ and dist/.
 */
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { gracefulExit } from '../../internal/workers.ts';
import { KERNELS_RELAXED_SHARED_WASM_BASE64, KERNELS_SHARED_WASM_BASE64 } from './binary-shared.ts';
import { registerSharedBuilds, wasmBytes } from './index.ts';
import { ARG_COUNT, CONTROL_BYTES, CONTROL_INTS, DONE, HELPER_OPS, OP, OP_SHUTDOWN, READY, SEQ, type KernelHelper } from './helper-protocol.ts';

// Relaxed SIMD shipped in V8 11.4; Node 20's V8 (11.3) has it behind a flag, which must be set before
// the kernels are compiled (here, at import: Node's entry points import this module before creating
// them). SCRATCHNET_RELAXED_SIMD=0 keeps the plain build. See relaxedSimdSupported in index.ts.
const [v8Major, v8Minor] = process.versions.v8.split('.').map(Number);
if (process.env.SCRATCHNET_RELAXED_SIMD !== '0' && (v8Major < 11 || (v8Major === 11 && v8Minor < 4))) {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

registerSharedBuilds({ plain: KERNELS_SHARED_WASM_BASE64, relaxed: KERNELS_RELAXED_SHARED_WASM_BASE64 });

const HELPER_SCRIPT = `
const { workerData } = require('node:worker_threads');
const { memory, shared, bytes, names, at } = workerData;
const control = new Int32Array(shared, 0, at.CONTROL_INTS);
const args = new Float64Array(shared, at.CONTROL_INTS * 4, at.ARG_COUNT);
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
  env: { memory, abort: () => { throw new Error('wasm kernel aborted'); } },
});
const ops = names.map((name) => instance.exports[name]);
Atomics.store(control, at.READY, 1);
// From 0, the count before any task: a shutdown posted while this thread was starting is seen at once.
let last = 0;
// The task being run: a kernel that throws ends this thread, and a task waiting on it is told (below).
let op = -1;
function serve() {
  for (;;) {
    // Tasks come in bursts (a training step is ~1 ms): spin a little before sleeping.
    let spins = 0;
    while (Atomics.load(control, at.SEQ) === last) {
      if (++spins > 20000) { Atomics.wait(control, at.SEQ, last, 200); spins = 0; }
    }
    last = Atomics.load(control, at.SEQ);
    op = Atomics.load(control, at.OP);
    if (op === at.SHUTDOWN) return;
    ops[op](args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11]);
    Atomics.store(control, at.DONE, last);
    Atomics.notify(control, at.DONE);
  }
}
// The try is around the loop, not in it: one inside cost 3 % of a DeepConvNet float64 step (many tasks a step).
try {
  serve();
} catch (e) {
  // A task that waits on this one (keptFirst: its sync block, the last argument) must not wait for ever.
  if (op >= 0 && names[op].startsWith('keptFirst')) Atomics.store(new Int32Array(memory.buffer), (args[11] >> 2) + 1, 1);
  throw e;
}
`;

/** The helper thread on `memory`, running the same build as the caller (relaxed SIMD or plain). */
export function createNodeHelper(memory: WebAssembly.Memory, relaxed = false): KernelHelper {
  const shared = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(shared, 0, CONTROL_INTS);
  const taskArgs = new Float64Array(shared, CONTROL_INTS * 4, ARG_COUNT);
  const worker = new Worker(HELPER_SCRIPT, {
    eval: true,
    workerData: { memory, shared, bytes: wasmBytes(true, relaxed), names: [...HELPER_OPS], at: { SEQ, DONE, OP, READY, SHUTDOWN: OP_SHUTDOWN, CONTROL_INTS, ARG_COUNT } },
  });
  // The helper never keeps the process alive; it dies with it.
  worker.unref();
  let failure: Error | undefined;
  worker.on('error', (e) => {
    failure = e;
  });
  let seq = 0;
  return {
    ready: () => failure === undefined && Atomics.load(control, READY) === 1,
    start(op, args) {
      Atomics.store(control, OP, op);
      for (let i = 0; i < args.length; i++) taskArgs[i] = args[i];
      Atomics.store(control, SEQ, ++seq);
      Atomics.notify(control, SEQ);
    },
    join() {
      let spins = 0;
      while (Atomics.load(control, DONE) !== seq) {
        if (failure) throw new Error(`kernel helper thread failed: ${failure.message}`);
        if (++spins > 2000) Atomics.wait(control, DONE, Atomics.load(control, DONE), 1);
      }
    },
    done() {
      if (failure) throw new Error(`kernel helper thread failed: ${failure.message}`);
      return Atomics.load(control, DONE) === seq;
    },
    close() {
      // The thread leaves its loop and ends by itself (see gracefulExit).
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      Atomics.store(control, OP, OP_SHUTDOWN);
      Atomics.store(control, SEQ, ++seq);
      Atomics.notify(control, SEQ);
      return gracefulExit(worker, exited);
    },
  };
}

