import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { openModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/graph/ir.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { tempDir } from './keras-fixtures.ts';

function node(m: Model, name: string) {
  const n = m.graph.nodes.find((x) => x.name === name);
  assert.ok(n, `no node ${name}`);
  return n;
}

function floatParamCount(m: Model): number {
  let n = 0;
  for (const v of m.graph.values.values()) if (v.initializer?.dtype === 'float32') n += v.initializer.size;
  return n;
}

test('TF.js graph (TF 1.13, no signature): MLP with dropout, shapes through Shape -> RandomUniform, params from shards', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('tfjs-graph-tf113-mathgarden'));
  assert.equal(m.format, 'tfjs-graph');
  assert.equal(m.formatLabel, 'TF.js graph model (converter 1.2.3, TF 1.13.2)');
  // 26 NodeDefs: 9 Const become weights, 1 Placeholder the input.
  assert.equal(m.graph.nodes.length, 16);
  assert.deepEqual(m.graph.inputs, ['X']);
  assert.deepEqual(m.graph.values.get('X')!.shape, [null, 784]);
  // Without a signature, the outputs are what nothing consumes.
  assert.deepEqual(m.graph.outputs, ['accuracy_calc/prediction']);
  assert.deepEqual(m.graph.values.get('accuracy_calc/prediction')!.shape, [null]);
  assert.equal(m.graph.values.get('accuracy_calc/prediction')!.dtype, 'int64');
  assert.deepEqual(m.graph.values.get('dropout_layer/random_uniform/RandomUniform')!.shape, [null, 512]);
  assert.deepEqual(m.graph.values.get('out/Softmax')!.shape, [null, 10]);
  const mm = node(m, 'layer_1/MatMul');
  assert.equal(mm.domain, 'tf');
  assert.deepEqual(mm.group, ['layer_1']);
  const w = mm.params.find((p) => p.role === 'b')!;
  assert.equal(w.name, 'layer_1/W');
  assert.equal(w.tensor.loaded, false);
  assert.equal(w.tensor.float32().length, 784 * 512);
  // 784*512 + 512 + 512*64 + 64 + 64*10 + 10 weights, plus the two dropout scalars.
  assert.equal(floatParamCount(m), 435402 + 2);
  assert.deepEqual(m.warnings, []);
});

test('TF.js graph (onnx2tf, signature): NHWC convolutions, and the same weights as the PyTorch ONNX export', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('tfjs-graph-onnx2tf-cifar100edge', 'model.json'));
  assert.deepEqual(m.graph.inputs, ['input']);
  assert.deepEqual(m.graph.outputs, ['Identity']);
  assert.deepEqual(m.graph.values.get('Identity')!.shape, [1, 100]);
  assert.deepEqual(m.graph.values.get('PartitionedCall/convolution')!.shape, [1, 30, 30, 3]);
  assert.deepEqual(m.graph.values.get('PartitionedCall/MaxPool2d')!.shape, [1, 15, 15, 3]);
  assert.deepEqual(m.graph.values.get('PartitionedCall/flatten/Reshape')!.shape, [1, 243]);
  // The TF2 call wrapper is no group; real scopes are.
  assert.deepEqual(node(m, 'PartitionedCall/convolution').group, []);
  assert.deepEqual(node(m, 'PartitionedCall/onnx_tf_prefix_/act/Selu').group, ['onnx_tf_prefix_']);
  const onnx = await openModel(real('onnx-cifar100-selu-opset14', 'model.onnx'));
  assert.equal(floatParamCount(m), floatParamCount(onnx));
  // TF filter [H, W, in, out] holds ONNX's conv1.weight [out, in, H, W].
  const tf = node(m, 'PartitionedCall/convolution').params.find((p) => p.role === 'filter')!.tensor.float32();
  const ox = onnx.graph.values.get('conv1.weight')!.initializer!.float32();
  for (const [o, i, h, w] of [[0, 0, 0, 0], [2, 1, 0, 2], [1, 2, 2, 1]] as const) {
    assert.equal(tf[((h * 3 + w) * 3 + i) * 3 + o], ox[((o * 3 + i) * 3 + h) * 3 + w]);
  }
});

test('TF.js graph: a missing weight shard is an error naming the shard', { skip: NEEDS_SHARED }, async () => {
  const dir = tempDir('nnlens-tfjs-graph-');
  copyFileSync(real('tfjs-graph-tf113-mathgarden', 'model.json'), join(dir, 'model.json'));
  await assert.rejects(openModel(dir), (e: unknown) => e instanceof NnlensError && /group1-shard1of1\.bin: weight shard is missing/.test(e.message));
});

test('TF.js graph: a truncated shard is an error naming it', { skip: NEEDS_SHARED }, async () => {
  const dir = tempDir('nnlens-tfjs-graph-');
  copyFileSync(real('tfjs-graph-onnx2tf-cifar100edge', 'model.json'), join(dir, 'model.json'));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), readFileSync(real('tfjs-graph-onnx2tf-cifar100edge', 'group1-shard1of1.bin')).subarray(0, 1000));
  await assert.rejects(openModel(dir), (e: unknown) => e instanceof NnlensError && /group1-shard1of1\.bin: .*hold 1000 bytes but .* need 100400/.test(e.message));
});

/** A tiny hand-written graph model: control inputs, a second output, inline and quantized constants. */
function writeSynthetic(): string {
  const dir = tempDir('nnlens-tfjs-graph-');
  const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const shape = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const json = {
    format: 'graph-model',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shape(-1, 4) } } },
        { name: 'axis', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: {}, tensorContent: b64(new Int32Array([1])) } } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape(4, 6) } } } },
        { name: 'mm', op: 'MatMul', input: ['x', 'w:0', '^axis'], attr: { transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'split', op: 'Split', input: ['axis', 'mm'], attr: { num_split: { i: '2' } } },
        { name: 'out', op: 'AddV2', input: ['split', 'split:1'] },
      ],
    },
    weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [4, 6], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } }] }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'w.bin'), Uint8Array.from({ length: 24 }, (_, i) => i % 5));
  return dir;
}

test('TF.js graph: edges connect through `X:0` / `X:1`, `^control` inputs are dropped, uint8 weights are dequantized', async () => {
  const m = await openModel(writeSynthetic());
  assert.deepEqual(node(m, 'mm').inputs, ['x', 'w']);
  assert.deepEqual(node(m, 'split').outputs, ['split', 'split:1']);
  assert.deepEqual(node(m, 'out').inputs, ['split', 'split:1']);
  assert.deepEqual(m.graph.values.get('out')!.shape, [null, 3]);
  assert.match(m.formatLabel, /uint8-quantized/);
  // q * scale + min (tfjs-core io_utils.decodeWeights): q = 0, 1, 2, 3, 4, 0, ...
  assert.deepEqual([...node(m, 'mm').params[0]!.tensor.float32().slice(0, 6)], [-1, -0.5, 0, 0.5, 1, -1]);
  // The inline int32 constant is read from tensorContent; it is a param of Split.
  assert.deepEqual([...node(m, 'split').params[0]!.tensor.data() as Int32Array], [1]);
});
