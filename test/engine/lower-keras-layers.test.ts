/**
 * Keras layer lowerings on small hand-built Keras configs, each run on ONNX Runtime and compared
 * with tfjs-layers running the same config and seeded random weights (every layer output, L-inf
 * relative error < 1e-4; see lower-tfjs.ts). The cases are the ones where a lowering is easy to get
 * subtly wrong: TensorFlow 'same' padding on odd sizes with strides, Keras 1 'th' ordering, Flatten
 * order, recurrent gate orders, go_backwards, masks, Bidirectional merges, GRU reset_after,
 * BatchNormalization on a non-channel axis, transposed convolutions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { NnlensError } from '../../src/errors.ts';
import { buildKerasGraph, modelConfigOf } from '../../src/formats/keras-config.ts';
import type { Model } from '../../src/graph/ir.ts';
import { Tensor } from '../../src/graph/tensor.ts';
import { permute } from '../../src/engine/lower/keras-args.ts';
import { agreement, kerasFeeds, randomWeights } from './lower-tfjs.ts';

type Layer = [string, Record<string, unknown>];
const TOL = 1e-4;

/** A Model from a Keras config, as the loaders build it. */
function fromConfig(config: unknown, version = '2.2.4', format: 'keras' | 'tfjs-layers' = 'keras'): Model {
  const { graph, warnings } = buildKerasGraph(modelConfigOf(config, 'test.json'), { domain: format === 'keras' ? 'keras' : 'tfjs', file: 'test.json' });
  return { format, formatLabel: 'test', path: 'test.json', producer: `keras ${version}`, metadata: {}, graph, warnings };
}

/** A Sequential model (Keras 2 list form), layers named `<class>_<index>`. */
function sequential(inputShape: number[], layers: Layer[], version?: string, format?: 'keras' | 'tfjs-layers'): Model {
  return fromConfig({
    class_name: 'Sequential',
    config: layers.map(([cls, cfg], i) => ({ class_name: cls, config: { name: `${cls.toLowerCase()}_${i}`, ...(i === 0 ? { batch_input_shape: [null, ...inputShape] } : {}), ...cfg } })),
  }, version, format);
}

/** Random weights, seeded inputs, then every layer output against tfjs. */
async function check(t: { diagnostic(msg: string): void }, model: Model, range: [number, number] = [-1, 1], seed = 5): Promise<void> {
  await randomWeights(model, seed);
  const a = await agreement(model, kerasFeeds(model, seed, range));
  t.diagnostic(`output ${a.output.toExponential(2)}; worst of ${a.compared} ${a.worst.err.toExponential(2)} (${a.worst.value})`);
  assert.ok(a.worst.err < TOL, `${a.worst.value} differs from tfjs by ${a.worst.err}`);
}

const conv = (cfg: Record<string, unknown>): Layer => ['Conv2D', { filters: 3, kernel_size: [3, 3], ...cfg }];

