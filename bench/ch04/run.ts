/**
 * `train-neuralnet-ch04` side by side: ScratchNet against the book's NumPy code
 * (bench/ch04/numpy_train_ch04.py: ch04/train_neuralnet.py with chapter 4's TwoLayerNet — sigmoid, the
 * hand-written gradient, written with plain tensor operations, not layers), 10000 iterations of batch 100
 * and the accuracy on all 70 000 images every 600. Whole processes by the wall clock, alternating the
 * systems round by round: `scratchnet train-neuralnet-ch04` as `npx` runs it (start-up, data, training,
 * the figure) against `python3 bench/ch04/numpy_train_ch04.py` (start-up, data, training; no figure).
 * ScratchNet runs this net on its generic path: tensor operations, each product on the WASM kernels.
 *
 *     npx tsx bench/ch04/run.ts [--iters 10000] [--rounds 1]
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from '../args.ts';
import { cliBuilt, cliInTempDir, mbOf, median, root, wall } from '../systems.ts';

export interface Ch04Result {
  /** The markdown section. */
  lines: string[];
}

export async function trainCh04Bench({ iters, rounds }: { iters: number; rounds: number }): Promise<Ch04Result> {
  await cliBuilt();
  const sn = { seconds: [] as number[], rss: [] as number[] };
  const np = { seconds: [] as number[], rss: [] as number[] };
  for (let r = 1; r <= rounds; r++) {
    const run = cliInTempDir(['train-neuralnet-ch04', '--seed', String(r), '--iters', String(iters)], 'scratchnet-bench-ch04-');
    sn.seconds.push(run.seconds);
    sn.rss.push(run.peakRssMB);
    const py = wall('python3', [join(root, 'bench/ch04/numpy_train_ch04.py'), '--seed', String(r), '--iters', String(iters)]);
    np.seconds.push(py.seconds);
    np.rss.push(py.peakRssMB);
    console.log(`round ${r}/${rounds}  train-neuralnet-ch04  ScratchNet ${sn.seconds.at(-1)!.toFixed(1)} s  NumPy ${np.seconds.at(-1)!.toFixed(1)} s`);
  }
  const f = (s: number) => `${s.toFixed(1)} s`;
  return {
    lines: [
      `train-neuralnet-ch04: chapter 4's TwoLayerNet(784, 50, 10) (sigmoid, the book's hand-written gradient), batch 100, ${iters} iterations, lr 0.1, accuracy on the whole training and test sets every 600 iterations, float64; median of ${rounds} round(s)`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; load average at the end ${loadavg()[0].toFixed(1)}`,
      '',
      "| measure | ScratchNet | NumPy (the book's code) | NumPy's time ÷ ScratchNet's |",
      '|---|---|---|---|',
      `| whole process (\`scratchnet train-neuralnet-ch04\` vs \`python3 bench/ch04/numpy_train_ch04.py\`) | ${f(median(sn.seconds))} | ${f(median(np.seconds))} | ${(median(np.seconds) / median(sn.seconds)).toFixed(2)}× |`,
      `| peak RSS, whole process (median; largest of the rounds) | ${mbOf(median(sn.rss))} (${mbOf(Math.max(...sn.rss))}) | ${mbOf(median(np.rss))} (${mbOf(Math.max(...np.rss))}) | |`,
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const values = benchArgs(
    `node --import tsx bench/ch04/run.ts [--iters 10000] [--rounds 1]

train-neuralnet-ch04 (chapter 4's TwoLayerNet) in ScratchNet and the book's NumPy code, whole processes.`,
    { iters: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '1' } },
    { iters: 1, rounds: 1 },
  );
  const { lines } = await trainCh04Bench({ iters: Number(values.iters), rounds: Number(values.rounds) });
  console.log(lines.join('\n'));
}
