/**
 * The head above a CAM layer (src/explain/head.ts) is cut once per engine and keeps its compiled
 * sessions: a second gradient-CAM explanation on the same engine compiles nothing and gives the
 * same map; disposing the engine releases the head's sessions too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { Session } from '../../src/engine/session.ts';
import { explain, type ExplainInput } from '../../src/explain/explain.ts';
import { disposeHeads, headEngine } from '../../src/explain/head.ts';
import { tinyModel } from '../engine/fd.ts';

/** x [N,1,4,4] -> Conv(2 filters) -> Relu = layer; logits = Gemm(Flatten(GAP(layer))) over 3 classes. */
function camModel(): { model: ReturnType<typeof tinyModel>; layer: string } {
  let layer = '';
  const model = tinyModel({ x: ['N', 1, 4, 4] as never }, (b, [x]) => {
    const w = Array.from({ length: 18 }, (_, i) => Math.sin(i + 1));
    layer = b.op('Relu', [b.op('Conv', [x!, b.floats(w, [2, 1, 3, 3])], { pads: [1, 1, 1, 1] })]);
    return b.op('Gemm', [b.op('Flatten', [b.op('GlobalAveragePool', [layer])]), b.floats([1, -2, 0.5, 3, -1, 1], [2, 3])]);
  });
  return { model, layer };
}

const input: ExplainInput = {
  feeds: { x: { dtype: 'float32', shape: [2, 1, 4, 4], data: Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.7)) } },
  inputName: 'x',
  items: [{ file: 'a', row: 0 }, { file: 'b', row: 0 }],
};

/** Counts ONNX Runtime sessions created and released while `body` runs. */
async function countSessions<T>(body: () => Promise<T>): Promise<{ created: number; released: number; result: T }> {
  const create = Session.create, release = Session.prototype.dispose;
  const counts = { created: 0, released: 0 };
  Session.create = async (...args: Parameters<typeof Session.create>) => { counts.created++; return create.apply(Session, args); };
  Session.prototype.dispose = async function (this: Session) { counts.released++; return release.call(this); };
  try {
    const result = await body();
    return { ...counts, result };
  } finally {
    Session.create = create;
    Session.prototype.dispose = release;
  }
}

test('head cache: the same head for the same engine, layer tensor and target; another engine cuts its own', async () => {
  const { model, layer } = camModel();
  const engine = Engine.fromModel(model), other = Engine.fromModel(model);
  try {
    const target = model.graph.outputs[0]!;
    const head = headEngine(engine, layer, layer, target)!;
    assert.ok(head);
    assert.equal(headEngine(engine, 'the same layer by another name', layer, target), head);
    assert.deepEqual(head.engine.resolve('the same layer by another name'), [layer], 'a second reference resolves in the cached head');
    assert.notEqual(headEngine(other, layer, layer, target), head);
    await disposeHeads(engine);
    assert.notEqual(headEngine(engine, layer, layer, target), head, 'after disposeHeads a new head is cut');
  } finally {
    await engine.dispose();
    await other.dispose();
  }
});

test('head cache: a second Grad-CAM on the same engine compiles no session and gives the same map', async () => {
  const { model, layer } = camModel();
  const engine = Engine.fromModel(model);
  try {
    const first = await countSessions(() => explain(engine, input, { method: 'gradcam', layer, target: '2' }));
    assert.ok(first.created >= 2, `the first call compiles the forward run and the head's gradient (${first.created} sessions)`);
    assert.equal(first.released, 0, 'the head keeps its sessions after the call');
    // Another class: the class index is a runtime input, so the compiled head serves it too.
    const other = await countSessions(() => explain(engine, input, { method: 'gradcam', layer, target: '0' }));
    const again = await countSessions(() => explain(engine, input, { method: 'gradcam', layer, target: '2' }));
    assert.equal(other.created, 0, 'another class compiles nothing');
    assert.equal(again.created, 0, 'the same class again compiles nothing');
    assert.ok(first.result.raw.data.some((v) => v > 0));
    assert.deepEqual(again.result.raw.data, first.result.raw.data, 'identical maps');
    assert.notDeepEqual(other.result.raw.data, first.result.raw.data, 'another class gives another map');
    // The head serves every gradient CAM method on the layer.
    const pp = await countSessions(() => explain(engine, input, { method: 'gradcam++', layer, target: '2' }));
    assert.equal(pp.created, 0, 'Grad-CAM++ reuses the head\'s compiled gradient');
    const released = await countSessions(() => engine.dispose());
    assert.equal(released.released, first.created, 'disposing the engine releases its sessions and the head\'s');
  } finally {
    await engine.dispose();
  }
});
