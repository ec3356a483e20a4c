/**
 * Data-driven corpus test (Netron's test/models.json style): every Keras and TF.js layers model in
 * ../shared/models/real, one row each, asserting a few facts. Parameter totals are Keras's own
 * `model.summary()` totals (the sum of every stored layer weight, also listed per file in
 * ../shared/models/real/INSPECTION.txt); per-layer counts are checked against Keras's formulas.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import type { Model, Node, Shape } from '../../src/graph/ir.ts';
import { openModel } from '../../src/formats/registry.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

interface Row {
  /** Path under ../shared/models/real; `weights` is passed as --weights. */
  path: string;
  weights?: string;
  label: RegExp;
  params: number;
  /** Trainable params when some are not (BatchNormalization statistics, frozen layers). */
  trainable?: number;
  nodes: number;
  /** Output shapes of the graph. */
  outputs?: Shape[];
  /** Per-layer parameter counts (Keras formulas in comments). */
  layers?: Record<string, number>;
  /** Layers that must be opaque. */
  opaque?: string[];
  /** Every value has a known shape with a null batch dimension. */
  allShapes?: boolean;
  check?: (m: Model) => void;
}

const total = (m: Model, trainableOnly = false) => m.graph.nodes.reduce((a, n) => a + count(n, trainableOnly), 0);
const count = (n: Node, trainableOnly = false) => n.params.reduce((a, p) => a + (trainableOnly && !p.trainable ? 0 : p.tensor.size), 0);
const node = (m: Model, name: string) => {
  const n = m.graph.nodes.find((x) => x.name === name);
  assert.ok(n, `no node '${name}' in ${m.graph.nodes.map((x) => x.name).join(', ')}`);
  return n;
};
const outShape = (m: Model, name: string, i = 0) => m.graph.values.get(node(m, name).outputs[i]!)?.shape;

