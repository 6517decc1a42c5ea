/**
 * Flags of the benchmark scripts (node:util parseArgs): `--help` prints the script's usage and exits 0;
 * an unknown flag, a missing value or a count that is not a whole number prints the reason and the
 * usage and exits 2 — before any work, as the CLI does.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `process.argv` for `options`. `counts` names the flags that must be whole numbers, with their
 * least allowed value (e.g. `{ rounds: 1, 'full-train-size': 0 }`).
 */
export function benchArgs<const O extends Options>(usage: string, options: O, counts: Partial<Record<keyof O & string, number>> = {}): ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'] {
  const fail = (why: string): never => {
    process.stderr.write(`error: ${why}\n\n${usage.trim()}\n`);
    process.exit(2);
  };
  let values: Record<string, unknown> = {};
  try {
    values = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  for (const [name, least] of Object.entries(counts) as [string, number][]) {
    const v = values[name];
    if (v === undefined) continue;
    if (!/^\d+$/.test(String(v)) || Number(v) < least) fail(`--${name} must be a whole number >= ${least}, got ${String(v)}`);
  }
  return values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
}
