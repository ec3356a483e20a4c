/**
 * Shape rules for TensorFlow's elementwise and array ops in TF.js graph models (domain `tf`).
 * Where TF and ONNX agree (numpy broadcasting, Gather, Tile, Range, Einsum) the ONNX rules are
 * reused; the differences are TF's: axes and sizes arrive as constant inputs, `Shape` gives int32
 * by default, Reshape has no `0 = copy` rule, StridedSlice has bit masks.
 */
import type { Dim, Node } from '../ir.ts';
import { attr } from '../ir.ts';
import { castValues, constantRules } from './constant.ts';
import { broadcasting, elementwiseRules } from './elementwise.ts';
import { elementAt } from './fold.ts';
import { concatFacts, gatherFacts, sliceSpan } from './indexing.ts';
import { matmulRules } from './matmul.ts';
import { reducedShape } from './reduce.ts';
import { permute, reshapeRules, reshaped, unknownDims } from './reshape.ts';
import { dimAdd, dimCeilDiv, dimSub } from './symbolic.ts';
import { dtypeAttr, flag } from './tf-nn.ts';
import { ints, like, normAxis, scalar, withValue, type Fact, type Rule } from './types.ts';

const e = elementwiseRules;
const same: Rule = (_node, [x]) => [like(x)];
const passThrough: Rule = (_node, [x]) => [withValue(like(x), x?.value)];

/** The axis given as a constant scalar input. */
function axisInput(f: Fact | undefined, rank: number): number | undefined {
  const a = scalar(f);
  return typeof a === 'number' ? normAxis(a, rank) : undefined;
}

/** Shape: the dims as int32 (`out_type`), folded. */
const shape: Rule = (node, [x]) => [{ ...constantRules.Shape!(node, [x], { opset: 0 })[0]!, dtype: dtypeAttr(node, 'out_type', 'int32') }];

/** Cast to `DstT`, folded values converted as ONNX's Cast does. */
const cast: Rule = (node, [x]) => {
  const to = dtypeAttr(node, 'DstT');
  return [withValue(like(x, to), castValues(x?.value, to))];
};

/** Reshape(tensor, shape): -1 takes the rest; 0 is a real size in TF. */
const reshape: Rule = (_node, [x, target]) => [target?.value ? reshaped(x, target.value, true) : { dtype: x?.dtype, shape: unknownDims(target) }];

const transpose: Rule = (_node, [x, perm]) => {
  const p = ints(perm);
  return [x && p ? permute(x, p) : { dtype: x?.dtype, shape: x?.shape?.map(() => null) }];
};

/** ConcatV2(values..., axis). */
const concatV2: Rule = (_node, inputs) => {
  const xs = inputs.slice(0, -1).filter((x): x is Fact => x !== undefined);
  const rank = xs[0]?.shape?.length;
  const axis = rank === undefined ? undefined : axisInput(inputs[inputs.length - 1], rank);
  return [axis === undefined ? { dtype: xs[0]?.dtype } : concatFacts(xs, axis)];
};

/** Pack (tf.stack): N inputs of one shape -> N inserted at `axis`; folded for stacks of scalars. */
const pack: Rule = (node, inputs) => {
  const first = inputs[0];
  if (!first?.shape) return [{ dtype: first?.dtype }];
  const axis = normAxis(attr(node, 'axis', 'int', 0), first.shape.length + 1);
  const s = [...first.shape];
  s.splice(axis, 0, inputs.length);
  const scalars = first.shape.length === 0 && inputs.every((x) => x?.value?.length === 1) ? inputs.map((x) => x!.value![0]!) : undefined;
  return [withValue({ dtype: first.dtype, shape: s }, scalars)];
};

/** Unpack (tf.unstack): `num` outputs with `axis` removed. */
const unpack: Rule = (node, [x]) => {
  const s = x?.shape;
  const axis = s ? normAxis(attr(node, 'axis', 'int', 0), s.length) : 0;
  return node.outputs.map(() => ({ dtype: x?.dtype, shape: s && s.filter((_, i) => i !== axis) }));
};