const ROWS: Row[] = [
  { path: 'fraud-mlp-creditcard-0xdaksh/model.json', label: /^Keras 2\.0\.5 HDF5 weights \+ architecture JSON$/, params: 1711, nodes: 6, outputs: [[null, 1]], allShapes: true,
    layers: { dense_1: 30 * 16 + 16, dense_2: 16 * 18 + 18, dropout_1: 0, dense_5: 24 + 1 } },
  { path: 'fraud-mlp-creditcard-0xdaksh/model.h5', label: /^Keras 2\.0\.5 HDF5 weights \+ architecture JSON$/, params: 1711, nodes: 6, outputs: [[null, 1]] }, // opens model.json beside it
  { path: 'dogcat-cnn-11tonytony11/model.h5', label: /^Keras 2\.2\.4-tf HDF5 full model$/, params: 304_770, nodes: 18, outputs: [[null, 2]], allShapes: true },
  { path: 'keras1-full-carnd-eljefec/model.h5', label: /^Keras 1\.2\.1 HDF5 full model$/, params: 188_231, nodes: 22, outputs: [[null, 1]], opaque: ['lambda_5'],
    layers: { convolution2d_20: 5 * 5 * 3 * 24 + 24 },
    check: (m) => {
      assert.deepEqual(outShape(m, 'cropping2d_4'), [null, 90, 320, 3]);
      assert.deepEqual(outShape(m, 'convolution2d_20'), [null, null, null, 24], 'after a Lambda without output_shape only the channels are known');
    } },
  { path: 'keras1-weights-json-carnd-billzito/nvidia_33_17.json', label: /^Keras 1\.2\.0 HDF5 weights \+ architecture JSON$/, params: 251_749, nodes: 11, outputs: [[null, 1]], opaque: ['lambda_1'],
    check: (m) => {
      assert.deepEqual(outShape(m, 'convolution2d_5'), [null, 1, 18, 64]);
      assert.deepEqual(outShape(m, 'flatten_1'), [null, 1152]);
      assert.equal(node(m, 'convolution2d_1').params[0]!.name, 'convolution2d_1_W:0');
      assert.equal(node(m, 'convolution2d_1').params[0]!.role, 'kernel');
    } },
  { path: 'keras2-lambda-carnd-1524045/model.h5', label: /^Keras 2\.0\.6 HDF5 full model$/, params: 143_421, nodes: 12, outputs: [[null, 1]], opaque: ['lambda_1'] },
  { path: 'keras2-weights-json-carnd-dventimiglia/model.json', label: /^Keras 2\.3\.1 HDF5 weights/, params: 58_795, trainable: 58_664, nodes: 15, outputs: [[null, 1]], allShapes: true,
    // Non-trainable: BatchNormalization(axis=1) moving stats 2*60, and the frozen Readout Dense(1) 10+1.
    layers: { Normalize: 4 * 60, Readout: 11 },
    check: (m) => assert.deepEqual(outShape(m, 'Flatten'), [null, 288]) },
  { path: 'emotion-cnn-bn-24kshah/model.h5', label: /^Keras 3\.10\.0 HDF5 full model$/, params: 259_079, trainable: 258_375, nodes: 17, outputs: [[null, 7]], allShapes: true },
  { path: 'mnist-cnn-11hepatel/model.h5', label: /^Keras 2\.11\.0 HDF5/, params: 81_066, nodes: 17, outputs: [[null, 10]], allShapes: true },
  { path: 'catsdogs-cnn-jeanxl/cats_vs_dogs.h5', label: /^Keras 2\.4\.0 HDF5/, params: 44_466, nodes: 13, outputs: [[null, 2]], allShapes: true },
  { path: 'churn-mlp-ankit/model.h5', label: /^Keras 3\.8\.0 HDF5/, params: 2945, nodes: 4, outputs: [[null, 1]], allShapes: true, layers: { dense_6: 12 * 64 + 64 } },
  { path: 'fraud-mlp-2468universe/model.h5', label: /^Keras 3\.8\.0 HDF5/, params: 4545, nodes: 7, outputs: [[null, 1]], allShapes: true },
  { path: 'gru-timeseries-tekuv/gru_model.h5', label: /^Keras 3\.9\.2 HDF5/, params: 8001, nodes: 3, outputs: [[null, 1]], allShapes: true,
    layers: { gru: 3 * 50 * (1 + 50 + 2) /* GRU reset_after: two bias rows */, dense: 51 } },
  { path: 'seq2seq-lstm-functional-katakana/model.h5', label: /^Keras 2\.2\.4 HDF5/, params: 80_985, nodes: 7, outputs: [[null, 45, 89]], allShapes: true,
    layers: { embedding_1: 54 * 64, lstm_1: 4 * 64 * (64 + 64 + 1), time_distributed_1: 64 * 89 + 89 },
    check: (m) => assert.deepEqual(node(m, 'lstm_2').inputs, ['embedding_2:0:0', 'lstm_1:0:0', 'lstm_1:0:0'], 'initial states are inputs') },
  { path: 'resnet-add-bn-fvilmos/resnet.h5', label: /^Keras 2\.3\.0-tf HDF5/, params: 274_691, trainable: 271_555, nodes: 96, outputs: [[null, 3]], allShapes: true,
    check: (m) => assert.equal(m.graph.nodes.filter((n) => n.op === 'Add').length, 8) },
  { path: 'unet-concat-afiliot/unet.h5', label: /^Keras 2\.2\.2 HDF5/, params: 116_753, nodes: 25, outputs: [[null, 5184]], allShapes: true,
    check: (m) => {
      assert.deepEqual(outShape(m, 'dconv1'), [null, 36, 36, 32]);
      assert.deepEqual(outShape(m, 'concat2'), [null, 72, 72, 32]);
    } },
  { path: 'siamese-lstm-customlayer-arpx22/siamese_model.h5', label: /^Keras 2\.8\.0 HDF5/, params: 87_589, nodes: 12, outputs: [[null, 1]], opaque: ['L1_Distance_Layer'],
    check: (m) => assert.deepEqual(node(m, 'L1_Distance_Layer').inputs, ['Dense_layer_input:0:0', 'Dense_layer_validation:0:0'], 'the kwargs tensor is an input') },
  { path: 'siamese-subclassed-lambda-ayushmi/siamese_model.h5', label: /^Keras 2\.9\.0 HDF5/, params: 300_560, trainable: 299_408, nodes: 4, opaque: ['res_net', 'output_layer'],
    layers: { res_net: 300_560 },
    check: (m) => {
      assert.match(node(m, 'res_net').opaque!, /empty config/);
      assert.deepEqual(node(m, 'res_net').inputs, ['left_input:0:0', 'right_input:0:0']);
    } },
  { path: 'hdf5-named-dotkeras-deathgrips/model.keras', label: /^Keras 2\.1\.6 HDF5 full model$/, params: 105_149, nodes: 4, outputs: [[null, 61]], allShapes: true,
    layers: { lstm_1: 4 * 128 * (61 + 128 + 1) } },
  { path: 'keras3-lstm-crypto/model.keras', label: /^Keras 3\.10\.0 \.keras archive$/, params: 117_619, nodes: 5, outputs: [[null, 1]], allShapes: true,
    layers: { lstm_2: 4 * 128 * (1 + 128 + 1), lstm_3: 4 * 64 * (128 + 64 + 1) } },
  { path: 'keras3-lstm-crypto/model_fixed.h5', label: /^Keras 3\.10\.0 HDF5 full model$/, params: 117_619, nodes: 5, outputs: [[null, 1]], allShapes: true },
  { path: 'keras3-lambda-siamese-doorlock/siamese_model_0.7.keras', label: /^Keras 3\.2\.1 \.keras archive$/, params: 7355, nodes: 18, opaque: ['lambda'],
    layers: { conv2d: 3 * 3 * 3 * 5 + 5, dense: 105 * 62 + 62, dense_1: 63 },
    check: (m) => {
      const c = node(m, 'conv2d');
      assert.deepEqual(c.group, ['sequential']);
      assert.deepEqual(c.inputs, ['input_layer:0:0', 'input_layer_1:0:0'], 'the shared tower is called on both inputs');
      assert.deepEqual(outShape(m, 'lambda'), [null, 3023, 62], 'raw output_shape of the Lambda');
    } },
  { path: 'keras3-customlayer-siamese-speaker/siamese_model.keras', label: /^Keras 3\.5\.0 \.keras archive$/, params: 12_161, nodes: 9, outputs: [[null, 1]], opaque: ['l1_distance_2'],
    check: (m) => {
      assert.deepEqual(node(m, 'dense_8').group, ['functional_4']);
      assert.deepEqual(outShape(m, 'l1_distance_2'), [null, 32]);
    } },
  { path: 'tfkeras215-mlp-jiechau-keras/tf_dnn.keras', label: /^Keras 2\.15\.0 \.keras archive$/, params: 2369, nodes: 4, outputs: [[null, 1]], allShapes: true },
  { path: 'tfkeras215-mlp-jiechau-keras/tf_dnn.h5', label: /^Keras 2\.15\.0 HDF5/, params: 2369, nodes: 4, outputs: [[null, 1]], allShapes: true },
  { path: 'tfjs-layers-mlp-jiechau/model.json', label: /^TF\.js layers model \(converter 4\.20\.0, keras 2\.15\.0\)$/, params: 2369, nodes: 4, outputs: [[null, 1]], allShapes: true },
  { path: 'tfjs-layers-quant-bilstm-aa760', label: /^TF\.js layers model \(converter 3\.12\.0, keras 2\.7\.0\), uint8-quantized weights$/, params: 1_389_254, nodes: 10, outputs: [[null, 6]], allShapes: true,
    layers: { embedding: 20000 * 50, bidirectional: 2 * 4 * 128 * (50 + 128 + 1), dense: 64 * 6 + 6 },
    check: (m) => assert.deepEqual(outShape(m, 'bidirectional'), [null, 100, 256]) },
  { path: 'tfjs0-layers-lstm-har-aock/model.json', label: /^TF\.js layers model \(TF\.js 0\.x, no format key, keras 2\.1\.4\)$/, params: 54_722, nodes: 7, outputs: [[null, 2]], allShapes: true,
    layers: { lstm_1: 4 * 64 * (3 + 64 + 1) } },
  { path: 'tfjs0-layers-lstm-har-aock/entireModel.h5', label: /^Keras 2\.1\.4 HDF5 full model$/, params: 54_722, nodes: 7, outputs: [[null, 2]], allShapes: true },
  { path: 'tfjs0-layers-lstm-har-aock/arch.json', weights: 'tfjs0-layers-lstm-har-aock/weights.h5', label: /^Keras 2\.1\.4 HDF5 weights \+ architecture JSON$/, params: 54_722, nodes: 7, outputs: [[null, 2]], allShapes: true },
];

