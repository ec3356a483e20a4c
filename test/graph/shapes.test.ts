import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyGraph, valueOf, type Model } from '../../src/graph/ir.ts';
import { inferShapes, inferShapesWithReport } from '../../src/graph/shapes/index.ts';
import { canonicalDim, dimAdd, dimCeilDiv, dimDivExact, dimFloorDiv, dimMul, dimSub, dimValue, sameDim } from '../../src/graph/shapes/symbolic.ts';
import { Tensor } from '../../src/graph/tensor.ts';
import { CASES, caseModel, i64, int, ints, str, zeros, type ShapeCase } from './shapes-cases.ts';

describe('shape rules on hand-built graphs', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const m = caseModel(c);
      const report = inferShapesWithReport(m);
      assert.deepEqual([...report.unknownOps], []);
      assert.deepEqual(report.problems, []);
      for (const [name, shape] of Object.entries(c.expect)) {
        assert.deepEqual(m.graph.values.get(name)?.shape, shape, `shape of '${name}'`);
      }
    });
  }
});

describe('symbolic dims', () => {
  test('sums are canonical: order and spacing do not matter', () => {
    assert.equal(dimAdd('seq', 'past'), 'past + seq');
    assert.ok(sameDim('past_sequence_length + sequence_length', 'sequence_length+past_sequence_length'));
    assert.equal(dimSub(dimAdd('past', 'seq'), 'seq'), 'past');
    assert.equal(dimAdd('N', -1), 'N - 1');
    assert.equal(canonicalDim('2*N + N'), '3*N');
  });
  test('products and exact division (Reshape -1)', () => {
    assert.equal(dimMul(dimMul('batch', 'seq'), 64), '64*batch*seq');
    assert.equal(dimDivExact('64*batch*seq', 'batch'), '64*seq');
    assert.equal(dimDivExact('64*batch*seq', 128), null);
    assert.equal(dimDivExact(24, 5), null);
  });
  test('rounded division stays exact when it can, opaque when it cannot', () => {
    assert.equal(dimFloorDiv('2*H + 3', 2), 'H + 1');
    assert.equal(dimCeilDiv('2*H + 3', 2), 'H + 2');
    assert.equal(dimFloorDiv('H', 2), 'floor((H)/2)');
    assert.equal(dimFloorDiv(7, 2), 3);
  });
  test('dims evaluate once symbols are bound', () => {
    assert.equal(dimValue('past + seq', { past: 4, seq: 3 }), 7);
    assert.equal(dimValue('3*N - 1', { N: 2 }), 5);
    assert.equal(dimValue('N', {}), undefined);
    assert.equal(dimValue(null, {}), undefined);
  });
  test('an opaque name is still equal to itself', () => {
    assert.ok(sameDim('floor((H)/2)', 'floor((H)/2)'));
    assert.ok(!sameDim('a', 'b'));
    assert.ok(!sameDim(null, null));
  });
});

