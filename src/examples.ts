/**
 * The book's computational-graph examples (`ch05/buy_apple.py`, `ch05/buy_apple_orange.py`), as data:
 * the CLI prints them and the web page draws them. Python's `int()` truncation is kept.
 */
import { AddLayer } from './layers/add-layer.ts';
import { MulLayer } from './layers/mul-layer.ts';

export interface BuyAppleResult {
  price: number;
  dApple: number;
  dAppleNum: number;
  dTax: number;
  /** The apple subtotal (the edge between the two × nodes). */
  applePrice: number;
}

export function buyApple(apple = 100, appleNum = 2, tax = 1.1): BuyAppleResult {
  const mulAppleLayer = new MulLayer();
  const mulTaxLayer = new MulLayer();
  // forward
  const applePrice = mulAppleLayer.forward(apple, appleNum);
  const price = mulTaxLayer.forward(applePrice, tax);
  // backward
  const dprice = 1;
  const [dApplePrice, dTax] = mulTaxLayer.backward(dprice);
  const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
  return { price, dApple, dAppleNum, dTax, applePrice };
}

export interface BuyAppleOrangeResult extends BuyAppleResult {
  dOrange: number;
  dOrangeNum: number;
  orangePrice: number;
  allPrice: number;
  dApplePrice: number;
  dOrangePrice: number;
  dAllPrice: number;
}

export function buyAppleOrange(apple = 100, appleNum = 2, orange = 150, orangeNum = 3, tax = 1.1): BuyAppleOrangeResult {
  const mulAppleLayer = new MulLayer();
  const mulOrangeLayer = new MulLayer();
  const addAppleOrangeLayer = new AddLayer();
  const mulTaxLayer = new MulLayer();
  // forward
  const applePrice = mulAppleLayer.forward(apple, appleNum);
  const orangePrice = mulOrangeLayer.forward(orange, orangeNum);
  const allPrice = addAppleOrangeLayer.forward(applePrice, orangePrice);
  const price = mulTaxLayer.forward(allPrice, tax);
  // backward
  const dprice = 1;
  const [dAllPrice, dTax] = mulTaxLayer.backward(dprice);
  const [dApplePrice, dOrangePrice] = addAppleOrangeLayer.backward(dAllPrice);
  const [dOrange, dOrangeNum] = mulOrangeLayer.backward(dOrangePrice);
  const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);
  return { price, dApple, dAppleNum, dOrange, dOrangeNum, dTax, applePrice, orangePrice, allPrice, dApplePrice, dOrangePrice, dAllPrice };
}

/** Python's `int()` on a float: truncation toward zero. */
export const int = Math.trunc;

/** The lines `buy_apple.py` prints. */
export function buyAppleLines(r: BuyAppleResult = buyApple()): string[] {
  return [`price: ${int(r.price)}`, `dApple: ${r.dApple}`, `dApple_num: ${int(r.dAppleNum)}`, `dTax: ${r.dTax}`];
}

/** The lines `buy_apple_orange.py` prints. */
export function buyAppleOrangeLines(r: BuyAppleOrangeResult = buyAppleOrange()): string[] {
  return [
    `price: ${int(r.price)}`,
    `dApple: ${r.dApple}`,
    `dApple_num: ${int(r.dAppleNum)}`,
    `dOrange: ${r.dOrange}`,
    `dOrange_num: ${int(r.dOrangeNum)}`,
    `dTax: ${r.dTax}`,
  ];
}
