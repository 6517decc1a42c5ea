/**
 * Chapter 2's perceptrons (`ch02/and_gate.py`, `nand_gate.py`, `or_gate.py`, `xor_gate.py`): a weighted sum
 * of the two inputs plus a bias, 1 when it is above 0, else 0 — with the book's weights and biases.
 */

/** A perceptron's weights `w` and bias `b`, as the book writes them. */
export interface PerceptronWeights {
  readonly w: readonly [number, number];
  readonly b: number;
}

export const AND_WEIGHTS: PerceptronWeights = Object.freeze({ w: [0.5, 0.5] as const, b: -0.7 });
export const NAND_WEIGHTS: PerceptronWeights = Object.freeze({ w: [-0.5, -0.5] as const, b: 0.7 });
export const OR_WEIGHTS: PerceptronWeights = Object.freeze({ w: [0.5, 0.5] as const, b: -0.2 });

/** The book's `tmp = np.sum(w*x) + b; return 0 if tmp <= 0 else 1`. */
export function perceptron({ w, b }: PerceptronWeights, x1: number, x2: number): number {
  const tmp = w[0] * x1 + w[1] * x2 + b;
  return tmp <= 0 ? 0 : 1;
}

/**
 * The book's `AND(x1, x2)` (w = [0.5, 0.5], b = −0.7).
 *
 * @example
 * AND(1, 1); // 1
 * AND(1, 0); // 0
 */
export function AND(x1: number, x2: number): number {
  return perceptron(AND_WEIGHTS, x1, x2);
}

/**
 * The book's `NAND(x1, x2)` (w = [−0.5, −0.5], b = 0.7).
 *
 * @example
 * NAND(1, 1); // 0
 */
export function NAND(x1: number, x2: number): number {
  return perceptron(NAND_WEIGHTS, x1, x2);
}

/**
 * The book's `OR(x1, x2)` (w = [0.5, 0.5], b = −0.2).
 *
 * @example
 * OR(0, 1); // 1
 */
export function OR(x1: number, x2: number): number {
  return perceptron(OR_WEIGHTS, x1, x2);
}

/**
 * The book's `XOR(x1, x2)`: no single perceptron draws it, two layers do — `AND(NAND(x1, x2), OR(x1, x2))`.
 *
 * @example
 * XOR(1, 0); // 1
 * XOR(1, 1); // 0
 */
export function XOR(x1: number, x2: number): number {
  return AND(NAND(x1, x2), OR(x1, x2));
}

/** The four inputs the book's scripts print, in their order. */
export const GATE_INPUTS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];
