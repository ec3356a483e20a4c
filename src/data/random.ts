/**
 * A small seeded random number generator for the example datasets. `Math.random` cannot be
 * seeded, and the examples must regenerate byte for byte from their seed (issue 5, "Shipped").
 *
 * The core is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, PractRand suite), which
 * passes PractRand and needs only 32-bit integer arithmetic, so it gives the same stream in
 * every JavaScript engine.
 */

/** A seeded stream of random numbers with the few distributions the generators need. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  /**
   * @param seed any integer; equal seeds give equal streams
   * @example const rng = new Random(42); rng.uniform(); // same value on every run
   */
  constructor(seed: number) {
    // SplitMix32-style scrambling of the seed into four state words, so that nearby seeds
    // (1, 2, 3...) still start far apart.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    for (let i = 0; i < 12; i++) this.uint32(); // warm-up recommended for sfc32
  }

  /** A uniform 32-bit unsigned integer (sfc32 step). */
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number { return this.uint32() / 4294967296; }

  /** Uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number { return lo + Math.floor(this.uniform() * (hi - lo + 1)); }

  /** True with probability `p`. */
  bernoulli(p: number): boolean { return this.uniform() < p; }

  /** Standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) { const v = this.spare; this.spare = undefined; return v; }
    let u = 0;
    while (u === 0) u = this.uniform(); // log(0) guard
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal draw with the given median (e^mu) and log-scale standard deviation sigma. */
  logNormal(median: number, sigma: number): number { return median * Math.exp(sigma * this.normal()); }

  /** Gamma(shape k, scale theta) draw (Marsaglia and Tsang 2000, "A simple method for generating gamma variables"). */
  gamma(k: number, theta: number): number {
    if (k < 1) return this.gamma(k + 1, theta) * Math.pow(this.uniform() || Number.MIN_VALUE, 1 / k);
    const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do { x = this.normal(); v = 1 + c * x; } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * theta;
    }
  }

  /** Poisson draw (Knuth's product method; fine for the small means used here, below ~50). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0, p = this.uniform();
    while (p > limit) { k++; p *= this.uniform(); }
    return k;
  }

  /** Index drawn with probability proportional to `weights`. */
  choice(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) { r -= weights[i]!; if (r < 0) return i; }
    return weights.length - 1;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = items[i]!; items[i] = items[j]!; items[j] = t;
    }
    return items;
  }
}
