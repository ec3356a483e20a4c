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
import type { ExplainContext } from '../../src/explain/method.ts';
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
