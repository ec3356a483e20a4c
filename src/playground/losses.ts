/**
 * Loss functions of one example, each returning the loss and writing its gradient with respect
 * to the output layer's pre-activations (the network's last layer is linear: its z are the
 * regression outputs or the class logits). Loss and gradient live side by side (STYLE.md 3) and
 * are checked against finite differences in test/playground/gradients.test.ts.
 */

/** A loss on the output layer's pre-activations `z` (length k) against the target `t`. */
export interface Loss {
  name: LossName;
  label: string;
  /**
   * Loss of one example. When `dz` is given, writes dL/dz there too (same length k).
   * @param z output pre-activations at `zOff`
   * @param t target at `tOff`: the value(s) for MSE, a one-hot row for cross-entropy
   */
  evaluate(z: ArrayLike<number>, zOff: number, k: number, t: ArrayLike<number>, tOff: number,
    dz?: Float64Array, dzOff?: number): number;
  /** Writes what the user sees as the prediction: the value for MSE, class probabilities for cross-entropy. */
  predict(z: ArrayLike<number>, zOff: number, k: number, out: Float64Array, outOff: number): void;
}

/** Loss names. */
export type LossName = 'mse' | 'softmax-ce';

/**
 * Squared error with the 1/2 factor, L = 1/2 sum_k (z_k - t_k)^2, dL/dz_k = z_k - t_k
 * (as TF Playground's `SQUARE` error), for regression.
 */
export const MSE: Loss = {
  name: 'mse',
  label: 'squared error',
  evaluate(z, zOff, k, t, tOff, dz, dzOff = 0) {
    let l = 0;
    for (let j = 0; j < k; j++) {
      const d = z[zOff + j] - t[tOff + j];
      l += 0.5 * d * d;
      if (dz) dz[dzOff + j] = d;
    }
    return l;
  },
  predict(z, zOff, k, out, outOff) {
    for (let j = 0; j < k; j++) out[outOff + j] = z[zOff + j];
  },
};

/**
 * Softmax cross-entropy, L = -sum_k t_k log softmax(z)_k = logsumexp(z) - sum_k t_k z_k (for a
 * one-hot or any t summing to 1), dL/dz_k = softmax(z)_k - t_k (Bishop, PRML eq. 4.109).
 * logsumexp subtracts max(z) first so exp cannot overflow.
 */
export const SOFTMAX_CE: Loss = {
  name: 'softmax-ce',
  label: 'softmax cross-entropy',
  evaluate(z, zOff, k, t, tOff, dz, dzOff = 0) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (z[zOff + j] > m) m = z[zOff + j];
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[zOff + j] - m);
    const lse = m + Math.log(s);
    let l = 0;
    for (let j = 0; j < k; j++) {
      const tj = t[tOff + j];
      l += tj * (lse - z[zOff + j]);
      if (dz) dz[dzOff + j] = Math.exp(z[zOff + j] - lse) - tj;
    }
    return l;
  },
  predict(z, zOff, k, out, outOff) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (z[zOff + j] > m) m = z[zOff + j];
    let s = 0;
    for (let j = 0; j < k; j++) { const e = Math.exp(z[zOff + j] - m); out[outOff + j] = e; s += e; }
    for (let j = 0; j < k; j++) out[outOff + j] /= s;
  },
};

/** The loss with this name. */
export function loss(name: LossName): Loss {
  return name === 'mse' ? MSE : SOFTMAX_CE;
}
