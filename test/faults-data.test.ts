/**
 * Faults in data and image input: compression bombs, absurd headers, oversized or unusual PNGs, empty
 * splits, models of another input size. Bounds are on memory (a subprocess's peak RSS), never on time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateSync, gzipSync } from 'node:zlib';
import { encode } from 'fast-png';
import { pngToModelInput } from '../src/cli/predict-command.ts';
import { readPngLuminance } from '../src/io/image-file.ts';
import { encodeIdx, loadMnist, loadMnistSplits, loadModel, MnistSplit, zeros, type Network } from '../src/node.ts';
import { runCli } from './helpers/cli.ts';
import { writeMnistSlice } from './helpers/mnist-slice.ts';

const cwd = mkdtempSync(join(tmpdir(), 'scratchnet-faults-data-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

const FIXTURES = fileURLToPath(new URL('./fixtures/png/', import.meta.url));
const LOAD_MNIST = new URL('../src/data/load-mnist.ts', import.meta.url).href;
const TSX = import.meta.resolve('tsx');
const MB = 1024 * 1024;

/** A directory of valid small IDX files (4 images of 28×28) with `replace` written over some of them. */
function idxDir(name: string, replace: Record<string, Uint8Array> = {}): string {
  const dir = join(cwd, name);
  mkdirSync(dir, { recursive: true });
  const images = encodeIdx([4, 28, 28], new Uint8Array(4 * 784));
  const labels = encodeIdx([4], Uint8Array.from([0, 1, 2, 3]));
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': images,
    'train-labels-idx1-ubyte': labels,
    't10k-images-idx3-ubyte': images,
    't10k-labels-idx1-ubyte': labels,
  };
  for (const [file, bytes] of Object.entries(files)) {
    if (!(file in replace) && !(`${file}.gz` in replace)) writeFileSync(join(dir, file), bytes);
  }
  for (const [file, bytes] of Object.entries(replace)) writeFileSync(join(dir, file), bytes);
  return dir;
}

/** An IDX header for `dims`, without data. */
function idxHeader(dims: number[]): Uint8Array {
  return encodeIdx(dims, new Uint8Array(0));
}

/**
 * A gzip file whose header member holds `head`, followed by `members` gzip members of 64 MB of zeros
 * each (gunzip reads concatenated members as one stream): about 1 MB that inflates to members × 64 MB.
 */
let zeros64: Uint8Array | undefined;
function gzipBomb(head: Uint8Array, members: number): Uint8Array {
  zeros64 ??= gzipSync(new Uint8Array(64 * MB), { level: 9 });
  const parts = [gzipSync(head), ...Array.from({ length: members }, () => zeros64!)];
  return new Uint8Array(Buffer.concat(parts));
}

