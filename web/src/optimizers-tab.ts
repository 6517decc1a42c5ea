/**
 * The Optimizers tab (chapter 6, the book's figure 6-8): the library's optimizer classes minimise
 * f(x, y) = x²/20 + y² from (−7, 2) (`optimizerPath`), drawn on the function's contours; Step shows one more
 * step of every path, Run animates them to the end.
 */
import { naiveSurface, optimizerPath } from '../../src/index.ts';
import { onLangChange, t } from './i18n.ts';

const OPTIMIZERS = [
  { key: 'sgd', name: 'SGD', color: '#1f77b4' },
  { key: 'momentum', name: 'Momentum', color: '#ff7f0e' },
  { key: 'nesterov', name: 'Nesterov', color: '#8c564b' },
  { key: 'adagrad', name: 'AdaGrad', color: '#2ca02c' },
  { key: 'rmsprop', name: 'RMSprop', color: '#9467bd' },
  { key: 'adam', name: 'Adam', color: '#d62728' },
] as const;

/** The book's view: x in [−10, 10], y in [−5, 5]. */
const X_RANGE: [number, number] = [-10, 10];
const Y_RANGE: [number, number] = [-5, 5];
/** Contour levels of f. */
const LEVELS = [0.25, 0.5, 1, 2, 3, 4, 5.5, 7];

interface Path {
  key: string;
  name: string;
  color: string;
  lr: number;
  x: number[];
  y: number[];
}

function level(f: number): number {
  let k = 0;
  while (k < LEVELS.length && f > LEVELS[k]) k++;
  return k;
}

export function setupOptimizers(): void {
  const canvas = document.getElementById('opt-canvas') as HTMLCanvasElement;
  const stepsInput = document.getElementById('opt-steps') as HTMLInputElement;
  const lrInputs = [...document.querySelectorAll<HTMLInputElement>('#opt-controls [data-opt]')];
  const table = document.getElementById('opt-table')!;
  const finalSgd = document.getElementById('opt-final-sgd')!;
  let paths: Path[] = [];
  let steps = 30;
  let shown = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let contours: ImageData | undefined;

  const toPx = (x: number, y: number): [number, number] => [
    ((x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0])) * canvas.width,
    ((Y_RANGE[1] - y) / (Y_RANGE[1] - Y_RANGE[0])) * canvas.height,
  ];

  /** The contour lines, once: a pixel is on a line where the level of f changes to its right or below. */
  const drawContours = (ctx: CanvasRenderingContext2D): void => {
    if (contours === undefined) {
      const { width, height } = canvas;
      const lv = new Uint8Array(width * height);
      for (let py = 0; py < height; py++) {
        const y = Y_RANGE[1] - ((py + 0.5) / height) * (Y_RANGE[1] - Y_RANGE[0]);
        for (let px = 0; px < width; px++) lv[py * width + px] = level(naiveSurface(X_RANGE[0] + ((px + 0.5) / width) * (X_RANGE[1] - X_RANGE[0]), y));
      }
      contours = ctx.createImageData(width, height);
      const d = contours.data;
      for (let i = 0; i < width * height; i++) {
        const edge = (i % width < width - 1 && lv[i] !== lv[i + 1]) || (i + width < width * height && lv[i] !== lv[i + width]);
        const shade = 255 - lv[i] * 6;
        d[4 * i] = edge ? 150 : shade;
        d[4 * i + 1] = edge ? 150 : shade;
        d[4 * i + 2] = edge ? 150 : 255;
        d[4 * i + 3] = 255;
      }
    }
    ctx.putImageData(contours, 0, 0);
  };

  const draw = (): void => {
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    drawContours(ctx);
    // The minimum, as the book's red '+'.
    const [mx, my] = toPx(0, 0);
    ctx.strokeStyle = '#e00';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(mx - 6, my);
    ctx.lineTo(mx + 6, my);
    ctx.moveTo(mx, my - 6);
    ctx.lineTo(mx, my + 6);
    ctx.stroke();
    for (const p of paths) {
      ctx.strokeStyle = p.color;
      ctx.fillStyle = p.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let i = 0; i <= shown; i++) {
        const [px, py] = toPx(p.x[i], p.y[i]);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      for (let i = 0; i <= shown; i++) {
        const [px, py] = toPx(p.x[i], p.y[i]);
        ctx.beginPath();
        ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    table.replaceChildren(
      ...paths.map((p) => {
        const row = document.createElement('tr');
        const cells = [p.name, `lr ${p.lr}`, `(${p.x[shown].toFixed(4)}, ${p.y[shown].toFixed(4)})`, `f = ${naiveSurface(p.x[shown], p.y[shown]).toExponential(3)}`];
        for (const [k, text] of cells.entries()) {
          const cell = document.createElement('td');
          cell.textContent = text;
          if (k === 0) cell.style.color = p.color;
          row.append(cell);
        }
        return row;
      }),
    );
    const sgd = paths.find((p) => p.key === 'sgd')!;
    // Full precision, so the page's number can be compared with the library's in Node.
    finalSgd.textContent = `${sgd.x[shown]}, ${sgd.y[shown]}`;
    finalSgd.title = t('optFinal', { steps: shown });
  };

  /** Recomputes every path with the inputs' settings (an unusable value keeps the last good one). */
  const compute = (): void => {
    const n = Number(stepsInput.value);
    steps = Number.isInteger(n) && n >= 1 && n <= 500 ? n : steps;
    stepsInput.setAttribute('aria-invalid', String(steps !== n));
    paths = OPTIMIZERS.map((o) => {
      const input = lrInputs.find((i) => i.dataset.opt === o.key)!;
      const lr = Number(input.value);
      const good = input.value.trim() !== '' && Number.isFinite(lr) && lr > 0;
      input.setAttribute('aria-invalid', String(!good));
      const use = good ? lr : Number(input.defaultValue);
      return { ...o, lr: use, ...optimizerPath(o.key, use, steps) };
    });
    shown = Math.min(shown, steps);
  };

  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const reset = (): void => {
    stop();
    shown = 0;
    compute();
    draw();
  };

  document.getElementById('opt-step')!.addEventListener('click', () => {
    stop();
    compute();
    if (shown < steps) shown++;
    draw();
  });
  document.getElementById('opt-run')!.addEventListener('click', () => {
    stop();
    compute();
    if (shown >= steps) shown = 0;
    timer = setInterval(() => {
      shown++;
      draw();
      if (shown >= steps) stop();
    }, 40);
  });
  document.getElementById('opt-reset')!.addEventListener('click', reset);
  for (const input of [stepsInput, ...lrInputs]) input.addEventListener('change', reset);
  onLangChange(draw);
  reset();
}
