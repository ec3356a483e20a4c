/**
 * Optimizers as small units: each keeps its own per-parameter state and updates parameter arrays
 * in place from their gradients (of the loss to minimize).
 */

/** Updates parameters from gradients. */
export interface Optimizer {
  readonly name: string;
  /** Learning rate, changed by schedules between steps. */
  lr: number;
  /** One update of every parameter in `params` from `grads` (same keys, same lengths). */
  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>): void;
}

/**
 * Stochastic gradient descent with (heavy-ball) momentum, in PyTorch's `torch.optim.SGD` form:
 * v <- mu * v + g; p <- p - lr * v (Sutskever et al. 2013, Eq. 1-2, with the learning rate moved
 * out of the velocity, so that changing lr mid-run does not rescale the velocity).
 */
export class Sgd implements Optimizer {
  readonly name = 'sgd';
  private readonly velocity = new Map<string, Float32Array>();

  /**
   * @param decay decoupled weight decay per parameter name (p <- p - lr * lambda * p beside the step;
   *   Loshchilov & Hutter 2019, Algorithm 1 line 9)
   * @example const opt = new Sgd(0.05, 0.9)
   */
  constructor(public lr: number, readonly momentum = 0.9, readonly decay: ReadonlyMap<string, number> = new Map()) {}

  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>): void {
    for (const [name, p] of params) {
      const g = gradOf(grads, name, p);
      let v = this.velocity.get(name);
      if (!v) { v = new Float32Array(p.length); this.velocity.set(name, v); }
      const wd = this.lr * (this.decay.get(name) ?? 0);
      for (let i = 0; i < p.length; i++) {
        p[i] -= wd * p[i]!;
        v[i] = this.momentum * v[i]! + g[i]!;
        p[i] -= this.lr * v[i]!;
      }
    }
  }
}

/**
 * Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1):
 * m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; m^ = m / (1 - b1^t); v^ = v / (1 - b2^t);
 * p <- p - lr * m^ / (sqrt(v^) + eps).
 */
export class Adam implements Optimizer {
  readonly name = 'adam';
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;

  /**
   * @param decay decoupled weight decay per parameter name (AdamW, Loshchilov & Hutter 2019, Algorithm 2 line 12:
   *   p <- p - lr * lambda * p, applied beside the Adam step, not through the gradient)
   * @example const opt = new Adam(1e-3)
   */
  constructor(public lr: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly eps = 1e-8, readonly decay: ReadonlyMap<string, number> = new Map()) {}

  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t, c2 = 1 - this.beta2 ** this.t;
    for (const [name, p] of params) {
      const g = gradOf(grads, name, p);
      let m = this.m.get(name), v = this.v.get(name);
      if (!m || !v) { m = new Float32Array(p.length); v = new Float32Array(p.length); this.m.set(name, m); this.v.set(name, v); }
      const wd = this.lr * (this.decay.get(name) ?? 0);
      for (let i = 0; i < p.length; i++) {
        p[i] -= wd * p[i]!;
        const gi = g[i]!;
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * gi;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * gi * gi;
        p[i] -= (this.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.eps);
      }
    }
  }
}

function gradOf(grads: ReadonlyMap<string, Float32Array>, name: string, p: Float32Array): Float32Array {
  const g = grads.get(name);
  if (!g || g.length !== p.length) throw new Error(`optimizer: no gradient of ${p.length} values for '${name}'`);
  return g;
}

/** Optimizer names accepted by `nnlens train --optimizer`. */
export const OPTIMIZERS = ['adam', 'sgd'] as const;
/** An optimizer name (`adam` or `sgd`). */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/**
 * Creates an optimizer by name.
 * @example createOptimizer('adam', 1e-3)
 */
export function createOptimizer(name: OptimizerName, lr: number): Optimizer {
  return name === 'adam' ? new Adam(lr) : new Sgd(lr, 0.9);
}

/**
 * Cosine learning-rate decay without restarts (Loshchilov & Hutter 2017, "SGDR", Eq. 5 with one
 * cycle): lr(t) = lr_min + (lr0 - lr_min) (1 + cos(pi t / T)) / 2, with lr_min = lr0 / 100.
 * @example cosineLr(1e-3, 0, 100) // 1e-3
 */
export function cosineLr(lr0: number, step: number, totalSteps: number): number {
  const min = lr0 / 100;
  return min + ((lr0 - min) * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / Math.max(1, totalSteps)))) / 2;
}
