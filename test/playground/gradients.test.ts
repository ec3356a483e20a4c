/**
 * Finite-difference checks of every derivative the engine uses: each activation's df against f,
 * each loss's gradient against the loss, and the whole backward pass of {@link step} against
 * central differences of the batch objective computed by the separate batched forward pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVATIONS, ACTIVATION_NAMES } from '../../src/playground/activations.ts';
import { batchBuffers, forwardBatch, meanLoss } from '../../src/playground/batch.ts';
import { MSE, SOFTMAX_CE } from '../../src/playground/losses.ts';
import { Network, type NetworkSpec } from '../../src/playground/network.ts';
import { DEFAULT_SETTINGS, optimizerState } from '../../src/playground/optimizers.ts';
import { REGULARIZERS, type RegularizationName } from '../../src/playground/regularization.ts';
import { Rng } from '../../src/playground/random.ts';
import { step, Workspace, type Batch, type TrainSettings } from '../../src/playground/step.ts';

const H = 1e-5;
/**
 * |a - b| / max(|a|, |b|, floor): the floor keeps a gradient that is zero in exact arithmetic
 * (a dead ReLU, a saturated unit) from turning float rounding of ~1e-11 into a large ratio.
 */
function relErr(a: number, b: number, floor = 1e-4): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}
const central = (f: (x: number) => number, x: number) => (f(x + H) - f(x - H)) / (2 * H);

test('every activation derivative matches a central finite difference of f', () => {
  const zs = [-6, -3.3, -1.7, -0.9, -0.31, -0.05, 0.04, 0.27, 0.8, 1.3, 2.2, 4.9, 8];
  for (const act of ACTIVATIONS) {
    for (const z of zs) {
      const e = relErr(act.df(z, act.f(z)), central(act.f, z));
      assert.ok(e < 1e-5, `${act.name}'(${z}): analytic ${act.df(z, act.f(z))} vs numeric ${central(act.f, z)} (rel. error ${e})`);
    }
  }
  assert.equal(ACTIVATIONS.length, 9);
});

test('activations stay finite for large |z| (overflow guards)', () => {
  for (const act of ACTIVATIONS) {
    for (const z of [-800, 800]) {
      assert.ok(Number.isFinite(act.f(z)) && Number.isFinite(act.df(z, act.f(z))), `${act.name} at ${z}`);
    }
  }
});

test('loss gradients match central finite differences', () => {
  const rng = new Rng(3);
  for (const [lossFn, k] of [[MSE, 1], [MSE, 3], [SOFTMAX_CE, 2], [SOFTMAX_CE, 5]] as const) {
    for (let trial = 0; trial < 5; trial++) {
      const z = Float64Array.from({ length: k }, () => rng.uniform(-4, 4));
      const t = new Float64Array(k);
      if (lossFn === MSE) t.forEach((_, j) => (t[j] = rng.uniform(-1, 1)));
      else t[trial % k] = 1;
      const dz = new Float64Array(k);
      lossFn.evaluate(z, 0, k, t, 0, dz, 0);
      for (let j = 0; j < k; j++) {
        const num = central((v) => { const zz = z.slice(); zz[j] = v; return lossFn.evaluate(zz, 0, k, t, 0); }, z[j]);
        const e = relErr(dz[j], num);
        assert.ok(e < 1e-5, `${lossFn.name} k=${k} dz[${j}] ${dz[j]} vs ${num} (${e})`);
      }
    }
  }
});

test('softmax cross-entropy is stable for huge logits and equals -log p', () => {
  const z = [1000, 0, -1000];
  const t = [0, 1, 0];
  const l = SOFTMAX_CE.evaluate(z, 0, 3, t, 0);
  assert.ok(Math.abs(l - 1000) < 1e-9, String(l));
  const p = new Float64Array(3);
  SOFTMAX_CE.predict([1, 2, 3], 0, 3, p, 0);
  assert.ok(Math.abs(SOFTMAX_CE.evaluate([1, 2, 3], 0, 3, [0, 0, 1], 0) + Math.log(p[2])) < 1e-12);
});