const CASES: { name: string; model: () => Model; range?: [number, number] }[] = [
  { name: "Conv2D 'same', stride 2, odd sizes (TF puts the odd pad at the end)", model: () => sequential([7, 9, 2], [
    conv({ strides: [2, 2], padding: 'same', activation: 'relu' }), conv({ kernel_size: [4, 2], strides: [3, 1], padding: 'same' }),
  ]) },
  { name: "Conv2D 'same' with dilation, 'valid' with stride, even kernel", model: () => sequential([11, 10, 3], [
    conv({ padding: 'same', dilation_rate: [2, 2] }), conv({ kernel_size: [2, 4], strides: [2, 3], padding: 'valid', use_bias: false }),
  ]) },
  { name: "MaxPooling2D / AveragePooling2D 'same' on odd sizes (padding never counted)", model: () => sequential([7, 5, 2], [
    ['MaxPooling2D', { pool_size: [3, 3], strides: [2, 2], padding: 'same' }], ['AveragePooling2D', { pool_size: [3, 2], strides: [2, 1], padding: 'same' }],
    ['AveragePooling2D', { pool_size: [2, 2], padding: 'valid' }],
  ]) },
  { name: 'Flatten keeps Keras NHWC order into Dense', model: () => sequential([3, 4, 2], [conv({ padding: 'same' }), ['Flatten', {}], ['Dense', { units: 5, activation: 'tanh' }]]) },
  { name: 'SeparableConv2D, DepthwiseConv2D (depth multiplier 2)', model: () => sequential([8, 7, 3], [
    ['SeparableConv2D', { filters: 4, kernel_size: [3, 3], padding: 'same', strides: [2, 2], depth_multiplier: 2, activation: 'relu' }],
    ['DepthwiseConv2D', { kernel_size: [3, 3], depth_multiplier: 2, padding: 'valid' }],
  ]) },
  { name: "Conv2DTranspose 'same' and 'valid', stride 2, odd input", model: () => sequential([5, 3, 2], [
    ['Conv2DTranspose', { filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }],
    ['Conv2DTranspose', { filters: 2, kernel_size: [2, 3], strides: [2, 1], padding: 'valid', activation: 'sigmoid' }],
  ]) },
  { name: "Conv1D 'same' and 'valid', pooling 1D, global pooling", model: () => sequential([9, 3], [
    ['Conv1D', { filters: 4, kernel_size: 3, padding: 'valid', dilation_rate: 2 }], ['Conv1D', { filters: 4, kernel_size: 2, strides: 2, padding: 'same' }],
    ['MaxPooling1D', { pool_size: 2, padding: 'same' }], ['GlobalAveragePooling1D', {}],
  ]) },
  { name: 'ZeroPadding2D, Cropping2D, UpSampling2D, GlobalMaxPooling2D', model: () => sequential([4, 5, 2], [
    ['ZeroPadding2D', { padding: [[1, 2], [0, 3]] }], ['Cropping2D', { cropping: [[2, 0], [1, 1]] }], ['UpSampling2D', { size: [2, 3] }],
    conv({ padding: 'same' }), ['GlobalMaxPooling2D', {}],
  ]) },
  { name: 'BatchNormalization on axis 1 of NHWC, on the channels, without center', model: () => sequential([4, 3, 2], [
    ['BatchNormalization', { axis: 1, epsilon: 0.01 }], ['BatchNormalization', { axis: -1, center: false }], ['BatchNormalization', { axis: 2 }],
  ]) },
  { name: 'activation layers and fused activations', model: () => sequential([6], [
    ['Dense', { units: 6, activation: 'selu' }], ['ReLU', { max_value: 0.6 }], ['Dense', { units: 6, activation: 'softsign' }], ['LeakyReLU', { alpha: 0.2 }],
    ['Dense', { units: 6, activation: 'hard_sigmoid' }], ['ELU', { alpha: 1 }], ['Dense', { units: 6, activation: 'softplus' }], ['PReLU', {}],
    ['Dense', { units: 6, activation: 'swish' }], ['ThresholdedReLU', { theta: 0.1 }], ['Dense', { units: 6, activation: 'relu6' }], ['Activation', { activation: 'elu' }],
    ['Dense', { units: 4 }], ['Softmax', {}],
  ]), range: [-3, 3] },
  { name: 'Reshape, Permute, RepeatVector, TimeDistributed(Dense), TimeDistributed(Conv2D)', model: () => sequential([12], [
    ['RepeatVector', { n: 3 }], ['Reshape', { target_shape: [3, 3, 4] }], ['Permute', { dims: [2, 1, 3] }],
    ['TimeDistributed', { layer: { class_name: 'Dense', config: { name: 'td_dense', units: 5, activation: 'relu' } } }],
    ['Reshape', { target_shape: [3, 3, 5, 1] }],
    ['TimeDistributed', { layer: { class_name: 'Conv2D', config: { name: 'td_conv', filters: 2, kernel_size: [2, 2], padding: 'same' } } }],
  ]) },
  { name: 'LSTM return_sequences then go_backwards LSTM (Keras 2 hard_sigmoid gates)', model: () => sequential([5, 3], [
    ['LSTM', { units: 4, return_sequences: true, recurrent_activation: 'hard_sigmoid' }],
    ['LSTM', { units: 3, return_sequences: true, go_backwards: true, recurrent_activation: 'hard_sigmoid' }],
    ['LSTM', { units: 2, go_backwards: true, recurrent_activation: 'sigmoid' }],
  ]), range: [-2, 2] },
  { name: 'GRU (reset_after false and true), SimpleRNN', model: () => sequential([6, 2], [
    ['GRU', { units: 4, return_sequences: true, reset_after: false, recurrent_activation: 'hard_sigmoid' }],
    ['GRU', { units: 3, return_sequences: true, reset_after: true, recurrent_activation: 'sigmoid' }],
    ['SimpleRNN', { units: 2, activation: 'relu' }],
  ]), range: [-2, 2] },
  { name: 'Bidirectional LSTM / GRU with concat, sum, mul, ave merges', model: () => sequential([5, 3], [
    ['Bidirectional', { merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'l1', units: 3, return_sequences: true, recurrent_activation: 'sigmoid' } } }],
    ['Bidirectional', { merge_mode: 'sum', layer: { class_name: 'GRU', config: { name: 'g1', units: 3, return_sequences: true, reset_after: false } } }],
    ['Bidirectional', { merge_mode: 'ave', layer: { class_name: 'LSTM', config: { name: 'l2', units: 2, return_sequences: true } } }],
    ['Bidirectional', { merge_mode: 'mul', layer: { class_name: 'LSTM', config: { name: 'l3', units: 2 } } }],
  ]), range: [-2, 2] },
  { name: 'Embedding(mask_zero) -> LSTM / Bidirectional skip padded steps anywhere', model: () => sequential([7], [
    ['Embedding', { input_dim: 9, output_dim: 4, mask_zero: true, input_length: 7 }],
    ['Bidirectional', { layer: { class_name: 'LSTM', config: { name: 'bl', units: 3, return_sequences: true } } }],
    ['LSTM', { units: 3, return_sequences: true }], ['GRU', { units: 2, reset_after: false }],
  ]) },
  { name: 'Conv3D, MaxPooling3D, AveragePooling3D', model: () => sequential([5, 4, 6, 2], [
    ['Conv3D', { filters: 3, kernel_size: [2, 3, 3], strides: [1, 2, 1], padding: 'same', activation: 'relu' }],
    ['MaxPooling3D', { pool_size: [2, 2, 2], padding: 'valid' }], ['AveragePooling3D', { pool_size: [1, 2, 2], strides: [1, 1, 2], padding: 'same' }],
  ]) },
  { name: 'UpSampling2D bilinear (Keras 2.2 and TF.js: no half-pixel centers)', model: () => sequential([3, 4, 2], [['UpSampling2D', { size: [2, 3], interpolation: 'bilinear' }]]) },
  // tfjs's CenterCrop writes its output size into its input's shape array and its Resizing drops
  // the batch from its output shape: each follows a layer that makes a fresh shape, and Resizing
  // comes last.
  { name: 'Rescaling, CenterCrop, LayerNormalization', model: () => sequential([7, 6, 3], [
    ['Rescaling', { scale: 0.5, offset: -0.25 }], ['ZeroPadding2D', { padding: [[1, 0], [0, 1]] }], ['CenterCrop', { height: 5, width: 3 }],
    ['LayerNormalization', { axis: -1, epsilon: 0.01 }],
  ]) },
  { name: 'Resizing bilinear (TF.js semantics: align corners)', model: () => sequential([4, 6, 2], [
    ['ZeroPadding2D', { padding: [[0, 0], [0, 0]] }], ['Resizing', { height: 7, width: 4, interpolation: 'bilinear' }],
  ], '2.2.4', 'tfjs-layers') },
  { name: 'Resizing nearest (TF.js semantics: align corners)', model: () => sequential([5, 6, 2], [
    ['ZeroPadding2D', { padding: [[0, 0], [0, 0]] }], ['Resizing', { height: 3, width: 9, interpolation: 'nearest' }],
  ], '2.2.4', 'tfjs-layers') },
  { name: 'Masking -> SimpleRNN', model: () => sequential([6, 2], [['Masking', { mask_value: 0.5 }], ['SimpleRNN', { units: 3, return_sequences: true }], ['LSTM', { units: 2 }]]), range: [0, 1] },
];

