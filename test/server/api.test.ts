/**
 * The HTTP API of `nnlens serve` against the library: every answer is compared with what the
 * library computes directly for the same model and input (run, activations, explanations), and the
 * links between calls are checked (an edited row changes the probabilities by what ablating a
 * feature says; a drawn picture equal to a sample gives the sample's outputs).
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadInputFor } from '../../src/cli/input-options.ts';
import { Engine } from '../../src/engine/engine.ts';
import { openModel } from '../../src/formats/registry.ts';
import { activationStats } from '../../src/inspect/activations.ts';
import { softmax } from '../../src/inspect/outputs.ts';
import { pngSize } from '../../src/render/raster.ts';
import type { ActivationsJson, ExplainJson, GraphJson, InputInfo, ModelEntry, ModelInfo, NodeJson, RunJson, TrainingJson, HistogramJson } from '../../src/server/api-types.ts';
import { applyLayout, buildView, indexGraph } from '../../src/server/graph-view.ts';
import { startServer, type NnlensServer } from '../../src/server/server.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { buildFixtures, FEATURES, type Fixtures } from './fixtures.ts';

let fx: Fixtures;
let s: NnlensServer;

before(async () => {
  fx = await buildFixtures();
  s = await startServer({ models: [fx.digits, fx.table] });
});

after(async () => {
  await s?.close();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

async function call(path: string, init?: RequestInit): Promise<Response> {
  return fetch(new URL(path, s.url), init);
}

async function json<T>(path: string, init?: RequestInit, status = 200): Promise<T> {
  const r = await call(path, init);
  const body = await r.json();
  assert.equal(r.status, status, `${path}: ${JSON.stringify(body)}`);
  return body as T;
}

function post<T>(path: string, body: unknown, status = 201): Promise<T> {
  return json<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, status);
}

describe('models, graph and nodes', () => {
  test('lists the opened models with what they take', async () => {
    const list = await json<ModelEntry[]>('/api/models');
    assert.deepEqual(list.map((m) => [m.id, m.name, m.inputKind, m.runnable]), [['m1', 'digits-cnn.onnx', 'image', true], ['m2', 'fraud-mlp.onnx', 'tabular', true]]);
    const digits = await json<ModelInfo>('/api/models/m1');
    assert.deepEqual(digits.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(digits.image, { height: 28, width: 28, channels: 1 });
    assert.equal(digits.camLayer, '/features/features.8/Relu_output_0', 'the last feature map before global pooling');
    assert.deepEqual(digits.samples.map((x) => x.id), ['samples/digit-0.png', 'samples/digit-3.png', 'samples/digit-7.png']);
    assert.equal(digits.training, true);
    assert.equal(digits.methods.find((m) => m.name === 'kernelshap')?.unavailable, 'for tabular inputs only');
    assert.equal(digits.methods.find((m) => m.name === 'gradcam')?.unavailable, undefined);
    const table = await json<ModelInfo>('/api/models/m2');
    assert.deepEqual(table.featureNames, FEATURES);
    assert.deepEqual(table.samples.map((x) => x.label), ['rows.csv row 1 (is_fraud = 0)', 'rows.csv row 2 (is_fraud = 1)', 'rows.csv row 3 (is_fraud = 1)', 'row.npy']);
    assert.match(table.methods.find((m) => m.name === 'gradcam')?.unavailable ?? '', /4-D feature map/);
  });

  test('graph JSON has every node, its group and the shapes of its values', async () => {
    const model = await openModel(fx.digits);
    const g = await json<GraphJson>('/api/models/m1/graph');
    assert.equal(g.nodes.length, model.graph.nodes.length);
    assert.deepEqual(g.nodes.map((n) => n.n), model.graph.nodes.map((n) => n.name));
    const conv = g.nodes[0]!;
    assert.equal(conv.op, 'Conv');
    assert.equal(conv.c, 'conv');
    assert.deepEqual(g.groups[conv.g]!.path, ['features']);
    assert.deepEqual(conv.i, ['input'], 'weights are not data inputs');
    assert.equal(conv.p, 8 * 1 * 3 * 3 + 8);
    assert.equal(g.shapes[conv.o[0]!], '[1,8,28,28]');
    assert.ok(g.categories.conv && g.categories.group);
    // The opening view comes laid out, with positions for exactly the boxes the page builds.
    assert.ok(g.layout, 'the server laid out the opening view');
    const view = buildView(indexGraph(g), new Set(g.layout.expanded));
    assert.ok(applyLayout(view.diagram, g.layout));
    const boxes = [...view.diagram.boxes.values()];
    assert.ok(boxes.every((b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= view.diagram.width + 1));
    for (const a of boxes) for (const b of boxes) {
      if (a !== b) assert.ok(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y, `${a.id} overlaps ${b.id}`);
    }
  });

  test('node details: attributes, shapes, weight statistics and pictures', async () => {
    const g = await json<GraphJson>('/api/models/m1/graph');
    const n = await json<NodeJson>(`/api/models/m1/node?name=${encodeURIComponent(g.nodes[0]!.n)}`);
    assert.equal(n.op, 'Conv');
    assert.match(n.description, /convolution/i);
    assert.deepEqual(n.attributes.find((a) => a.name === 'kernel_shape'), { name: 'kernel_shape', type: 'ints', value: '[3, 3]' });
    assert.equal(n.outputRank, 4);
    const kernel = n.weights.find((w) => w.shape.length === 4)!;
    assert.deepEqual(kernel.views, ['histogram', 'filters']);
    const model = await openModel(fx.digits);
    const values = model.graph.nodes[0]!.params.find((p) => p.name === kernel.name)!.tensor.float32();
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(kernel.mean - mean) < 1e-7);
    assert.equal(kernel.count, 72);
    const h = await json<HistogramJson>(`/api/models/m1/weight?name=${encodeURIComponent(kernel.name)}&format=json&bins=12`);
    assert.equal(h.counts.length, 12);
    assert.equal(h.counts.reduce((a, b) => a + b, 0), 72);
    const png = await call(`/api/models/m1/weight?name=${encodeURIComponent(kernel.name)}&view=filters&format=png`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.ok(pngSize(new Uint8Array(await png.arrayBuffer())).width > 50);
    const gemm = (await json<GraphJson>('/api/models/m2/graph')).nodes.find((x) => x.op === 'Gemm')!;
    const dense = await json<NodeJson>(`/api/models/m2/node?name=${encodeURIComponent(gemm.n)}`);
    const w2 = dense.weights.find((w) => w.shape.length === 2)!;
    assert.deepEqual(w2.views, ['histogram', 'heatmap']);
    const svg = await call(`/api/models/m2/weight?name=${encodeURIComponent(w2.name)}&view=heatmap&format=svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(await svg.text(), /^<svg/);
    const bad = await json<{ error: string }>(`/api/models/m2/weight?name=${encodeURIComponent(w2.name)}&view=filters&format=svg`, undefined, 400);
    assert.match(bad.error, /not a convolution kernel/);
    assert.match((await json<{ error: string }>('/api/models/m1/node?name=nope', undefined, 404)).error, /no node named 'nope'/);
  });
});

describe('inputs, run and activations', () => {
  test('a sample runs to the probabilities the library computes', async () => {
    const inp = await post<InputInfo>('/api/models/m1/inputs', { sample: 'samples/digit-3.png' });
    assert.equal(inp.kind, 'image');
    assert.deepEqual(inp.shape, [1, 1, 28, 28]);
    const pic = await call(inp.picture!);
    assert.deepEqual(pngSize(new Uint8Array(await pic.arrayBuffer())), { width: 28, height: 28 });
    const run = await json<RunJson>(`/api/models/m1/run?input=${inp.id}`);
    const out = run.outputs[0]!;
    assert.equal(out.kind, 'classification');
    if (out.kind !== 'classification') return;
    assert.equal(out.top.length, 10);
    const engine = Engine.fromModel(await openModel(fx.digits));
    try {
      const loaded = await loadInputFor(engine, join(fx.digits, '..', 'samples', 'digit-3.png'));
      const logits = (await engine.run(loaded.feeds)).outputs.logits!.data as Float32Array;
      const p = softmax(logits);
      for (const c of out.top) assert.ok(Math.abs(c.probability - p[c.index]!) < 1e-9, `class ${c.index}`);
      assert.equal(out.top[0]!.label, String(out.top[0]!.index));
    } finally {
      await engine.dispose();
    }
  });

  test('a drawn picture equal to a sample gives the sample\'s outputs', async () => {
    const bytes = readFileSync(join(fx.digits, '..', 'samples', 'digit-7.png'));
    const drawn = await json<InputInfo>('/api/models/m1/inputs?source=drawing', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes }, 201);
    assert.equal(drawn.source, 'drawing');
    const sample = await post<InputInfo>('/api/models/m1/inputs', { sample: 'samples/digit-7.png' });
    const a = await json<RunJson>(`/api/models/m1/run?input=${drawn.id}`), b = await json<RunJson>(`/api/models/m1/run?input=${sample.id}`);
    assert.deepEqual(a.outputs, b.outputs);
    const notPicture = await json<{ error: string }>('/api/models/m1/inputs', { method: 'POST', headers: { 'content-type': 'image/png' }, body: 'hello' }, 415);
    assert.match(notPicture.error, /not a PNG/);
  });

  test('activations of a layer match the library\'s statistics', async () => {
    const inp = await post<InputInfo>('/api/models/m1/inputs', { sample: 'samples/digit-0.png' });
    const layer = '/features/features.8/Relu';
    const a = await json<ActivationsJson>(`/api/models/m1/activations?input=${inp.id}&layer=${encodeURIComponent(layer)}`);
    assert.deepEqual(a.shape, [1, 32, 7, 7]);
    assert.equal(a.picture, 'mosaic');
    const engine = Engine.fromModel(await openModel(fx.digits));
    try {
      const loaded = await loadInputFor(engine, join(fx.digits, '..', 'samples', 'digit-0.png'));
      const st = activationStats((await engine.run(loaded.feeds, [layer])).captured[layer]![0]!, 'NCHW');
      assert.ok(Math.abs(a.overall.mean - st.overall.mean) < 1e-9);
      assert.equal(a.overall.deadChannels, st.overall.deadChannels);
    } finally {
      await engine.dispose();
    }
    const svg = await call(`/api/models/m1/activations?input=${inp.id}&layer=${encodeURIComponent(layer)}&format=svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match((await json<{ error: string }>(`/api/models/m1/activations?input=${inp.id}&layer=nope`, undefined, 400)).error, /no layer, tensor or module named 'nope'/);
  });

  test('an edited row changes the probabilities by what feature ablation says', async () => {
    const row = await post<InputInfo>('/api/models/m2/inputs', { sample: 'rows.csv#1' });
    assert.deepEqual(row.row?.names, FEATURES);
    assert.deepEqual(row.row?.values, [950, 3, 480, 1, 1, 0, 1, 40]);
    const base = await json<RunJson>(`/api/models/m2/run?input=${row.id}`);
    const o = base.outputs[0]!;
    assert.ok(o.kind === 'classification');
    const target = o.top[0]!;
    const ablation = await json<ExplainJson>(`/api/models/m2/explain?input=${row.id}&method=ablation&target=${target.index}`);
    assert.equal(ablation.kind, 'features');
    assert.deepEqual(ablation.features!.map((f) => f.name), FEATURES);
    // Feature ablation replaces one feature by 0 (its baseline): the logit moves by its attribution.
    const edited = Object.fromEntries(FEATURES.map((n, k) => [n, k === 2 ? 0 : row.row!.values[k]!]));
    const changed = await post<InputInfo>('/api/models/m2/inputs', { row: edited });
    assert.equal(changed.source, 'edited row');
    const after = await json<RunJson>(`/api/models/m2/run?input=${changed.id}`);
    const o2 = after.outputs[0]!;
    assert.ok(o2.kind === 'classification');
    const logitAfter = o2.top.find((c) => c.index === target.index)!.score;
    assert.ok(Math.abs(target.score - logitAfter - ablation.features![2]!.attribution) < 1e-5, `${target.score} - ${logitAfter} vs ${ablation.features![2]!.attribution}`);
    assert.notEqual(o2.top.find((c) => c.index === target.index)!.probability, target.probability);
    assert.match((await post<{ error: string }>('/api/models/m2/inputs', { row: { amount: 'x' } }, 400)).error, /feature 'amount' must be a finite number/);
  });
});

describe('explanations', () => {
  test('Grad-CAM overlay, target and contrast, cached redraws', async () => {
    const inp = await post<InputInfo>('/api/models/m1/inputs', { sample: 'samples/digit-3.png' });
    const e = await json<ExplainJson & { overlay: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=3`);
    assert.equal(e.kind, 'image');
    assert.equal(e.layer, '/features/features.8/Relu_output_0');
    assert.deepEqual(e.target, { index: 3, label: '3' });
    assert.equal(e.cached, false);
    const png = Buffer.from(e.overlay.replace(/^data:image\/png;base64,/, ''), 'base64');
    assert.deepEqual(pngSize(png), { width: 280, height: 280 });
    const again = await json<ExplainJson & { overlay: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=3&alpha=0.2&colormap=viridis`);
    assert.equal(again.cached, true);
    assert.notEqual(again.overlay, e.overlay);
    const other = await json<ExplainJson & { overlay: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=5`);
    assert.notEqual(other.overlay, e.overlay);
    // The score is the target's logit; a contrast class changes the map, not the target.
    const run = await json<RunJson>(`/api/models/m1/run?input=${inp.id}`);
    const out = run.outputs[0]!;
    assert.ok(out.kind === 'classification');
    const logit = (k: number) => out.top.find((c) => c.index === k)!.score;
    assert.ok(Math.abs(e.score! - logit(3)) < 1e-5);
    // (This untrained model's class-3 map is all negative, so ReLU leaves nothing: contrast the predicted class.)
    const p = out.top[0]!.index, q = out.top[1]!.index;
    const plain = await json<ExplainJson & { overlay: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=${p}`);
    const vs = await json<ExplainJson & { overlay: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=${p}&contrast=${q}`);
    assert.deepEqual(vs.contrast, { index: q, label: String(q) });
    assert.ok(Math.abs(vs.score! - logit(p)) < 1e-5);
    assert.notEqual(vs.overlay, plain.overlay);
    // Without a target, the predicted class is explained.
    const auto = await json<ExplainJson>(`/api/models/m1/explain?input=${inp.id}&method=gradcam`);
    assert.equal(auto.target.index, out.top[0]!.index);
    const raw = await call(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=3&format=png`);
    assert.equal(raw.headers.get('content-type'), 'image/png');
    assert.match((await json<{ error: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=3&contrast=3`, undefined, 400)).error, /must differ/);
    assert.match((await json<{ error: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&target=12`, undefined, 400)).error, /12/);
    assert.match((await json<{ error: string }>(`/api/models/m1/explain?input=${inp.id}&method=magic`, undefined, 400)).error, /unknown method 'magic'/);
    assert.match((await json<{ error: string }>(`/api/models/m1/explain?input=${inp.id}&method=gradcam&colormap=rainbow`, undefined, 400)).error, /unknown colormap/);
  });

  test('every method runs on its kind of input', async () => {
    const digits = await json<ModelInfo>('/api/models/m1');
    const img = await post<InputInfo>('/api/models/m1/inputs', { sample: 'samples/digit-7.png' });
    for (const m of digits.methods.filter((x) => !x.unavailable)) {
      const e = await json<ExplainJson & { overlay?: string }>(`/api/models/m1/explain?input=${img.id}&method=${encodeURIComponent(m.name)}`);
      assert.ok(e.overlay?.startsWith('data:image/png;base64,'), m.name);
    }
    const table = await json<ModelInfo>('/api/models/m2');
    const row = await post<InputInfo>('/api/models/m2/inputs', { sample: 'rows.csv#2' });
    for (const m of table.methods.filter((x) => !x.unavailable)) {
      const e = await json<ExplainJson>(`/api/models/m2/explain?input=${row.id}&method=${encodeURIComponent(m.name)}`);
      assert.equal(e.features?.length, 8, m.name);
      assert.ok(e.features!.every((f) => Number.isFinite(f.attribution)), m.name);
      // Completeness (Sundararajan et al. 2017, Sec. 3) within 1% at the page's 64 steps, on raw features up to 950.
      if (m.name === 'ig') assert.ok(e.delta! < 0.01 * Math.max(1, Math.abs(e.score!)), `IG completeness ${e.delta} (score ${e.score})`);
    }
  });
});

describe('training curves and uploads', () => {
  test('the training log named in the metadata, as series', async () => {
    const t = await json<TrainingJson>('/api/models/m1/training');
    const loss = t.series.find((x) => x.tag === 'train/loss')!;
    assert.equal(loss.steps.length, 20);
    assert.ok(Math.abs(loss.values[4]! - 2 / 5) < 1e-6);
    assert.match((await json<{ error: string }>('/api/models/m2/training', undefined, 404)).error, /no training log/);
  });

  test('a model uploaded from the page opens and lists', async () => {
    const { id } = await post<{ id: string }>('/api/uploads', {});
    const bytes = readFileSync(join(ZOO_FIXTURES, 'seq_lstm', 'model.onnx'));
    const put = await json<{ bytes: number }>(`/api/uploads/${id}/files/lstm.onnx`, { method: 'PUT', body: bytes }, 201);
    assert.equal(put.bytes, bytes.length);
    const entry = await post<ModelEntry>(`/api/uploads/${id}/open`, {});
    assert.equal(entry.name, 'lstm.onnx');
    assert.ok((await json<ModelEntry[]>('/api/models')).some((m) => m.id === entry.id));
    const g = await json<GraphJson>(`/api/models/${entry.id}/graph`);
    assert.ok(g.nodes.some((n) => n.op === 'LSTM'));
    // A file that is no model: the upload is refused with the loader's message and forgotten.
    const bad = await post<{ id: string }>('/api/uploads', {});
    await json(`/api/uploads/${bad.id}/files/notes.onnx`, { method: 'PUT', body: 'not a model' }, 201);
    const err = await post<{ error: string }>(`/api/uploads/${bad.id}/open`, {}, 400);
    assert.match(err.error, /notes\.onnx/);
  });

  test('unknown routes, models and inputs', async () => {
    assert.match((await json<{ error: string }>('/api/nothing', undefined, 404)).error, /no API route/);
    assert.match((await json<{ error: string }>('/api/models/m9', undefined, 404)).error, /no model 'm9'/);
    assert.match((await json<{ error: string }>('/api/models/m1/run?input=i999', undefined, 404)).error, /no input 'i999'/);
    assert.match((await json<{ error: string }>('/api/models/m1/run', undefined, 400)).error, /'input' is required/);
    assert.equal((await call('/api/models', { method: 'DELETE' })).status, 405);
  });
});
