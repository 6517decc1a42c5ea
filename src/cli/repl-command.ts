import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import repl from 'node:repl';
import { PassThrough, Writable } from 'node:stream';
import { inspect } from 'node:util';
import vm from 'node:vm';
/** The package, loaded when a session starts (not at every CLI start: it is the whole library). */
type Scratchnet = typeof import('../node.ts');
import { VERSION } from '../version.ts';

/** The names a REPL session starts with: every export of the package, plus `np`-style `scratchnet`. */
export function replScope(scratchnet: Scratchnet): Record<string, unknown> {
  return { ...scratchnet, scratchnet };
}

/** The greeting: one line saying what is loaded. */
export function replGreeting(scope: Record<string, unknown>): string {
  const shown = ['print', 'tensor', 'zeros', 'arange', 'Relu', 'Affine', 'SoftmaxWithLoss', 'TwoLayerNet', 'loadMnist', 'setPrintOptions'];
  return (
    `ScratchNet ${VERSION} REPL (Node ${process.version}): ${Object.keys(scope).length} names in scope ` +
    `(${shown.join(', ')}, …); tensors print as NumPy prints them; top-level await works; .exit to leave`
  );
}

/**
 * How the REPL shows a result: a tensor or mask as NumPy's REPL shows an array (its repr,
 * `array([...])`), anything else as Node shows it (a tensor inside an object prints as NumPy's str).
 */
export function replWriter(colors: boolean, scratchnet: Scratchnet): (value: unknown) => string {
  return (value) =>
    value instanceof scratchnet.Tensor || value instanceof scratchnet.Mask ? value.repr() : inspect(value, { colors });
}

/**
 * Top-level `await`: code that does not compile as a script but mentions `await` runs inside an async
 * function. A declaration (`const n = await f()`) becomes an assignment, so `n` stays defined for the
 * next line, as it does in Node's own REPL.
 */
function compileAsync(code: string, filename: string): vm.Script {
  const body = code.trim().replace(/;$/, '');
  const declaration = /^(?:const|let|var)\s+([\s\S]+?)\s*=\s*([\s\S]+)$/.exec(body);
  const candidates = declaration
    ? [`(async () => { void (${declaration[1]} = (${declaration[2]})); })()`]
    : [`(async () => { return (${body}); })()`, `(async () => { ${body} })()`];
  let error: unknown;
  for (const source of candidates) {
    try {
      return new vm.Script(source, { filename });
    } catch (e) {
      error = e;
    }
  }
  throw error;
}

function compile(code: string, filename: string): vm.Script {
  try {
    return new vm.Script(code, { filename });
  } catch (e) {
    if (e instanceof SyntaxError && /\bawait\b/.test(code)) {
      try {
        return compileAsync(code, filename);
      } catch {
        // report the original error
      }
    }
    throw e;
  }
}

type EvalCallback = (err: Error | null, result?: unknown) => void;

/** An error from the user's code, without the frames of this evaluator below it. */
function userError(e: unknown): Error {
  // (errors thrown in the REPL's context are not `instanceof Error` here: another realm)
  if (typeof e !== 'object' || e === null || typeof (e as Error).stack !== 'string') return e as Error;
  const lines = ((e as Error).stack as string).split('\n');
  const cut = lines.findIndex((line) => line.includes('Script.runInContext'));
  if (cut > 0) (e as Error).stack = lines.slice(0, cut).join('\n');
  return e as Error;
}

/**
 * The REPL's evaluator. Node 20's own evaluator handles top-level `await`, but in a programmatic REPL on
 * piped input it goes on reading while a promise is pending, so results print out of order and a name
 * declared with `await` is not defined yet on the next line. This one compiles each line at once (so an
 * unfinished line asks for more before the next line arrives) and runs the lines strictly one after
 * another, awaiting each result before the next line starts.
 */
function makeEvaluator(): (code: string, context: vm.Context, filename: string, callback: EvalCallback) => void {
  let queue: Promise<void> = Promise.resolve();
  return (code, context, filename, callback) => {
    let script: vm.Script;
    try {
      script = compile(code, filename);
    } catch (e) {
      // an unfinished line (an open bracket, a trailing operator): let the user go on typing
      if (e instanceof SyntaxError && /Unexpected end of input|Unterminated template/.test(e.message)) {
        callback(new repl.Recoverable(e));
      } else {
        queue = queue.then(() => callback(e as Error));
      }
      return;
    }
    queue = queue.then(async () => {
      try {
        callback(null, await script.runInContext(context, { breakOnSigint: true }));
      } catch (e) {
        callback(userError(e));
      }
    });
  };
}

const PROMPT = 'scratchnet> ';

/**
 * Piped input (not a terminal): the REPL gets one line at a time, the next only after it has printed its
 * prompt again, so every result appears right after its line, in order, whatever the line awaits.
 */
function pacedInput(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): { input: PassThrough; output: Writable } {
  const feed = new PassThrough();
  const pending: string[] = [];
  let ended = false;
  let ready = false;
  const pump = (): void => {
    if (!ready) return;
    const line = pending.shift();
    if (line !== undefined) {
      ready = false;
      feed.write(`${line}\n`);
    } else if (ended) {
      feed.end();
    }
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on('line', (line) => {
    pending.push(line);
    pump();
  });
  lines.on('close', () => {
    ended = true;
    pump();
  });
  const watcher = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const text = chunk.toString();
      output.write(text, () => done());
      if (text === PROMPT || /^\.\.\. *$/.test(text)) {
        ready = true;
        setImmediate(pump);
      }
    },
  });
  return { input: feed, output: watcher };
}

/**
 * Starts Node's REPL with ScratchNet in scope. Resolves when the session ends (`.exit`, Ctrl-D, or the
 * end of piped input).
 */
export async function startRepl(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<void> {
  const terminal = (output as NodeJS.WriteStream).isTTY === true && (input as NodeJS.ReadStream).isTTY === true;
  const scratchnet = await import('../node.ts');
  const scope = replScope(scratchnet);
  output.write(`${replGreeting(scope)}\n`);
  const streams = terminal ? { input, output } : pacedInput(input, output);
  const server = repl.start({ prompt: PROMPT, ...streams, terminal, writer: replWriter(terminal, scratchnet), eval: makeEvaluator() });
  Object.assign(server.context, scope);
  await new Promise<void>((resolve) => server.on('exit', () => resolve()));
}

export function registerRepl(program: Command): void {
  program
    .command('repl')
    .description("an interactive session (Node's REPL) with every ScratchNet export in scope; tensors print as NumPy's")
    .action(async () => {
      await startRepl();
    });
}
