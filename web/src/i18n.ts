/** English and Japanese texts; the Japanese uses the book's terms (順伝播, 逆伝播, 計算グラフ …). */
export type Lang = 'en' | 'ja';

const en = {
  title: 'ScratchNet — watch backprop happen',
  subtitle: 'Chapters 5–8 of “Deep Learning from Scratch”, live in your browser',
  tabGraph: 'Computational graph',
  tabLayers: 'Layers',
  tabTrain: 'Train on MNIST',
  tabDraw: 'Draw a digit',
  tabOptimizers: 'Optimizers',
  tabInit: 'Weights & BatchNorm',
  tabOverfit: 'Overfitting',
  tabCnn: 'CNN',
  tabNetgraph: 'Network graph',
  optIntro: 'Chapter 6: six optimizers of the library (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam) minimise f(x, y) = x²/20 + y² from (−7, 2) — the book’s figure 6-8. Change a learning rate or the steps, then Step or Run.',
  optSteps: 'steps',
  optStep: 'Step',
  optRun: 'Run',
  optFinal: 'after {steps} steps',
  graphIntro: 'The book’s shopping example: 2 apples and 3 oranges with 10 % tax. “Forward” computes each node’s output left to right; “Backward” sends the derivative dprice = 1 back from the right, and every input learns how much the price changes when it changes.',
  applePrice: 'apple price',
  appleNum: 'apples',
  orangePrice: 'orange price',
  orangeNum: 'oranges',
  tax: 'tax',
  forward: 'Forward',
  backwardStep: 'Backward one step',
  backward: 'Backward (all)',
  reset: 'Reset',
  legendForward: 'forward value',
  legendBackward: 'derivative (backward)',
  price: 'price',
  graphInvalid: 'Not a number: {names}. The values that depend on it are left blank.',
  listSeparator: ', ',
  layersIntro: 'Each layer has a forward (output) and a backward (derivative) pass. Move x to see both at one point; the numbers are computed by the library’s Relu and Sigmoid layers.',
  affineIntro: 'Affine and SoftmaxWithLoss on a tiny batch (2 samples, 3 features, 3 classes): forward, then backward from dout = 1.',
  newBatch: 'New random batch',
  trainIntro: 'TwoLayerNet(784, hidden, 10) trained with mini-batch SGD in a Web Worker, on the real MNIST — the page stays responsive.',
  hidden: 'hidden size',
  lr: 'learning rate',
  batchSize: 'batch size',
  iterations: 'iterations',
  seed: 'seed',
  start: 'Start',
  pause: 'Pause',
  resume: 'Resume',
  gradcheck: 'Gradient check',
  loadingData: 'loading MNIST…',
  ready: 'ready: {train} training and {test} test images',
  iteration: 'iteration {i} / {n}',
  itPerSec: '{v} it/s',
  done: 'done',
  paused: 'paused',
  stopped: 'stopped',
  diverged: 'the loss diverged at iteration {i}: lower the learning rate',
  invalidInteger: '{name} must be a whole number from {min} to {max}',
  invalidLr: 'the learning rate must be a number greater than 0',
  invalidSeed: 'the seed must be a whole number from 0 to {max}',
  invalidSettings: 'these settings are not allowed: {message}',
  trainFailed: 'training failed: {message}. Change the settings and press Start again.',
  loadFailed: 'could not load MNIST: {message}. Reload the page to try again.',
  gradcheckFailed: 'the gradient check failed: {message}',
  testAcc: 'test accuracy',
  trainAcc: 'train accuracy',
  gradcheckRunning: 'computing numerical gradients on 3 images (a few seconds)…',
  gradcheckResult: 'mean |backprop − numerical|',
  drawIntro: 'Draw a digit (0–9) with the mouse or a finger. It is cropped, scaled to 20×20 and centred by mass like MNIST, then classified.',
  clear: 'Clear',
  loadModel: 'Load model.json',
  modelNone: 'No model yet: train one in the “Train” tab, or load a model.json from `scratchnet train`.',
  modelPage: 'model: trained on this page (test accuracy {acc})',
  modelCnn: 'model: the SimpleConvNet of the CNN tab (test accuracy {acc})',
  modelFile: 'model: {name}',
  modelRejected: '{name} was not loaded: the Draw tab needs a model with 784 inputs (28×28 pixels) and 10 classes (the digits 0–9), and this one has {inputs} inputs and {classes} classes. The previous model is kept.',
  modelUnreadable: 'the model was not loaded: {message}. The previous model is kept.',
  prediction: 'prediction',
  input28: 'what the network sees (28×28)',
  lang: '日本語',
};

