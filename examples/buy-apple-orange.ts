// The book's ch05/buy_apple_orange.py, line for line. Run: npx tsx examples/buy-apple-orange.ts
import { AddLayer, MulLayer } from '../src/index.ts';

const apple = 100;
const appleNum = 2;
const orange = 150;
const orangeNum = 3;
const tax = 1.1;

// layer
const mulAppleLayer = new MulLayer();
const mulOrangeLayer = new MulLayer();
const addAppleOrangeLayer = new AddLayer();
const mulTaxLayer = new MulLayer();

// forward
const applePrice = mulAppleLayer.forward(apple, appleNum); // (1)
const orangePrice = mulOrangeLayer.forward(orange, orangeNum); // (2)
const allPrice = addAppleOrangeLayer.forward(applePrice, orangePrice); // (3)
const price = mulTaxLayer.forward(allPrice, tax); // (4)

// backward
const dprice = 1;
const [dAllPrice, dTax] = mulTaxLayer.backward(dprice); // (4)
const [dApplePrice, dOrangePrice] = addAppleOrangeLayer.backward(dAllPrice); // (3)
const [dOrange, dOrangeNum] = mulOrangeLayer.backward(dOrangePrice); // (2)
const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice); // (1)

console.log('price:', Math.trunc(price));
console.log('dApple:', dApple);
console.log('dApple_num:', Math.trunc(dAppleNum));
console.log('dOrange:', dOrange);
console.log('dOrange_num:', Math.trunc(dOrangeNum));
console.log('dTax:', dTax);
