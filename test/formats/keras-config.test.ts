import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { attr } from '../../src/graph/ir.ts';
import { buildKerasGraph, modelConfigOf } from '../../src/formats/keras-config.ts';
import { convLength, deconvLength, outputShapes } from '../../src/formats/keras-shapes.ts';
import { crc32, toSnakeCase } from '../../src/formats/keras-zip.ts';

const build = (cfg: unknown) => buildKerasGraph(modelConfigOf(cfg, 'test.json'), { domain: 'keras', file: 'test.json' });
const shapeOf = (g: ReturnType<typeof build>['graph'], v: string) => g.values.get(v)?.shape;

test('shapes: convolution and pooling lengths follow keras conv_utils', () => {
  assert.equal(convLength(66, 5, 'valid', 2), 31); // NVIDIA net first conv: (66-5)/2+1
  assert.equal(convLength(31, 5, 'same', 2), 16); // ceil(31/2)
  assert.equal(convLength(10, 3, 'valid', 1, 2), 6); // dilated kernel spans 5
  assert.equal(convLength(null, 3, 'valid', 1), null);
  assert.equal(deconvLength(18, 2, 'valid', null, 2), 36); // U-Net up-convolution doubles
  assert.equal(deconvLength(7, 3, 'same', null, 2), 14);
  assert.equal(deconvLength(7, 3, 'same', 1, 2), 14); // (7-1)*2 + 3 - 2*1 + 1
});

test('shapes: Keras 1 Convolution2D arguments and th/tf dim ordering', () => {
  const tf = outputShapes('Convolution2D', { nb_filter: 24, nb_row: 5, nb_col: 5, subsample: [2, 2], border_mode: 'valid', dim_ordering: 'tf' }, [[null, 66, 200, 3]]);
  assert.deepEqual(tf, [[null, 31, 98, 24]]);
  const th = outputShapes('Convolution2D', { nb_filter: 8, nb_row: 3, nb_col: 3, border_mode: 'same', dim_ordering: 'th' }, [[null, 3, 32, 32]]);
  assert.deepEqual(th, [[null, 8, 32, 32]]);
  assert.deepEqual(outputShapes('MaxPooling2D', { pool_size: [2, 2], border_mode: 'valid' }, [[null, 31, 98, 24]]), [[null, 15, 49, 24]]);
  assert.deepEqual(outputShapes('Dense', { output_dim: 100 }, [[null, 1152]]), [[null, 100]]);
});

test('shapes: recurrent, wrappers, merges, reshapes', () => {
  const lstm = { class_name: 'LSTM', config: { units: 128, return_sequences: true } };
  assert.deepEqual(outputShapes('Bidirectional', { layer: lstm }, [[null, 100, 50]]), [[null, 100, 256]]);
  assert.deepEqual(outputShapes('Bidirectional', { layer: lstm, merge_mode: 'sum' }, [[null, 100, 50]]), [[null, 100, 128]]);
  assert.deepEqual(outputShapes('LSTM', { units: 8, return_state: true }, [[null, 5, 3]]), [[null, 8], [null, 8], [null, 8]]);
  assert.deepEqual(outputShapes('GRU', { units: 50 }, [[null, 60, 1]]), [[null, 50]]);
  assert.deepEqual(outputShapes('TimeDistributed', { layer: { class_name: 'Dense', config: { units: 89 } } }, [[null, 45, 64]]), [[null, 45, 89]]);
  assert.deepEqual(outputShapes('Concatenate', { axis: -1 }, [[null, 36, 36, 32], [null, 36, 36, 32]]), [[null, 36, 36, 64]]);
  assert.deepEqual(outputShapes('Add', {}, [[null, 8, 8, 128], [null, 8, 8, 128]]), [[null, 8, 8, 128]]);
  assert.deepEqual(outputShapes('Reshape', { target_shape: [72, -1, 1] }, [[null, 5184]]), [[null, 72, 72, 1]]);
  assert.deepEqual(outputShapes('Flatten', {}, [[null, 2, 3, 48]]), [[null, 288]]);
  assert.deepEqual(outputShapes('Cropping2D', { cropping: [[80, 20], [1, 1]] }, [[null, 160, 320, 3]]), [[null, 60, 318, 3]]);
  assert.deepEqual(outputShapes('ZeroPadding2D', { padding: 1 }, [[null, 5, 5, 2]]), [[null, 7, 7, 2]]);
  assert.deepEqual(outputShapes('GlobalAveragePooling2D', {}, [[null, 3, 3, 256]]), [[null, 256]]);
  assert.deepEqual(outputShapes('Embedding', { output_dim: 64 }, [[null, 85]]), [[null, 85, 64]]);
  // Lambda: only a raw output_shape is trusted; a marshalled function never is.
  assert.deepEqual(outputShapes('Lambda', { output_shape: [66, 200, 3], output_shape_type: 'raw' }, [[null, 66, 200, 3]]), [[null, 66, 200, 3]]);
  assert.deepEqual(outputShapes('Lambda', { output_shape: ['4wEAAAA', null, null], output_shape_type: 'lambda' }, [[null, 4]]), [undefined]);
  assert.deepEqual(outputShapes('MyCustomLayer', {}, [[null, 4]]), [undefined]);
});

