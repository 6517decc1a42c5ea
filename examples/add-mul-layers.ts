// The multiplication and addition layers of chapter 5.4 on the book's two shopping graphs, every edge's
// value forward and every derivative backward (floats printed as Python prints them).
// Run: npx tsx examples/add-mul-layers.ts   (the book's scripts alone: examples/buy-apple.ts, examples/buy-apple-orange.ts)
import { buyApple, buyAppleOrange, scalarString } from '../src/index.ts';

const py = (v: number): string => scalarString(v, 'float64'); // Python's str(float): 200.0, 1.1

// apple 100 × 2, tax 1.1 (the graph of buy_apple.py)
const a = buyApple(100, 2, 1.1);
console.log('apple with tax: forward');
console.log('apple_price =', py(a.applePrice));
console.log('price =', py(a.price));
console.log('apple with tax: backward (dprice = 1)');
console.log('dtax =', py(a.dTax));
console.log('dapple =', py(a.dApple));
console.log('dapple_num =', py(a.dAppleNum));

// apples 100 × 2 and oranges 150 × 3, added, tax 1.1 (buy_apple_orange.py)
const o = buyAppleOrange(100, 2, 150, 3, 1.1);
console.log('apples and oranges with tax: forward');
console.log('apple_price =', py(o.applePrice));
console.log('orange_price =', py(o.orangePrice));
console.log('all_price =', py(o.allPrice));
console.log('price =', py(o.price));
console.log('apples and oranges with tax: backward (dprice = 1)');
console.log('dall_price =', py(o.dAllPrice));
console.log('dtax =', py(o.dTax));
console.log('dapple_price =', py(o.dApplePrice));
console.log('dorange_price =', py(o.dOrangePrice));
console.log('dapple =', py(o.dApple));
console.log('dapple_num =', py(o.dAppleNum));
console.log('dorange =', py(o.dOrange));
console.log('dorange_num =', py(o.dOrangeNum));
