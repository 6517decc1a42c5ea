import { setupCnn } from './cnn-tab.ts';
import { setupDraw } from './draw-tab.ts';
import { setupGraph } from './graph.ts';
import { applyStaticTexts, lang, setLang } from './i18n.ts';
import { setupInit } from './init-tab.ts';
import { setupLayers } from './layers-tab.ts';
import { setupNetgraph } from './netgraph-tab.ts';
import { setupOptimizers } from './optimizers-tab.ts';
import { setupOverfit } from './overfit-tab.ts';
import { setupTrain } from './train-tab.ts';

const tabs = [...document.querySelectorAll<HTMLButtonElement>('nav [data-tab]')];
function show(name: string): void {
  for (const tab of tabs) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    document.getElementById(`tab-${tab.dataset.tab}`)!.hidden = !selected;
  }
  document.dispatchEvent(new CustomEvent('tab-shown', { detail: name }));
  history.replaceState(null, '', `#${name}`);
}
for (const tab of tabs) tab.addEventListener('click', () => show(tab.dataset.tab!));

document.getElementById('lang-toggle')!.addEventListener('click', () => setLang(lang() === 'en' ? 'ja' : 'en'));

applyStaticTexts();
setupGraph(document.getElementById('graph')!, document.getElementById('graph-inputs') as HTMLFormElement, document.getElementById('graph-error')!);
setupLayers();
setupTrain();
setupDraw();
setupOptimizers();
setupInit(document.getElementById('tab-init')!);
setupOverfit(document.getElementById('tab-overfit')!);
setupCnn(document.getElementById('tab-cnn')!);
setupNetgraph(document.getElementById('tab-netgraph')!);
const initial = location.hash.slice(1);
show(tabs.some((t) => t.dataset.tab === initial) ? initial : 'graph');
if (navigator.language.startsWith('ja')) setLang('ja');