/** Squeeze: `squeeze_dims` (all dims of size 1 when empty). */
const squeeze: Rule = (node, [x]) => {
  const s = x?.shape;
  if (!s) return [{ dtype: x?.dtype }];
  const dims = attr(node, 'squeeze_dims', 'ints', []).map((a) => normAxis(a, s.length));
  return [withValue({ dtype: x!.dtype, shape: s.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1)) }, x!.value)];
};

/** ExpandDims(input, axis): a 1 inserted at axis (negative counts from the end of the output). */
const expandDims: Rule = (_node, [x, axisIn]) => {
  const s = x?.shape;
  const a = scalar(axisIn);
  if (!s || typeof a !== 'number') return [{ dtype: x?.dtype }];
  const out = [...s];
  out.splice(normAxis(a, s.length + 1), 0, 1);
  return [withValue({ dtype: x!.dtype, shape: out }, x!.value)];
};

/** Mean / Sum / Max / Min / Prod / All / Any (input, reduction_indices) with keep_dims. */
const reduce: Rule = (node, [x, axesIn]) => {
  const s = x?.shape;
  const axes = axesIn?.value?.length === 0 ? [] : ints(axesIn);
  if (!s) return [{ dtype: x?.dtype }];
  if (!axes) return [{ dtype: x!.dtype, shape: flag(node, 'keep_dims') ? s.map(() => null) : undefined }];
  // TF reduces nothing for an empty axis list (ONNX reduces everything).
  if (!axes.length) return [like(x)];
  return [{ dtype: x!.dtype, shape: reducedShape(s, axes, flag(node, 'keep_dims')) }];
};

/** ArgMax / ArgMin(input, dimension): that axis removed; `output_type` (default int64). */
const argReduce: Rule = (node, [x, dim]) => {
  const s = x?.shape;
  const axis = s ? axisInput(dim, s.length) : undefined;
  const dtype = dtypeAttr(node, 'output_type', 'int64');
  return [{ dtype, shape: s && axis !== undefined ? s.filter((_, i) => i !== axis) : undefined }];
};

/** Slice(input, begin, size): size -1 means "to the end". */
const slice: Rule = (_node, [x, begin, size]) => {
  const s = x?.shape;
  const b = begin?.value, n = size?.value;
  if (!s || !b || !n) return [{ dtype: x?.dtype, shape: s?.map(() => null) }];
  return [{ dtype: x!.dtype, shape: s.map((d, i) => (n[i] === -1 ? dimSub(d, b[i] ?? null) : (n[i] ?? null))) }];
};

/** Bit `i` of a StridedSlice mask attribute. */
function bit(node: Node, mask: string, i: number): boolean {
  return ((attr(node, mask, 'int', 0) >> i) & 1) === 1;
}

/**
 * StridedSlice(input, begin, end, strides) with begin/end/ellipsis/new_axis/shrink_axis masks
 * (tensorflow/core/util/strided_slice_op.cc): each sparse entry addresses one input dim, an
 * ellipsis stands for the dims no other entry covers, new_axis inserts a 1, shrink_axis takes one
 * element and drops the dim. Folded for rank-1 inputs (`tf.shape(x)[0]`).
 */
