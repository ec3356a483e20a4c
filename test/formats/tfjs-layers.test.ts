import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import type { Model } from '../../src/graph/ir.ts';
import { FormatContext } from '../../src/formats/context.ts';
import * as kerasJson from '../../src/formats/keras-json.ts';
import { openModel } from '../../src/formats/registry.ts';
import * as tfjsLayers from '../../src/formats/tfjs-layers.ts';
import { MLP, tempDir, writeTfjs } from './keras-fixtures.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

const param = (m: Model, node: string, role: string) => m.graph.nodes.find((n) => n.name === node)!.params.find((p) => p.role === role)!;

async function refuses(path: string, re: RegExp): Promise<void> {
  const err = await openModel(path).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NnlensError, `expected an NnlensError, got ${String(err)}`);
  assert.match(err.message, re);
}

test('TF.js layers: model.json + shard open as a tfjs-domain graph with lazy weights', async () => {
  const dir = tempDir();
  const m = await openModel(writeTfjs(dir));
  assert.equal(m.format, 'tfjs-layers');
  assert.equal(m.formatLabel, 'TF.js layers model (converter 4.0.0, keras 2.2.4)');
  assert.deepEqual(m.graph.nodes.map((n) => `${n.domain}:${n.op}`), ['tfjs:Dense', 'tfjs:Dense']);
  const k2 = param(m, 'dense_2', 'kernel');
  assert.equal(k2.tensor.loaded, false);
  assert.deepEqual([...k2.tensor.float32()], [...MLP.k2]);
  assert.deepEqual([...param(m, 'dense_1', 'bias').tensor.float32()], [...MLP.b1]);
  assert.deepEqual(m.graph.values.get(m.graph.outputs[0]!)!.shape, [null, 2]);
});

test('TF.js layers: uint8-quantized weights are dequantized as q * scale + min', async () => {
  const dir = tempDir();
  const m = await openModel(writeTfjs(dir, { quantize: true }));
  assert.match(m.formatLabel, /uint8-quantized weights/);
  const k = param(m, 'dense_1', 'kernel').tensor;
  assert.equal(k.dtype, 'float32');
  const got = k.float32();
  MLP.k1.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-6, `${i}: ${got[i]} vs ${v}`));
  // The unquantized weights that follow in the same shard are still in place.
  assert.deepEqual([...param(m, 'dense_1', 'bias').tensor.float32()], [...MLP.b1]);
});

test('bad input: missing shard, wrong shard size, shard path escaping the folder', async () => {
  await refuses(writeTfjs(tempDir(), { shards: ['group1-shard1of1.bin', 'group1-shard2of2.bin'] }), /group1-shard2of2\.bin: weight shard is missing \(referenced by model\.json\)/);
  await refuses(writeTfjs(tempDir(), { shardBytesDelta: -4 }), /group1-shard1of1\.bin: weight shards \(group1-shard1of1\.bin\) hold 100 bytes but the weights that model\.json lists for them need 104 bytes/);
  await refuses(writeTfjs(tempDir(), { shardBytesDelta: 8 }), /hold 112 bytes but .* need 104 bytes/);
  await refuses(writeTfjs(tempDir(), { shards: ['../outside.bin'] }), /weight shard '\.\.\/outside\.bin' escapes the model's folder/);
});

test('TF.js graph models are left to the graph-model loader', () => {
  const dir = tempDir();
  const p = join(dir, 'model.json');
  writeFileSync(p, JSON.stringify({ format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] }, weightsManifest: [] }));
  assert.equal(tfjsLayers.match(new FormatContext(p)), false);
  assert.equal(kerasJson.match(new FormatContext(p)), false);
  writeFileSync(p, JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [] })); // converter 1.x: no format key
  assert.equal(tfjsLayers.match(new FormatContext(p)), false);
});

test('real TF.js graph models are not claimed by the layers loader', { skip: NEEDS_SHARED }, () => {
  for (const f of ['tfjs-graph-tf113-mathgarden', 'tfjs-graph-onnx2tf-cifar100edge']) {
    const ctx = new FormatContext(real(f, 'model.json'));
    assert.equal(tfjsLayers.match(ctx), false, f);
    assert.equal(kerasJson.match(ctx), false, f);
  }
});
