/**
 * A small seeded pseudo-random generator, so that a playground state in the URL (dataset seed,
 * initialisation seed) reproduces the same data, the same initial weights and the same example
 * order in the browser and in Node (the end-to-end test relies on this).
 *
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state, full period 2^32, passes
 * gjrand/PractRand to a few GB, which is far more than a few thousand toy points need. Math.random
 * cannot be seeded, so it is never used by the engine.
 */

/** A seeded generator of uniform numbers in [0, 1) with the helpers the playground needs. */
export class Rng {
  private s: number;

  /** @example const r = new Rng(42); r.uniform(-1, 1) */
  constructor(seed: number) {
    // Spread small seeds (0, 1, 2...) over the state space; `| 0` keeps a 32-bit integer.
    this.s = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) | 0;
  }

  /** Next number in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform number in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Normal number with the given mean and standard deviation (Box-Muller transform; the second
   * value of each pair is dropped to keep the stream simple to reason about).
   */
  normal(mean = 0, std = 1): number {
    // 1 - next() is in (0, 1], so the logarithm is finite.
    const u = 1 - this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `a` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
