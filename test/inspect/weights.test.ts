import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { openModel } from '../../src/formats/registry.ts';
import { allWeights, closest, editDistance, histogram, paramStats, resolveLayer, weightStats } from '../../src/inspect/weights.ts';
import { residualModel } from '../../bench/synthetic.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

test('weight statistics of a hand-made tensor', () => {
  const s = weightStats(new Float32Array([1, -1, 0, 2, 0, NaN, 4]));
  assert.equal(s.count, 6);
  assert.equal(s.nonFinite, 1);
  assert.equal(s.mean, 1);
  // Population variance of 1, -1, 0, 2, 0, 4 around 1: (0 + 4 + 1 + 1 + 1 + 9) / 6.
  assert.ok(Math.abs(s.std - Math.sqrt(16 / 6)) < 1e-12);
  assert.equal(s.min, -1);
  assert.equal(s.max, 4);
  assert.ok(Math.abs(s.l2 - Math.sqrt(1 + 1 + 4 + 16)) < 1e-12);
  assert.equal(s.zeros, 2 / 7);
});

test('Welford keeps the variance of large offset data exact', () => {
  const n = 100_000, v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 1e6 + (i % 2 ? 1 : -1);
  const s = weightStats(v);
  assert.ok(Math.abs(s.mean - 1e6) < 1e-6);
  assert.ok(Math.abs(s.std - 1) < 1e-9, String(s.std));
});

test('histogram bins and edges', () => {
  const h = histogram(new Float32Array([0, 0.25, 0.5, 0.75, 1, NaN]), 4);
  assert.deepEqual(h.edges, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(h.counts, [1, 1, 1, 2]);
  const flat = histogram(new Float32Array([3, 3, 3]), 3);
  assert.deepEqual(flat.counts, [0, 3, 0]);
});

test('layer references: node name, weight name, module path, weight prefix', () => {
  const m = residualModel({ nodes: 60 });
  assert.deepEqual(resolveLayer(m, '/layer1/layer1.0/conv1/Conv').map((w) => w.param.role), ['weight']);
  assert.equal(resolveLayer(m, 'fc.bias').length, 1);
  const block = resolveLayer(m, 'layer1/layer1.0');
  assert.equal(block.length, 2 + 2 * 4);
  assert.deepEqual(resolveLayer(m, 'layer1.layer1.0'), block);
  assert.deepEqual(resolveLayer(m, 'layer1.0'), block);
  assert.equal(resolveLayer(m, 'layer2').length, resolveLayer(m, '/layer2/').length);
  assert.equal(resolveLayer(m, 'fc').length, 2);
  // A one-node module (dropped from groups) is found by its scope in node names.
  assert.deepEqual(resolveLayer(m, 'layer1.0/conv1').map((w) => w.node.name), ['/layer1/layer1.0/conv1/Conv']);
  assert.throws(() => resolveLayer(m, 'layer9'), (e: unknown) => e instanceof NnlensError && /no layer, weight or module named 'layer9'; close names: layer1/.test(e.message));
  assert.throws(() => resolveLayer(m, '/relu/Relu'), /has no weights/);
});

test('edit distance and close names', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.deepEqual(closest('dense_', ['conv2d', 'dense_1', 'dense_12', 'flatten'], 2), ['dense_1', 'dense_12']);
});

test('statistics of real weights: BatchNorm running variance is positive, Keras kernels HWIO', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('onnx-mnist-cnn-bn-opset11'));
  const stats = paramStats(allWeights(m));
  const rv = stats.filter((s) => s.role === 'running_var');
  assert.equal(rv.length, 7); // 6 BatchNorm2d + 1 BatchNorm1d
  assert.ok(rv.every((s) => s.min > 0 && !s.trainable));
  const k = await openModel(real('dogcat-cnn-11tonytony11'));
  const first = paramStats(resolveLayer(k, 'conv2d'));
  assert.deepEqual(first.map((s) => s.shape), [[3, 3, 1, 32], [32]]);
  assert.ok(first.every((s) => s.count === s.shape.reduce((a, b) => a * b, 1)));
});
