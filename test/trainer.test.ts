import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random, Trainer, TwoLayerNet, loadMnistSplits, networkAccuracy, pyFloat, SGD, type Tensor } from '../src/node.ts';

const { train, test } = loadMnistSplits();
const trainSet = train.slice(0, 1000);
const testSet = test.slice(0, 500);

describe('Trainer (the book\'s common/trainer.py)', () => {
  it('runs the book\'s epoch logic and learns: int(epochs · iterPerEpoch) steps, an evaluation whenever iter % iterPerEpoch == 0', async () => {
    const net = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
    const trainer = new Trainer(net, trainSet, undefined, testSet, undefined, { epochs: 3, miniBatchSize: 100, optimizer: 'adam', optimizerParam: { lr: 0.005 }, seed: 2 });
    assert.equal(trainer.iterPerEpoch, 10);
    assert.equal(trainer.maxIter, 30);
    const epochs: number[] = [];
    assert.equal(await trainer.train({ onEpoch: (e) => epochs.push(e.iteration) }), 'completed');
    assert.deepEqual(epochs, [0, 10, 20]);
    assert.equal(trainer.trainLossList.length, 30);
    assert.equal(trainer.testAccList.length, 3);
    assert.ok(trainer.trainLossList[29] < trainer.trainLossList[0] - 0.5, `loss ${trainer.trainLossList[0]} → ${trainer.trainLossList[29]}`);
    assert.ok(trainer.finalTestAcc! > 0.6, `final test accuracy ${trainer.finalTestAcc}`);
    assert.equal(trainer.finalTestAcc, net.accuracy(...(testSet.toTensors() as [Tensor, Tensor])));
  });

  it('data as tensors (the book\'s arrays, one-hot or labels) trains exactly as the same data kept as bytes', async () => {
    const runs: number[][] = [];
    for (const form of ['bytes', 'labels', 'one-hot'] as const) {
      const net = new TwoLayerNet(784, 20, 10, 0.05, { seed: 3 });
      const [x, t] = trainSet.toTensors({ oneHotLabel: form === 'one-hot' });
      const [xt, tt] = testSet.toTensors({ oneHotLabel: form === 'one-hot' });
      const trainer =
        form === 'bytes'
          ? new Trainer(net, trainSet, undefined, testSet, undefined, { epochs: 1, optimizer: 'Adam', optimizerParam: { lr: 0.001 }, seed: 4 })
          : new Trainer(net, x, t, xt, tt, { epochs: 1, optimizer: 'Adam', optimizerParam: { lr: 0.001 }, seed: 4 });
      await trainer.train();
      runs.push([...trainer.trainLossList, ...trainer.testAccList, trainer.finalTestAcc!]);
    }
    assert.deepEqual(runs[1], runs[0]);
    // One-hot targets compute the same softmax gradient from dense rows: equal up to rounding.
    runs[2].forEach((v, i) => assert.ok(Math.abs(v - runs[0][i]) < 1e-9, `step ${i}: ${v} vs ${runs[0][i]}`));
  });

  it('prints the book\'s lines when verbose, evaluates on the first evaluateSampleNumPerEpoch samples', async () => {
    const lines: string[] = [];
    const net = new TwoLayerNet(784, 10, 10, 0.01, { seed: 5 });
    const trainer = new Trainer(net, trainSet, undefined, testSet, undefined, { epochs: 1, miniBatchSize: 500, evaluateSampleNumPerEpoch: 100, verbose: true, print: (l) => lines.push(l), optimizer: new SGD(0.1), rng: new Random(6) });
    await trainer.train();
    assert.equal(lines.length, 2 + 1 + 2);
    assert.match(lines[0], /^train loss:\d\.\d+$/);
    assert.match(lines[1], /^=== epoch:1, train acc:0\.\d+, test acc:0\.\d+ ===$/);
    assert.equal(lines[3], '=============== Final Test Accuracy ===============');
    // Measured on 100 samples: a whole number of hundredths (on all 1000 it would be thousandths).
    for (const acc of [trainer.trainAccList[0], trainer.testAccList[0]]) assert.ok(Math.abs(acc * 100 - Math.round(acc * 100)) < 1e-9, `${acc}`);
    assert.equal(networkAccuracy(net, trainSet, { limit: 100, batchSize: 7 }), networkAccuracy(net, trainSet, { limit: 100 }));
  });

  it('stops between steps on request, and on a loss that is not finite', async () => {
    const net = new TwoLayerNet(784, 10, 10, 0.01, { seed: 7 });
    const trainer = new Trainer(net, trainSet, undefined, testSet, undefined, { epochs: 5, seed: 8 });
    let n = 0;
    assert.equal(await trainer.train({ shouldStop: () => ++n > 4 }), 'stopped');
    assert.equal(trainer.trainLossList.length, 4);
    const wild = new Trainer(new TwoLayerNet(784, 10, 10, 1e3, { seed: 9 }), trainSet, undefined, testSet, undefined, { epochs: 5, optimizer: new SGD(1e300), seed: 10 });
    assert.equal(await wild.train(), 'diverged');
  });

  it('rejects bad settings and data that do not fit the network, naming what is wrong', () => {
    const net = new TwoLayerNet(784, 10, 10);
    assert.throws(() => new Trainer(net, trainSet, undefined, testSet, undefined, { miniBatchSize: 0 }), /Trainer: miniBatchSize must be an integer >= 1, got 0/);
    assert.throws(() => new Trainer(net, trainSet, undefined, testSet, undefined, { optimizer: 'rmsprpo' }), /rmsprpo/);
    assert.throws(() => new Trainer(new TwoLayerNet(100, 10, 10), trainSet, undefined, testSet, undefined), /Trainer: images of 784 pixels do not fit a network with 100 inputs/);
    assert.throws(() => new Trainer(net, trainSet.slice(0, 0), undefined, testSet, undefined), /Trainer: the training set is empty/);
  });

  it('pyFloat prints as Python\'s str(float)', () => {
    assert.deepEqual([0.1, 1, 1e-5, 1.5e-7, 2.5e16, 123.456, -0, NaN, Infinity, 0.0001].map(pyFloat), ['0.1', '1.0', '1e-05', '1.5e-07', '2.5e+16', '123.456', '-0.0', 'nan', 'inf', '0.0001']);
  });
});