/** Mean data loss + penalty of `net` on `batch`, by the batched forward pass (not the step code). */
function objective(net: Network, batch: Batch, reg: RegularizationName, rate: number): number {
  const d = net.sizes[0];
  const buf = batchBuffers(net, batch.n);
  for (let e = 0; e < batch.n; e++) for (let i = 0; i < d; i++) buf.a[0][i * batch.n + e] = batch.x[e * d + i];
  forwardBatch(net, buf);
  let pen = 0;
  for (const L of net.layers) for (let j = L.w; j < L.b; j++) pen += REGULARIZERS[reg].penalty(net.params[j]);
  return meanLoss(net, buf, batch.t) + rate * pen;
}

function randomBatch(rng: Rng, n: number, d: number, k: number, regression: boolean): Batch {
  const x = Float64Array.from({ length: n * d }, () => rng.uniform(-2, 2));
  const t = new Float64Array(n * k);
  for (let e = 0; e < n; e++) {
    if (regression) for (let j = 0; j < k; j++) t[e * k + j] = rng.uniform(-1, 1);
    else t[e * k + Math.floor(rng.next() * k)] = 1;
  }
  return { n, x, t };
}

const CASES: { name: string; spec: Omit<NetworkSpec, 'activation'>; reg: RegularizationName; rate: number }[] = [
  { name: 'regression, MSE, 3 hidden layers, L2', spec: { inputs: 3, hidden: [5, 4, 3], outputs: 1, loss: 'mse' }, reg: 'l2', rate: 0.01 },
  { name: 'binary softmax CE, no regularization', spec: { inputs: 2, hidden: [4, 2], outputs: 2, loss: 'softmax-ce' }, reg: 'none', rate: 0 },
  { name: '4 classes, softmax CE, L1', spec: { inputs: 7, hidden: [6, 5], outputs: 4, loss: 'softmax-ce' }, reg: 'l1', rate: 0.003 },
  { name: 'no hidden layer (linear model)', spec: { inputs: 2, hidden: [], outputs: 3, loss: 'softmax-ce' }, reg: 'l2', rate: 0.1 },
];

for (const c of CASES) {
  test(`backpropagation equals finite differences for every activation: ${c.name}`, () => {
    let checked = 0;
    for (const [ai, act] of ACTIVATION_NAMES.entries()) {
      const rng = new Rng(100 + ai);
      const net = Network.init({ ...c.spec, activation: act }, rng);
      // Random biases too, so that no unit sits exactly at a kink for every example.
      for (const L of net.layers) for (let o = 0; o < L.nOut; o++) net.params[L.b + o] = rng.uniform(-0.5, 0.5);
      const batch = randomBatch(rng, 6, c.spec.inputs, c.spec.outputs, c.spec.loss === 'mse');
      const settings: TrainSettings = { ...DEFAULT_SETTINGS, learningRate: 0, optimizer: 'sgd', regularization: c.reg, regularizationRate: c.rate };
      const probe = net.clone();
      const r = step(net, optimizerState(net.params.length), batch, settings, new Workspace(net, batch.n), true);
      const grad = r.trace!.grad;
      assert.ok(Math.abs(r.loss + r.penalty - objective(probe, batch, c.reg, c.rate)) < 1e-12, 'step loss equals the batched objective');
      for (let j = 0; j < probe.params.length; j++) {
        const w0 = probe.params[j];
        // L1 is not differentiable at 0; the check would straddle the kink.
        if (c.reg === 'l1' && probe.isWeight(j) && Math.abs(w0) < 10 * H) continue;
        const num = central((v) => { probe.params[j] = v; const o = objective(probe, batch, c.reg, c.rate); probe.params[j] = w0; return o; }, w0);
        const e = relErr(grad[j], num);
        assert.ok(e < 1e-5, `${act}: dL/dparam[${j}] analytic ${grad[j]} vs numeric ${num} (rel. error ${e})`);
        checked++;
      }
    }
    assert.ok(checked >= 9 * 9, `only ${checked} parameters checked`);
  });
}
