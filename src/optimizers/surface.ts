/**
 * The surface of the book's figure 6-8 (ch06/optimizer_compare_naive.py), f(x, y) = x²/20 + y², and the
 * path an optimizer takes on it — with the library's optimizer classes, as the CLI's
 * `optimizer-compare-naive` and the page's Optimizers tab both draw it.
 */
import { tensor } from '../tensor/tensor.ts';
import { createOptimizer } from './index.ts';

/** f(x, y) = x²/20 + y²: shallow along x, steep along y. */
export function naiveSurface(x: number, y: number): number {
  return (x * x) / 20 + y * y;
}

/** ∂f/∂x = x / 10, ∂f/∂y = 2y. */
export function naiveSurfaceGradient(x: number, y: number): [number, number] {
  return [x / 10.0, 2.0 * y];
}

/**
 * The path of `optimizer` (`'sgd'`, `'momentum'`, `'nesterov'`, `'adagrad'`, `'rmsprop'`, `'adam'`) with
 * learning rate `lr` on f from `start` (the book's (−7, 2)): `steps + 1` points, the start included. The
 * book records the position before each of its 30 updates, so it draws the first 30 of these.
 *
 * @example
 * optimizerPath('sgd', 0.95, 30).x.at(-1); // where SGD ends after 30 steps
 */
export function optimizerPath(optimizer: string, lr: number, steps: number, start: readonly [number, number] = [-7.0, 2.0]): { x: number[]; y: number[] } {
  const opt = createOptimizer(optimizer, { lr });
  const params = { x: tensor(start[0]), y: tensor(start[1]) };
  const xs = [params.x.item()];
  const ys = [params.y.item()];
  for (let i = 0; i < steps; i++) {
    const [gx, gy] = naiveSurfaceGradient(params.x.item(), params.y.item());
    opt.update(params, { x: tensor(gx), y: tensor(gy) });
    xs.push(params.x.item());
    ys.push(params.y.item());
  }
  return { x: xs, y: ys };
}
