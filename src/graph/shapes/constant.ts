/**
 * Ops that make tensors or change only their type: Constant, ConstantOfShape, Shape, Size, Range,
 * Cast, CastLike, Identity, Dropout, NonZero, OneHot, EyeLike, the random generators and
 * (de)quantization (ONNX Operators.md). Shape, Size and Range produce the small int64 values that
 * shape arithmetic folds on.
 */
import type { Dim, Node } from '../ir.ts';
import { attr } from '../ir.ts';
import type { DType } from '../tensor.ts';
import { tensorFact } from './fold.ts';
import { dimCeilDiv, dimProduct, dimSub } from './symbolic.ts';
import { ONNX_TYPE_CODES, isIntegerDtype, like, normAxis, scalar, withValue, type Fact, type Rule } from './types.ts';

/** Constant: the value comes from whichever `value*` attribute is set. */
const constant: Rule = (node) => {
  const a = node.attributes;
  const t = a.value ?? a.sparse_value;
  if (t?.type === 'tensor') return [tensorFact(t.value)];
  const listOf = (dtype: DType, v: Dim[] | string[], scalarForm: boolean): Fact[] =>
    [withValue({ dtype, shape: scalarForm ? [] : [v.length] }, dtype === 'string' ? undefined : (v as Dim[]))];
  if (a.value_float?.type === 'float') return listOf('float32', [a.value_float.value], true);
  if (a.value_floats?.type === 'floats') return listOf('float32', a.value_floats.value, false);
  if (a.value_int?.type === 'int') return listOf('int64', [a.value_int.value], true);
  if (a.value_ints?.type === 'ints') return listOf('int64', a.value_ints.value, false);
  if (a.value_string?.type === 'string') return listOf('string', [a.value_string.value], true);
  if (a.value_strings?.type === 'strings') return listOf('string', a.value_strings.value, false);
  throw new Error('Constant has no value attribute');
};

/** ConstantOfShape: shape from the input's value; dtype and fill value from the `value` tensor (default float32 0). */
const constantOfShape: Rule = (node, [shapeIn]) => {
  const fill = node.attributes.value?.type === 'tensor' ? tensorFact(node.attributes.value.value) : { dtype: 'float32' as DType, value: [0] };
  const n = shapeIn?.shape?.[0];
  const shape = shapeIn?.value ?? (typeof n === 'number' ? new Array<Dim>(n).fill(null) : undefined);
  const out: Fact = { dtype: fill.dtype, shape };
  const size = shape && dimProduct(shape);
  return [withValue(out, typeof size === 'number' && fill.value ? new Array<Dim>(size).fill(fill.value[0]!) : undefined)];
};

/** Shape: int64 vector of the input's dims, `start`/`end` slicing them from opset 15. */
const shapeOp: Rule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: 'int64', shape: [null] }];
  const rank = x.shape.length;
  const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + rank : i, 0), rank);
  const dims = x.shape.slice(clamp(attr(node, 'start', 'int', 0)), clamp(attr(node, 'end', 'int', rank)));
  return [{ dtype: 'int64', shape: [dims.length], value: dims }];
};

/** Size: int64 scalar element count. */
const size: Rule = (_node, [x]) => [withValue({ dtype: 'int64', shape: [] }, x?.shape ? [dimProduct(x.shape)] : undefined)];

/** Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements. */
const range: Rule = (_node, [start, limit, delta]) => {
  const s = scalar(start), l = scalar(limit), d = scalar(delta);
  let n: Dim = null;
  if (typeof s === 'number' && typeof l === 'number' && typeof d === 'number') n = Math.max(Math.ceil((l - s) / d), 0);
  else if (s !== undefined && l !== undefined && typeof d === 'number' && d > 0) n = dimCeilDiv(dimSub(l, s), d);
  const out: Fact = { dtype: start?.dtype, shape: [n] };
  const value = typeof n === 'number' && typeof s === 'number' && typeof d === 'number' ? Array.from({ length: n }, (_, i) => s + i * d) : undefined;
  return [withValue(out, value)];
};