const ja: typeof en = {
  title: 'ScratchNet — 誤差逆伝播法を見てみよう',
  subtitle: '『ゼロから作るDeep Learning』第5〜8章をブラウザで',
  tabGraph: '計算グラフ',
  tabLayers: 'レイヤ',
  tabTrain: 'MNISTで学習',
  tabDraw: '数字を書く',
  tabOptimizers: '最適化手法',
  tabInit: '重みの初期値とBatch Norm',
  tabOverfit: '過学習',
  tabCnn: 'CNN',
  tabNetgraph: 'ネットワークのグラフ',
  optIntro: '第6章:ライブラリの6つの最適化手法(SGD、Momentum、Nesterov、AdaGrad、RMSprop、Adam)が f(x, y) = x²/20 + y² を (−7, 2) から最小化します(本の図6-8)。学習係数やステップ数を変えて「1ステップ」か「実行」を押してください。',
  optSteps: 'ステップ数',
  optStep: '1ステップ',
  optRun: '実行',
  optFinal: '{steps} ステップ後',
  graphIntro: '本のリンゴとみかんの買い物の例です(リンゴ2個、みかん3個、消費税10%)。「順伝播」で左から右へ各ノードの出力を計算し、「逆伝播」で右端の dprice = 1 から微分を逆向きに伝えます。各入力が変わると支払金額がどれだけ変わるかが分かります。',
  applePrice: 'リンゴの値段',
  appleNum: 'リンゴの個数',
  orangePrice: 'みかんの値段',
  orangeNum: 'みかんの個数',
  tax: '消費税',
  forward: '順伝播',
  backwardStep: '逆伝播を1ステップ',
  backward: '逆伝播(すべて)',
  reset: 'リセット',
  legendForward: '順伝播の値',
  legendBackward: '微分(逆伝播)',
  price: '支払金額',
  graphInvalid: '数値ではありません:{names}。その値に依存する値は空欄にしています。',
  listSeparator: '、',
  layersIntro: '各レイヤには順伝播(出力)と逆伝播(微分)があります。x を動かすと、その点での両方の値が分かります。値はライブラリの Relu・Sigmoid レイヤで計算しています。',
  affineIntro: '小さなバッチ(2サンプル、特徴量3、3クラス)での Affine と SoftmaxWithLoss:順伝播のあと、dout = 1 から逆伝播します。',
  newBatch: '別のバッチ',
  trainIntro: 'TwoLayerNet(784, 隠れ層, 10) を本物の MNIST でミニバッチ SGD により学習します。Web Worker で動くので、ページは固まりません。',
  hidden: '隠れ層のサイズ',
  lr: '学習率',
  batchSize: 'バッチサイズ',
  iterations: '繰り返し回数',
  seed: 'シード',
  start: '開始',
  pause: '一時停止',
  resume: '再開',
  gradcheck: '勾配確認',
  loadingData: 'MNIST を読み込み中…',
  ready: '準備完了:訓練画像 {train} 枚、テスト画像 {test} 枚',
  iteration: '繰り返し {i} / {n}',
  itPerSec: '{v} 回/秒',
  done: '完了',
  paused: '一時停止中',
  stopped: '停止',
  diverged: '繰り返し {i} で損失が発散しました。学習率を下げてください',
  invalidInteger: '{name}は {min} 以上 {max} 以下の整数にしてください',
  invalidLr: '学習率は 0 より大きい数にしてください',
  invalidSeed: 'シードは 0 以上 {max} 以下の整数にしてください',
  invalidSettings: 'この設定は使えません:{message}',
  trainFailed: '学習に失敗しました:{message}。設定を変えて、もう一度「開始」を押してください。',
  loadFailed: 'MNIST を読み込めませんでした:{message}。ページを再読み込みしてください。',
  gradcheckFailed: '勾配確認に失敗しました:{message}',
  testAcc: 'テスト認識精度',
  trainAcc: '訓練認識精度',
  gradcheckRunning: '3枚の画像で数値微分を計算中(数秒かかります)…',
  gradcheckResult: '誤差逆伝播と数値微分の差の平均',
  drawIntro: 'マウスか指で数字(0〜9)を書いてください。MNIST と同じように切り出し、20×20 に縮小し、重心で中央に置いてから認識します。',
  clear: '消す',
  loadModel: 'model.json を読み込む',
  modelNone: 'まだモデルがありません。「MNISTで学習」タブで学習するか、`scratchnet train` の model.json を読み込んでください。',
  modelPage: 'モデル:このページで学習(テスト認識精度 {acc})',
  modelCnn: 'モデル:CNNタブのSimpleConvNet(テスト認識精度 {acc})',
  modelFile: 'モデル:{name}',
  modelRejected: '{name} は読み込みませんでした。このタブには入力 784(28×28 ピクセル)、10 クラス(数字 0〜9)のモデルが必要ですが、このモデルは入力 {inputs}、{classes} クラスです。前のモデルをそのまま使います。',
  modelUnreadable: 'モデルを読み込めませんでした:{message}。前のモデルをそのまま使います。',
  prediction: '認識結果',
  input28: 'ネットワークへの入力(28×28)',
  lang: 'English',
};

export type TextKey = keyof typeof en;
const dictionaries: Record<Lang, typeof en> = { en, ja };

let current: Lang = 'en';
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

/** A text in the current language, with `{name}` placeholders filled in. */
export function t(key: TextKey, values: Record<string, string | number> = {}): string {
  return dictionaries[current][key].replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}

export function setLang(next: Lang): void {
  current = next;
  document.documentElement.lang = next;
  applyStaticTexts();
  for (const l of listeners) l();
}

/** Re-run `render` whenever the language changes. */
export function onLangChange(render: () => void): void {
  listeners.push(render);
}

/** Fills every element carrying `data-i18n="key"`. */
export function applyStaticTexts(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as TextKey);
}

/**
 * A tab's own texts, kept in its own file: `const tt = localTexts({ en: {...}, ja: {...} })`, then
 * `tt('key', { n: 3 })` in the current language (with `{name}` placeholders filled in, as `t`).
 */
export function localTexts<K extends string>(dicts: Record<Lang, Record<K, string>>): (key: K, values?: Record<string, string | number>) => string {
  return (key, values = {}) => dicts[current][key].replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? `{${k}}`));
}