test('zip helpers: CRC-32 check value and Keras snake-case names', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926); // the standard CRC-32 check value
  assert.equal(toSnakeCase('MaxPooling2D'), 'max_pooling2d');
  assert.equal(toSnakeCase('Conv2DTranspose'), 'conv2d_transpose');
  assert.equal(toSnakeCase('L1Distance'), 'l1_distance');
  assert.equal(toSnakeCase('LSTM'), 'lstm');
  assert.equal(toSnakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
});

test('config: Keras 1 Sequential as a bare list gets an input named after the first layer', () => {
  const { graph } = build({
    class_name: 'Sequential',
    config: [
      { class_name: 'Convolution2D', config: { name: 'conv', nb_filter: 4, nb_row: 3, nb_col: 3, border_mode: 'valid', dim_ordering: 'tf', batch_input_shape: [null, 8, 8, 1] } },
      { class_name: 'Flatten', config: { name: 'flat' } },
      { class_name: 'Dense', config: { name: 'out', output_dim: 2 } },
    ],
  });
  assert.deepEqual(graph.inputs, ['conv_input']);
  assert.deepEqual(shapeOf(graph, 'conv_input'), [null, 8, 8, 1]);
  assert.deepEqual(graph.nodes.map((n) => n.op), ['Convolution2D', 'Flatten', 'Dense']);
  assert.deepEqual(shapeOf(graph, graph.outputs[0]!), [null, 2]);
  assert.deepEqual(shapeOf(graph, 'flat:0:0'), [null, 144]);
  assert.equal(attr(graph.nodes[0]!, 'nb_filter', 'json', null), 4);
});

test('config: double-encoded JSON string is accepted; a subclassed top-level model is refused', () => {
  const inner = JSON.stringify({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 2] } }] });
  assert.equal(modelConfigOf(JSON.stringify(inner), 'a.json').class_name, 'Sequential');
  assert.throws(() => modelConfigOf({ class_name: 'MyModel', config: {} }, 'a.json'), (e: unknown) => e instanceof NnlensError && /subclassed model/.test(e.message));
  assert.throws(() => modelConfigOf([1, 2], 'a.json'), /not a Keras model config/);
});

