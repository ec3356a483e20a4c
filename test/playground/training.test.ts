/**
 * The engine as a whole: training reaches a low test loss, the step-by-step trace is the training
 * step (bit for bit), and the batched forward pass used for drawing gives the step's values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchBuffers, forwardBatch } from '../../src/playground/batch.ts';
import { Session } from '../../src/playground/session.ts';
import { parseHash } from '../../src/playground/state.ts';

test('circle dataset: test loss falls below 0.05 (seeded, TF Playground default network 4,2 tanh)', () => {
  const s = new Session(parseHash('#dataset=circle&features=x1,x2&hidden=4,2&activation=tanh&learningRate=0.03&dataSeed=1&initSeed=1'));
  const start = s.losses().test;
  let epochs = 0;
  while (s.losses().test >= 0.05 && epochs < 400) { s.trainEpoch(); epochs++; }
  const end = s.losses().test;
  assert.ok(end < 0.05, `test loss ${end} after ${epochs} epochs (start ${start})`);
  assert.ok(start > 0.5, `untrained loss ${start} should be about ln 2`);
  assert.equal(s.history.test.length, epochs);
});

test('3-class spiral with Adam learns (softmax output)', () => {
  const s = new Session(parseHash('#dataset=spiral&classes=3&features=x1,x2,sinx1,sinx2&hidden=16,16&activation=relu&optimizer=adam&learningRate=0.01'));
  const start = s.losses().train;
  for (let i = 0; i < 150; i++) s.trainEpoch();
  const end = s.losses().train;
  assert.ok(start > 1 && end < 0.5 * start, `train loss ${start} -> ${end}`);
});

test('regression plane with MSE learns', () => {
  const s = new Session(parseHash('#dataset=plane&hidden=3&activation=linear&learningRate=0.01'));
  for (let i = 0; i < 20; i++) s.trainEpoch();
  assert.ok(s.losses().test < 1e-3, String(s.losses().test));
});

for (const opt of ['sgd', 'momentum', 'adam']) {
  test(`recording the trace does not change training (${opt}, L2): parameters equal bit for bit`, () => {
    const hash = `#dataset=xor&features=x1,x2,x1x2&hidden=6,3&activation=relu&optimizer=${opt}&regularization=l2&regularizationRate=0.001&batchSize=7`;
    const a = new Session(parseHash(hash));
    const b = new Session(parseHash(hash));
    for (let i = 0; i < 120; i++) {
      const ra = a.step(false);
      const rb = b.step(true);
      assert.equal(ra.loss, rb.loss);
      assert.deepEqual(rb.trace!.after, b.net.params);
    }
    assert.deepEqual(a.net.params, b.net.params);
    assert.equal(a.epoch, b.epoch);
    assert.ok(a.epoch >= 1);
  });
}

test('the trace is consistent: before/after differ by the update, links carry w * a, deltas backpropagate', () => {
  const s = new Session(parseHash('#dataset=circle&hidden=3,2&activation=tanh&batchSize=4&learningRate=0.1'));
  const r = s.step(true);
  const t = r.trace!;
  const net = s.net;
  // SGD: after = before - lr * grad.
  for (let j = 0; j < t.before.length; j++) assert.ok(Math.abs(t.after[j] - (t.before[j] - 0.1 * t.grad[j])) < 1e-15);
  // Flow on a link of layer 2 for example 3: w_before * a of the source neuron.
  const e = 3, o = 1, i = 2;
  const L = net.layers[1];
  assert.equal(t.flow[2][(e * L.nOut + o) * L.nIn + i], t.before[L.w + o * L.nIn + i] * t.a[1][e * L.nIn + i]);
  // z of that neuron is its bias plus the sum of its incoming flows.
  let z = t.before[L.b + o];
  for (let q = 0; q < L.nIn; q++) z += t.flow[2][(e * L.nOut + o) * L.nIn + q];
  assert.equal(t.z[2][e * L.nOut + o], z);
  // Hidden delta = tanh'(z) * sum_o w * delta_next.
  const out = net.layers[2];
  let back = 0;
  for (let q = 0; q < out.nOut; q++) back += t.before[out.w + q * out.nIn + o] * t.delta[3][e * out.nOut + q];
  const zz = t.z[2][e * L.nOut + o];
  assert.equal(t.delta[2][e * L.nOut + o], (1 - Math.tanh(zz) ** 2) * back);
  // Output probabilities sum to 1.
  assert.ok(Math.abs(t.prediction[e * 2] + t.prediction[e * 2 + 1] - 1) < 1e-15);
  assert.deepEqual(r.indices.length, 4);
});

test('the batched forward pass (heatmaps, losses) gives exactly the values of the training step', () => {
  const s = new Session(parseHash('#dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=8,8,8&activation=gelu&batchSize=5'));
  for (let i = 0; i < 30; i++) s.step();
  const r = s.step(true);
  const t = r.trace!;
  const net = s.net;
  const d = net.sizes[0];
  const buf = batchBuffers(net, t.n);
  for (let e = 0; e < t.n; e++) for (let j = 0; j < d; j++) buf.a[0][j * t.n + e] = t.a[0][e * d + j];
  // Forward with the weights the step used.
  const cur = net.params.slice();
  net.params.set(t.before);
  forwardBatch(net, buf);
  net.params.set(cur);
  for (let l = 1; l <= net.depth; l++) {
    for (let e = 0; e < t.n; e++) {
      for (let u = 0; u < net.sizes[l]; u++) {
        assert.equal(buf.z[l][u * t.n + e], t.z[l][e * net.sizes[l] + u], `z layer ${l} unit ${u} ex ${e}`);
        assert.equal(buf.a[l][u * t.n + e], t.a[l][e * net.sizes[l] + u], `a layer ${l} unit ${u} ex ${e}`);
      }
    }
  }
});

test('sessions are deterministic in their seeds', () => {
  const h = '#dataset=gauss&classes=4&noise=20&hidden=5&batchSize=3';
  const a = new Session(parseHash(h));
  const b = new Session(parseHash(h));
  for (let i = 0; i < 3; i++) { a.trainEpoch(); b.trainEpoch(); }
  assert.deepEqual(a.net.params, b.net.params);
  const c = new Session(parseHash(`${h}&initSeed=2`));
  assert.notDeepEqual(c.net.params, new Session(parseHash(h)).net.params);
  assert.deepEqual(c.data.train, a.data.train);
});
