// The book's ch05/buy_apple.py, line for line. Run: npx tsx examples/buy-apple.ts
import { MulLayer } from '../src/index.ts';

const apple = 100;
const appleNum = 2;
const tax = 1.1;

const mulAppleLayer = new MulLayer();
const mulTaxLayer = new MulLayer();

// forward
const applePrice = mulAppleLayer.forward(apple, appleNum);
const price = mulTaxLayer.forward(applePrice, tax);

// backward
const dprice = 1;
const [dApplePrice, dTax] = mulTaxLayer.backward(dprice);
const [dApple, dAppleNum] = mulAppleLayer.backward(dApplePrice);

console.log('price:', Math.trunc(price)); // Python's int()
console.log('dApple:', dApple);
console.log('dApple_num:', Math.trunc(dAppleNum));
console.log('dTax:', dTax);
