/**
 * `scratchnet` — the book's scripts (chapters 3–8) as subcommands, plus ScratchNet's own (`predict`,
 * `export`, `repl`, `plot`). A thin shell: each command's work lives in the library; the command files parse
 * options, print and write files.
 */
import { Command, CommanderError } from 'commander';
import { buyAppleLines, buyAppleOrangeLines } from '../examples.ts';
import { VERSION } from '../version.ts';
import { registerCommands } from './commands.ts';
import { RunError, UsageError } from './errors.ts';
import { tolerateClosedOutput } from './streams.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('scratchnet')
    .description('"Deep Learning from Scratch" (ゼロから作るDeep Learning) in TypeScript: every script of the book (chapters 1–8) as a command; scratchnet book --list maps the book\'s paths to them.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command('buy-apple')
    .description("the book's buy_apple.py: forward and backward through the apple-with-tax graph")
    .action(() => {
      for (const line of buyAppleLines()) console.log(line);
    });
  program
    .command('buy-apple-orange')
    .description("the book's buy_apple_orange.py: the apple-and-orange graph (×, ×, +, × tax)")
    .action(() => {
      for (const line of buyAppleOrangeLines()) console.log(line);
    });
  registerCommands(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Runs the CLI and returns its exit code: 0 done, 1 the work failed, 2 bad usage. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  // `scratchnet train | head -1`: a reader that goes away must not end the run (or print a stack trace).
  tolerateClosedOutput();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    // An action may set its own code (e.g. 130 after Ctrl-C).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; every other commander error is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n(run with --help for usage)\n`);
      return 2;
    }
    if (e instanceof RunError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}
