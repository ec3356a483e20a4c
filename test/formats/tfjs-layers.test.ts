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

// ------------------------------------------------------------------------------------------------
// Reference check against TF.js's own Keras implementation (@tensorflow/tfjs-layers): models built
// and saved by TF.js must open with TF.js's parameter counts, output shapes and weight values.

type Tfl = typeof import('@tensorflow/tfjs-layers');
type LayersModel = import('@tensorflow/tfjs-layers').LayersModel;

async function tfjs(): Promise<{ tf: typeof import('@tensorflow/tfjs-core'); tfl: Tfl }> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return { tf, tfl: await import('@tensorflow/tfjs-layers') };
}

/** Saves a TF.js model as model.json + one shard, the way `model.save('file://...')` lays it out. */
async function saveTfjs(model: LayersModel, dir: string): Promise<string> {
  const { tf } = await tfjs();
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]);
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(data));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(dir, 'model.json');
}

/** Compares every (non-nested-model) layer: parameter count, output shape (single-call layers), weight values. */
async function compareWithTfjs(model: LayersModel): Promise<Model> {
  const m = await openModel(await saveTfjs(model, tempDir()));
  const flat = (layers: LayersModel['layers']): LayersModel['layers'] => layers.flatMap((l) => ('layers' in l ? flat((l as LayersModel).layers) : [l]));
  let total = 0, trainable = 0;
  for (const n of m.graph.nodes) for (const p of n.params) { total += p.tensor.size; if (p.trainable) trainable += p.tensor.size; }
  assert.equal(total, model.countParams(), 'total params');
  assert.equal(trainable, model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 0), 1), 0), 'trainable params');
  for (const layer of flat(model.layers)) {
    if (layer.getClassName() === 'InputLayer' && !m.graph.nodes.some((n) => n.name === layer.name)) continue; // nested models' inputs are not nodes
    const node = m.graph.nodes.find((n) => n.name === layer.name);
    assert.ok(node, `no node for ${layer.name}`);
    assert.equal(node.op, layer.getClassName());
    assert.equal(node.params.reduce((a, p) => a + p.tensor.size, 0), layer.countParams(), `params of ${layer.name}`);
    const calls = node.attributes.call_outputs?.value as number[] | undefined;
    if (!calls) assert.deepEqual(m.graph.values.get(node.outputs[0]!)!.shape, layer.outputShape, `output shape of ${layer.name}`);
    const ref = layer.getWeights();
    assert.equal(node.params.length, ref.length, `weights of ${layer.name}`);
    ref.forEach((w, i) => assert.deepEqual(node.params[i]!.tensor.float32(), w.dataSync(), `${layer.name} weight ${i}`));
  }
  return m;
}

test('reference: a TF.js-built CNN (conv, separable, depthwise, transpose, padding, cropping, pooling, BN)', async () => {
  const { tfl } = await tfjs();
  const L = tfl.layers;
  const model = tfl.sequential({ layers: [
    L.conv2d({ inputShape: [33, 31, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
    L.batchNormalization(),
    L.zeroPadding2d({ padding: [[1, 2], [0, 1]] }),
    L.maxPooling2d({ poolSize: 3, strides: 2 }),
    L.separableConv2d({ filters: 6, kernelSize: 3, depthMultiplier: 2 }),
    L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
    L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }),
    L.cropping2D({ cropping: [[1, 1], [2, 0]] }),
    L.upSampling2d({ size: [2, 2] }),
    L.conv2d({ filters: 5, kernelSize: 3, dilationRate: 2 }),
    L.averagePooling2d({ poolSize: 2, padding: 'same' }),
    L.globalMaxPooling2d({}),
    L.dense({ units: 5, activation: 'softmax' }),
  ] });
  const m = await compareWithTfjs(model);
  assert.equal(m.format, 'tfjs-layers');
  assert.match(m.formatLabel, /tfjs-layers 4\.22\.0/);
});

test('reference: a TF.js-built sequence model (embedding, conv1d, bidirectional LSTM, TimeDistributed, GRU, SimpleRNN)', async () => {
  const { tfl } = await tfjs();
  const L = tfl.layers;
  const model = tfl.sequential({ layers: [
    L.embedding({ inputDim: 50, outputDim: 8, inputLength: 12 }),
    L.conv1d({ filters: 6, kernelSize: 3, padding: 'valid' }), // not 'causal': tfjs sizes it like 'valid', Keras (and nnlens) keep the length
    L.maxPooling1d({ poolSize: 2 }),
    L.bidirectional({ layer: L.lstm({ units: 5, returnSequences: true, recurrentInitializer: 'glorotUniform' }) as never }),
    L.timeDistributed({ layer: L.dense({ units: 3 }) }),
    L.gru({ units: 4, returnSequences: true, recurrentInitializer: 'glorotUniform' }),
    L.simpleRNN({ units: 3, recurrentInitializer: 'glorotUniform' }), // the default Orthogonal needs tfjs's chained ops
    L.repeatVector({ n: 2 }),
    L.permute({ dims: [2, 1] }),
    L.reshape({ targetShape: [6] }),
    L.dense({ units: 1 }),
  ] });
  await compareWithTfjs(model);
});

test('reference: a TF.js functional model with a shared layer, merges and a nested model called twice', async () => {
  const { tfl } = await tfjs();
  const L = tfl.layers;
  const tower = tfl.sequential({ name: 'tower', layers: [L.dense({ inputShape: [10], units: 4, name: 'tower_dense' }), L.dropout({ rate: 0.1, name: 'tower_drop' })] });
  const a = tfl.input({ shape: [10], name: 'a' });
  const b = tfl.input({ shape: [10], name: 'b' });
  const ta = tower.apply(a) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const tb = tower.apply(b) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const shared = L.dense({ units: 3, name: 'shared' });
  const sa = shared.apply(ta) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const sb = shared.apply(tb) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const cat = L.concatenate({ name: 'cat' }).apply([sa, sb]) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const sum = L.add({ name: 'sum' }).apply([sa, sb]) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const out = L.dense({ units: 2, name: 'out' }).apply(L.concatenate({ name: 'cat2' }).apply([cat, sum]) as import('@tensorflow/tfjs-layers').SymbolicTensor) as import('@tensorflow/tfjs-layers').SymbolicTensor;
  const model = tfl.model({ inputs: [a, b], outputs: out });
  const m = await compareWithTfjs(model);
  const td = m.graph.nodes.find((n) => n.name === 'tower_dense')!;
  assert.deepEqual(td.group, ['tower']);
  assert.deepEqual(td.inputs, ['a:0:0', 'b:0:0']);
  assert.deepEqual(m.graph.values.get('cat2:0:0')!.shape, [null, 9]);
});
