import type { Command } from 'commander';
import { registerGradcheck } from './gradcheck-command.ts';
import { registerPlot } from './plot-command.ts';
import { registerExamples } from './examples-command.ts';
import { registerPredict } from './predict-command.ts';
import { registerExport } from './export-command.ts';
import { registerRepl } from './repl-command.ts';
import { registerTrain } from './train-command.ts';
import { registerCh06 } from './ch06/index.ts';
import { registerCh07 } from './ch07/index.ts';
import { registerBook } from './book/index.ts';

/** Adds the book's scripts beyond the apple examples. */
export function registerCommands(program: Command): void {
  registerTrain(program);
  registerGradcheck(program);
  registerPlot(program);
  registerPredict(program);
  registerExport(program);
  registerRepl(program);
  registerExamples(program);
  registerCh06(program);
  registerCh07(program);
  registerBook(program);
}
