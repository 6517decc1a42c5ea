/**
 * A seeded pseudo-random generator: xoshiro128** seeded through splitmix32. Pure 32-bit integer
 * arithmetic, so the same seed gives the same numbers in Node and in every browser.
 */
export class Random {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN;
  /** The seed this generator started from. */
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`Random: seed must be a non-negative safe integer, got ${seed}`);
    }
    this.seed = seed;
    // splitmix32 over both halves of the seed fills the state; it is never all zero.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare === this.spare) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n), unbiased. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) {
      throw new Error(`Random.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection sampling on 32 bits removes the modulo bias.
    const limit = 2 ** 32 - (2 ** 32 % n);
    let v = this.nextUint32();
    while (v >= limit) v = this.nextUint32();
    return v % n;
  }

  /**
   * `size` integers drawn from [0, n) with replacement — `np.random.choice(n, size)` semantics, as the
   * book samples mini-batches. Fills and returns `out` when given (no allocation in a training loop).
   */
  choice(n: number, size: number, out: Uint32Array = new Uint32Array(size)): Uint32Array {
    if (out.length < size) throw new Error(`Random.choice: out has ${out.length} slots, need ${size}`);
    for (let i = 0; i < size; i++) out[i] = this.int(n);
    return out;
  }

  /** Fills `arr` with normal numbers of the given mean and standard deviation. */
  fillNormal(arr: { length: number; [i: number]: number }, mean = 0, std = 1): void {
    for (let i = 0; i < arr.length; i++) arr[i] = mean + std * this.normal();
  }

  /** Fills `arr` with numbers uniform in [low, high). */
  fillUniform(arr: { length: number; [i: number]: number }, low = 0, high = 1): void {
    for (let i = 0; i < arr.length; i++) arr[i] = low + (high - low) * this.random();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A fresh seed from the platform's entropy, for runs that were not given one (print it!). */
export function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0];
}
