/**
 * A network trained in ScratchNet, saved with `saveParams('x.pkl')` in the book's layout, loads in the
 * book's Python (`pickle.load` as `load_params` does) and predicts the same scores: checked against an
 * independent NumPy forward pass of the book's SimpleConvNet and DeepConvNet
 * (test/fixtures/book_params_oracle.py) on real MNIST test images.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Adam, DeepConvNet, loadMnistSplits, loadNpy, saveNetwork, saveNpy, SimpleConvNet, Tensor, type Network } from '../src/node.ts';

const ORACLE = fileURLToPath(new URL('./fixtures/book_params_oracle.py', import.meta.url));
const TORCH = fileURLToPath(new URL('./fixtures/torch_simple_convnet.py', import.meta.url));
const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const NO_NUMPY = python.status === 0 ? false : 'python3 with NumPy not found: the book-layout checks against NumPy are skipped';
const dir = mkdtempSync(join(tmpdir(), 'scratchnet-bookpkl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function images(start: number, n: number): Tensor {
  const data = new Float64Array(n * 784);
  loadMnistSplits().test.copyImages(start, n, data);
  return new Tensor(data, [n, 1, 28, 28]);
}

/** A few Adam steps on real images, so the weights are trained ones, not the initial draw. */
function trainFew(net: Network, steps: number): void {
  const { train } = loadMnistSplits();
  const opt = new Adam(0.001);
  for (let s = 0; s < steps; s++) {
    const data = new Float64Array(8 * 784);
    train.copyImages(s * 8, 8, data);
    opt.update(net.params as Record<string, Tensor>, net.gradient(new Tensor(data, [8, 1, 28, 28]), Array.from(train.labels.subarray(s * 8, s * 8 + 8))) as Record<string, Tensor>);
  }
}

describe("the book's params.pkl, written by ScratchNet, read by the book's Python", { skip: NO_NUMPY }, () => {
  for (const [kind, make, steps, n] of [
    ['simple', () => new SimpleConvNet({ seed: 11 }), 4, 10],
    ['deep', () => new DeepConvNet({ seed: 12 }), 1, 4],
  ] as const) {
    it(`${kind === 'simple' ? 'SimpleConvNet' : 'DeepConvNet'}: pickle.load + the book's predict give ScratchNet's scores (float64, 1e-9 relative)`, () => {
      const net = make();
      trainFew(net, steps);
      const pkl = join(dir, `${kind}.pkl`);
      net.saveParams(pkl);
      const x = images(200, n);
      saveNpy(join(dir, `${kind}-x.npy`), x);
      const r = spawnSync('python3', ['-W', 'error', ORACLE, kind, pkl, join(dir, `${kind}-x.npy`), join(dir, `${kind}-scores.npy`)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const theirs = loadNpy(join(dir, `${kind}-scores.npy`));
      const ours = net.predict(x, false);
      assert.deepEqual(theirs.shape, [n, 10]);
      let worst = 0;
      for (let i = 0; i < ours.size; i++) {
        const a = ours.data[i];
        const b = (theirs.data as Float64Array)[i];
        worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12));
      }
      assert.ok(worst < 1e-9, `max relative difference ${worst}`);
    });
  }
});

/** A Python with PyTorch: Debian's python3-torch installs for /usr/bin/python3 (the PATH's python3 may be another). */
const torchPython = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0);

describe("PyTorch loads a SimpleConvNet from .safetensors as the README shows", { skip: torchPython === undefined ? 'no python3 with PyTorch here (Debian: apt-get install python3-torch): the PyTorch check is skipped' : false }, () => {
  it('an nn.Sequential with the transposed Affine weights gives ScratchNet\'s scores (float64)', () => {
    const net = new SimpleConvNet({ seed: 13 });
    trainFew(net, 3);
    saveNetwork(join(dir, 'torch.safetensors'), net);
    const x = images(300, 10);
    saveNpy(join(dir, 'torch-x.npy'), x);
    const r = spawnSync(torchPython!, ['-W', 'error', TORCH, join(dir, 'torch.safetensors'), join(dir, 'torch-x.npy'), join(dir, 'torch-scores.npy')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const theirs = loadNpy(join(dir, 'torch-scores.npy')).data as Float64Array;
    const ours = net.predict(x, false).data;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(ours[i]), Math.abs(theirs[i]), 1e-12));
    assert.ok(worst < 1e-9, `max relative difference ${worst}`);
  });
});
