/**
 * Every method runs (the pytorch-grad-cam test matrix, STYLE.md 8): each name in METHOD_NAMES goes
 * through the explain orchestrator on the zoo's gap_cnn (CAM methods on its layer `features`,
 * input methods on its 28 x 28 input) and on tabular_mlp (every method that attributes to the
 * input), on a batch of two items; the result has the documented shape, is finite and not all
 * zero, and heatmaps are in [0, 1] at the input's size. Methods that do not fit a model are refused
 * with an NnlensError.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { NnlensError } from '../../src/errors.ts';
import { explain, type ExplainInput, type ExplainOptions } from '../../src/explain/explain.ts';
import { createMethod, METHOD_NAMES, TABULAR_ONLY } from '../../src/explain/methods.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { zooEntry } from '../helpers/zoo.ts';
import { tinyModel } from '../engine/fd.ts';
import { headEngine } from '../../src/explain/head.ts';

/** Small settings so the whole matrix runs in seconds. */
const FAST: Partial<ExplainOptions> = { steps: 16, samples: 4, seed: 1 };

/** Two items: the zoo input and a mirrored copy (a batch, with different maps). */
function twoItems(name: string): ExplainInput & { x: Float32Array } {
  const a = readNpy(zooEntry(name).input) as NdArray & { data: Float32Array };
  const per = a.data.length;
  const x = new Float32Array(2 * per);
  x.set(a.data);
  for (let i = 0; i < per; i++) x[per + i] = a.data[per - 1 - i]! * 0.8;
  return { feeds: { input: { dtype: 'float32', shape: [2, ...a.shape.slice(1)], data: x } }, inputName: 'input', items: [{ file: 'a', row: 0 }, { file: 'b', row: 0 }], x };
}

function finiteNonZero(a: Float32Array, what: string): void {
  assert.ok(a.every(Number.isFinite), `${what}: not finite`);
  assert.ok(a.some((v) => v !== 0), `${what}: all zero`);
}

const engines: Record<string, Engine> = {};
before(async () => {
  for (const name of ['gap_cnn', 'tabular_mlp']) {
    const e = Engine.fromModel(await openModel(zooEntry(name).model));
    engines[name] = e;
    assert.equal(e.inputs()[0]!.name, 'input');
  }
});
after(async () => { for (const e of Object.values(engines)) await e.dispose(); });

for (const method of METHOD_NAMES) {
  const space = createMethod(method).space;
  if (!TABULAR_ONLY.has(method)) {
    test(`${method} on gap_cnn (${space === 'layer' ? 'layer features' : 'input'})`, async () => {
      const input = twoItems('gap_cnn');
      const out = await explain(engines.gap_cnn!, input, { method, ...FAST, ...(space === 'layer' ? { layer: 'features' } : {}) });
      assert.equal(out.items.length, 2);
      if (space === 'layer') {
        assert.equal(out.raw.shape.length, 3);
        assert.equal(out.raw.shape[0], 2);
        assert.deepEqual(out.layer && [out.layer.height, out.layer.width], out.raw.shape.slice(1));
        assert.ok(out.raw.data.every((v) => v >= 0), 'CAM maps are after the ReLU');
      } else {
        assert.deepEqual(out.raw.shape, [2, 1, 28, 28]);
      }
      out.items.forEach((it, n) => {
        finiteNonZero(it.raw, `${method} item ${n} raw`);
        assert.equal(it.heatmap!.length, 28 * 28);
        assert.ok(it.heatmap!.every((v) => v >= 0 && v <= 1), 'heatmap in [0, 1]');
        assert.equal(it.target.kind, 'class');
      });
      if (method === 'ig') assert.ok(out.items.every((it) => it.completenessError !== undefined));
    });
  }
  if (space === 'input') {
    test(`${method} on tabular_mlp`, async () => {
      const input = twoItems('tabular_mlp');
      const out = await explain(engines.tabular_mlp!, input, { method, ...FAST });
      assert.deepEqual(out.raw.shape, [2, 8]);
      out.items.forEach((it, n) => {
        finiteNonZero(it.features!, `${method} item ${n}`);
        assert.equal(it.features!.length, 8);
        assert.equal(it.heatmap, undefined);
      });
    });
  } else {
    test(`${method} on tabular_mlp is refused`, async () => {
      await assert.rejects(explain(engines.tabular_mlp!, twoItems('tabular_mlp'), { method }), (e: unknown) => e instanceof NnlensError && /CAM method/.test(e.message));
    });
  }
  if (TABULAR_ONLY.has(method)) {
    test(`${method} on gap_cnn (an image) is refused`, async () => {
      await assert.rejects(explain(engines.gap_cnn!, twoItems('gap_cnn'), { method }), (e: unknown) => e instanceof NnlensError && /explains tabular inputs/.test(e.message));
    });
  }
}

test('the matrix covers every method', () => {
  assert.equal(METHOD_NAMES.length, 17);
});

