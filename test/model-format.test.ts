import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PARAM_KEYS, TwoLayerNet, loadModel, parseModel, randn, saveModel, serializeModel, writeFileAtomic } from '../src/node.ts';

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('model format', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`round-trips a ${dtype} TwoLayerNet bit for bit (JSON.stringify, TwoLayerNet.load, saveModel/loadModel)`, () => {
      const net = new TwoLayerNet(20, 7, 4, 0.5, { seed: 3, dtype });
      net.params.b1.data.set(randn([7], { seed: 4 }).data);
      const viaJson = TwoLayerNet.load(JSON.stringify(net));
      const path = join(dir, `m-${dtype}.json`);
      saveModel(path, net, { note: 'test' });
      const viaFile = loadModel(path);
      for (const copy of [viaJson, viaFile]) {
        assert.equal(copy.dtype, dtype);
        for (const key of PARAM_KEYS) assert.deepEqual([...copy.params[key].data], [...net.params[key].data], key);
      }
      const x = randn([5, 20], { seed: 5, dtype });
      assert.deepEqual([...viaFile.predict(x).data], [...net.predict(x).data]);
      assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { meta: { note: string } }).meta.note, 'test');
    });
  }

  it('names the source in every error', () => {
    assert.throws(() => parseModel('{', 'my.json'), /^Error: my\.json: not valid JSON/);
    assert.throws(() => TwoLayerNet.load([1, 2], 'arr.json'), /arr\.json: not a model document/);
    const doc = JSON.parse(serializeModel(new TwoLayerNet(3, 2, 2, 0.1, { seed: 1 }))) as { config: { inputSize: number } };
    doc.config.inputSize = 4;
    assert.throws(() => parseModel(doc, 'resized.json'), /resized\.json: W1 has shape \[3,2\], expected \[4, 2\] for TwoLayerNet\(inputSize 4, hiddenSize 2, outputSize 2, weightInitStd 0\.1\)/);
    assert.throws(() => loadModel(join(dir, 'absent.json')), /absent\.json: no such model file/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temp file behind', () => {
    const path = join(dir, 'out', 'a.txt');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, new TextEncoder().encode('second'));
    assert.equal(readFileSync(path, 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(dir, 'out')), ['a.txt']);
  });

  it('on failure keeps the old file and cleans up', () => {
    const target = join(dir, 'keep');
    mkdirSync(target);
    writeFileSync(join(target, 'x'), 'old');
    // Renaming a file over a non-empty directory fails after the temp file was written.
    assert.throws(() => writeFileAtomic(target, 'new'));
    assert.equal(readFileSync(join(target, 'x'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  });
});
