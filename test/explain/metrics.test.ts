/**
 * Deletion and insertion metrics (Petsiuk et al. 2018): curves and areas worked out by hand on a
 * linear model, the trapezoid rule, the removal order, and the pixel units of both layouts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import type { ExplainContext } from '../../src/explain/method.ts';
import { auc, deletionInsertion, featureUnits, pixelUnits, removalOrder } from '../../src/explain/metrics.ts';
import { tinyModel } from '../engine/fd.ts';

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

/** y = x . w with w = [4, -1, 2, 0.5]. */
const linear = () => tinyModel({ x: ['N', 4] as never }, (b, [x]) => b.op('Gemm', [x!, b.floats([4, -1, 2, 0.5], [4, 1])]));

test('trapezoid AUC and removal order', () => {
  assert.equal(auc([1, 0.5, 0]), 0.5);
  assert.equal(auc([1, 1, 1, 1]), 1);
  assert.equal(auc([0, 1]), 0.5);
  assert.deepEqual([...removalOrder(Float32Array.of(0.1, 0.9, 0.5, 0.9))], [1, 3, 2, 0]);
});

test('pixel units cover every channel of a pixel, in both layouts', () => {
  const seen = (u: ReturnType<typeof pixelUnits>, k: number): number[] => { const out: number[] = []; u.forEach(k, (f) => out.push(f)); return out; };
  assert.deepEqual(seen(pixelUnits(3, 2, 2, 'NCHW'), 1), [1, 5, 9]);
  assert.deepEqual(seen(pixelUnits(3, 2, 2, 'NHWC'), 1), [3, 4, 5]);
  assert.equal(pixelUnits(3, 2, 2, 'NCHW').count, 4);
  assert.deepEqual(seen(featureUnits(4), 2), [2]);
});

test('linear model: deletion and insertion curves and areas equal the hand-worked values', async () => {
  const engine = Engine.fromModel(linear());
  try {
    const ctx: ExplainContext = { engine, inputName: 'x', x: f32([2, 4], [1, 1, 1, 1, 2, 0, 1, -2]), target: { kind: 'logit' }, values: { index: [0, 0] } };
    // Item 0: contributions [4, -1, 2, 0.5], removed in order 0, 2, 3, 1. Item 1: [8, 0, 2, -1], order 0, 2, 1, 3.
    const sal = [Float32Array.of(4, -1, 2, 0.5), Float32Array.of(8, 0, 2, -1)];
    const m = await deletionInsertion(ctx, sal, featureUnits(4), { steps: 4 });
    assert.equal(m.steps, 4);
    close(m.deletion[0]!, [5.5, 1.5, -0.5, -1, 0], 1e-5, 'deletion 0');
    close(m.insertion[0]!, [0, 4, 6, 6.5, 5.5], 1e-5, 'insertion 0');
    close(m.deletion[1]!, [9, 1, -1, -1, 0], 1e-5, 'deletion 1');
    close(m.insertion[1]!, [0, 8, 10, 10, 9], 1e-5, 'insertion 1');
    close(m.deletionAuc, [(5.5 + 1.5 - 0.5 - 1 + 0 - 2.75) / 4, (9 + 1 - 1 - 1 - 4.5) / 4], 1e-5, 'deletion AUC');
    close(m.insertionAuc, [(0 + 4 + 6 + 6.5 + 5.5 - 2.75) / 4, (0 + 8 + 10 + 10 + 9 - 4.5) / 4], 1e-5, 'insertion AUC');
    // Two steps: half of the units per step (rounded), the last step changes all of them.
    const two = await deletionInsertion(ctx, sal, featureUnits(4), { steps: 2 });
    close(two.deletion[0]!, [5.5, -0.5, 0], 1e-5, 'deletion, 2 steps');
    // A sigmoid target: the curves are sigmoid(score).
    const sig = await deletionInsertion(ctx, sal, featureUnits(4), { steps: 4, probability: 'sigmoid' });
    close(sig.deletion[0]!, [5.5, 1.5, -0.5, -1, 0].map((z) => 1 / (1 + Math.exp(-z))), 1e-5, 'sigmoid deletion');
    // A better ordering deletes faster: the reverse order has a larger deletion AUC.
    const worse = await deletionInsertion(ctx, sal.map((s) => s.map((v) => -v)), featureUnits(4), { steps: 4 });
    assert.ok(worse.deletionAuc[0]! > m.deletionAuc[0]!, `${worse.deletionAuc[0]} vs ${m.deletionAuc[0]}`);
    assert.ok(worse.insertionAuc[0]! < m.insertionAuc[0]!);
  } finally { await engine.dispose(); }
});

test('softmax probability curves: start at the model probability and stay in [0, 1]', async () => {
  // Two logits: [x.w, 0]; p(class 0) = sigmoid(x.w).
  const model = tinyModel({ x: ['N', 4] as never }, (b, [x]) => b.op('Gemm', [x!, b.floats([4, 0, -1, 0, 2, 0, 0.5, 0], [4, 2])]));
  const engine = Engine.fromModel(model);
  try {
    const ctx: ExplainContext = { engine, inputName: 'x', x: f32([1, 4], [1, 1, 1, 1]), target: { kind: 'logit' }, values: { index: [0] } };
    const m = await deletionInsertion(ctx, [Float32Array.of(4, -1, 2, 0.5)], featureUnits(4), { steps: 4, probability: 'softmax' });
    close(m.deletion[0]!, [5.5, 1.5, -0.5, -1, 0].map((z) => 1 / (1 + Math.exp(-z))), 1e-5, 'softmax deletion');
  } finally { await engine.dispose(); }
});