describe('what inference leaves alone and how it reports', () => {
  test('stated shapes win; unknown stated dims are filled from inference', () => {
    const c: ShapeCase = { name: 'stated', opset: 13, inputs: { x: ['float32', ['N', 4]] }, nodes: [['Relu', ['x'], ['y']], ['Relu', ['y'], ['z']]], expect: {} };
    const m = caseModel(c);
    m.graph.values.get('y')!.shape = ['batch', null];
    inferShapes(m);
    assert.deepEqual(m.graph.values.get('y')!.shape, ['batch', 4]);
    assert.deepEqual(m.graph.values.get('z')!.shape, ['batch', 4]);
  });

  test('an op without a rule gives a warning and unknown outputs, not an exception', () => {
    const m = caseModel({ name: 'custom', opset: 13, inputs: { x: ['float32', [2, 3]] }, nodes: [['com.example:Mystery', ['x'], ['y']], ['Relu', ['y'], ['z']]], expect: {} });
    inferShapes(m);
    assert.equal(m.graph.values.get('z')!.shape, undefined);
    assert.match(m.warnings.join('\n'), /no rule for com\.example:Mystery/);
  });

  test('impossible inputs are reported with the node name', () => {
    const m = caseModel({ name: 'bad', opset: 13, inputs: { a: ['float32', [2, 3]], b: ['float32', [4]] }, nodes: [['Add', ['a', 'b'], ['y']]], expect: {} });
    inferShapes(m);
    assert.match(m.warnings.join('\n'), /node 'Add_0' \(Add\): cannot broadcast dims 3 and 4/);
  });

  test('ZipMap outputs a sequence of maps: no shape, no crash; classifiers give [N] labels and [N, classes] scores', () => {
    const m = caseModel({
      name: 'ml', opset: 9, inputs: { x: ['float32', [null, 4]] },
      nodes: [
        ['ai.onnx.ml:TreeEnsembleClassifier', ['x'], ['label', 'prob']],
        ['ai.onnx.ml:ZipMap', ['prob'], ['out']],
      ],
      expect: {},
    });
    m.graph.nodes[0]!.attributes.classlabels_int64s = { type: 'ints', value: [0, 1, 2] };
    inferShapes(m);
    assert.deepEqual(m.graph.values.get('label')!.shape, [null]);
    assert.equal(m.graph.values.get('label')!.dtype, 'int64');
    assert.deepEqual(m.graph.values.get('prob')!.shape, [null, 3]);
    assert.equal(m.graph.values.get('out')!.shape, undefined);
    assert.deepEqual(m.warnings, []);
  });

  test('If: outputs keep what both branches agree on', () => {
    const branch = (w: number) => {
      const g = emptyGraph('b');
      Object.assign(valueOf(g, 'k'), { initializer: i64(1, w), dtype: 'int64', shape: [2] });
      g.nodes.push({ name: 'r', op: 'Reshape', domain: '', inputs: ['x', 'k'], outputs: ['o'], attributes: {}, group: [], params: [] });
      valueOf(g, 'o');
      g.outputs = ['o'];
      return g;
    };
    const m: Model = caseModel({ name: 'if', opset: 13, inputs: { x: ['float32', [12]], c: ['bool', []] }, nodes: [['If', ['c'], ['y']]], expect: {} });
    m.graph.nodes[0]!.attributes = { then_branch: { type: 'graph', value: branch(12) }, else_branch: { type: 'graph', value: branch(-1) } };
    inferShapes(m);
    assert.deepEqual(m.graph.values.get('y')!.shape, [1, 12]);
  });

  test('Loop: scan outputs get the trip count in front', () => {
    const body = emptyGraph('body');
    for (const [n, dtype] of [['i', 'int64'], ['cin', 'bool'], ['v', 'float32']] as const) Object.assign(valueOf(body, n), { dtype });
    body.inputs = ['i', 'cin', 'v'];
    body.nodes.push({ name: 'n', op: 'Neg', domain: '', inputs: ['v'], outputs: ['v2'], attributes: {}, group: [], params: [] });
    body.nodes.push({ name: 'id', op: 'Identity', domain: '', inputs: ['cin'], outputs: ['cout'], attributes: {}, group: [], params: [] });
    body.nodes.push({ name: 'sc', op: 'Identity', domain: '', inputs: ['v2'], outputs: ['scan'], attributes: {}, group: [], params: [] });
    body.outputs = ['cout', 'v2', 'scan'];
    const m = caseModel({ name: 'loop', opset: 13, inputs: { v0: ['float32', [2, 3]], c: ['bool', []] }, consts: { trip: i64(5) }, nodes: [['Loop', ['trip', 'c', 'v0'], ['vf', 'scans']]], expect: {} });
    m.graph.nodes[0]!.attributes = { body: { type: 'graph', value: body } };
    inferShapes(m);
    assert.deepEqual(m.graph.values.get('vf')!.shape, [2, 3]);
    assert.deepEqual(m.graph.values.get('scans')!.shape, [5, 2, 3]);
  });

  test('nodes out of order are visited in dependency order', () => {
    const m = caseModel({ name: 'order', opset: 13, inputs: { x: ['float32', [2, 8]] }, nodes: [['Relu', ['h'], ['y']], ['MaxPool', ['x4'], ['h'], { kernel_shape: ints([2]) }], ['Unsqueeze', ['x'], ['x4'], { axes: ints([0]) }]], expect: {} });
    m.opsets![''] = 11;
    inferShapes(m);
    assert.deepEqual(m.graph.values.get('y')!.shape, [1, 2, 7]);
  });
});

