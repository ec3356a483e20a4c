/**
 * Integrated Gradients over a batch whose items explain different classes: the baseline's score
 * must be taken at each item's own class, even when items share the baseline (src/explain/gradient/
 * ig.ts runs one baseline variant per distinct baseline and class), and batching must not change
 * any item's result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import { knownScores, withKnownScores, type ExplainContext } from '../../src/explain/method.ts';
import { createMethod } from '../../src/explain/methods.ts';
import { tinyModel } from '../engine/fd.ts';

/** y = tanh(x W1) W2 + b2: nonlinear, 3 features -> 2 classes, bias so that F(0) differs per class. */
const model = (): ReturnType<typeof tinyModel> => tinyModel({ x: ['N', 3] as never }, (b, [x]) => {
  const h = b.op('Tanh', [b.op('MatMul', [x!, b.floats([1, -2, 0.5, 0.3, 2, -1, -0.7, 1.5, 0.2, 1, -1, 0.4], [3, 4])])]);
  return b.op('Add', [b.op('MatMul', [h, b.floats([1, -1, 2, 0.5, -0.3, 1, 0.8, -2], [4, 2])]), b.floats([3, -5])]);
});

test('IG on a batch with different classes and one shared zero baseline: each item as if explained alone, completeness per item', async () => {
  const rows = [[1, 2, 3], [-1, 0.5, 2], [0.3, -2, 1], [2, 2, -1]];
  const classes = [0, 1, 1, 0];
  const engine = Engine.fromModel(model());
  try {
    const ctx: ExplainContext = { engine, inputName: 'x', x: f32([4, 3], rows.flat()), target: { kind: 'logit' }, values: { index: classes } };
    const batch = await createMethod('ig').attribute(ctx, { steps: 64, method: 'gausslegendre' });
    for (let n = 0; n < rows.length; n++) {
      const alone = await createMethod('ig').attribute({ ...ctx, x: f32([1, 3], rows[n]!), values: { index: [classes[n]!] } }, { steps: 64, method: 'gausslegendre' });
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(batch.map.data[n * 3 + j]! - alone.map.data[j]!) < 1e-5, `item ${n} feature ${j}`);
      assert.ok(Math.abs(batch.delta![n]! - alone.delta![0]!) < 1e-4, `item ${n}: delta ${batch.delta![n]} vs alone ${alone.delta![0]}`);
      // Completeness: F(x) - F(0) differs by class (bias 3 vs -5), so a baseline score taken at the wrong class fails here.
      assert.ok(batch.delta![n]! < 1e-3, `item ${n}: completeness error ${batch.delta![n]}`);
    }
  } finally { await engine.dispose(); }
});

test('IG takes F(x) from a forward pass already run (withKnownScores), and only for the very context it was computed for', async () => {
  const rows = [[1, 2, 3], [-1, 0.5, 2]];
  const engine = Engine.fromModel(model());
  try {
    const ctx: ExplainContext = { engine, inputName: 'x', x: f32([2, 3], rows.flat()), target: { kind: 'logit' }, values: { index: [0, 1] } };
    const plain = await createMethod('ig').attribute(ctx, { steps: 32 });
    // Scores off by +1 on purpose: if IG uses them, its completeness error moves by exactly 1.
    const shifted = Float32Array.from(plain.score!, (s) => s + 1);
    const known = withKnownScores(ctx, shifted);
    assert.equal(knownScores(known), shifted);
    const used = await createMethod('ig').attribute(known, { steps: 32 });
    assert.deepEqual(used.map.data, plain.map.data);
    for (let n = 0; n < 2; n++) assert.ok(Math.abs(used.delta![n]! - Math.abs(plain.delta![n]! + 1)) < 1e-4 || Math.abs(used.delta![n]! - Math.abs(1 - plain.delta![n]!)) < 1e-4, `item ${n}: ${used.delta![n]} vs ${plain.delta![n]}`);
    // Any derived context (other inputs, other class values, another model) ignores them.
    for (const derived of [{ ...known, x: f32([2, 3], rows.flat()) }, { ...known, values: { index: [1, 0] } }, { ...known, engine: Engine.fromModel(model()) }]) {
      assert.equal(knownScores(derived), undefined);
    }
    const noisy = await createMethod('ig').attribute({ ...known, x: f32([2, 3], rows.flat()) }, { steps: 32 });
    assert.deepEqual(noisy.delta, plain.delta);
    // A sub-batch keeps the scores of its own items.
    const { subContext } = await import('../../src/explain/explain.ts');
    assert.deepEqual(knownScores(subContext(known, [1])), Float32Array.from([shifted[1]!]));
  } finally { await engine.dispose(); }
});