test('orchestrator: batches of one give the same maps as one batch; contrast; default CAM layer', async () => {
  const e = engines.gap_cnn!;
  const whole = await explain(e, twoItems('gap_cnn'), { method: 'gradcam' });
  const ones = await explain(e, twoItems('gap_cnn'), { method: 'gradcam', batchSize: 1 });
  assert.deepEqual(ones.raw.shape, whole.raw.shape);
  ones.raw.data.forEach((v, i) => assert.ok(Math.abs(v - whole.raw.data[i]!) <= 1e-5 * Math.max(1, Math.abs(v)), `item value ${i}`));
  // The default layer is the last 4-D map before the global pooling: the output of module `features`.
  assert.equal(whole.layer!.chosen, 'default');
  assert.deepEqual(e.resolve(whole.layer!.ref), e.resolve('features'));
  // Contrast with the target's own class is empty; with another class it is a map in [0, 1].
  const k = whole.items[0]!.target.index;
  const self = await explain(e, twoItems('gap_cnn'), { method: 'gradcam', target: String(k), contrast: String(k) });
  assert.ok(self.items[0]!.heatmap!.every((v) => v === 0));
  const other = await explain(e, twoItems('gap_cnn'), { method: 'gradcam', target: String(k), contrast: String((k + 1) % 10) });
  const h = other.items[0]!.heatmap!;
  assert.ok(h.every((v) => v >= 0 && v <= 1), 'contrast in [0, 1]');
  assert.notDeepEqual(h, whole.items[0]!.heatmap, 'the contrast changed the map');
  assert.equal(other.items[0]!.contrast!.index, (k + 1) % 10);
  // A channel of a layer as the target: its score is the channel's spatial mean.
  const ch = await explain(e, twoItems('gap_cnn'), { method: 'saliency', targetLayer: 'features', channel: 3 });
  assert.equal(ch.items[0]!.target.kind, 'channel');
  finiteNonZero(ch.items[0]!.raw, 'channel target');
});

test('gradient CAM methods on the head above the layer give the maps of the whole network', async () => {
  for (const method of ['gradcam', 'gradcam++', 'hirescam']) {
    const head = await explain(engines.gap_cnn!, twoItems('gap_cnn'), { method });
    process.env.NNLENS_NO_HEAD = '1';
    try {
      const whole = await explain(engines.gap_cnn!, twoItems('gap_cnn'), { method });
      head.raw.data.forEach((v, i) => assert.ok(Math.abs(v - whole.raw.data[i]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${method} value ${i}: ${v} vs ${whole.raw.data[i]}`));
    } finally { delete process.env.NNLENS_NO_HEAD; }
  }
});

test('head cut: a skip connection from below the layer is fed from the first forward pass', async () => {
  // x [N,1,4,4] -> Conv(2 filters) -> Relu = A; logits = Gemm(Flatten(GAP(A)) + Flatten(GAP(Conv2(x)))): the head reads Conv2(x), which does not depend on A.
  let layer = '';
  const model = tinyModel({ x: ['N', 1, 4, 4] as never }, (b, [x]) => {
    const w = Array.from({ length: 18 }, (_, i) => Math.sin(i + 1));
    layer = b.op('Relu', [b.op('Conv', [x!, b.floats(w, [2, 1, 3, 3])], { pads: [1, 1, 1, 1] })]);
    const skip = b.op('Conv', [x!, b.floats(w.map((v) => v * 0.5), [2, 1, 3, 3])], { pads: [1, 1, 1, 1] });
    const pooled = b.op('Add', [b.op('Flatten', [b.op('GlobalAveragePool', [layer])]), b.op('Flatten', [b.op('GlobalAveragePool', [skip])])]);
    return b.op('Gemm', [pooled, b.floats([1, -2, 0.5, 3, -1, 1], [2, 3])]);
  });
  const engine = Engine.fromModel(model);
  try {
    const x = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.7));
    const input: ExplainInput = { feeds: { x: { dtype: 'float32', shape: [2, 1, 4, 4], data: x } }, inputName: 'x', items: [{ file: 'a', row: 0 }, { file: 'b', row: 0 }] };
    const cut = headEngine(engine, layer, layer, model.graph.outputs[0]!)!;
    assert.equal(cut.boundary.length, 1, 'the skip branch is a boundary input');
    assert.ok(cut.engine.exec.graph.nodes.every((n) => n.op !== 'Conv' && n.op !== 'Relu'), 'the head holds only the layers above');
    await cut.engine.dispose();
    const head = await explain(engine, input, { method: 'gradcam', layer, target: '2' });
    process.env.NNLENS_NO_HEAD = '1';
    try {
      const whole = await explain(engine, input, { method: 'gradcam', layer, target: '2' });
      assert.ok(whole.raw.data.some((v) => v > 0));
      head.raw.data.forEach((v, i) => assert.ok(Math.abs(v - whole.raw.data[i]!) <= 1e-5, `value ${i}: ${v} vs ${whole.raw.data[i]}`));
    } finally { delete process.env.NNLENS_NO_HEAD; }
  } finally { await engine.dispose(); }
});
