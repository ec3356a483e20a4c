import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import { emptyGraph, type Graph } from '../../src/graph/ir.ts';
import { GraphBuilder } from '../../src/engine/builder.ts';
import { isProbabilityRows, producerOp, readOutput, sigmoid, softmax, topK } from '../../src/inspect/outputs.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('softmax is exp(z) / sum exp(z), stable for large logits; sigmoid never overflows', () => {
  const p = softmax([1, 2, 3]);
  const s = Math.exp(1) + Math.exp(2) + Math.exp(3);
  [1, 2, 3].forEach((z, i) => close(p[i]!, Math.exp(z) / s));
  // exp(1000) overflows float64: subtracting the max keeps it finite and exact.
  const big = softmax([1000, 1001]);
  close(big[1]!, 1 / (1 + Math.exp(-1)));
  close(sigmoid(0), 0.5);
  close(sigmoid(-800), 0);
  close(sigmoid(800), 1);
  close(sigmoid(2) + sigmoid(-2), 1, 1e-15);
});

test('top-K: largest first, ties by index, NaN last', () => {
  assert.deepEqual(topK([0.1, 0.7, 0.2, 0.7], 3), [1, 3, 2]);
  assert.deepEqual(topK([NaN, 0.5, -1], 3), [1, 2, 0]);
});

test('probability rows: in [0, 1] and summing to 1', () => {
  assert.ok(isProbabilityRows(Float32Array.of(0.2, 0.8, 0.5, 0.5), 2, 2));
  assert.ok(!isProbabilityRows(Float32Array.of(0.2, 0.7), 1, 2));
  assert.ok(!isProbabilityRows(Float32Array.of(1.5, -0.5), 1, 2));
});

/** x -> op -> Reshape: the output's producer, seen through the Reshape. */
function graphWith(op: string): Graph {
  const g = emptyGraph('g');
  const b = new GraphBuilder(g, 't');
  const x = b.input('x', 'float32', ['N', 3]);
  const y = b.op(op, [x]);
  const r = b.op('Reshape', [y, b.ints([-1, 3])]);
  g.outputs = [r];
  return g;
}

test('producerOp looks through shape plumbing', () => {
  const g = graphWith('Softmax');
  assert.equal(producerOp(g, g.outputs[0]!), 'Softmax');
  assert.equal(producerOp(g, 'x'), undefined);
});

test('logits get a softmax; a Softmax output, rows summing to 1 and metadata are taken as probabilities', () => {
  const logits = f32([2, 3], [0, 2, 1.5, 5, 0, 0]);
  const r = readOutput(logits, { name: 'y', top: 2 });
  assert.equal(r.kind, 'classification');
  if (r.kind !== 'classification') return;
  assert.deepEqual([r.applied, r.scores, r.classes], ['softmax', 'logits', 3]);
  assert.deepEqual(r.top.map((row) => row.map((c) => c.index)), [[1, 2], [0, 1]]);
  const p = softmax([0, 2, 1.5]);
  close(r.top[0]![0]!.probability, p[1]!);
  assert.equal(r.top[0]![0]!.label, 'class 1');

  const probs = f32([1, 3], [0.1, 0.6, 0.3]);
  const byValues = readOutput(probs, { name: 'y' });
  assert.ok(byValues.kind === 'classification' && byValues.applied === 'none' && /sums to 1/.test(byValues.reason));
  const byGraph = readOutput(logits, { name: graphWith('Softmax').outputs[0]!, graph: graphWith('Softmax') });
  assert.ok(byGraph.kind === 'classification' && byGraph.applied === 'none' && /Softmax/.test(byGraph.reason));
  const byMeta = readOutput(probs, { name: 'y', facts: { preprocess: {}, outputKind: 'logits' } });
  assert.ok(byMeta.kind === 'classification' && byMeta.applied === 'softmax' && /nnlens\.output\.kind = logits/.test(byMeta.reason));
});

test('one output per sample: regression by default, sigmoid binary with two labels or metadata', () => {
  const z = f32([2, 1], [1.5, -3]);
  const reg = readOutput(z, { name: 'y' });
  assert.ok(reg.kind === 'values');
  if (reg.kind === 'values') assert.deepEqual(reg.values, [[1.5], [-3]]);
  const bin = readOutput(z, { name: 'y', labels: { names: ['legit', 'fraud'], source: 'l.txt' } });
  assert.ok(bin.kind === 'classification');
  if (bin.kind !== 'classification') return;
  assert.equal(bin.applied, 'sigmoid');
  assert.equal(bin.top[0]![0]!.label, 'fraud');
  close(bin.top[0]![0]!.probability, sigmoid(1.5));
  assert.equal(bin.top[1]![0]!.label, 'legit');
  close(bin.top[1]![0]!.probability, 1 - sigmoid(-3));
  const meta = readOutput(z, { name: 'y', facts: { preprocess: {}, task: 'binary-classification', outputKind: 'probabilities' } });
  assert.ok(meta.kind === 'classification' && meta.applied === 'none');
  const forced = readOutput(f32([1, 3], [1, 2, 3]), { name: 'y', facts: { preprocess: {}, task: 'regression' } });
  assert.ok(forced.kind === 'values' && /regression/.test(forced.reason));
});

test('labels must match the class count; other ranks and integer outputs are values', () => {
  assert.throws(() => readOutput(f32([1, 3], [1, 2, 3]), { name: 'y', labels: { names: ['a', 'b'], source: 'labels.txt' } }),
    (e: unknown) => e instanceof NnlensError && /labels\.txt: has 2 labels, but the model outputs 3 classes/.test(e.message));
  const img = readOutput(f32([1, 2, 2, 2]), { name: 'mask' });
  assert.ok(img.kind === 'values' && img.values[0]!.length === 8);
  const ints = readOutput({ dtype: 'int64', shape: [2], data: BigInt64Array.of(3n, 1n) }, { name: 'label' });
  assert.ok(ints.kind === 'values');
  if (ints.kind === 'values') assert.deepEqual(ints.values, [[3], [1]]);
  const long = readOutput(f32([1, 5, 1]), { name: 'seq', maxValues: 2 });
  assert.ok(long.kind === 'values' && long.truncated && long.values[0]!.length === 2);
  assert.throws(() => readOutput(f32([1, 2, 2]), { name: 'y', facts: { preprocess: {}, task: 'classification' }, modelFile: 'm.onnx' }), /m\.onnx: the metadata says classification/);
});