describe('TF rules (TF.js graph models), worked by hand from kernel_shape_util.cc and strided_slice_op.cc', () => {
  const yes = { type: 'json', value: true } as const;
  const run = (c: Omit<ShapeCase, 'opset' | 'expect'>): Model => {
    const m = caseModel({ ...c, opset: 0, expect: {} });
    const report = inferShapesWithReport(m);
    assert.deepEqual([...report.unknownOps], []);
    assert.deepEqual(report.problems, []);
    return m;
  };
  const shapeOf = (m: Model, name: string) => m.graph.values.get(name)?.shape;

  test('Conv2D / DepthwiseConv2dNative / MaxPool: SAME, VALID, dilations, NCHW', () => {
    const m = run({
      name: 'tf conv', inputs: { x: ['float32', ['N', 33, 33, 3]], c: ['float32', ['N', 3, 9, 9]] },
      consts: { f: zeros(3, 3, 3, 8), d: zeros(3, 3, 3, 2) },
      nodes: [
        ['tf:Conv2D', ['x', 'f'], ['same'], { padding: str('SAME'), strides: ints([1, 2, 2, 1]) }],
        ['tf:Conv2D', ['x', 'f'], ['valid'], { padding: str('VALID'), strides: ints([1, 2, 2, 1]) }],
        ['tf:Conv2D', ['x', 'f'], ['dil'], { padding: str('VALID'), dilations: ints([1, 2, 2, 1]) }],
        ['tf:DepthwiseConv2dNative', ['x', 'd'], ['dw'], { padding: str('SAME') }],
        ['tf:MaxPool', ['c'], ['mp'], { padding: str('VALID'), ksize: ints([1, 1, 2, 2]), strides: ints([1, 1, 2, 2]), data_format: str('NCHW') }],
      ],
    });
    // SAME: ceil(33 / 2) = 17; VALID: floor((33 - 3) / 2) + 1 = 16; dilation 2: 33 - 5 + 1 = 29.
    assert.deepEqual(shapeOf(m, 'same'), ['N', 17, 17, 8]);
    assert.deepEqual(shapeOf(m, 'valid'), ['N', 16, 16, 8]);
    assert.deepEqual(shapeOf(m, 'dil'), ['N', 29, 29, 8]);
    assert.deepEqual(shapeOf(m, 'dw'), ['N', 33, 33, 6]);
    assert.deepEqual(shapeOf(m, 'mp'), ['N', 3, 4, 4]);
  });

  test('tf.shape(x)[0] -> Pack -> Reshape folds to the real shape', () => {
    const i32 = (...v: number[]) => Tensor.of('int32', [v.length], Int32Array.from(v));
    const m = run({
      name: 'tf fold', inputs: { x: ['float32', ['B', 7, 5]] },
      consts: { b: i32(0), e: i32(1), s: i32(1), minus1: Tensor.of('int32', [], Int32Array.from([-1])) },
      nodes: [
        ['tf:Shape', ['x'], ['shape']],
        ['tf:StridedSlice', ['shape', 'b', 'e', 's'], ['batch'], { shrink_axis_mask: int(1) }],
        ['tf:Pack', ['batch', 'minus1'], ['target']],
        ['tf:Reshape', ['x', 'target'], ['y']],
      ],
    });
    assert.deepEqual(shapeOf(m, 'batch'), []);
    assert.deepEqual(shapeOf(m, 'y'), ['B', 35]);
    assert.equal(m.graph.values.get('shape')!.dtype, 'int32');
  });

  test('StridedSlice masks, ConcatV2, ExpandDims, Mean', () => {
    const i32 = (...v: number[]) => Tensor.of('int32', [v.length], Int32Array.from(v));
    const m = run({
      name: 'tf slice', inputs: { x: ['float32', [10, 20]], img: ['float32', ['N', 7, 7, 16]] },
      consts: { b: i32(2, 0), e: i32(8, 0), s: i32(2, 1), z: i32(0, 0), one: i32(1, 1), ax: Tensor.of('int32', [], Int32Array.from([-1])), hw: i32(1, 2) },
      nodes: [
        // x[2:8:2, :] (end_mask bit 1 = the second entry runs to the end)
        ['tf:StridedSlice', ['x', 'b', 'e', 's'], ['a'], { end_mask: int(2) }],
        // x[..., tf.newaxis]
        ['tf:StridedSlice', ['x', 'z', 'z', 'one'], ['n'], { ellipsis_mask: int(1), new_axis_mask: int(2) }],
        ['tf:ConcatV2', ['x', 'x', 'ax'], ['c']],
        ['tf:ExpandDims', ['x', 'ax'], ['ed']],
        ['tf:Mean', ['img', 'hw'], ['gap'], { keep_dims: { type: 'json', value: false } }],
        ['tf:Mean', ['img', 'hw'], ['gapk'], { keep_dims: yes }],
      ],
    });
    assert.deepEqual(shapeOf(m, 'a'), [3, 20]);
    assert.deepEqual(shapeOf(m, 'n'), [10, 20, 1]);
    assert.deepEqual(shapeOf(m, 'c'), [10, 40]);
    assert.deepEqual(shapeOf(m, 'ed'), [10, 20, 1]);
    assert.deepEqual(shapeOf(m, 'gap'), ['N', 16]);
    assert.deepEqual(shapeOf(m, 'gapk'), ['N', 1, 1, 16]);
  });
});