test('config: Keras 2 Functional with a shared layer and a kwargs tensor keeps one node per layer', () => {
  const inp = (name: string) => ({ class_name: 'InputLayer', name, config: { name, batch_input_shape: [null, 5] }, inbound_nodes: [] });
  const { graph } = build({
    class_name: 'Model',
    config: {
      name: 'siamese',
      layers: [
        inp('a'), inp('b'),
        { class_name: 'Dense', name: 'tower', config: { name: 'tower', units: 3 }, inbound_nodes: [[['a', 0, 0, {}]], [['b', 0, 0, {}]]] },
        // A custom layer whose second input was passed as a keyword argument (L1Dist(validation_embed=...)).
        { class_name: 'L1Dist', name: 'dist', config: { name: 'dist', trainable: true }, inbound_nodes: [[['tower', 0, 0, { other: ['tower', 1, 0] }]]] },
        { class_name: 'Dense', name: 'out', config: { name: 'out', units: 1 }, inbound_nodes: [[['dist', 0, 0, {}]]] },
      ],
      input_layers: [['a', 0, 0], ['b', 0, 0]],
      output_layers: [['out', 0, 0]],
    },
  });
  const tower = graph.nodes.find((n) => n.name === 'tower')!;
  assert.deepEqual(tower.inputs, ['a:0:0', 'b:0:0']);
  assert.deepEqual(tower.outputs, ['tower:0:0', 'tower:1:0']);
  assert.deepEqual(attr(tower, 'call_inputs', 'ints', []), [1, 1]);
  const dist = graph.nodes.find((n) => n.name === 'dist')!;
  assert.deepEqual(dist.inputs, ['tower:0:0', 'tower:1:0']);
  assert.match(dist.opaque ?? '', /custom layer class 'L1Dist'/);
  assert.deepEqual(graph.inputs, ['a', 'b']);
  assert.deepEqual(graph.nodes.filter((n) => n.op === 'InputLayer').map((n) => n.inputs), [['a'], ['b']]);
  // Nothing says what L1Dist returns (Keras 2 keeps no tensor shapes), so its rank stays unknown downstream.
  assert.equal(shapeOf(graph, 'dist:0:0'), undefined);
  assert.equal(shapeOf(graph, 'out:0:0'), undefined);
  assert.deepEqual(shapeOf(graph, 'tower:1:0'), [null, 3]);
});

test('config: Keras 3 args/keras_history, nested model flattened into a group, shape hints for custom layers', () => {
  const kt = (layer: string, node: number, shape: unknown[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, node, 0] } });
  const tower = {
    class_name: 'Functional', name: 'tower', module: 'keras.src.models.functional',
    config: {
      name: 'tower', trainable: true,
      layers: [
        { class_name: 'InputLayer', name: 'tin', config: { batch_shape: [null, 13], name: 'tin' }, inbound_nodes: [] },
        { class_name: 'Dense', name: 'dense', config: { name: 'dense', units: 8 }, inbound_nodes: [{ args: [kt('tin', 0, [null, 13])], kwargs: {} }] },
      ],
      input_layers: [['tin', 0, 0]], output_layers: [['dense', 0, 0]],
    },
    inbound_nodes: [{ args: [kt('x1', 0, [null, 13])], kwargs: { mask: null } }, { args: [kt('x2', 0, [null, 13])], kwargs: { mask: null } }],
  };
  const { graph } = build({
    class_name: 'Functional',
    config: {
      name: 'outer',
      layers: [
        { class_name: 'InputLayer', name: 'x1', config: { batch_shape: [null, 13], name: 'x1' }, inbound_nodes: [] },
        { class_name: 'InputLayer', name: 'x2', config: { batch_shape: [null, 13], name: 'x2' }, inbound_nodes: [] },
        tower,
        { class_name: 'L1Distance', name: 'l1', config: { name: 'l1' }, inbound_nodes: [{ args: [[kt('tower', 0, [null, 8]), kt('tower', 1, [null, 8])]], kwargs: {} }] },
        { class_name: 'Dense', name: 'head', config: { name: 'head', units: 1 }, inbound_nodes: [{ args: [kt('l1', 0, [null, 8])], kwargs: {} }] },
      ],
      input_layers: [['x1', 0, 0], ['x2', 0, 0]],
      output_layers: ['head', 0, 0], // Keras 3 writes a single output as one triple
    },
  });
  const dense = graph.nodes.find((n) => n.name === 'dense')!;
  assert.deepEqual(dense.group, ['tower']);
  assert.deepEqual(dense.inputs, ['x1:0:0', 'x2:0:0']);
  assert.equal(graph.nodes.some((n) => n.name === 'tin' || n.name === 'tower'), false, 'nested InputLayer and the model itself are not nodes');
  const l1 = graph.nodes.find((n) => n.name === 'l1')!;
  assert.deepEqual(l1.inputs, ['dense:0:0', 'dense:1:0']);
  assert.deepEqual(shapeOf(graph, 'l1:0:0'), [null, 8], 'custom layer output shape comes from the consumer\'s keras_tensor');
  assert.deepEqual(graph.outputs, ['head:0:0']);
});

