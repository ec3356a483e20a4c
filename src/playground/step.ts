/**
 * One training step on one mini-batch: forward pass, backpropagation, regularization, optimizer
 * update. This is the only training code: the training loop calls {@link step} with
 * `record = false` and step-by-step mode with `record = true`, which copies the values this very
 * computation produced into a {@link StepTrace}; recording never changes the arithmetic (a test
 * checks the two give bit-identical parameters).
 *
 * Backpropagation (Rumelhart, Hinton & Williams 1986): with z_l = W_l a_{l-1} + b_l and
 * a_l = f(z_l), the error signal delta_l = dL/dz_l is delta_L = dLoss/dz_L at the (linear) output
 * and delta_l = f'(z_l) * (W_{l+1}^T delta_{l+1}) below it; then dL/dW_l = delta_l a_{l-1}^T and
 * dL/db_l = delta_l. The mini-batch gradient is the mean over its examples plus the penalty's.
 */
import type { Network } from './network.ts';
import { OPTIMIZERS, type OptimizerName, type OptimizerSettings, type OptimizerState } from './optimizers.ts';
import { REGULARIZERS, type RegularizationName } from './regularization.ts';

/** Everything a step needs besides the network and the data. */
export interface TrainSettings extends OptimizerSettings {
  optimizer: OptimizerName;
  regularization: RegularizationName;
  regularizationRate: number;
}

/** A mini-batch: `n` examples, inputs row-major (`n x inputs`), targets row-major (`n x outputs`, one-hot for classes). */
export interface Batch {
  n: number;
  x: Float64Array;
  t: Float64Array;
}

/**
 * What one step computed, example by example. Per-example arrays are row-major with one row per
 * example of the batch; layer 0 of `a` is the input, layers 1..depth are the network's layers
 * (index l of `z`, `delta`, `flow` is network layer l-1, i.e. `z[l]` pairs with `a[l]`; `z[0]` and
 * `delta[0]`, `flow[0]` are empty).
 */
export interface StepTrace {
  n: number;
  /** Pre-activations z, per layer, `n x size`. */
  z: Float64Array[];
  /** Activations a = f(z) (the output layer's are its z), per layer, `n x size`. */
  a: Float64Array[];
  /** What the user reads as the output: class probabilities or the regression value, `n x outputs`. */
  prediction: Float64Array;
  /** Data loss of each example. */
  losses: Float64Array;
  /** Error signal dLoss_e/dz of each example's own loss, per layer, `n x size`. */
  delta: Float64Array[];
  /** Value along each link, w * a_in, per layer, `n x nOut x nIn` (weights before the update). */
  flow: Float64Array[];
  /** Gradient of the batch objective (mean data loss + penalty), laid out as `params`. */
  grad: Float64Array;
  /** Parameters before and after the update. */
  before: Float64Array;
  after: Float64Array;
}

/** Result of one step. */
export interface StepResult {
  /** Mean data loss over the batch, before the update. */
  loss: number;
  /** Regularization penalty rate * sum R(w), before the update. */
  penalty: number;
  trace?: StepTrace;
}

/** Reusable buffers for {@link step}, sized for a network and a largest batch. */
export class Workspace {
  readonly z: Float64Array[];
  readonly a: Float64Array[];
  readonly delta: Float64Array[];
  readonly grad: Float64Array;

  constructor(net: Network, readonly capacity: number) {
    this.z = net.sizes.map((s) => new Float64Array(capacity * s));
    this.a = net.sizes.map((s) => new Float64Array(capacity * s));
    this.delta = net.sizes.map((s) => new Float64Array(capacity * s));
    this.grad = new Float64Array(net.params.length);
  }

  /** True when these buffers fit `net` and `n` examples. */
  fits(net: Network, n: number): boolean {
    return n <= this.capacity && this.grad.length === net.params.length && net.sizes.every((s, l) => this.z[l].length === s * this.capacity);
  }
}

/**
 * Forward pass of example `e` (its input already in `ws.a[0]`), filling `ws.z`, `ws.a`.
 * Exported for tests and for evaluating single points with the exact step arithmetic.
 */
export function forwardExample(net: Network, ws: Workspace, e: number): void {
  const p = net.params;
  const f = net.activation.f;
  const last = net.depth - 1;
  for (let l = 0; l <= last; l++) {
    const { nIn, nOut, w, b } = net.layers[l];
    const aIn = ws.a[l];
    const zOut = ws.z[l + 1];
    const aOut = ws.a[l + 1];
    const inOff = e * nIn;
    const outOff = e * nOut;
    for (let o = 0; o < nOut; o++) {
      let s = p[b + o];
      const row = w + o * nIn;
      for (let i = 0; i < nIn; i++) s += p[row + i] * aIn[inOff + i];
      zOut[outOff + o] = s;
      aOut[outOff + o] = l === last ? s : f(s);
    }
  }
}

