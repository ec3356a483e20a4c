/**
 * TensorFlow NodeDef attributes as TF.js graph models store them: the proto3 JSON mapping of
 * `AttrValue` (tensorflow/core/framework/attr_value.proto): `s` is base64 bytes, `i` an int64 as a
 * string, `f` a float, `b` a bool, `type` a `DataType` enum name, `shape` a TensorShapeProto,
 * `tensor` a TensorProto, `list` holds repeated fields of those, `func` a function reference.
 */
import type { Attribute, Dim, Shape } from '../graph/ir.ts';
import { Tensor, allocArray, type DType, type TensorArray } from '../graph/tensor.ts';

/** TensorFlow `DataType` enum names (types.proto) to nnlens dtypes. */
export const TF_DTYPES: Record<string, DType | undefined> = {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16',
  DT_INT8: 'int8', DT_UINT8: 'uint8', DT_INT16: 'int16', DT_UINT16: 'uint16', DT_INT32: 'int32',
  DT_UINT32: 'uint32', DT_INT64: 'int64', DT_UINT64: 'uint64', DT_BOOL: 'bool', DT_STRING: 'string',
};

/** A TensorShapeProto in JSON: `dim[].size` as strings, -1 for unknown; `unknownRank` for no rank. */
export interface ShapeJson { dim?: { size?: string | number }[]; unknownRank?: boolean }

/** A TensorProto in JSON, as far as inline constants need it. */
export interface TensorJson {
  dtype?: string;
  tensorShape?: ShapeJson;
  tensorContent?: string;
  floatVal?: (number | string)[];
  doubleVal?: (number | string)[];
  intVal?: (number | string)[];
  int64Val?: (number | string)[];
  boolVal?: boolean[];
  stringVal?: string[];
  halfVal?: (number | string)[];
}

type AttrJson = Record<string, unknown>;

const utf8 = new TextDecoder();

/** Decodes base64 text (the JSON mapping of `bytes`). */
export function base64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'base64'));
}

/** A shape; -1 (unknown) becomes null, unknown rank undefined. */
export function shapeOf(s: ShapeJson | undefined): Shape | undefined {
  if (!s || s.unknownRank) return undefined;
  return (s.dim ?? []).map((d): Dim => {
    const n = Number(d.size ?? 0);
    return n < 0 ? null : n;
  });
}

/**
 * Converts one attribute. Booleans and shapes have no IR attribute type of their own, so they are
 * kept as `json` (true/false, and dims with null for unknown); dtypes become nnlens dtype names.
 * Returns undefined for an empty AttrValue.
 */
export function convertAttr(a: AttrJson): Attribute | undefined {
  if ('s' in a) return { type: 'string', value: utf8.decode(base64(String(a.s))) };
  if ('i' in a) return { type: 'int', value: Number(a.i) };
  if ('f' in a) return { type: 'float', value: Number(a.f) };
  if ('b' in a) return { type: 'json', value: a.b === true };
  if ('type' in a) return { type: 'string', value: TF_DTYPES[String(a.type)] ?? String(a.type) };
  if ('shape' in a) return { type: 'json', value: shapeOf(a.shape as ShapeJson) ?? null };
  if ('tensor' in a) {
    const t = tensorFromJson(a.tensor as TensorJson);
    return t ? { type: 'tensor', value: t } : undefined;
  }
  if ('func' in a) return { type: 'string', value: String((a.func as { name?: string }).name ?? '') };
  if ('list' in a) return convertList((a.list ?? {}) as Record<string, unknown[]>);
  return undefined;
}

function convertList(l: Record<string, unknown[]>): Attribute {
  if (l.i) return { type: 'ints', value: l.i.map(Number) };
  if (l.f) return { type: 'floats', value: l.f.map(Number) };
  if (l.s) return { type: 'strings', value: l.s.map((s) => utf8.decode(base64(String(s)))) };
  if (l.type) return { type: 'strings', value: l.type.map((t) => TF_DTYPES[String(t)] ?? String(t)) };
  if (l.b) return { type: 'json', value: l.b.map((b) => b === true) };
  if (l.shape) return { type: 'json', value: l.shape.map((s) => shapeOf(s as ShapeJson) ?? null) };
  return { type: 'ints', value: [] };
}

/**
 * A tensor whose values are written inline in the JSON (`tensorContent` bytes or a `*Val` list, a
 * shorter list repeating its last value, as TensorFlow's tensor_util does); undefined when the
 * proto holds no values (TF.js converters move constant values into the weights manifest).
 */
export function tensorFromJson(t: TensorJson | undefined): Tensor | undefined {
  const dtype = TF_DTYPES[t?.dtype ?? ''];
  if (!t || !dtype) return undefined;
  const shape = (shapeOf(t.tensorShape) ?? []).map((d) => (typeof d === 'number' ? d : 0));
  const n = shape.reduce((a, b) => a * b, 1);
  if (t.tensorContent !== undefined) {
    const bytes = base64(t.tensorContent);
    const data = allocArray(dtype, n) as Exclude<TensorArray, string[]>;
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes.subarray(0, data.byteLength));
    return Tensor.of(dtype, shape, data);
  }
  if (dtype === 'string') {
    if (!t.stringVal?.length) return undefined;
    const strs = t.stringVal.map((s) => utf8.decode(base64(s)));
    return Tensor.of('string', shape, Array.from({ length: n }, (_, i) => strs[Math.min(i, strs.length - 1)]!));
  }
  const list = t.floatVal ?? t.doubleVal ?? t.intVal ?? t.int64Val ?? t.boolVal ?? t.halfVal;
  if (!list?.length) return undefined;
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = list[Math.min(i, list.length - 1)]!;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(String(v));
    else (data as Float32Array)[i] = Number(v);
  }
  return Tensor.of(dtype, shape, data);
}