for (const c of CASES) {
  test(`Keras lowering vs tfjs-layers: ${c.name}`, async (t) => { await check(t, c.model(), c.range); });
}

/** A functional model: two inputs, merges, Concatenate axes, a shared layer, LSTM with initial and returned states. */
function functional(): Model {
  const inbound = (...names: string[]) => [names.map((n) => (n.includes(':') ? [n.split(':')[0], Number(n.split(':')[1]), Number(n.split(':')[2] ?? 0), {}] : [n, 0, 0, {}]))];
  const L = (cls: string, name: string, cfg: Record<string, unknown>, ...ins: string[][]) => ({ class_name: cls, name, config: { name, ...cfg }, inbound_nodes: ins.map((i) => inbound(...i)[0]) });
  return fromConfig({
    class_name: 'Model',
    config: {
      name: 'f', input_layers: [['a', 0, 0], ['b', 0, 0]], output_layers: [['out', 0, 0], ['lstm', 0, 1], ['lstm', 0, 2]],
      layers: [
        L('InputLayer', 'a', { batch_input_shape: [null, 4, 3] }), L('InputLayer', 'b', { batch_input_shape: [null, 4, 3] }),
        L('Dense', 'shared', { units: 3, activation: 'tanh' }, ['a'], ['b']),
        L('Add', 'add', {}, ['shared:0', 'shared:1']), L('Minimum', 'sub', {}, ['shared:0', 'shared:1']),
        L('Multiply', 'mul', {}, ['add', 'sub']), L('Maximum', 'max', {}, ['add', 'mul']), L('Average', 'avg', {}, ['max', 'a']),
        L('Concatenate', 'cat_t', { axis: 1 }, ['avg', 'b']), L('Concatenate', 'cat_f', { axis: -1 }, ['cat_t', 'cat_t']),
        L('Dense', 'h0', { units: 2 }, ['shared:0']), L('Flatten', 'flat_h0', {}, ['h0']), L('Dense', 'init', { units: 2 }, ['flat_h0']),
        L('LSTM', 'lstm', { units: 2, return_sequences: true, return_state: true }, ['cat_f', 'init', 'init']),
        L('Dense', 'out', { units: 2, activation: 'softmax' }, ['lstm']),
      ],
    },
  });
}

