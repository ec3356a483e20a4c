/** Targets on Keras (NHWC) tensors: a channel target reduces over the spatial axes of the right layout. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { openModel } from '../../src/formats/registry.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

test('channel target on a Keras Conv2D output is the mean of that channel in NHWC', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('dogcat-cnn-11tonytony11', 'model.h5'));
  const e = Engine.fromModel(m);
  try {
    const conv = m.graph.nodes.find((n) => n.op === 'Conv2D')!.name;
    const inp = e.inputs()[0]!.name;
    const x = { dtype: 'float32' as const, shape: [1, 60, 60, 1], data: Float32Array.from({ length: 3600 }, (_, i) => (i * 37) % 255) };
    const r = await e.gradients({ [inp]: x }, { target: { kind: 'channel', tensor: conv, reduce: 'mean' }, wrt: [inp], capture: [conv] }, { index: [3] });
    const act = r.captured[conv]![0]!, C = act.shape[3]!, d = act.data as Float32Array;
    let s = 0;
    for (let i = 3; i < d.length; i += C) s += d[i]!;
    const expected = s / (d.length / C);
    assert.ok(Math.abs(r.score[0]! - expected) < 1e-4 * Math.max(1, Math.abs(expected)), `${r.score[0]} vs ${expected}`);
  } finally { await e.dispose(); }
});

test('channel target on an ONNX (NCHW) feature map is the mean of that channel', async () => {
  const { tinyModel, randomArray } = await import('./fd.ts');
  const m = tinyModel({ x: [2, 3, 4, 5] }, (b, [x]) => b.op('Relu', [x!]));
  m.graph.values.get(m.graph.outputs[0]!)!.shape = [2, 3, 4, 5];
  const e = Engine.fromModel(m);
  try {
    const x = randomArray([2, 3, 4, 5], 3);
    const r = await e.gradients({ x }, { target: { kind: 'channel', tensor: m.graph.outputs[0]!, reduce: 'mean' }, wrt: ['x'] }, { index: [1, 2] });
    for (const [n, c] of [[0, 1], [1, 2]] as const) {
      let s = 0;
      for (let i = 0; i < 20; i++) s += Math.max(0, x.data[(n * 3 + c) * 20 + i]!);
      assert.ok(Math.abs(r.score[n]! - s / 20) < 1e-5, `item ${n}: ${r.score[n]} vs ${s / 20}`);
    }
  } finally { await e.dispose(); }
});

test("a module path names its data output, not the shape arithmetic leaving it (seq_lstm 'lstm')", async () => {
  const { openModel: open } = await import('../../src/formats/registry.ts');
  const e = Engine.fromModel(await open('test/fixtures/zoo/seq_lstm/model.onnx'));
  assert.deepEqual(e.resolve('lstm'), ['/lstm/Transpose_1_output_0']);
});