for (const row of ROWS) {
  test(`corpus: ${row.path}`, { skip: NEEDS_SHARED }, async () => {
    const m = await openModel(real(row.path), row.weights ? { weights: real(row.weights) } : {});
    assert.match(m.formatLabel, row.label);
    assert.equal(total(m), row.params, 'total params');
    assert.equal(total(m, true), row.trainable ?? row.params, 'trainable params');
    assert.equal(m.graph.nodes.length, row.nodes, 'layers');
    if (row.outputs) assert.deepEqual(m.graph.outputs.map((o) => m.graph.values.get(o)?.shape), row.outputs);
    for (const [name, n] of Object.entries(row.layers ?? {})) assert.equal(count(node(m, name)), n, `params of ${name}`);
    assert.deepEqual(m.graph.nodes.filter((n) => n.opaque).map((n) => n.name).sort(), [...(row.opaque ?? [])].sort(), 'opaque layers');
    for (const v of m.graph.values.values()) {
      assert.ok(v.dtype, `${v.name} has a dtype`);
      if (row.allShapes) {
        assert.ok(v.shape && v.shape[0] === null && v.shape.slice(1).every((d) => typeof d === 'number'), `${v.name} shape ${JSON.stringify(v.shape)}`);
      }
    }
    row.check?.(m);
  });
}

