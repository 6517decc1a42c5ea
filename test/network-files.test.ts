/**
 * The one place that saves and loads networks (`io/network-format.ts`, `io/network-file.ts`): every kind
 * in every format, the kind identified from the arrays' shapes where a file names none, and clear errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  DeepConvNet,
  encodeNetwork,
  parseSafetensors,
  sniffFormat,
  identifyNetwork,
  loadNetwork,
  loadPickle,
  loadPickleFile,
  MultiLayerNet,
  MultiLayerNetExtend,
  parseModel,
  Random,
  readNetwork,
  saveNetwork,
  SimpleConvNet,
  Tensor,
  TwoLayerNet,
  type Network,
} from '../src/node.ts';
import { runCli } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'scratchnet-netfiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A batch of `n` inputs for `net`, values in [0, 1). */
function batch(net: Network, n: number, seed = 7): Tensor {
  const size = net.inputShape.reduce((a, b) => a * b, 1);
  const data = net.dtype === 'float32' ? new Float32Array(n * size) : new Float64Array(n * size);
  new Random(seed).fillUniform(data, 0, 1);
  return new Tensor(data, [n, ...net.inputShape]);
}

interface Case {
  name: string;
  make: () => Network;
}

const cases: Case[] = [
  { name: 'TwoLayerNet', make: () => new TwoLayerNet(784, 20, 10, 0.1, { seed: 1 }) },
  { name: 'MultiLayerNet (sigmoid)', make: () => new MultiLayerNet({ inputSize: 784, hiddenSizeList: [12, 11, 10], outputSize: 10, activation: 'sigmoid', seed: 2 }) },
  {
    name: 'MultiLayerNetExtend (BatchNorm + Dropout)',
    make: () => {
      const net = new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [16, 12], outputSize: 10, useBatchnorm: true, useDropout: true, dropoutRation: 0.2, seed: 3 });
      // Training-mode forwards move BatchNorm's running statistics away from their initial values.
      for (let i = 0; i < 3; i++) net.predict(batch(net, 8, 10 + i), true);
      return net;
    },
  },
  { name: 'SimpleConvNet (float32, own config)', make: () => new SimpleConvNet({ convParam: { filterNum: 6, filterSize: 3, pad: 0, stride: 1 }, hiddenSize: 20, dtype: 'float32', seed: 4 }) },
  { name: 'DeepConvNet', make: () => new DeepConvNet({ seed: 5 }) },
];

function assertSameParams(a: Network, b: Network, what: string): void {
  assert.deepEqual(Object.keys(b.params), Object.keys(a.params), `${what}: param names`);
  for (const key of Object.keys(a.params)) {
    assert.deepEqual(b.params[key].shape, a.params[key].shape, `${what}: ${key} shape`);
    assert.deepEqual(b.params[key].data, a.params[key].data, `${what}: ${key} values`);
  }
  assert.deepEqual(Object.keys(b.state), Object.keys(a.state), `${what}: state names`);
  for (const key of Object.keys(a.state)) assert.deepEqual(b.state[key].data, a.state[key].data, `${what}: ${key} values`);
}

