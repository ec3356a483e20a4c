/**
 * Optimizers over one flat parameter vector (all weights and biases of the network, see
 * network.ts). Each update rule is a few lines that follow its reference formula; the formulas
 * are checked by hand-computed steps in test/playground/optimizers.test.ts.
 */

/** Hyper-parameters of an update. */
export interface OptimizerSettings {
  learningRate: number;
  /** Momentum coefficient mu of SGD with momentum. */
  momentum: number;
  /** Adam's decay rates and epsilon. */
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Defaults: Adam's from Kingma & Ba (2015), momentum 0.9 (Sutskever et al. 2013). */
export const DEFAULT_SETTINGS: OptimizerSettings = {
  learningRate: 0.03, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
};

/** Per-parameter memory of an optimizer (velocity, moments) and its step count. */
export interface OptimizerState {
  t: number;
  m: Float64Array;
  v: Float64Array;
}

/** An update rule `params <- params - f(grad, state)`. */
export interface Optimizer {
  name: OptimizerName;
  label: string;
  /** Applies one update in place to `params` given the gradient of the objective. */
  update(params: Float64Array, grad: Float64Array, state: OptimizerState, s: OptimizerSettings): void;
}

/** Optimizer names. */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';

/** Fresh (zero) optimizer memory for `n` parameters. */
export function optimizerState(n: number): OptimizerState {
  return { t: 0, m: new Float64Array(n), v: new Float64Array(n) };
}

/** Plain gradient descent: w <- w - lr g. */
const sgd: Optimizer = {
  name: 'sgd', label: 'SGD',
  update(p, g, st, s) {
    st.t++;
    for (let i = 0; i < p.length; i++) p[i] -= s.learningRate * g[i];
  },
};

/**
 * Heavy-ball momentum in PyTorch's form (torch.optim.SGD): v <- mu v + g; w <- w - lr v.
 * It equals Polyak's v <- mu v - lr g, w <- w + v when lr is constant.
 */
const momentum: Optimizer = {
  name: 'momentum', label: 'SGD + momentum',
  update(p, g, st, s) {
    st.t++;
    const m = st.m;
    for (let i = 0; i < p.length; i++) {
      m[i] = s.momentum * m[i] + g[i];
      p[i] -= s.learningRate * m[i];
    }
  },
};

/**
 * Adam, Kingma & Ba 2015 (arXiv:1412.6980), Algorithm 1: m <- b1 m + (1-b1) g;
 * v <- b2 v + (1-b2) g^2; m^ = m / (1 - b1^t); v^ = v / (1 - b2^t); w <- w - lr m^ / (sqrt(v^) + eps).
 */
const adam: Optimizer = {
  name: 'adam', label: 'Adam',
  update(p, g, st, s) {
    st.t++;
    const { m, v } = st;
    const c1 = 1 - Math.pow(s.beta1, st.t);
    const c2 = 1 - Math.pow(s.beta2, st.t);
    for (let i = 0; i < p.length; i++) {
      m[i] = s.beta1 * m[i] + (1 - s.beta1) * g[i];
      v[i] = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i];
      p[i] -= (s.learningRate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + s.epsilon);
    }
  },
};

/** Every optimizer. */
export const OPTIMIZERS: Record<OptimizerName, Optimizer> = { sgd, momentum, adam };