test('corpus: the malicious .keras (pickled .npz weights, duplicate members) is refused without reading pickle', { skip: NEEDS_SHARED }, async () => {
  const err = await openModel(real('UNSAFE-keras3-npz-pickle-evil', 'model.keras')).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NnlensError);
  assert.match(err.message, /model\.weights\.npz.*refused, because unpickling can run arbitrary code/);
});

/** Every weight of every layer, by `layer/role`, as numbers. */
function weights(m: Model): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const n of m.graph.nodes) for (const p of n.params) out.set(`${n.name}/${p.role}`, p.tensor.float32());
  return out;
}

function assertSameWeights(a: Model, b: Model, values = true): void {
  const wa = weights(a), wb = weights(b);
  assert.deepEqual([...wa.keys()].sort(), [...wb.keys()].sort());
  for (const [k, va] of wa) {
    const vb = wb.get(k)!;
    assert.equal(va.length, vb.length, k);
    if (values) assert.deepEqual(va, vb, k);
  }
}

test('corpus cross-format: jiechau MLP has the same weights in .h5 and TF.js (and the same layers in .keras)', { skip: NEEDS_SHARED }, async () => {
  const h5 = await openModel(real('tfkeras215-mlp-jiechau-keras', 'tf_dnn.h5'));
  assertSameWeights(h5, await openModel(real('tfjs-layers-mlp-jiechau', 'model.json')));
  // The .keras file of that repo was saved from another training run: its single [3, 64] kernel
  // (layers/dense/vars/0) differs from the .h5's, while the tf2onnx export agrees with the .h5.
  const keras = await openModel(real('tfkeras215-mlp-jiechau-keras', 'tf_dnn.keras'));
  assertSameWeights(h5, keras, false);
  const onnx = await openModel(real('onnx-tf2onnx-mlp-jiechau', 'model.onnx'));
  const onnxKernel = [...onnx.graph.values.values()].find((v) => v.initializer?.shape.join() === '3,64')!.initializer!.float32();
  assert.deepEqual(onnxKernel, weights(h5).get('dense_1/kernel'));
  assert.notDeepEqual(onnxKernel, weights(keras).get('dense_1/kernel'));
});

test('corpus cross-format: HAR LSTM full .h5 equals weights .h5 + arch JSON; the TF.js 0.x copy has the same layers', { skip: NEEDS_SHARED }, async () => {
  const full = await openModel(real('tfjs0-layers-lstm-har-aock', 'entireModel.h5'));
  assertSameWeights(full, await openModel(real('tfjs0-layers-lstm-har-aock', 'arch.json'), { weights: real('tfjs0-layers-lstm-har-aock', 'weights.h5') }));
  // model.json + shards were converted from another checkpoint (values differ by up to ~0.1).
  assertSameWeights(full, await openModel(real('tfjs0-layers-lstm-har-aock', 'model.json')), false);
});

test('corpus cross-format: crypto LSTM .keras (Keras 3 layout) equals its legacy .h5', { skip: NEEDS_SHARED }, async () => {
  assertSameWeights(await openModel(real('keras3-lstm-crypto', 'model.keras')), await openModel(real('keras3-lstm-crypto', 'model_fixed.h5')));
});