test('config: a reference to an undefined call is an NnlensError', () => {
  assert.throws(() => build({
    class_name: 'Model',
    config: {
      name: 'm',
      layers: [
        { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 2] }, inbound_nodes: [] },
        { class_name: 'Dense', name: 'd', config: { name: 'd', units: 1 }, inbound_nodes: [[['ghost', 0, 0, {}]]] },
      ],
      input_layers: [['a', 0, 0]], output_layers: [['d', 0, 0]],
    },
  }), (e: unknown) => e instanceof NnlensError && /takes 'ghost'/.test(e.message));
});

test('config: Keras 1 Merge of Sequential branches gives one graph input per branch', () => {
  const branch = (name: string, n: number) => ({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name, output_dim: n, batch_input_shape: [null, 4] } }] });
  const { graph, tree } = build({
    class_name: 'Sequential',
    config: [
      { class_name: 'Merge', config: { name: 'merge_1', mode: 'concat', concat_axis: -1, layers: [branch('left', 3), branch('right', 5)] } },
      { class_name: 'Dense', config: { name: 'out', output_dim: 1 } },
    ],
  });
  assert.deepEqual(graph.inputs, ['left_input', 'right_input']);
  assert.deepEqual(graph.nodes.find((n) => n.name === 'merge_1')!.inputs, ['left:0:0', 'right:0:0']);
  assert.deepEqual(shapeOf(graph, 'merge_1:0:0'), [null, 8]);
  assert.deepEqual(graph.nodes.find((n) => n.name === 'left')!.group, ['merge_1_branch_0'], 'Keras 1 branch configs are bare lists without a name');
  assert.equal(tree.layers[0]!.branches!.length, 2);
});

test('config: tf.keras constant arguments and TF-op layers', () => {
  const { graph } = build({
    class_name: 'Functional',
    config: {
      name: 'm',
      layers: [
        { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 2] }, inbound_nodes: [] },
        { class_name: 'TFOpLambda', name: 'tf.math.multiply', config: { name: 'tf.math.multiply', function: 'math.multiply' }, inbound_nodes: [[['_CONSTANT_VALUE', -1, 3.0, { y: ['x', 0, 0], name: null }]]] }, // tf.math.multiply(3.0, x)
      ],
      input_layers: [['x', 0, 0]], output_layers: [['tf.math.multiply', 0, 0]],
    },
  });
  const op = graph.nodes.find((n) => n.op === 'TFOpLambda')!;
  assert.deepEqual(op.inputs, ['x:0:0']);
  assert.match(op.opaque!, /TensorFlow operation 'tf\.math\.multiply'/);
});

test('config: built-in layers without a shape rule are not called custom; preprocessing layers have shapes', () => {
  const { graph } = build({
    class_name: 'Sequential',
    config: { name: 's', layers: [
      { class_name: 'InputLayer', config: { name: 'img', batch_shape: [null, 100, 80, 3] } },
      { class_name: 'Resizing', config: { name: 'resize', height: 64, width: 48 } },
      { class_name: 'RandomFlip', config: { name: 'flip', mode: 'horizontal' } },
      { class_name: 'ConvLSTM2D', config: { name: 'clstm', filters: 2, kernel_size: [3, 3] } },
    ] },
  });
  assert.deepEqual(shapeOf(graph, 'flip:0:0'), [null, 64, 48, 3]);
  assert.equal(graph.nodes.find((n) => n.name === 'clstm')!.opaque, undefined);
  assert.equal(shapeOf(graph, 'clstm:0:0'), undefined);
});
