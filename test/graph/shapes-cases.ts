/**
 * Small hand-built ONNX graphs with the shapes they must infer to, worked out by hand from the
 * formulas of ONNX Operators.md (written next to each case). shapes.test.ts checks inference
 * against them; shapes-ort.test.ts checks that ONNX Runtime agrees with the hand-worked numbers.
 */
import type { Attribute, Model, Node, Shape } from '../../src/graph/ir.ts';
import { emptyGraph, valueOf } from '../../src/graph/ir.ts';
import { Tensor, type DType } from '../../src/graph/tensor.ts';

/** A node as [op, inputs, outputs, attributes?]. */
export type NodeSpec = [string, string[], string[], Record<string, Attribute>?];

/** One hand-worked case. */
export interface ShapeCase {
  name: string;
  opset: number;
  inputs: Record<string, [DType, Shape]>;
  consts?: Record<string, Tensor>;
  nodes: NodeSpec[];
  /** Expected shapes by value name (symbolic dims as inference prints them). */
  expect: Record<string, Shape>;
  /** Sizes bound to symbols when ONNX Runtime runs the case. */
  env?: Record<string, number>;
  /** Why ONNX Runtime cannot run this case, if it cannot. */
  noOrt?: string;
}

export const int = (value: number): Attribute => ({ type: 'int', value });
export const ints = (value: number[]): Attribute => ({ type: 'ints', value });
export const str = (value: string): Attribute => ({ type: 'string', value });
export const floats = (value: number[]): Attribute => ({ type: 'floats', value });
/** An int64 constant vector. */
export const i64 = (...v: (number | bigint)[]): Tensor => Tensor.of('int64', [v.length], BigInt64Array.from(v.map((x) => BigInt(x))));
/** An int64 scalar. */
export const i64s = (v: number): Tensor => Tensor.of('int64', [], BigInt64Array.from([BigInt(v)]));
/** A float32 tensor of zeros (weights whose values do not matter for shapes). */
export const zeros = (...shape: number[]): Tensor => Tensor.of('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
export const f32 = (...v: number[]): Tensor => Tensor.of('float32', [v.length], Float32Array.from(v));
/** INT64_MAX, as exporters write it for "to the end" of an axis. */
export const END = 9223372036854775807n;

/** Builds the IR model of a case (shapes of intermediate values left for inference). */
export function caseModel(c: ShapeCase): Model {
  const graph = emptyGraph(c.name);
  for (const [name, [dtype, shape]] of Object.entries(c.inputs)) {
    Object.assign(valueOf(graph, name), { dtype, shape });
    graph.inputs.push(name);
  }
  for (const [name, t] of Object.entries(c.consts ?? {})) Object.assign(valueOf(graph, name), { initializer: t, dtype: t.dtype, shape: [...t.shape] });
  graph.nodes = c.nodes.map(([op, inputs, outputs, attributes], i): Node => {
    const [domain, type] = op.includes(':') ? op.split(':') as [string, string] : ['', op];
    for (const o of outputs) valueOf(graph, o);
    return { name: `${type}_${i}`, op: type, domain, inputs, outputs, attributes: attributes ?? {}, group: [], params: [] };
  });
  graph.outputs = c.nodes[c.nodes.length - 1]![2].filter((o) => o);
  return { format: 'onnx', formatLabel: 'test', path: c.name, opsets: { '': c.opset, 'ai.onnx.ml': 3 }, metadata: {}, graph, warnings: [] };
}

const X = (shape: Shape): Record<string, [DType, Shape]> => ({ x: ['float32', shape] });

/** The cases. */
export const CASES: ShapeCase[] = [
  {
    // floor((32 + 1 + 1 - 3) / 2) + 1 = 16
    name: 'Conv pads 1, stride 2', opset: 13, inputs: X(['N', 3, 32, 32]), consts: { w: zeros(8, 3, 3, 3) },
    nodes: [['Conv', ['x', 'w'], ['y'], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }]],
    expect: { y: ['N', 8, 16, 16] }, env: { N: 2 },
  },
  {
    // dilation 2 makes the 3-tap kernel span 5: H = 32 - 5 + 1 = 28; asymmetric pads on W:
    // pads = [h_begin 0, w_begin 1, h_end 0, w_end 3] -> W = floor((32 + 4 - 5) / 1) + 1 = 32
    name: 'Conv dilations, asymmetric pads, groups', opset: 13, inputs: X([1, 4, 32, 32]), consts: { w: zeros(6, 2, 3, 3) },
    nodes: [['Conv', ['x', 'w'], ['y'], { dilations: ints([2, 2]), pads: ints([0, 1, 0, 3]), group: int(2) }]],
    expect: { y: [1, 6, 28, 32] },
  },
  {
    // SAME_UPPER: ceil(33 / 2) = 17; VALID: ceil((33 - 3 + 1) / 2) = 16
    name: 'Conv auto_pad SAME_UPPER and VALID', opset: 13, inputs: X([1, 3, 33, 33]), consts: { w: zeros(4, 3, 3, 3) },
    nodes: [
      ['Conv', ['x', 'w'], ['same'], { auto_pad: str('SAME_UPPER'), strides: ints([2, 2]) }],
      ['Conv', ['x', 'w'], ['valid'], { auto_pad: str('VALID'), strides: ints([2, 2]) }],
    ],
    expect: { same: [1, 4, 17, 17], valid: [1, 4, 16, 16] },
  },
  {
    // floor: floor((32 - 3) / 2) + 1 = 15; ceil: ceil(29 / 2) + 1 = 16
    name: 'MaxPool ceil_mode', opset: 13, inputs: X(['N', 2, 32, 32]),
    nodes: [
      ['MaxPool', ['x'], ['floor'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]) }],
      ['MaxPool', ['x'], ['ceil', 'idx'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }],
    ],
    expect: { floor: ['N', 2, 15, 15], ceil: ['N', 2, 16, 16], idx: ['N', 2, 16, 16] }, env: { N: 1 },
  },
  {
    // ceil((5 + 1 + 1 - 2) / 2) + 1 = 4, but that window would start at 6 >= 5 + 1 (in the right
    // padding only), so it is dropped: 3 (as PyTorch). Dilation 2 on 10 with k 3: 10 - 5 + 1 = 6.
    name: 'MaxPool ceil_mode last window in padding, dilations', opset: 13, inputs: X([1, 1, 5, 10]),
    nodes: [
      ['MaxPool', ['x'], ['y'], { kernel_shape: ints([2, 1]), strides: ints([2, 1]), pads: ints([1, 0, 1, 0]), ceil_mode: int(1) }],
      ['MaxPool', ['x'], ['d'], { kernel_shape: ints([1, 3]), dilations: ints([1, 2]) }],
    ],
    expect: { y: [1, 1, 3, 10], d: [1, 1, 5, 6] },
  },
  {
    // SAME_LOWER: ceil(7 / 3) = 3; GlobalAveragePool keeps N, C.
    name: 'AveragePool SAME_LOWER, GlobalAveragePool', opset: 11, inputs: X([2, 3, 7, 7]),
    nodes: [
      ['AveragePool', ['x'], ['y'], { kernel_shape: ints([3, 3]), strides: ints([3, 3]), auto_pad: str('SAME_LOWER') }],
      ['GlobalAveragePool', ['y'], ['g']],
    ],
    expect: { y: [2, 3, 3, 3], g: [2, 3, 1, 1] },
  },
  {
    // 2 * (7 - 1) + 1 + ((3 - 1) * 1 + 1) - 1 - 1 = 14; W is [C_in, C_out / group, k, k]
    name: 'ConvTranspose output_padding, output_shape, SAME_UPPER', opset: 13, inputs: X([1, 4, 7, 7]), consts: { w: zeros(4, 5, 3, 3) },
    nodes: [
      ['ConvTranspose', ['x', 'w'], ['y'], { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) }],
      ['ConvTranspose', ['x', 'w'], ['z'], { strides: ints([2, 2]), output_shape: ints([15, 14]) }],
      ['ConvTranspose', ['x', 'w'], ['s'], { strides: ints([2, 2]), auto_pad: str('SAME_UPPER') }],
    ],
    expect: { y: [1, 5, 14, 14], z: [1, 5, 15, 14], s: [1, 5, 14, 14] },
  },
  {
    name: 'broadcasting with symbols', opset: 13,
    inputs: { a: ['float32', ['N', 1, 4]], b: ['float32', [5, 1]], c: ['float32', [1]] },
    nodes: [['Add', ['a', 'b'], ['ab']], ['Mul', ['ab', 'c'], ['y']], ['Greater', ['y', 'c'], ['cmp']]],
    expect: { ab: ['N', 5, 4], y: ['N', 5, 4], cmp: ['N', 5, 4] }, env: { N: 3 },
  },
  {
    name: 'MatMul batch broadcast and 1-D operands, Gemm transposes', opset: 13,
    inputs: { a: ['float32', ['N', 2, 3, 4]], b: ['float32', [4, 5]], v: ['float32', [3]], m: ['float32', [7, 3]], k: ['float32', [6, 7]] },
    nodes: [
      ['MatMul', ['a', 'b'], ['ab']],
      ['MatMul', ['v', 'a'], ['va']],
      ['Gemm', ['m', 'k'], ['g'], { transA: int(1), transB: int(1) }],
    ],
    expect: { ab: ['N', 2, 3, 5], va: ['N', 2, 4], g: [3, 6] }, env: { N: 2 },
  },
  {
    // Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as PyTorch exports x.view(x.size(0), -1).
    name: 'shape subgraph folds into Reshape', opset: 13,
    inputs: X(['batch', 3, 4]), consts: { zero: i64s(0), axes0: i64(0), minus1: i64(-1) },
    nodes: [
      ['Shape', ['x'], ['s']],
      ['Gather', ['s', 'zero'], ['b']],
      ['Unsqueeze', ['b', 'axes0'], ['b1']],
      ['Concat', ['b1', 'minus1'], ['target'], { axis: int(0) }],
      ['Reshape', ['x', 'target'], ['y']],
    ],
    expect: { s: [3], b: [], b1: [1], target: [2], y: ['batch', 12] }, env: { batch: 2 },
  },
  {
    // opset 11: Unsqueeze/Squeeze axes are attributes, Split sizes an attribute.
    name: 'opset 11 attribute forms: Unsqueeze, Squeeze, Split', opset: 11, inputs: X(['N', 5]),
    nodes: [
      ['Unsqueeze', ['x'], ['u'], { axes: ints([0, -1]) }],
      ['Squeeze', ['u'], ['s'], { axes: ints([0]) }],
      ['Split', ['s'], ['p', 'q'], { axis: int(1), split: ints([2, 3]) }],
    ],
    expect: { u: [1, 'N', 5, 1], s: ['N', 5, 1], p: ['N', 2, 1], q: ['N', 3, 1] }, env: { N: 2 },
  },
  {
    // opset 13: the same ops take axes / split sizes as inputs; Split without sizes splits evenly.
    name: 'opset 13 input forms: Unsqueeze, Squeeze, Split', opset: 13, inputs: X(['N', 6]),
    consts: { ax: i64(0, -1), sq: i64(0), sizes: i64(1, 5) },
    nodes: [
      ['Unsqueeze', ['x', 'ax'], ['u']],
      ['Squeeze', ['u', 'sq'], ['s']],
      ['Split', ['s', 'sizes'], ['p', 'q'], { axis: int(1) }],
      ['Split', ['s'], ['e1', 'e2', 'e3'], { axis: int(1) }],
    ],
    expect: { u: [1, 'N', 6, 1], s: ['N', 6, 1], p: ['N', 1, 1], q: ['N', 5, 1], e1: ['N', 2, 1], e3: ['N', 2, 1] }, env: { N: 2 },
  },
  {
    // 0 copies the input dim, -1 takes the rest: [batch, 6, 4] -> [batch, 24] and [3*batch, 8].
    name: 'Reshape with 0 and -1', opset: 13, inputs: X(['batch', 6, 4]), consts: { t1: i64(0, -1), t2: i64(-1, 8), t3: i64(2, 0, 3, 4) },
    nodes: [
      ['Reshape', ['x', 't1'], ['a']],
      ['Reshape', ['x', 't2'], ['b']],
      ['Reshape', ['x', 't3'], ['c']],
    ],
    expect: { a: ['batch', 24], b: ['3*batch', 8], c: [2, 6, 3, 4] }, env: { batch: 6 },
  },
  {
    // allowzero=1 (opset 14): a 0 in the target is a real 0 dim.
    name: 'Reshape allowzero', opset: 14, inputs: X([0, 3]), consts: { t: i64(3, 0) },
    nodes: [['Reshape', ['x', 't'], ['y'], { allowzero: int(1) }]],
    expect: { y: [3, 0] }, noOrt: 'empty tensors are not worth an ONNX Runtime run',
  },
  {
    // axis 0: start -3 -> 7, end INT64_MAX clamps to 10: 3; axis 1: start 2, end -2 -> 18: 16.
    // Negative step: start -1 -> 9, end -1000 clamps to -1, step -2: ceil((-1 - 9) / -2) = 5.
    name: 'Slice negative and clamped indices, negative steps', opset: 13, inputs: X([10, 20]),
    consts: { st: i64(-3, 2), en: i64(END, -2), ax: i64(0, 1), s2: i64(-1), e2: i64(-1000), a2: i64(0), step2: i64(-2) },
    nodes: [
      ['Slice', ['x', 'st', 'en', 'ax'], ['y']],
      ['Slice', ['x', 's2', 'e2', 'a2', 'step2'], ['z']],
    ],
    expect: { y: [3, 16], z: [5, 20] },
  },
  {
    // opset 9: starts/ends/axes are attributes; starts beyond the dim clamp to an empty slice.
    name: 'Slice opset 9 attributes', opset: 9, inputs: X(['N', 8, 6]),
    nodes: [
      ['Slice', ['x'], ['y'], { starts: ints([1, -4]), ends: ints([7, 100]), axes: ints([1, 2]) }],
      ['Slice', ['x'], ['e'], { starts: ints([20]), ends: ints([30]), axes: ints([1]) }],
    ],
    expect: { y: ['N', 6, 4], e: ['N', 0, 6] }, env: { N: 2 },
  },
  {
    // Symbolic slices: the last element of a symbolic axis, and the whole of it.
    name: 'Slice of a symbolic axis', opset: 13, inputs: X(['B', 'T', 4]), consts: { s: i64(-1), e: i64(END), a: i64(1), z: i64(0) },
    nodes: [['Slice', ['x', 's', 'e', 'a'], ['last']], ['Slice', ['x', 'z', 'e', 'a'], ['all']]],
    expect: { last: ['B', 1, 4], all: ['B', 'T', 4] }, env: { B: 2, T: 5 },
  },
  {
    // Range(0, T, 1) has T elements; Equal against -1 folds to false for a dimension.
    name: 'Range over a symbolic length, Expand, ConstantOfShape', opset: 13, inputs: X(['B', 'T']),
    consts: { zero: i64s(0), one: i64s(1), idx1: i64s(1), ones: i64(1, 1) },
    nodes: [
      ['Shape', ['x'], ['s']],
      ['Gather', ['s', 'idx1'], ['t']],
      ['Range', ['zero', 't', 'one'], ['r']],
      ['Expand', ['r', 's'], ['er']],
      ['ConstantOfShape', ['s'], ['c']],
      ['Tile', ['x', 'ones'], ['tt']],
    ],
    expect: { r: ['T'], er: ['B', 'T'], c: ['B', 'T'], tt: ['B', 'T'] }, env: { B: 2, T: 3 },
  },
  {
    // pads = [begins..., ends...]: H 5 + 1 + 2 = 8, W 5 + 0 + 3 = 8.
    name: 'Pad with pads input', opset: 13, inputs: X([1, 1, 5, 5]), consts: { p: i64(0, 0, 1, 0, 0, 0, 2, 3) },
    nodes: [['Pad', ['x', 'p'], ['y']]],
    expect: { y: [1, 1, 8, 8] },
  },
  {
    // Resize by scales: floor(5 * 2) = 10, floor(5 * 1.5) = 7; by sizes: as given.
    name: 'Resize scales and sizes, opset 13', opset: 13, inputs: X([1, 3, 5, 5]),
    consts: { sc: f32(1, 1, 2, 1.5), sz: i64(1, 3, 9, 4) },
    nodes: [
      ['Resize', ['x', '', 'sc'], ['a'], { mode: str('nearest') }],
      ['Resize', ['x', '', '', 'sz'], ['b'], { mode: str('linear') }],
    ],
    expect: { a: [1, 3, 10, 7], b: [1, 3, 9, 4] },
  },
  {
    name: 'Resize opset 10 (X, scales)', opset: 10, inputs: X([1, 3, 4, 6]), consts: { sc: f32(1, 1, 2, 0.5) },
    nodes: [['Resize', ['x', 'sc'], ['y']]],
    expect: { y: [1, 3, 8, 3] },
  },
  {
    // Y [seq, dirs, batch, hidden], Y_h / Y_c [dirs, batch, hidden]; W is [dirs, 4 * hidden, input].
    name: 'LSTM bidirectional, GRU', opset: 13, inputs: X([7, 'B', 5]),
    consts: { w: zeros(2, 12, 5), r: zeros(2, 12, 3), gw: zeros(1, 9, 5), gr: zeros(1, 9, 3) },
    nodes: [
      ['LSTM', ['x', 'w', 'r'], ['y', 'yh', 'yc'], { hidden_size: int(3), direction: str('bidirectional') }],
      ['GRU', ['x', 'gw', 'gr'], ['gy', 'gh'], { hidden_size: int(3) }],
    ],
    expect: { y: [7, 2, 'B', 3], yh: [2, 'B', 3], yc: [2, 'B', 3], gy: [7, 1, 'B', 3], gh: [1, 'B', 3] }, env: { B: 2 },
  },
  {
    name: 'LSTM layout=1 (batch first, opset 14)', opset: 14, inputs: X(['B', 7, 5]), consts: { w: zeros(1, 12, 5), r: zeros(1, 12, 3) },
    nodes: [['LSTM', ['x', 'w', 'r'], ['y', 'yh'], { hidden_size: int(3), layout: int(1) }]],
    expect: { y: ['B', 7, 1, 3], yh: ['B', 1, 3] }, env: { B: 2 }, noOrt: 'onnxruntime implements only layout 0 of the recurrent ops',
  },
  {
    name: 'reductions, ArgMax, TopK, softmax, LayerNormalization', opset: 17, inputs: X(['N', 4, 6]), consts: { k: i64(2), ax: i64(1), gamma: zeros(6), beta: zeros(6) },
    nodes: [
      ['ReduceMean', ['x'], ['m'], { axes: ints([-1]), keepdims: int(0) }],
      ['ReduceSum', ['x', 'ax'], ['s']],
      ['ArgMax', ['x'], ['am'], { axis: int(1), keepdims: int(0) }],
      ['TopK', ['x', 'k'], ['tv', 'ti'], { axis: int(-1) }],
      ['Softmax', ['x'], ['sm'], { axis: int(-1) }],
      ['LayerNormalization', ['x', 'gamma', 'beta'], ['ln', 'mean', 'inv'], { axis: int(-1) }],
    ],
    expect: { m: ['N', 4], s: ['N', 1, 6], am: ['N', 6], tv: ['N', 4, 2], ti: ['N', 4, 2], sm: ['N', 4, 6], ln: ['N', 4, 6], mean: ['N', 4, 1] },
    env: { N: 2 },
  },
  {
    name: 'Einsum explicit and implicit', opset: 13, inputs: { a: ['float32', ['B', 2, 3]], b: ['float32', ['B', 3, 4]], m: ['float32', [5, 3]], n: ['float32', [3, 6]] },
    nodes: [['Einsum', ['a', 'b'], ['y'], { equation: str('bij,bjk->bik') }], ['Einsum', ['m', 'n'], ['z'], { equation: str('ij,jk') }]],
    expect: { y: ['B', 2, 4], z: [5, 6] }, env: { B: 2 },
  },
  {
    name: 'Flatten, Transpose, Concat, Gather, Where, Cast', opset: 13,
    inputs: { x: ['float32', ['N', 3, 4, 5]], c: ['bool', [1, 4, 1]] }, consts: { idx: i64(0, 2) },
    nodes: [
      ['Flatten', ['x'], ['f'], { axis: int(2) }],
      ['Transpose', ['x'], ['t'], { perm: ints([0, 2, 3, 1]) }],
      ['Concat', ['x', 'x'], ['cc'], { axis: int(-1) }],
      ['Gather', ['x', 'idx'], ['g'], { axis: int(1) }],
      ['Where', ['c', 'x', 'x'], ['w']],
      ['Cast', ['x'], ['i'], { to: int(7) }],
    ],
    expect: { f: ['3*N', 20], t: ['N', 4, 5, 3], cc: ['N', 3, 4, 10], g: ['N', 2, 4, 5], w: ['N', 3, 4, 5], i: ['N', 3, 4, 5] }, env: { N: 2 },
  },
];
