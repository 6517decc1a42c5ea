/**
 * The page's one Worker (MNIST is loaded once, ~55 MB), shared by every tab: `send` posts to it, `listen`
 * hears everything it posts, and `whenReady` gives the `ready` message (its sample images) to late tabs.
 */
import type { TrainConfig } from '../../src/index.ts';
import type { Channel, DataSlice, FromWorker, ToWorker } from './protocol.ts';

type Ready = Extract<FromWorker, { type: 'ready' }>;

let worker: Worker | undefined;
const listeners: ((m: FromWorker) => void)[] = [];
let ready: Ready | undefined;
const readyWaiters: ((m: Ready) => void)[] = [];

function theWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === 'ready') {
        ready = m;
        for (const w of readyWaiters.splice(0)) w(m);
      }
      for (const l of listeners) l(m);
    };
  }
  return worker;
}

export function send(m: ToWorker, transfer: Transferable[] = []): void {
  theWorker().postMessage(m, transfer);
}

export function listen(l: (m: FromWorker) => void): void {
  theWorker();
  listeners.push(l);
}

/** Calls `f` with the Worker's `ready` message: now if it came already, else when it comes. */
export function whenReady(f: (m: Ready) => void): void {
  theWorker();
  if (ready) f(ready);
  else readyWaiters.push(f);
}

/**
 * A tab's runs on one channel of the Worker, numbered: `start` begins run n + 1, `stop` makes every
 * message the stopped run still sends late, and `current(m)` is true only for messages of the run in
 * progress — so a quick Reset → Start never mixes two runs' progress.
 */
export class ChannelRun {
  private run = 0;

  constructor(readonly channel: Channel) {}

  start(config: TrainConfig, data?: DataSlice): void {
    this.run++;
    send({ type: 'start', channel: this.channel, run: this.run, config, ...(data ? { data } : {}) });
  }

  pause(): void {
    send({ type: 'pause', channel: this.channel });
  }

  resume(): void {
    send({ type: 'resume', channel: this.channel });
  }

  stop(): void {
    send({ type: 'stop', channel: this.channel });
    this.run++;
  }

  /** True for a message of this channel's run in progress. */
  current(m: FromWorker): m is Extract<FromWorker, { run: number }> {
    return 'channel' in m && m.channel === this.channel && 'run' in m && m.run === this.run;
  }
}
