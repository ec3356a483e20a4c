import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { openModel } from '../../src/formats/registry.ts';
import type { Model, Node } from '../../src/graph/ir.ts';
import { emptyGraph, valueOf } from '../../src/graph/ir.ts';
import { Tensor } from '../../src/graph/tensor.ts';
import { formatSummary, summarize } from '../../src/inspect/summary.ts';
import { residualModel } from '../../bench/synthetic.ts';
import { NEEDS_SHARED, REAL, real } from '../helpers/shared.ts';

/** Sum of the element counts of every initializer in the graph (ONNX's own parameter count). */
function initializerTotal(m: Model): number {
  let n = 0;
  for (const v of m.graph.values.values()) if (v.initializer) n += v.initializer.size;
  return n;
}

test('summary: ONNX parameter totals equal the sum of initializer sizes, and rows add up to them', { skip: NEEDS_SHARED }, async () => {
  const dirs = readdirSync(REAL!).filter((d) => d.startsWith('onnx-'));
  assert.ok(dirs.length >= 10);
  for (const d of dirs) {
    const m = await openModel(real(d));
    const s = summarize(m);
    assert.equal(s.totals.params, initializerTotal(m), d);
    assert.equal(s.rows.length, m.graph.nodes.length, d);
    const unused = [...m.graph.values.values()].filter((v) => v.initializer && !m.graph.nodes.some((n) => n.inputs.includes(v.name)));
    assert.equal(s.rows.reduce((a, r) => a + r.params, 0) + unused.reduce((a, v) => a + v.initializer!.size, 0), s.totals.params, d);
    assert.equal(s.totals.trainable + s.totals.nonTrainable, s.totals.params, d);
  }
});

test('summary: known totals of real models (ONNX MNIST CNN, Keras seeds)', { skip: NEEDS_SHARED }, async () => {
  const mnist = summarize(await openModel(real('onnx-mnist-cnn-bn-opset11')));
  assert.equal(mnist.totals.params, 597_578);
  // Batch-norm running statistics (mean and variance) are not trained: BN over 3 x 32 and 3 x 64 channels, plus 128 in fc.
  assert.equal(mnist.totals.nonTrainable, 2 * (32 * 3 + 64 * 3 + 128));
  assert.deepEqual(mnist.outputs[0]!.shape, ['batch_size', 10]);
  const dogcat = summarize(await openModel(real('dogcat-cnn-11tonytony11')));
  assert.equal(dogcat.totals.params, 304_770);
  const fraud = summarize(await openModel(real('fraud-mlp-creditcard-0xdaksh')));
  assert.equal(fraud.totals.params, 1711);
  assert.deepEqual(fraud.rows.map((r) => r.params), [496, 306, 0, 380, 504, 25]);
});

test('summary: --depth groups rows per module and keeps the totals', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('onnx-mnist-cnn-bn-opset11'));
  const s = summarize(m, { depth: 1 });
  assert.deepEqual(s.rows.map((r) => [r.name, r.kind, r.nodes]), [['conv_layers', 'group', 18], ['fc_layers', 'group', 5]]);
  assert.equal(s.rows[0]!.params + s.rows[1]!.params, s.totals.params);
  assert.deepEqual(s.rows[0]!.outputs.map((o) => o.shape), [['batch_size', 64, 7, 7]]);
  assert.deepEqual(s.rows.map((r) => r.connectedTo), [['input'], ['conv_layers']]);
  const text = formatSummary(s);
  assert.doesNotMatch(text, /Connected to/, 'a chain needs no Connected-to column');
  assert.match(text, /conv_layers \(group, 18 nodes\)/);
  assert.match(text, /Total params: 597,578 \(2\.28 MB\)/);
});

test('summary: a tensor shared by two nodes is counted once; weight bytes and trainable split', () => {
  const g = emptyGraph('shared');
  const w = Tensor.of('float32', [4, 4], new Float32Array(16));
  const stat = Tensor.of('float32', [4], new Float32Array(4));
  valueOf(g, 'w').initializer = w;
  valueOf(g, 'stat').initializer = stat;
  const node = (name: string, inputs: string[], out: string): Node => ({
    name, op: 'MatMul', domain: '', inputs, outputs: [out], attributes: {}, group: [], params: [],
  });
  const a = node('a', ['x', 'w'], 'y'), b = node('b', ['y', 'w', 'stat'], 'z');
  a.params.push({ role: 'w', name: 'w', tensor: w, trainable: true });
  b.params.push({ role: 'w', name: 'w', tensor: w, trainable: true }, { role: 'stat', name: 'stat', tensor: stat, trainable: false });
  g.nodes.push(a, b);
  g.inputs = ['x']; g.outputs = ['z'];
  const s = summarize({ format: 'onnx', formatLabel: 'test', path: 'shared.onnx', metadata: {}, graph: g, warnings: [] });
  assert.equal(s.totals.params, 20);
  assert.equal(s.totals.trainable, 16);
  assert.equal(s.totals.nonTrainable, 4);
  assert.equal(s.totals.weightBytes, 80);
  assert.equal(s.totals.paramTensors, 2);
  assert.deepEqual(s.rows.map((r) => r.params), [16, 4]);
});

test('summary: synthetic residual stack has the expected group rows at depth 1 and 2', () => {
  const m = residualModel({ nodes: 200 });
  const d1 = summarize(m, { depth: 1 });
  assert.deepEqual(d1.rows.filter((r) => r.kind === 'group').map((r) => r.name), ['layer1', 'layer2', 'layer3', 'layer4']);
  const d2 = summarize(m, { depth: 2 });
  assert.ok(d2.rows.filter((r) => r.kind === 'group').every((r) => /^layer\d\/layer\d\.\d+$/.test(r.name)));
  for (const s of [d1, d2]) assert.equal(s.rows.reduce((a, r) => a + r.params, 0), s.totals.params);
});

test('summary: branching graphs get a Connected-to column, one line per incoming row', () => {
  const m = residualModel({ nodes: 30 });
  const s = summarize(m);
  const add = s.rows.find((r) => r.name === '/layer1/layer1.0/Add')!;
  assert.deepEqual(add.connectedTo, ['/layer1/layer1.0/bn2/BatchNormalization', '/maxpool/MaxPool']);
  const text = formatSummary(s);
  assert.match(text, /Param # {3}Connected to\n/);
  assert.match(text, /\/layer1\/layer1\.0\/Add \(Add\) .* {3}\/layer1\/layer1\.0\/bn2\/BatchNormalization\n {20,}\/maxpool\/MaxPool\n/);
});
