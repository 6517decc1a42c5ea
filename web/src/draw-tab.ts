/** Draw a digit: MNIST-style preprocessing, then classification with the current model. */
import { inputFeatures, parseModel, preprocessDigit, softmax, tensor, type Network } from '../../src/index.ts';
import { onLangChange, t } from './i18n.ts';
import { currentModel, onModelChange, setModel } from './model-store.ts';

/** The Draw tab's models see 28×28 pixels and say which of the ten digits it is. */
const DIGIT_PIXELS = 784;
const DIGIT_CLASSES = 10;

export function setupDraw(): void {
  const canvas = document.getElementById('draw-canvas') as HTMLCanvasElement;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const preview = (document.getElementById('draw-input') as HTMLCanvasElement).getContext('2d')!;
  const prediction = document.getElementById('draw-prediction')!;
  const probs = document.getElementById('draw-probs')!;
  const modelInfo = document.getElementById('draw-model')!;
  const modelErrorLine = document.getElementById('draw-model-error')!;
  const fileInput = document.getElementById('draw-model-file') as HTMLInputElement;
  /** Why the last file was not loaded, in the current language (the previous model is kept). */
  let modelError: (() => string) | undefined;

  const clear = () => {
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    preview.clearRect(0, 0, 28, 28);
    prediction.textContent = '–';
    probs.replaceChildren();
  };

  const classify = () => {
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const gray = new Float32Array(canvas.width * canvas.height);
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4] / 255;
    const pixels = preprocessDigit(gray, canvas.width, canvas.height);
    if (!pixels) return;
    const img = preview.createImageData(28, 28);
    for (let i = 0; i < DIGIT_PIXELS; i++) {
      const v = Math.round(pixels[i] * 255);
      img.data.set([v, v, v, 255], i * 4);
    }
    preview.putImageData(img, 0, 0);
    const model = currentModel();
    // Nothing from an earlier model stays on screen, even if this prediction fails.
    prediction.textContent = '–';
    probs.replaceChildren();
    if (!model) return;
    const y = softmax(model.net.predict(tensor(pixels, { shape: [1, ...model.net.inputShape], dtype: model.net.dtype })));
    const best = y.argmax();
    prediction.textContent = String(best);
    probs.replaceChildren(
      ...Array.from({ length: DIGIT_CLASSES }, (_, d) => {
        const row = document.createElement('div');
        row.style.display = 'contents';
        if (d === best) row.className = 'best';
        const label = document.createElement('span');
        label.textContent = String(d);
        const track = document.createElement('div');
        const bar = document.createElement('div');
        bar.className = 'bar';
        bar.style.width = `${(y.data[d] * 100).toFixed(1)}%`;
        track.append(bar);
        const value = document.createElement('span');
        value.textContent = y.data[d].toFixed(3);
        row.append(label, track, value);
        return row;
      }),
    );
  };

  let drawing = false;
  let last: [number, number] | null = null;
  let pending = false;
  const point = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    last = point(e);
    stroke(last, last);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing || !last) return;
    const p = point(e);
    stroke(last, p);
    last = p;
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        classify();
      });
    }
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    classify();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  function stroke(a: [number, number], b: [number, number]) {
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  document.getElementById('draw-clear')!.addEventListener('click', clear);
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    const name = file.name;
    const text = await file.text();
    fileInput.value = '';
    let net: Network;
    try {
      net = parseModel(text, name);
    } catch (e) {
      const message = (e as Error).message;
      modelError = () => t('modelUnreadable', { message });
      renderModel();
      return;
    }
    // This tab draws 28×28 pixels and ten digits: any other model is refused and the previous one kept.
    if (inputFeatures(net) !== DIGIT_PIXELS || net.outputSize !== DIGIT_CLASSES) {
      const [inputs, classes] = [inputFeatures(net), net.outputSize];
      modelError = () => t('modelRejected', { name, inputs, classes });
      renderModel();
      classify();
      return;
    }
    modelError = undefined;
    setModel(net, { kind: 'file', name }); // listeners re-render and classify
  });

  const renderModel = () => {
    const model = currentModel();
    modelErrorLine.textContent = modelError?.() ?? '';
    if (!model) modelInfo.textContent = t('modelNone');
    else if (model.source.kind === 'page') modelInfo.textContent = t('modelPage', { acc: model.source.testAcc.toFixed(4) });
    else if (model.source.kind === 'cnn') modelInfo.textContent = t('modelCnn', { acc: model.source.testAcc.toFixed(4) });
    else modelInfo.textContent = t('modelFile', { name: model.source.name });
  };
  onModelChange(() => {
    renderModel();
    classify();
  });
  onLangChange(renderModel);
  clear();
  renderModel();
}
