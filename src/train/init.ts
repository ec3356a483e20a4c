/**
 * Seeded weight initialisation. The examples must regenerate from their seed (issue 5), so the
 * draws come from the project's own seeded generator (src/data/random.ts), never `Math.random`.
 */
import { Random } from '../data/random.ts';

/** How a weight tensor starts. */
export type InitKind =
  /** He et al. 2015 ("Delving Deep into Rectifiers", Eq. 10): normal, std sqrt(2 / fan_in); for layers followed by ReLU. */
  | 'he'
  /** Glorot & Bengio 2010 ("Understanding the difficulty...", Eq. 16): uniform in +-sqrt(6 / (fan_in + fan_out)); for layers followed by softmax or nothing. */
  | 'glorot'
  /** All zeros (biases). */
  | 'zeros';

/**
 * Draws `count` initial values.
 * @example initValues('he', 64 * 13, { fanIn: 13, fanOut: 64 }, new Random(1))
 */
export function initValues(kind: InitKind, count: number, fan: { fanIn: number; fanOut: number }, rng: Random): Float32Array {
  const out = new Float32Array(count);
  if (kind === 'zeros') return out;
  if (kind === 'he') {
    const std = Math.sqrt(2 / fan.fanIn);
    for (let i = 0; i < count; i++) out[i] = std * rng.normal();
    return out;
  }
  const limit = Math.sqrt(6 / (fan.fanIn + fan.fanOut));
  for (let i = 0; i < count; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}