/** Converts folded values to an integer or bool dtype, as Cast does; symbolic dims stay as they are. */
export function castValues(v: Dim[] | undefined, to: DType | undefined): Dim[] | undefined {
  if (!v || !to || to === 'string') return undefined;
  if (to === 'bool') return v.map((e) => (typeof e === 'number' ? (e ? 1 : 0) : null));
  return isIntegerDtype(to) ? v.map((e) => (typeof e === 'number' ? Math.trunc(e) : e)) : v;
}

const cast: Rule = (node, [x]) => {
  const to = ONNX_TYPE_CODES[attr(node, 'to', 'int', 0)];
  return [withValue(like(x, to), castValues(x?.value, to))];
};

const castLike: Rule = (_node, [x, target]) => [withValue(like(x, target?.dtype), castValues(x?.value, target?.dtype))];

/** Identity and other value-preserving ops. */
const identity: Rule = (_node, [x]) => [withValue(like(x), x?.value)];

/** Dropout: output like the input, optional bool mask of the same shape. */
const dropout: Rule = (_node, [x]) => [withValue(like(x), x?.value), like(x, 'bool')];

/** NonZero: [rank, number of non-zeros] int64, the count being data-dependent. */
const nonZero: Rule = (_node, [x]) => [{ dtype: 'int64', shape: [x?.shape?.length ?? null, null] }];

/** OneHot(indices, depth, values): depth inserted at `axis` (default -1, i.e. last). */
const oneHot: Rule = (node, [indices, depth, values]) => {
  if (!indices?.shape) return [{ dtype: values?.dtype }];
  const rank = indices.shape.length + 1;
  const axis = normAxis(attr(node, 'axis', 'int', -1), rank);
  const d = scalar(depth);
  const shape = [...indices.shape];
  shape.splice(axis, 0, typeof d === 'number' ? Math.floor(d) : (d ?? null));
  return [{ dtype: values?.dtype, shape }];
};

/** A generator whose output shape is the `shape` attribute and dtype the `dtype` attribute (ONNX code). */
function generator(defaultDtype: number): Rule {
  return (node) => [{ dtype: ONNX_TYPE_CODES[attr(node, 'dtype', 'int', defaultDtype)], shape: attr(node, 'shape', 'ints', []) }];
}

/** A generator shaped like its input, dtype from the `dtype` attribute if set. */
function generatorLike(node: Node, x: Fact | undefined): Fact {
  const code = attr(node, 'dtype', 'int', 0);
  return like(x, code ? ONNX_TYPE_CODES[code] : undefined);
}

/** Rules of this family, by ONNX op type. */
export const constantRules: Record<string, Rule> = {
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Shape: shapeOp,
  Size: size,
  Range: range,
  Cast: cast,
  CastLike: castLike,
  Identity: identity,
  Dropout: dropout,
  NonZero: nonZero,
  OneHot: oneHot,
  EyeLike: (node, [x]) => [generatorLike(node, x)],
  RandomNormalLike: (node, [x]) => [generatorLike(node, x)],
  RandomUniformLike: (node, [x]) => [generatorLike(node, x)],
  Bernoulli: (node, [x]) => [generatorLike(node, x)],
  RandomNormal: generator(1),
  RandomUniform: generator(1),
  Multinomial: (node, [x]) => [{ dtype: ONNX_TYPE_CODES[attr(node, 'dtype', 'int', 6)], shape: [x?.shape?.[0] ?? null, attr(node, 'sample_size', 'int', 1)] }],
  QuantizeLinear: (_node, [x, , zeroPoint]) => [like(x, zeroPoint?.dtype ?? 'uint8')],
  DequantizeLinear: (_node, [x, scale]) => [like(x, scale?.dtype ?? 'float32')],
  DynamicQuantizeLinear: (_node, [x]) => [like(x, 'uint8'), { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }],
};
