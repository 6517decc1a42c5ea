/**
 * Chapter 2's scripts as commands: `and-gate`, `nand-gate`, `or-gate`, `xor-gate` print the perceptron's
 * truth table as the book's `print(str(xs) + " -> " + str(y))`: `(0, 0) -> 0` ….
 */
import type { Command } from 'commander';
import { AND, GATE_INPUTS, NAND, OR, XOR } from '../../perceptron.ts';
import { printing } from './shared.ts';

/** The book's lines of a gate: `(x1, x2) -> y` for (0, 0), (1, 0), (0, 1), (1, 1). */
export function gateLines(gate: (x1: number, x2: number) => number): string[] {
  return GATE_INPUTS.map(([a, b]) => `(${a}, ${b}) -> ${gate(a, b)}`);
}

export function registerCh02(program: Command): void {
  const gates = [
    ['and-gate', 'AND', AND],
    ['nand-gate', 'NAND', NAND],
    ['or-gate', 'OR', OR],
    ['xor-gate', 'XOR', XOR],
  ] as const;
  for (const [name, title, gate] of gates) {
    const script = `ch02/${name.replace('-', '_')}.py`;
    const how = title === 'XOR' ? ' (AND of NAND and OR: a two-layer perceptron)' : '';
    printing(program, name, script, `the ${title} perceptron's truth table${how}`, () => gateLines(gate));
  }
}
