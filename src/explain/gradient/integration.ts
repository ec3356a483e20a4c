/**
 * Integration rules for path methods (Captum's `approximation_methods.py`): each returns the
 * points alpha_i in [0, 1] on the straight path from the baseline to the input and the weights
 * (step sizes) with which the gradients there are summed.
 */

/** Names accepted by `--ig-method`. */
export const INTEGRATION_METHODS = ['gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'] as const;
export type IntegrationMethod = (typeof INTEGRATION_METHODS)[number];

/** Points and weights of a rule with `n` steps. */
export interface Quadrature { alphas: number[]; weights: number[] }

/**
 * Points and weights for `method` with `n` steps.
 * @example quadrature('riemann_trapezoid', 3) // alphas [0, 0.5, 1], weights [0.25, 0.5, 0.25]
 */
export function quadrature(method: IntegrationMethod, n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1) throw new Error(`steps must be a positive integer, got ${n}`);
  const lin = (a: number, b: number): number[] => Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
  switch (method) {
    case 'riemann_left': return { alphas: lin(0, 1 - 1 / n), weights: new Array(n).fill(1 / n) };
    case 'riemann_right': return { alphas: lin(1 / n, 1), weights: new Array(n).fill(1 / n) };
    case 'riemann_middle': return { alphas: lin(1 / (2 * n), 1 - 1 / (2 * n)), weights: new Array(n).fill(1 / n) };
    case 'riemann_trapezoid': {
      if (n < 2) throw new Error('riemann_trapezoid needs at least 2 steps');
      const w = new Array(n).fill(1 / (n - 1));
      w[0] = w[n - 1] = 1 / (2 * (n - 1));
      return { alphas: lin(0, 1), weights: w };
    }
    case 'gausslegendre': {
      const { x, w } = gaussLegendre(n);
      // Map [-1, 1] to [0, 1]: alpha = (1 + x) / 2, weight = w / 2 (Captum does the same).
      return { alphas: x.map((v) => 0.5 * (1 + v)), weights: w.map((v) => 0.5 * v) };
    }
  }
}

/**
 * Gauss-Legendre nodes and weights on [-1, 1] (numpy.polynomial.legendre.leggauss): Newton's
 * method on P_n from Chebyshev initial guesses; w_i = 2 / ((1 - x_i^2) P_n'(x_i)^2).
 */
export function gaussLegendre(n: number): { x: number[]; w: number[] } {
  const x = new Array<number>(n), w = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = z;
      for (let k = 2; k <= n; k++) { const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k; p0 = p1; p1 = p2; }
      const pn = n === 1 ? z : p1, pn1 = n === 1 ? 1 : p0;
      dp = (n * (z * pn - pn1)) / (z * z - 1);
      const dz = pn / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    x[n - 1 - i] = z; // ascending order, as numpy returns them
    w[n - 1 - i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}