/**
 * Trains `net` on one mini-batch: forward, backward, penalty, optimizer update (in place).
 * @param record when true, also returns the {@link StepTrace} of this computation
 * @example
 * const r = step(net, optimizerState(net.params.length), batch, settings, new Workspace(net, batch.n), true);
 * r.trace.delta[1] // error signals of the first hidden layer
 */
export function step(net: Network, opt: OptimizerState, batch: Batch, s: TrainSettings, ws: Workspace, record = false): StepResult {
  if (!ws.fits(net, batch.n)) throw new Error(`workspace for ${ws.capacity} examples does not fit this network and a batch of ${batch.n}`);
  if (batch.n < 1) throw new Error('a mini-batch needs at least one example');
  const { n } = batch;
  const p = net.params;
  const depth = net.depth;
  const k = net.sizes[depth];
  const nIn0 = net.sizes[0];
  const df = net.activation.df;
  const g = ws.grad;
  g.fill(0);
  ws.a[0].set(batch.x.subarray(0, n * nIn0));

  let lossSum = 0;
  for (let e = 0; e < n; e++) {
    forwardExample(net, ws, e);
    // Output layer: delta = dLoss/dz from the loss (z is linear there).
    lossSum += net.loss.evaluate(ws.z[depth], e * k, k, batch.t, e * k, ws.delta[depth], e * k);
    for (let l = depth - 1; l >= 0; l--) {
      const { nIn, nOut, w, b } = net.layers[l];
      const dOut = ws.delta[l + 1];
      const aIn = ws.a[l];
      const outOff = e * nOut;
      const inOff = e * nIn;
      for (let o = 0; o < nOut; o++) {
        const d = dOut[outOff + o];
        const row = w + o * nIn;
        for (let i = 0; i < nIn; i++) g[row + i] += d * aIn[inOff + i];
        g[b + o] += d;
      }
      if (l === 0) break; // no delta for the inputs
      const dIn = ws.delta[l];
      const zIn = ws.z[l];
      for (let i = 0; i < nIn; i++) {
        let s = 0;
        for (let o = 0; o < nOut; o++) s += p[w + o * nIn + i] * dOut[outOff + o];
        dIn[inOff + i] = df(zIn[inOff + i], aIn[inOff + i]) * s;
      }
    }
  }

  // Mean over the batch, then the penalty on weights (not biases).
  const inv = 1 / n;
  for (let j = 0; j < g.length; j++) g[j] *= inv;
  const reg = REGULARIZERS[s.regularization];
  let penalty = 0;
  if (s.regularization !== 'none' && s.regularizationRate !== 0) {
    for (const L of net.layers) {
      for (let j = L.w; j < L.b; j++) {
        penalty += reg.penalty(p[j]);
        g[j] += s.regularizationRate * reg.grad(p[j]);
      }
    }
    penalty *= s.regularizationRate;
  }

  const trace = record ? snapshot(net, ws, batch) : undefined;
  OPTIMIZERS[s.optimizer].update(p, g, opt, s);
  if (trace) trace.after = p.slice();
  return { loss: lossSum * inv, penalty, trace };
}

/** Copies the step's buffers into a trace (called before the update, so `before` is the old parameters). */
function snapshot(net: Network, ws: Workspace, batch: Batch): StepTrace {
  const { n } = batch;
  const depth = net.depth;
  const k = net.sizes[depth];
  const rows = (bufs: Float64Array[]) => bufs.map((buf, l) => buf.slice(0, n * net.sizes[l]));
  const prediction = new Float64Array(n * k);
  const losses = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    net.loss.predict(ws.z[depth], e * k, k, prediction, e * k);
    losses[e] = net.loss.evaluate(ws.z[depth], e * k, k, batch.t, e * k);
  }
  const flow = net.sizes.map((_, l) => {
    if (l === 0) return new Float64Array(0);
    const { nIn, nOut, w } = net.layers[l - 1];
    const out = new Float64Array(n * nOut * nIn);
    for (let e = 0; e < n; e++) {
      for (let o = 0; o < nOut; o++) {
        for (let i = 0; i < nIn; i++) out[(e * nOut + o) * nIn + i] = net.params[w + o * nIn + i] * ws.a[l - 1][e * nIn + i];
      }
    }
    return out;
  });
  const z = rows(ws.z);
  const delta = rows(ws.delta);
  z[0] = new Float64Array(0);
  delta[0] = new Float64Array(0);
  return {
    n, z, a: rows(ws.a), prediction, losses, delta, flow,
    grad: ws.grad.slice(), before: net.params.slice(), after: new Float64Array(0),
  };
}