test('Keras lowering vs tfjs-layers: functional model with two inputs, merges, a shared layer, LSTM initial and returned states', async (t) => {
  await check(t, functional(), [-1, 1]);
});

test("Keras 1 Convolution2D with dim_ordering 'th': NCHW tensors, (out, in, rows, cols) kernels", async (t) => {
  const k1: Layer[] = [
    ['Convolution2D', { nb_filter: 3, nb_row: 3, nb_col: 2, subsample: [2, 1], border_mode: 'same', dim_ordering: 'th', activation: 'relu' }],
    ['MaxPooling2D', { pool_size: [2, 2], border_mode: 'valid', dim_ordering: 'th' }],
    ['Flatten', {}], ['Dense', { output_dim: 3 }],
  ];
  const ours = sequential([2, 7, 6], k1, '1.2.1');
  // The reference: the same network in Keras 2 terms (channels_first, kernels (rows, cols, in, out)).
  const ref = sequential([2, 7, 6], ([
    ['Conv2D', { filters: 3, kernel_size: [3, 2], strides: [2, 1], padding: 'same', data_format: 'channels_first', activation: 'relu' }],
    ['MaxPooling2D', { pool_size: [2, 2], padding: 'valid', data_format: 'channels_first' }],
    ['Flatten', {}], ['Dense', { units: 3 }],
  ] as Layer[]).map(([cls, cfg], i) => [cls, { ...cfg, name: `${k1[i]![0].toLowerCase()}_${i}` }] as Layer));
  await randomWeights(ref, 9);
  ref.graph.nodes.forEach((n, i) => {
    ours.graph.nodes[i]!.params = n.params.map((p) => (p.role === 'kernel' && p.tensor.shape.length === 4
      ? { ...p, tensor: Tensor.of('float32', [3, 2, 3, 2], permute(p.tensor.float32(), p.tensor.shape, [3, 2, 0, 1]).data) }
      : p));
  });
  const exec = Engine.fromModel(ours).exec;
  assert.equal(exec.layoutOf(exec.sourceOutputs.get('convolution2d_0')![0]!), 'NCHW');
  const a = await agreement(ours, kerasFeeds(ours, 3, [-1, 1]), ref);
  t.diagnostic(`output ${a.output.toExponential(2)}; worst ${a.worst.err.toExponential(2)} (${a.worst.value})`);
  assert.ok(a.worst.err < TOL, `${a.worst.value}: ${a.worst.err}`);
});

test('Flatten output is the row-major NHWC tensor, captured in Keras layout', async () => {
  const m = sequential([2, 3, 2], [conv({ filters: 2, padding: 'same' }), ['Flatten', {}]]);
  await randomWeights(m, 1);
  const engine = Engine.fromModel(m);
  const feeds = kerasFeeds(m, 2);
  const r = await engine.run(feeds, ['conv2d_0', 'flatten_1']);
  const [c] = r.captured.conv2d_0!, [fl] = r.captured.flatten_1!;
  assert.deepEqual(c!.shape, [2, 2, 3, 2], 'captured conv output is NHWC');
  assert.equal(engine.exec.layoutOf(engine.exec.sourceOutputs.get('conv2d_0')![0]!), 'NHWC');
  assert.deepEqual(Array.from(fl!.data as Float32Array), Array.from(c!.data as Float32Array));
  await engine.dispose();
});

