import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MultiLayerNetExtend, PARAM_KEYS, SimpleConvNet, TwoLayerNet, loadModel, modelToDocument, parseModel, randn, restoreNetwork, saveModel, serializeModel, serializeModelChunks, writeFileAtomic } from '../src/node.ts';
import { modelContents } from '../src/io/model-format.ts';
import { networkKind } from '../src/nets/registry.ts';

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
    assert.throws(() => loadModel(join(dir, 'absent.json')), /absent\.json: no such file/);
  });

  it('writes version 2 (kind, config, params, state) and still reads version 1 files', () => {
    const net = new TwoLayerNet(3, 2, 2, 0.1, { seed: 1 });
    const doc = JSON.parse(serializeModel(net)) as Record<string, unknown>;
    assert.equal(doc.formatVersion, 2);
    assert.equal(doc.kind, 'TwoLayerNet');
    assert.deepEqual(doc.config, { inputSize: 3, hiddenSize: 2, outputSize: 2, weightInitStd: 0.1 });
    assert.deepEqual(doc.state, {});
    // The version-1 layout, as ScratchNet 0.1 wrote it.
    const v1 = { format: 'scratchnet-model', formatVersion: 1, kind: 'TwoLayerNet', dtype: 'float64', sizes: { inputSize: 3, hiddenSize: 2, outputSize: 2 }, params: doc.params };
    const old = parseModel(JSON.stringify(v1), 'v1.json');
    assert.equal(old.kind, 'TwoLayerNet');
    for (const key of PARAM_KEYS) assert.deepEqual([...old.params[key].data], [...net.params[key].data], key);
    assert.throws(() => parseModel({ ...v1, kind: 'Other' }, 'v1.json'), /v1\.json: unsupported kind "Other" in a version 1 file/);
    assert.throws(() => parseModel({ ...doc, kind: 'NoSuchNet' }, 'k.json'), /k\.json: unknown network kind "NoSuchNet" \(known: TwoLayerNet/);
    assert.throws(() => parseModel({ ...doc, formatVersion: 3 }, 'v3.json'), /v3\.json: unsupported formatVersion 3 \(this version reads 1 and 2\)/);
    assert.throws(() => parseModel({ ...doc, params: { ...(doc.params as object), W9: { shape: [1], data: [0] } } }, 'x.json'), /x\.json: unexpected parameter "W9" \(expected W1, b1, W2, b2\)/);
  });

  it('checks every value for the declared dtype and says what is wrong (issue 9, defect 7)', () => {
    const text = serializeModel(new TwoLayerNet(3, 2, 2, 0.1, { seed: 1, dtype: 'float32' }));
    // A float32 model holding 1e300: out of range for float32 (it would predict NaN).
    const big = text.replace(/"W1":\{"shape":\[3,2\],"data":\[[^,\]]+/, '"W1":{"shape":[3,2],"data":[1e300');
    assert.notEqual(big, text);
    assert.throws(() => parseModel(big, 'big.json'), /big\.json: W1\.data\[0\] = 1e\+300 is out of range for float32 \(the largest float32 is 3\.4028234663852886e\+38\)/);
    // The same value is fine in a float64 model.
    assert.doesNotThrow(() => parseModel(big.replace('"dtype":"float32"', '"dtype":"float64"'), 'big64.json'));
    // 1e999 parses to Infinity: said as such, not as "null".
    const inf = text.replace(/"W1":\{"shape":\[3,2\],"data":\[[^,\]]+/, '"W1":{"shape":[3,2],"data":[1e999');
    assert.throws(() => parseModel(inf, 'inf.json'), /inf\.json: W1\.data\[0\] is Infinity \(too large for a float64 number\), not a finite number/);
    const nul = text.replace(/"W1":\{"shape":\[3,2\],"data":\[[^,\]]+/, '"W1":{"shape":[3,2],"data":[null');
    assert.throws(() => parseModel(nul, 'null.json'), /null\.json: W1\.data\[0\] is null, not a number/);
    // A byte-order mark is not a truncated file: it is skipped.
    assert.equal(parseModel(`\ufeff${text}`, 'bom.json').kind, 'TwoLayerNet');
    assert.throws(() => parseModel('  \n', 'empty.json'), /empty\.json: the file is empty/);
  });
});

describe('modelContents (a network handed to another thread)', () => {
  it('builds, through restoreNetwork, the same network bit for bit — params and state, both dtypes — from copies', () => {
    const two = new TwoLayerNet(5, 3, 2, 0.1, { seed: 1, dtype: 'float32' });
    // Values a JSON document would not carry: -0, NaN, the extremes.
    two.params.W1.data.set([-0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
    const extend = new MultiLayerNetExtend({ inputSize: 4, hiddenSizeList: [3, 2], outputSize: 2, useBatchnorm: true, seed: 2 });
    // A state that is not the initial one (BatchNorm's running statistics after a training pass).
    extend.loss(randn([6, 4], { seed: 4 }), Float64Array.of(0, 1, 1, 0, 1, 0), true);
    const conv = new SimpleConvNet({ inputDim: [1, 6, 6], convParam: { filterNum: 2, filterSize: 3, pad: 0, stride: 1 }, hiddenSize: 4, outputSize: 3, seed: 3 });
    for (const net of [two, extend, conv]) {
      const contents = modelContents(net);
      const copy = restoreNetwork(contents, networkKind(net.kind));
      assert.equal(copy.dtype, net.dtype);
      for (const group of ['params', 'state'] as const) {
        assert.deepEqual(Object.keys(copy[group]), Object.keys(net[group]), `${net.kind} ${group}`);
        for (const [key, t] of Object.entries(net[group])) {
          assert.deepEqual([...copy[group][key].data].map(String), [...t.data].map(String), `${net.kind} ${group}.${key}`);
          // Copies: the contents share no memory with the network.
          assert.notEqual(contents[group][key].data, t.data);
        }
      }
    }
    assert.ok(Object.keys(extend.state).length > 0, 'a network with state was among them');
  });
});

describe('serializeModelChunks', () => {
  it('joined, is JSON.stringify of the model document, whatever the chunk size (-0, NaN, extremes, state, meta)', () => {
    const nets = [
      new TwoLayerNet(5, 3, 2, 0.1, { seed: 1, dtype: 'float32' }),
      new MultiLayerNetExtend({ inputSize: 4, hiddenSizeList: [3, 2], outputSize: 2, useBatchnorm: true, seed: 2 }),
      new SimpleConvNet({ inputDim: [1, 6, 6], convParam: { filterNum: 2, filterSize: 3, pad: 0, stride: 1 }, hiddenSize: 4, outputSize: 3, seed: 3 }),
    ];
    const w = nets[0].params.W1.data;
    w.set([-0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
    for (const net of nets) {
      for (const meta of [undefined, { note: 'x', n: [1, -0, 2.5] }]) {
        const expected = `${JSON.stringify(modelToDocument(net, meta))}\n`;
        assert.equal(serializeModel(net, meta), expected);
        for (const per of [1, 3, 7, 16384]) {
          const chunks = [...serializeModelChunks(net, meta, per)];
          assert.equal(chunks.join(''), expected, `${net.kind}, ${per} per chunk`);
          if (per === 1) assert.ok(chunks.length > Object.keys(net.params).length + 3, 'the numbers come in pieces');
        }
      }
    }
    assert.throws(() => [...serializeModelChunks(nets[0], undefined, 0)], /serializeModelChunks: numbersPerChunk must be an integer >= 1, got 0/);
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

  it('writes pieces of text one after another; a piece that throws leaves the old file and no temp file', () => {
    const path = join(dir, 'pieces', 'p.txt');
    writeFileAtomic(path, ['a', 'é', '', 'c\n']);
    assert.equal(readFileSync(path, 'utf8'), 'aéc\n');
    const failing = function* () {
      yield 'half';
      throw new Error('no more');
    };
    assert.throws(() => writeFileAtomic(path, failing()), /no more/);
    assert.equal(readFileSync(path, 'utf8'), 'aéc\n');
    assert.deepEqual(readdirSync(join(dir, 'pieces')), ['p.txt']);
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
