/**
 * The second training thread of the chapter-6 comparisons (src/cli/ch06/compare-thread.ts), against the
 * same network trained here: the same losses and weights bit for bit (every product gives the same bits
 * on one thread as split), a failure on the thread reported with its cause and the kernels here still
 * usable, and no thread where the images are not in shared memory.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BatchDrawer } from '../src/cli/ch06/batches.ts';
import { bootCompareThread, startCompareThread } from '../src/cli/ch06/compare-thread.ts';
import { selectKernels } from '../src/cli/options.ts';
import { loadMnistSplits } from '../src/data/load-mnist.ts';
import { MnistSplit } from '../src/data/mnist.ts';
import { kernels } from '../src/kernels/index.ts';
import { stopKernelThreads, useTypeScriptKernels } from '../src/kernels/wasm/index.ts';
import { MultiLayerNet } from '../src/nets/multi-layer-net.ts';
import { createOptimizer } from '../src/optimizers/index.ts';
import { Random } from '../src/tensor/random.ts';

describe('the comparisons\' second training thread', () => {
  // Two threads of WASM kernels: the images are read into their shared memory.
  selectKernels('wasm', '2');
  const { train } = loadMnistSplits();
  after(async () => {
    await stopKernelThreads();
    useTypeScriptKernels();
  });

  const pair = (seed: number) => {
    const make = () => new MultiLayerNet({ inputSize: 784, hiddenSizeList: [30, 20], outputSize: 10, rng: new Random(seed) });
    return [make(), make()];
  };

  it('trains its networks as this thread would, loss for loss and weight for weight, and gives the weights and losses back', async () => {
    const [there, here] = pair(3);
    const adam = createOptimizer('adam');
    const thread = await startCompareThread(train, [{ network: there, optimizer: { name: adam.name, param: adam.toJSON() } }], 8);
    assert.ok(thread, 'the thread started');
    const rng = new Random(9);
    const batches = new BatchDrawer(train, 8, rng);
    const mine = createOptimizer('adam');
    const expected: number[] = [];
    // More batches than the shared rings hold (64): slots are reused.
    const steps = 70;
    for (let i = 0; i < steps; i++) {
      batches.draw();
      await thread.publish(i, batches.mask);
      const grads = here.gradient(batches.x, batches.t);
      mine.update(here.params, grads);
      expected.push(here.loss(batches.x, batches.t));
      if (i % 10 === 0) assert.ok(Object.is((await thread.lossesAt(i))[0], expected[i]), `loss ${i}`);
    }
    assert.deepEqual([...(await thread.finish(steps))], expected, 'every loss');
    for (const [key, t] of Object.entries(here.params)) assert.deepEqual(there.params[key].data, t.data, `${key} after ${steps} steps`);
  });

  it('reports a failure on the thread with its cause, and leaves the kernels here usable', async () => {
    const [there] = pair(4);
    const sgd = createOptimizer('sgd');
    const thread = await startCompareThread(train, [{ network: there, optimizer: { name: sgd.name, param: sgd.toJSON() } }], 4);
    assert.ok(thread, 'the thread started');
    await thread.publish(0, Uint32Array.of(0, 1, 2, 3));
    await thread.lossesAt(0);
    // An image that is not there: the thread's gather throws.
    await thread.publish(1, Uint32Array.of(0, 1, train.count + 5, 3));
    await assert.rejects(thread.lossesAt(1), /the second training thread failed: MnistSplit\.gatherImages: index 60005 is out of range/);
    await thread.abandon();
    const c = new Float64Array(4);
    kernels.gemm(false, false, 2, 2, 2, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), c);
    assert.deepEqual([...c], [19, 22, 43, 50]);
  });

  it('starts no thread for images outside shared memory (the caller then trains them itself)', async () => {
    const [there] = pair(5);
    const copy = new MnistSplit(train.images.slice(0, 784 * 10), train.labels.slice(0, 10), 28, 28);
    const sgd = createOptimizer('sgd');
    const contestants = [{ network: there, optimizer: { name: sgd.name, param: sgd.toJSON() } }];
    assert.equal(await startCompareThread(copy, contestants, 2), undefined);
    // A booted thread given such images ends, and cannot be started again.
    const boot = bootCompareThread();
    assert.ok(boot, 'the thread booted');
    assert.equal(await boot.start(copy, contestants, 2), undefined);
    await assert.rejects(boot.start(train, contestants, 2), /already started or abandoned/);
  });

  it('a booted thread ends when abandoned (at once or while still loading), and is then not started', async () => {
    for (const wait of [0, 1500]) {
      const boot = bootCompareThread();
      assert.ok(boot, 'the thread booted');
      await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      await boot.abandon();
      // Ended by itself (gracefulExit would terminate it only after 10 s).
      assert.ok(performance.now() - t0 < 9000, `abandon took ${(performance.now() - t0).toFixed(0)} ms`);
      const [there] = pair(6);
      const sgd = createOptimizer('sgd');
      await assert.rejects(boot.start(train, [{ network: there, optimizer: { name: sgd.name, param: sgd.toJSON() } }], 2), /already started or abandoned/);
      await boot.abandon();
    }
  });
});