test('a custom layer fails with an error naming the layer, only when executed', () => {
  const m = sequential([4], [['MyScaling', { factor: 2 }], ['Dense', { units: 2 }]]);
  assert.ok(m.graph.nodes.length === 2, 'the model opens');
  assert.throws(() => Engine.fromModel(m), (e: unknown) => e instanceof NnlensError && /layer 'myscaling_0' \(MyScaling\) cannot be executed: custom layer class/.test(e.message));
});

test("Conv1D 'causal' equals left zero padding of (k - 1) * dilation then 'valid' (tfjs-layers has no causal padding)", async (t) => {
  const ours = sequential([9, 3], [['Conv1D', { name: 'conv', filters: 4, kernel_size: 3, padding: 'causal', dilation_rate: 2 }]]);
  // tfjs has no ZeroPadding1D either: pad as an image of width 1.
  const ref = sequential([9, 3], [
    ['Reshape', { name: 'r1', target_shape: [9, 1, 3] }], ['ZeroPadding2D', { name: 'pad', padding: [[4, 0], [0, 0]] }], ['Reshape', { name: 'r2', target_shape: [13, 3] }],
    ['Conv1D', { name: 'conv', filters: 4, kernel_size: 3, padding: 'valid', dilation_rate: 2 }],
  ]);
  await randomWeights(ref, 4);
  ours.graph.nodes[0]!.params = ref.graph.nodes[3]!.params;
  const a = await agreement(ours, kerasFeeds(ours, 4), ref);
  t.diagnostic(`output ${a.output.toExponential(2)}`);
  assert.ok(a.worst.err < TOL, `${a.worst.value}: ${a.worst.err}`);
});

/** A siamese model: a nested tower (Sequential, or Functional with its own InputLayer) called on two inputs. */
function siamese(kind: 'Sequential' | 'Model'): Record<string, unknown> {
  const conv = { class_name: 'Conv2D', name: 'tconv', config: { name: 'tconv', filters: 3, kernel_size: [3, 3], padding: 'same', strides: [2, 2], activation: 'relu' } };
  const rest = [{ class_name: 'Flatten', name: 'tflat', config: { name: 'tflat' } }, { class_name: 'Dense', name: 'tdense', config: { name: 'tdense', units: 4, activation: 'tanh' } }];
  const tower = kind === 'Sequential'
    ? { name: 'tower', layers: [{ ...conv, config: { ...conv.config, batch_input_shape: [null, 6, 5, 2] } }, ...rest] }
    : {
      name: 'tower', input_layers: [['tin', 0, 0]], output_layers: [['tdense', 0, 0]],
      layers: [
        { class_name: 'InputLayer', name: 'tin', config: { name: 'tin', batch_input_shape: [null, 6, 5, 2] }, inbound_nodes: [] },
        { ...conv, inbound_nodes: [[['tin', 0, 0, {}]]] }, { ...rest[0], inbound_nodes: [[['tconv', 0, 0, {}]]] }, { ...rest[1], inbound_nodes: [[['tflat', 0, 0, {}]]] },
      ],
    };
  return {
    class_name: 'Model',
    config: {
      name: 'siamese', input_layers: [['a', 0, 0], ['b', 0, 0]], output_layers: [['head', 0, 0]],
      layers: [
        { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 6, 5, 2] }, inbound_nodes: [] },
        { class_name: 'InputLayer', name: 'b', config: { name: 'b', batch_input_shape: [null, 6, 5, 2] }, inbound_nodes: [] },
        { class_name: kind, name: 'tower', config: tower, inbound_nodes: [[['a', 0, 0, {}]], [['b', 0, 0, {}]]] },
        { class_name: 'Concatenate', name: 'cat', config: { name: 'cat', axis: -1 }, inbound_nodes: [[['tower', 0, 0, {}], ['tower', 1, 0, {}]]] },
        { class_name: 'Dense', name: 'head', config: { name: 'head', units: 2, activation: 'softmax' }, inbound_nodes: [[['cat', 0, 0, {}]]] },
      ],
    },
  };
}