const stridedSlice: Rule = (node, [x, beginIn, endIn, stridesIn]) => {
  const s = x?.shape;
  const begin = beginIn?.value, end = endIn?.value, strides = ints(stridesIn);
  if (!s || !begin || !end || !strides) return [{ dtype: x?.dtype }];
  const n = begin.length;
  const newAxes = Array.from({ length: n }, (_, i) => bit(node, 'new_axis_mask', i)).filter(Boolean).length;
  const out: Dim[] = [];
  const picks: number[][] = [];
  let di = 0;
  for (let i = 0; i < n; i++) {
    if (bit(node, 'ellipsis_mask', i)) {
      const covered = s.length - (n - 1 - newAxes);
      for (let k = 0; k < covered; k++, di++) { out.push(s[di]!); picks.push([]); }
      continue;
    }
    if (bit(node, 'new_axis_mask', i)) { out.push(1); continue; }
    const dim = s[di++]!, step = strides[i]!;
    if (bit(node, 'shrink_axis_mask', i)) {
      const b = begin[i];
      picks.push(typeof b === 'number' && typeof dim === 'number' ? [b < 0 ? b + dim : b] : []);
      continue;
    }
    const start = bit(node, 'begin_mask', i) ? (step > 0 ? 0 : 2 ** 53) : begin[i]!;
    const stop = bit(node, 'end_mask', i) ? (step > 0 ? 2 ** 53 : -(2 ** 53)) : end[i]!;
    const span = sliceSpan(dim, start, stop, step);
    out.push(span.count);
    picks.push(typeof span.start === 'number' && typeof span.count === 'number' ? Array.from({ length: span.count }, (_, k) => (span.start as number) + k * step) : []);
  }
  out.push(...s.slice(di));
  const value = s.length === 1 && picks.length === 1 && picks[0]!.length ? picks[0]!.map((k) => elementAt(x, [k])) : undefined;
  return [withValue({ dtype: x!.dtype, shape: out }, value?.every((v) => v !== undefined) ? (value as Dim[]) : undefined)];
};

/** Pad / PadV2 / MirrorPad(input, paddings [rank, 2]). */
const pad: Rule = (_node, [x, paddings]) => {
  const s = x?.shape, p = paddings?.value;
  if (!s) return [{ dtype: x?.dtype }];
  return [{ dtype: x!.dtype, shape: s.map((d, i) => (p ? dimAdd(dimAdd(d, p[2 * i] ?? null), p[2 * i + 1] ?? null) : null)) }];
};

/** Fill(dims, value): shape from the dims' value, dtype of the value. */
const fill: Rule = (_node, [dims, value]) => {
  const shapeValue = dims?.value ?? unknownDims(dims);
  const out: Fact = { dtype: value?.dtype, shape: shapeValue && [...shapeValue] };
  const count = shapeValue?.reduce<number | null>((a, d) => (a !== null && typeof d === 'number' ? a * d : null), 1);
  return [withValue(out, typeof count === 'number' && value?.value?.length === 1 ? new Array<Dim>(count).fill(value.value[0]!) : undefined)];
};

/** RandomUniform / RandomStandardNormal / TruncatedNormal(shape): dtype attribute. */
const random: Rule = (node, [shapeIn]) => [{ dtype: dtypeAttr(node, 'dtype', 'float32'), shape: shapeIn?.value ? [...shapeIn.value] : unknownDims(shapeIn) }];

/** Split(axis, value) into `num_split` equal parts; SplitV(value, size_splits, axis). */
const split: Rule = (node, [axisIn, x]) => {
  const s = x?.shape;
  const axis = s ? axisInput(axisIn, s.length) : undefined;
  return node.outputs.map(() => {
    if (!s || axis === undefined) return { dtype: x?.dtype };
    const out = [...s];
    out[axis] = dimCeilDiv(s[axis]!, node.outputs.length);
    return { dtype: x!.dtype, shape: out };
  });
};
const splitV: Rule = (node, [x, sizes, axisIn]) => {
  const s = x?.shape;
  const axis = s ? axisInput(axisIn, s.length) : undefined;
  const sz = sizes?.value;
  return node.outputs.map((_, k) => {
    if (!s || axis === undefined) return { dtype: x?.dtype };
    const out = [...s];
    out[axis] = sz?.[k] === -1 ? null : (sz?.[k] ?? null);
    return { dtype: x!.dtype, shape: out };
  });
};

/** GatherV2(params, indices, axis). */
const gatherV2: Rule = (_node, [data, indices, axisIn]) => {
  const rank = data?.shape?.length;
  const axis = rank === undefined ? undefined : axisInput(axisIn, rank);
  return [axis === undefined ? { dtype: data?.dtype } : gatherFacts(data, indices, axis)];
};