/** Runs `loadMnistSplits({ dir })` in a fresh process: its error message and its peak RSS in MB. */
function loadInSubprocess(dir: string): Promise<{ message: string; maxRssMb: number; code: number | null; stderr: string }> {
  const script = join(cwd, 'load.mts');
  writeFileSync(
    script,
    `import { loadMnistSplits } from ${JSON.stringify(LOAD_MNIST)};
let message = '';
try { loadMnistSplits({ dir: process.argv[2] }); message = 'loaded'; } catch (e) { message = (e as Error).message; }
console.log(JSON.stringify({ message, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      let parsed = { message: `no result (exit ${code}): ${stderr.slice(-500)}`, maxRssMb: Number.NaN };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        // keep the description of what happened
      }
      resolve({ ...parsed, code, stderr });
    });
  });
}

describe('IDX files: bounded decoding', () => {
  it('stops a gzip bomb as soon as it inflates past what its header declares, in bounded memory', async () => {
    // The header declares the 60 000 MNIST training images (47 MB); the file inflates to over 1 GB.
    const bomb = gzipBomb(encodeIdx([60000, 28, 28], new Uint8Array(784)), 16);
    assert.ok(bomb.length < 2 * MB, `the bomb is small: ${bomb.length} bytes`);
    const dir = idxDir('bomb', { 'train-images-idx3-ubyte.gz': bomb });
    const r = await loadInSubprocess(dir);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    assert.equal(r.message, `${file}: inflates past the ${16 + 60000 * 784} bytes its header declares (dimensions [60000, 28, 28])`);
    assert.ok(r.maxRssMb < 500, `peak RSS ${r.maxRssMb.toFixed(0)} MB`);
  });

  it('refuses a header declaring more than its compressed bytes can hold, before inflating or allocating', async () => {
    // 2 000 000 images of 28×28 = 1.57 GB declared (under the 2^31 cap); 1 MB of gzip cannot hold it.
    const bomb = gzipBomb(idxHeader([2_000_000, 28, 28]), 16);
    const dir = idxDir('huge-dims', { 'train-images-idx3-ubyte.gz': bomb });
    const r = await loadInSubprocess(dir);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    assert.equal(r.message, `${file}: its header declares ${16 + 2_000_000 * 784} bytes (dimensions [2000000, 28, 28]), more than its ${bomb.length} compressed bytes can inflate to`);
    assert.ok(r.maxRssMb < 500, `peak RSS ${r.maxRssMb.toFixed(0)} MB`);
  });

  it('checks declared sizes against the limit and the file size before reading', () => {
    const huge = idxDir('over-cap', { 't10k-images-idx3-ubyte.gz': gzipSync(idxHeader([100_000_000, 28, 28])) });
    assert.throws(() => loadMnistSplits({ dir: huge }), /t10k-images-idx3-ubyte\.gz: dimensions \[100000000, 28, 28\] declare 78400000000 data bytes, more than this reader accepts \(2147483648, 2\^31\)/);
    // A plain file whose header promises 47 MB but holds 16 bytes: refused from its size alone.
    const short = idxDir('short', { 'train-images-idx3-ubyte': idxHeader([60000, 28, 28]) });
    assert.throws(() => loadMnistSplits({ dir: short }), /train-images-idx3-ubyte: truncated: dimensions \[60000, 28, 28\] need 47040000 data bytes, found 0/);
    // A gzip file far larger than the data its header declares is not an IDX file.
    const padded = idxDir('padded', { 'train-labels-idx1-ubyte.gz': gzipBomb(encodeIdx([4], Uint8Array.from([0, 1, 2, 3])), 2) });
    assert.throws(() => loadMnistSplits({ dir: padded }), /train-labels-idx1-ubyte\.gz: \d+ compressed bytes for the 12 bytes its header declares \(dimensions \[4\]\); not an IDX file/);
  });

  it('names the file of an empty, truncated or corrupt IDX, plain or gzip', () => {
    const valid = encodeIdx([4, 28, 28], new Uint8Array(4 * 784));
    const cases: [string, string, Uint8Array, RegExp][] = [
      ['empty', 'train-images-idx3-ubyte', new Uint8Array(0), /train-images-idx3-ubyte: too short for an IDX header \(0 bytes\)/],
      ['empty-gz', 'train-images-idx3-ubyte.gz', gzipSync(new Uint8Array(0)), /train-images-idx3-ubyte\.gz: too short for an IDX header \(0 bytes\)/],
      ['cut-gz', 't10k-images-idx3-ubyte.gz', gzipSync(valid).subarray(0, 40), /t10k-images-idx3-ubyte\.gz: not valid gzip data \(unexpected end of file\)/],
      ['short-gz', 't10k-images-idx3-ubyte.gz', gzipSync(valid.subarray(0, 1000)), /t10k-images-idx3-ubyte\.gz: truncated: dimensions \[4, 28, 28\] need 3136 data bytes, found 984/],
      ['garbage-gz', 'train-labels-idx1-ubyte.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]), /train-labels-idx1-ubyte\.gz: not valid gzip data/],
    ];
    for (const [name, file, bytes, message] of cases) {
      assert.throws(() => loadMnist({ dir: idxDir(name, { [file]: bytes }) }), message, name);
    }
  });

  it('describes the indices of an empty split without "0–-1"', () => {
    const empty = new MnistSplit(new Uint8Array(0), new Uint8Array(0), 28, 28);
    assert.throws(() => empty.gatherImages([0], new Float64Array(784)), { message: 'MnistSplit.gatherImages: index 0 is out of range: the split has no images' });
    assert.throws(() => empty.copyImages(0, 1, new Float64Array(784)), { message: 'MnistSplit.copyImages: images 0 to 0 are out of range: the split has no images' });
    const one = new MnistSplit(new Uint8Array(784), new Uint8Array(1), 28, 28);
    assert.throws(() => one.gatherImages([3], new Float64Array(784)), { message: 'MnistSplit.gatherImages: index 3 is out of range: the split has image 0 only' });
  });
});

/** MNIST test image #0 (a "7") as the fixtures render it: every PNG colour type and bit depth. */
const FIXTURE_FILES = [
  'gray-1.png', 'gray-2.png', 'gray-4.png', 'gray-8.png', 'gray-16.png', 'gray-8-trns.png',
  'rgb-8.png', 'rgb-16.png', 'rgb-8-trns.png',
  'palette-1.png', 'palette-2.png', 'palette-4.png', 'palette-8.png', 'palette-8-trns.png',
  'gray-alpha-8.png', 'gray-alpha-16.png', 'rgba-8.png', 'rgba-16.png',
  'gray-8-adam7.png', 'rgba-16-adam7.png',
];

describe('PNG input', () => {
  it('decodes every colour type and bit depth to the luminance its generator meant (alpha over white)', () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, number[]>;
    assert.deepEqual(Object.keys(expected).sort(), [...FIXTURE_FILES].sort());
    for (const file of FIXTURE_FILES) {
      const { width, height, luminance } = readPngLuminance(join(FIXTURES, file));
      assert.deepEqual([width, height], [28, 28], file);
      const want = expected[file];
      for (let i = 0; i < 784; i++) {
        assert.ok(Math.abs(luminance[i] - want[i]) <= 1e-12, `${file}: pixel ${i % 28},${Math.floor(i / 28)} is ${luminance[i]}, expected ${want[i]}`);
      }
    }
  });

  it('refuses what it cannot decode correctly, naming the file', () => {
    assert.throws(() => readPngLuminance(join(FIXTURES, 'gray-2-adam7.png')), /gray-2-adam7\.png: Adam7-interlaced PNGs with 2-bit samples are not supported; save the image without interlacing/);
  });
});

describe('scratchnet predict: images, sizes and messages', () => {
  let data: string;
  let model: string;
  let model32: string;
  let data32: string;
  let net: Network;
  before(async () => {
    data = writeMnistSlice(join(cwd, 'mnist'), 3000, 100);
    // The same real images padded to 32×32 (2 pixels of black all round), as Fashion-style own data.
    data32 = join(cwd, 'mnist32');
    mkdirSync(data32, { recursive: true });
    const { train, test } = loadMnistSplits({ dir: data });
    for (const [prefix, split] of [['train', train], ['t10k', test]] as const) {
      const padded = new Uint8Array(split.count * 1024);
      for (let n = 0; n < split.count; n++) {
        for (let y = 0; y < 28; y++) padded.set(split.images.subarray(n * 784 + y * 28, n * 784 + y * 28 + 28), n * 1024 + (y + 2) * 32 + 2);
      }
      writeFileSync(join(data32, `${prefix}-images-idx3-ubyte`), encodeIdx([split.count, 32, 32], padded));
      writeFileSync(join(data32, `${prefix}-labels-idx1-ubyte`), encodeIdx([split.count], split.labels));
    }
    const [r28, r32] = await Promise.all([
      runCli(['train', '--iters', '300', '--seed', '3', '--data', data, '--out', 'm28', '--quiet'], cwd),
      runCli(['train', '--iters', '300', '--seed', '3', '--data', data32, '--out', 'm32', '--quiet'], cwd),
    ]);
    assert.equal(r28.code, 0, r28.stderr);
    assert.equal(r32.code, 0, r32.stderr);
    model = join(cwd, 'm28', 'model.json');
    model32 = join(cwd, 'm32', 'model.json');
    net = loadModel(model);
  });

  const classify = (pixels: ArrayLike<number>): number => {
    const x = zeros([1, ...net.inputShape], { dtype: net.dtype });
    x.data.set(pixels);
    return net.predict(x).argmax();
  };

  it('predicts the same class for the digit in every PNG format as for the 8-bit gray one', () => {
    const read = (file: string) => pngToModelInput(new Uint8Array(readFileSync(join(FIXTURES, file))), file, 28);
    const reference = read('gray-8.png');
    assert.equal(reference.inverted, true);
    const want = classify(reference.pixels);
    assert.equal(want, 7, 'the trained model reads MNIST test image #0 as a 7');
    for (const file of FIXTURE_FILES) {
      const img = read(file);
      assert.equal(img.inverted, true, `${file}: dark ink on (white or transparent) paper`);
      assert.equal(img.fitted, false, file);
      assert.equal(classify(img.pixels), want, file);
    }
    // The same digit drawn larger and off-centre (84×70, ink scaled 2×) is fitted MNIST-style.
    const gray = new Uint8Array(84 * 70).fill(255);
    const ref = reference.pixels;
    for (let y = 0; y < 70; y++) {
      for (let x = 0; x < 84; x++) {
        const sx = Math.floor((x - 20) / 2);
        const sy = Math.floor((y - 5) / 2);
        if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) gray[y * 84 + x] = Math.round(255 * (1 - ref[sy * 28 + sx]));
      }
    }
    const big = pngToModelInput(encode({ width: 84, height: 70, data: gray, channels: 1, depth: 8 }), 'big.png', 28);
    assert.equal(big.fitted, true);
    assert.equal(classify(big.pixels), want, 'the 84×70 drawing');
  });

  it('CLI: a palette "7", a 2-bit gray one and ink on transparent paper are all read as 7', async () => {
    for (const file of ['palette-8.png', 'palette-4.png', 'gray-2.png', 'gray-alpha-8.png', 'palette-8-trns.png']) {
      const r = await runCli(['predict', '--model', model, '--image', join(FIXTURES, file)], cwd);
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      assert.match(r.stdout, /\(inverted: dark digit on light background\)\nprediction: 7\n/, file);
      assert.doesNotMatch(r.stdout, /NaN/, file);
    }
  });

  it('CLI: refuses a 30000×30000 PNG from its header (exit 2) and an image-data bomb (exit 1)', async () => {
    const png = (width: number, height: number, idat: Uint8Array) => {
      const header = encode({ width: 1, height: 1, data: new Uint8Array(1), channels: 1, depth: 8 });
      // Rewrite the IHDR of a valid 1×1 gray PNG (CRCs are not checked by the decoder), then its IDAT.
      const bytes = new Uint8Array(header.subarray(0, 33));
      const view = new DataView(bytes.buffer);
      view.setUint32(16, width);
      view.setUint32(20, height);
      const chunk = (type: string, body: Uint8Array) => {
        const out = new Uint8Array(12 + body.length);
        new DataView(out.buffer).setUint32(0, body.length);
        out.set(Buffer.from(type, 'latin1'), 4);
        out.set(body, 8);
        return out;
      };
      return Buffer.concat([bytes, chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
    };
    writeFileSync(join(cwd, 'huge.png'), png(30000, 30000, deflateSync(new Uint8Array(30001))));
    const huge = await runCli(['predict', '--model', model, '--image', 'huge.png'], cwd);
    assert.equal(huge.code, 2, huge.stderr);
    assert.match(huge.stderr, /huge\.png: image is 30000×30000 = 900000000 pixels; the limit is 4194304 pixels \(2048×2048\)/);
    // 28×28 gray needs 28 × 29 = 812 bytes of scanlines; this image data inflates to 64 MB.
    writeFileSync(join(cwd, 'idat-bomb.png'), png(28, 28, deflateSync(new Uint8Array(64 * MB), { level: 9 })));
    const bomb = await runCli(['predict', '--model', model, '--image', 'idat-bomb.png'], cwd);
    assert.equal(bomb.code, 1, bomb.stderr);
    assert.match(bomb.stderr, /idat-bomb\.png: image data inflates past the 812 bytes its 28×28 header declares/);
    const interlaced = await runCli(['predict', '--model', model, '--image', join(FIXTURES, 'gray-2-adam7.png')], cwd);
    assert.equal(interlaced.code, 1, interlaced.stderr);
    assert.match(interlaced.stderr, /gray-2-adam7\.png: Adam7-interlaced PNGs with 2-bit samples are not supported/);
  });

  it('CLI: never prints NaN probabilities with exit 0', async () => {
    // Finite but enormous weights: the scores overflow to ±Infinity and softmax gives NaN.
    const doc = JSON.parse(readFileSync(model, 'utf8')) as { params: Record<string, { data: number[] }> };
    doc.params.W2.data = doc.params.W2.data.map((v, i) => (i % 2 === 0 ? 1e308 : -1e308) * Math.sign(v || 1));
    writeFileSync(join(cwd, 'overflow.json'), JSON.stringify(doc));
    const r = await runCli(['predict', '--model', 'overflow.json', '--image', join(FIXTURES, 'gray-8.png')], cwd);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /overflow\.json: the model gives a non-finite probability \(NaN\) for class \d of .*gray-8\.png/);
    assert.doesNotMatch(r.stdout, /NaN/);
  });

  it('CLI: predicts with a model trained on 32×32 images, by index and from a 28×28 PNG', async () => {
    const byIndex = await runCli(['predict', '--model', model32, '--index', '0', '--data', data32], cwd);
    assert.equal(byIndex.code, 0, byIndex.stderr);
    assert.match(byIndex.stdout, /^test image #0 \(label 7\)\nprediction: \d\n( {2}\d {2}[01]\.\d{4}.*\n){10}$/);
    const byImage = await runCli(['predict', '--model', model32, '--image', join(FIXTURES, 'gray-8.png')], cwd);
    assert.equal(byImage.code, 0, byImage.stderr);
    assert.match(byImage.stdout, /gray-8\.png \(inverted: dark digit on light background; 28×28 fitted into 32×32\)\nprediction: 7\n/);
    const wrongData = await runCli(['predict', '--model', model32, '--index', '0', '--data', data], cwd);
    assert.equal(wrongData.code, 1, wrongData.stderr);
    assert.match(wrongData.stderr, /m32\/model\.json: the model takes 1024 inputs, but the test images in .*mnist are 28×28 = 784 pixels/);
  });

  it('CLI: an empty test set is described as such, not as "images 0–-1"', async () => {
    const dir = idxDir('empty-test', { 't10k-images-idx3-ubyte': idxHeader([0, 28, 28]), 't10k-labels-idx1-ubyte': idxHeader([0]) });
    const r = await runCli(['predict', '--model', model, '--index', '0', '--data', dir], cwd);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--index 0 is out of range: the test set in .*empty-test has no images/);
    assert.doesNotMatch(r.stderr, /0–-1/);
  });
});