for (const kind of ['Sequential', 'Model'] as const) {
  test(`a nested ${kind} shared by two inputs runs through the flattened graph`, async (t) => {
    const config = siamese(kind);
    const model = fromConfig(config);
    const tconv = model.graph.nodes.find((n) => n.name === 'tconv')!;
    assert.deepEqual(tconv.group, ['tower']);
    assert.equal(tconv.outputs.length, 2, 'the tower is called twice');
    await randomWeights(model, 6);
    const feeds = kerasFeeds(model, 6, [-1, 1]);
    const engine = Engine.fromModel(model);
    const ours = await engine.run(feeds, ['tower']);
    assert.equal(ours.captured.tower!.length, 2, "'tower' names the tensors leaving the nested model, one per call");
    await engine.dispose();
    // tfjs-layers 4.22 cannot deserialize a nested model from a config ("Graph disconnected" at the
    // nested input), so the reference runs the flattened graph, every layer output compared.
    const a = await agreement(model, feeds);
    assert.ok(a.worst.err < TOL, `${a.worst.value} differs from tfjs by ${a.worst.err}`);
    t.diagnostic(`worst of ${a.compared} layer outputs ${a.worst.err.toExponential(2)}`);
  });
}

test('Dot (batch matrix product over chosen axes, with and without normalize)', async (t) => {
  const L = (cls: string, name: string, cfg: Record<string, unknown>, ins: string[]) => ({ class_name: cls, name, config: { name, ...cfg }, inbound_nodes: ins.length ? [ins.map((i) => [i, 0, 0, {}])] : [] });
  const model = fromConfig({
    class_name: 'Model',
    config: {
      name: 'dots', input_layers: [['p', 0, 0], ['q', 0, 0]], output_layers: [['d1', 0, 0], ['d2', 0, 0], ['d3', 0, 0]],
      layers: [
        L('InputLayer', 'p', { batch_input_shape: [null, 4, 3] }, []), L('InputLayer', 'q', { batch_input_shape: [null, 5, 3] }, []),
        L('Dot', 'd1', { axes: [2, 2] }, ['p', 'q']), L('Dot', 'd2', { axes: 2, normalize: true }, ['p', 'q']),
        L('Flatten', 'fp', {}, ['p']), L('Dense', 'dp', { units: 6 }, ['fp']), L('Dense', 'dq', { units: 6 }, ['fp']),
        L('Dot', 'd3', { axes: 1 }, ['dp', 'dq']),
      ],
    },
  });
  await check(t, model);
});

test('GroupNormalization normalizes each group of channels over space (Wu & He 2018), checked by hand', async () => {
  const model = sequential([3, 2, 4], [['GroupNormalization', { groups: 2, epsilon: 0.01 }]], '3.1.0');
  const gamma = [0.5, 1, 1.5, 2], beta = [0.1, -0.2, 0.3, 0];
  model.graph.nodes[0]!.params = [
    { role: 'gamma', name: 'g', tensor: Tensor.of('float32', [4], Float32Array.from(gamma)), trainable: true },
    { role: 'beta', name: 'b', tensor: Tensor.of('float32', [4], Float32Array.from(beta)), trainable: true },
  ];
  const feeds = kerasFeeds(model, 12, [-2, 2]);
  const x = feeds[model.graph.inputs[0]!]!.data as Float32Array;
  const engine = Engine.fromModel(model);
  const y = (await engine.run(feeds)).outputs[model.graph.outputs[0]!]!.data as Float32Array;
  await engine.dispose();
  for (let n = 0; n < 2; n++) {
    for (let g = 0; g < 2; g++) {
      const idx: number[] = [];
      for (let p = 0; p < 6; p++) for (let k = 0; k < 2; k++) idx.push(n * 24 + p * 4 + g * 2 + k);
      const mean = idx.reduce((a, i) => a + x[i]!, 0) / idx.length;
      const v = idx.reduce((a, i) => a + (x[i]! - mean) ** 2, 0) / idx.length;
      for (const i of idx) {
        const ch = i % 4;
        const want = ((x[i]! - mean) / Math.sqrt(v + 0.01)) * gamma[ch]! + beta[ch]!;
        assert.ok(Math.abs(y[i]! - want) < 1e-5, `item ${n} group ${g} index ${i}: ${y[i]} vs ${want}`);
      }
    }
  }
});