describe('saveNetwork / loadNetwork: every kind, every format', () => {
  for (const c of cases) {
    it(`${c.name}: .json, .npz, .safetensors give back the same network (kind, config, dtype, params, state, scores)`, () => {
      const net = c.make();
      const x = batch(net, 3);
      const scores = Array.from(net.predict(x, false).data);
      for (const ext of ['json', 'npz', 'safetensors']) {
        const path = join(dir, `${net.kind}-${net.dtype}.${ext}`);
        saveNetwork(path, net);
        const back = loadNetwork(path);
        assert.equal(back.kind, net.kind, ext);
        assert.equal(back.dtype, net.dtype, ext);
        assert.deepEqual(back.config, net.config, ext);
        assertSameParams(net, back, ext);
        assert.deepEqual(Array.from(back.predict(x, false).data), scores, `${ext}: scores`);
      }
    });

    it(`${c.name}: .pkl (the book's layout) is identified by its shapes, and loadParams fills a network of the same config`, () => {
      const net = c.make();
      const path = join(dir, `${net.kind}.pkl`);
      (net as unknown as { saveParams(f: string): void }).saveParams(path);
      const arrays = loadPickleFile(path);
      assert.deepEqual(Object.keys(arrays), [...Object.keys(net.params), ...Object.keys(net.state)], 'the book\'s names, in order');
      const found = loadNetwork(path);
      assert.equal(found.kind, net.kind);
      assert.deepEqual(found.inputShape, net.inputShape);
      assertSameParams(net, found, 'pkl');
      const twin = c.make() as unknown as Network & { loadParams(f: string): void };
      // Scramble the twin, then load: every param and state comes back.
      for (const t of Object.values(twin.params)) t.data.fill(0.5);
      twin.loadParams(path);
      assertSameParams(net, twin, 'loadParams');
      const x = batch(net, 2);
      assert.deepEqual(Array.from(twin.predict(x, false).data), Array.from(net.predict(x, false).data));
    });
  }

  it('identifies each kind from shapes alone (no key-name guessing): registry order decides a 784-50-10 dict', () => {
    const two = new TwoLayerNet(784, 50, 10, 0.01, { seed: 1 });
    assert.deepEqual(identifyNetwork(two.params), { kind: 'TwoLayerNet', config: { inputSize: 784, hiddenSize: 50, outputSize: 10, weightInitStd: 0.01 } });
    const mln = new MultiLayerNet({ inputSize: 784, hiddenSizeList: [100, 100, 100], outputSize: 10, seed: 1 });
    assert.equal(identifyNetwork(mln.params).kind, 'MultiLayerNet');
    const bn = new MultiLayerNetExtend({ inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true, seed: 1 });
    assert.deepEqual(identifyNetwork(bn.params), { kind: 'MultiLayerNetExtend', config: { inputSize: 784, hiddenSizeList: [100, 100], outputSize: 10, useBatchnorm: true } });
    const conv = new SimpleConvNet({ inputDim: [1, 20, 20], convParam: { filterNum: 4, filterSize: 5, pad: 0, stride: 1 }, hiddenSize: 7, outputSize: 3, seed: 1 });
    const found = identifyNetwork(conv.params);
    assert.equal(found.kind, 'SimpleConvNet');
    assert.deepEqual(found.config.inputDim, [1, 20, 20]);
    assert.equal(identifyNetwork(new DeepConvNet({ seed: 1 }).params).kind, 'DeepConvNet');
  });

  it('a dict that fits no kind is refused, listing its arrays and the kinds tried', () => {
    const odd = { W1: new Tensor(new Float64Array(6), [2, 3]), b1: new Tensor(new Float64Array(2), [2]) };
    assert.throws(() => identifyNetwork(odd, 'odd.pkl'), /odd\.pkl: the arrays \(W1 \(2, ?3\), b1 \(2,\)\) match no network kind's parameters \(tried TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, DeepConvNet\)/);
  });

  it('readNetwork works on bytes (the browser path), sniffing the format from them', () => {
    const net = new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 });
    for (const format of ['json', 'pkl', 'npz', 'safetensors'] as const) {
      const back = readNetwork(encodeNetwork(net, format), { name: `x.${format}` });
      assert.equal(back.kind, 'TwoLayerNet', format);
      assertSameParams(net, back, format);
    }
    assert.equal(parseModel(new TextDecoder().decode(encodeNetwork(net, 'json'))).kind, 'TwoLayerNet');
  });

  it("a safetensors file whose header length's low byte is '{' is not taken for JSON", () => {
    // Another writer may leave the header unpadded: 123 bytes (0x7b, '{') of JSON, then the data.
    let json = JSON.stringify({ W1: { dtype: 'F64', shape: [1, 2], data_offsets: [0, 16] }, __metadata__: { note: '' } });
    json = json.replace('"note":""', `"note":"${'x'.repeat(123 - json.length)}"`);
    assert.equal(json.length, 123);
    const bytes = new Uint8Array(8 + 123 + 16);
    bytes[0] = 123;
    bytes.set(new TextEncoder().encode(json), 8);
    assert.equal(sniffFormat(bytes), 'safetensors');
    assert.deepEqual(parseSafetensors(bytes).tensors.W1.shape, [1, 2]);
  });

  it('a float64 file loads as float32 when asked (and the other way)', () => {
    const net = new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 });
    const path = join(dir, 'dtype.npz');
    saveNetwork(path, net);
    const f32 = loadNetwork(path, { dtype: 'float32' });
    assert.equal(f32.dtype, 'float32');
    assert.deepEqual(Array.from(f32.params.W1.data), Array.from(Float32Array.from(net.params.W1.data)));
  });
});