/** TopKV2(input, k): values and int32 indices with the last dim = k. */
const topK: Rule = (_node, [x, k]) => {
  const s = x?.shape;
  const shape = s && [...s.slice(0, -1), scalar(k) ?? null];
  return [{ dtype: x?.dtype, shape }, { dtype: 'int32', shape: shape && [...shape] }];
};

/** IdentityN: each output passes its input through. */
const identityN: Rule = (_node, inputs) => inputs.map((x) => withValue(like(x), x?.value));

const UNARY = ['Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Softsign', 'LeakyRelu', 'Abs', 'Neg', 'Sqrt', 'Rsqrt',
  'Square', 'Exp', 'Log', 'Log1p', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Tan', 'Erf', 'Reciprocal', 'Softmax', 'LogSoftmax',
  'ZerosLike', 'OnesLike', 'ClipByValue', 'BiasAdd', 'LRN'];

/** Rules of this family, keyed `tf:Op`. */
export const tfArrayRules: Record<string, Rule> = {
  ...Object.fromEntries(UNARY.map((op) => [`tf:${op}`, same])),
  'tf:Identity': passThrough, 'tf:StopGradient': passThrough, 'tf:Snapshot': passThrough, 'tf:PlaceholderWithDefault': passThrough,
  'tf:IdentityN': identityN,
  'tf:Add': e.Add!, 'tf:AddV2': e.Add!, 'tf:Sub': e.Sub!, 'tf:Mul': e.Mul!, 'tf:RealDiv': e.Div!, 'tf:Div': e.Div!, 'tf:FloorDiv': broadcasting(),
  'tf:FloorMod': e.Mod!, 'tf:Maximum': e.Max!, 'tf:Minimum': e.Min!, 'tf:Pow': e.Pow!, 'tf:SquaredDifference': broadcasting(), 'tf:AddN': e.Sum!,
  'tf:Prelu': e.PRelu!, 'tf:Equal': e.Equal!, 'tf:NotEqual': broadcasting('bool'), 'tf:Greater': e.Greater!, 'tf:GreaterEqual': e.GreaterOrEqual!,
  'tf:Less': e.Less!, 'tf:LessEqual': e.LessOrEqual!, 'tf:LogicalAnd': e.And!, 'tf:LogicalOr': e.Or!, 'tf:LogicalNot': e.Not!,
  'tf:IsNan': e.IsNaN!, 'tf:SelectV2': e.Where!, 'tf:Select': e.Where!,
  'tf:Shape': shape,
  'tf:Cast': cast,
  'tf:Reshape': reshape,
  'tf:Transpose': transpose,
  'tf:ConcatV2': concatV2,
  'tf:Pack': pack,
  'tf:Unpack': unpack,
  'tf:Squeeze': squeeze,
  'tf:ExpandDims': expandDims,
  'tf:Mean': reduce, 'tf:Sum': reduce, 'tf:Max': reduce, 'tf:Min': reduce, 'tf:Prod': reduce, 'tf:All': reduce, 'tf:Any': reduce,
  'tf:ArgMax': argReduce, 'tf:ArgMin': argReduce,
  'tf:Slice': slice,
  'tf:StridedSlice': stridedSlice,
  'tf:Pad': pad, 'tf:PadV2': pad, 'tf:MirrorPad': pad,
  'tf:Fill': fill,
  'tf:RandomUniform': random, 'tf:RandomStandardNormal': random, 'tf:TruncatedNormal': random,
  'tf:Split': split,
  'tf:SplitV': splitV,
  'tf:GatherV2': gatherV2,
  'tf:Tile': reshapeRules.Tile!,
  'tf:Range': constantRules.Range!,
  'tf:Einsum': matmulRules.Einsum!,
  'tf:TopKV2': topK,
  'tf:NoOp': () => [],
};