describe('errors: bad input is named, nothing is written half', () => {
  it('byte readers given a path name their file-reading twin', () => {
    assert.throws(() => loadPickle('sample_weight.pkl' as unknown as Uint8Array), /loadPickle: takes the file's bytes \(a Uint8Array\), got the string "sample_weight\.pkl"; to read a file use loadPickleFile\("sample_weight\.pkl"\)/);
    assert.throws(() => readNetwork('params.pkl' as unknown as Uint8Array), /readNetwork: takes the file's bytes .* use loadNetwork\("params\.pkl"\)/);
    assert.throws(() => readNetwork(42 as unknown as Uint8Array), /readNetwork: takes the file's bytes \(a Uint8Array or an ArrayBuffer\), got number/);
  });

  it('unknown extensions, ONNX files, other kinds and foreign bytes are refused with the file named', () => {
    const net = new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 });
    assert.throws(() => saveNetwork(join(dir, 'x.txt'), net), /x\.txt: cannot tell the format from the extension '\.txt' \(use \.json, \.pkl, \.npz, \.safetensors or \.onnx\)/);
    assert.ok(!existsSync(join(dir, 'x.txt')));
    const garbage = join(dir, 'garbage.bin');
    writeFileSync(garbage, 'hello, not a model');
    assert.throws(() => loadNetwork(garbage), /garbage\.bin: not a params file ScratchNet reads/);
    assert.throws(() => loadNetwork(join(dir, 'missing.pkl')), /missing\.pkl: no such file/);
    assert.throws(() => loadNetwork(dir), /is a directory, not a file/);
    const json = join(dir, 'two.json');
    saveNetwork(json, net);
    const conv = new SimpleConvNet({ seed: 1 });
    assert.throws(() => conv.loadParams(json), /two\.json: is a TwoLayerNet, not a SimpleConvNet/);
    const pkl = join(dir, 'two.pkl');
    net.saveParams(pkl);
    assert.throws(() => conv.loadParams(pkl), /two\.pkl: unknown parameter 'W1'|two\.pkl: W1 has shape \(784, ?8\), this SimpleConvNet needs/);
  });

  it('a write that fails leaves no file and no temporary file, and the network is unchanged', () => {
    const net = new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 });
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where a directory should be');
    assert.throws(() => saveNetwork(join(blocker, 'model.npz'), net), /blocker/);
    mkdirSync(join(dir, 'clean'), { recursive: true });
    const before = Array.from(net.params.W1.data);
    // A params record that breaks half-way through the JSON pieces: the temporary file is removed.
    const broken = { kind: net.kind, dtype: net.dtype, config: net.config, params: { W1: net.params.W1, b1: 5 }, state: {} } as unknown as Network;
    assert.throws(() => saveNetwork(join(dir, 'clean', 'model.json'), broken));
    assert.deepEqual(readdirSync(join(dir, 'clean')), []);
    assert.deepEqual(Array.from(net.params.W1.data), before);
  });
});

describe('scratchnet export', () => {
  it('writes every format from a model file; the result loads back with the same params', async () => {
    const cwd = mkdtempSync(join(dir, 'cli-'));
    const net = new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 });
    saveNetwork(join(cwd, 'model.json'), net);
    for (const ext of ['pkl', 'npz', 'safetensors', 'onnx']) {
      const r = await runCli(['export', '--model', 'model.json', '--out', `out/m.${ext}`], cwd);
      assert.equal(r.code, 0, r.stderr);
      // The ONNX graph is float32 by default (--onnx-dtype); the array formats keep the network's float64.
      assert.match(r.stdout, new RegExp(`wrote out/m\\.${ext} \\(${ext}: TwoLayerNet, ${ext === 'onnx' ? 'float32' : 'float64'}, 4 arrays, \\d+ bytes\\)`));
      if (ext !== 'onnx') assertSameParams(net, loadNetwork(join(cwd, 'out', `m.${ext}`)), ext);
    }
    assert.ok(readFileSync(join(cwd, 'out', 'm.onnx')).length > 8 * 784 * 4, 'the ONNX file holds the weights');
  });

  it('refuses bad flags with exit 2 before any work', async () => {
    const cwd = mkdtempSync(join(dir, 'cli-'));
    saveNetwork(join(cwd, 'model.json'), new TwoLayerNet(784, 8, 10, 0.1, { seed: 9 }));
    mkdirSync(join(cwd, 'adir'));
    writeFileSync(join(cwd, 'notes.txt'), 'x');
    const bad: [string[], RegExp][] = [
      [['export', '--model', 'model.json', '--out', 'm.xyz'], /cannot tell the format from its extension; give --format/],
      [['export', '--model', 'model.json', '--out', 'adir'], /--out adir is a directory/],
      [['export', '--model', 'model.json', '--out', 'm.npz', '--format', 'tflite'], /--format.*tflite.*Allowed choices/s],
      [['export', '--model', 'missing.json', '--out', 'm.npz'], /no such file: missing\.json/],
      [['export', '--model', 'notes.txt', '--out', 'm.npz'], /--model notes\.txt: not a params file/],
      [['export', '--model', 'model.json', '--out', 'notes.txt/m.npz'], /notes\.txt is a file, not a directory/],
    ];
    for (const [args, pattern] of bad) {
      const r = await runCli(args, cwd);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
    }
    assert.deepEqual(readdirSync(cwd).sort(), ['adir', 'model.json', 'notes.txt']);
  });
});
