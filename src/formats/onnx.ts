/**
 * ONNX loader: `.onnx` files of any opset (spec: https://github.com/onnx/onnx/blob/main/docs/IR.md).
 *
 * Weights are never read while opening: `raw_data` and packed fields are byte ranges in the file,
 * external data is a range in a sibling file, and both are read only when a tensor's `data()` is
 * called. Node names written by PyTorch's exporter (`/layer4/layer4.1/conv1/Conv`) become module
 * groups (`layer4 > layer4.1`).
 */
import { existsSync } from 'node:fs';
import { NnlensError } from '../errors.ts';
import type { Attribute, Dim, Graph, Model, Node, Param, ValueInfo } from '../graph/ir.ts';
import { emptyGraph, valueOf } from '../graph/ir.ts';
import { Tensor, allocArray, fromBytes, sizeOf, type DType, type TensorArray } from '../graph/tensor.ts';
import { FileSource, type ByteSource } from '../io/bytes.ts';
import { scratch } from '../io/scratch.ts';
import { ProtoError, decode, decodePacked, readRange, type ByteRange, type Message } from '../io/protobuf.ts';
import type { FormatContext } from './context.ts';
import { ONNX_DTYPES, ONNX_SCHEMA } from './onnx-schema.ts';
import { groupByScopes } from './onnx-groups.ts';
import { inferShapes } from '../graph/shapes/index.ts';

/** Sniffs ONNX: by extension, or a protobuf whose first field is `ir_version` (tag 0x08) followed later by a graph. */
export function match(ctx: FormatContext): boolean {
  if (ctx.ext === '.onnx' || ctx.ext === '.ort') return true;
  // ModelProto usually starts with ir_version (field 1, varint) then producer_name (field 2).
  return ctx.head[0] === 0x08 && ctx.head[1]! > 0 && ctx.head[1]! < 20 && ctx.head[2] === 0x12;
}

/** Opens an ONNX model file. */
export async function open(ctx: FormatContext): Promise<Model> {
  const src = new FileSource(ctx.path);
  let proto: Message;
  try {
    proto = decode(ONNX_SCHEMA, 'ModelProto', src);
  } catch (e) {
    if (e instanceof ProtoError || e instanceof RangeError) throw new NnlensError(ctx.path, `not a valid ONNX protobuf (${e.message})`);
    throw e;
  }
  const g = proto.graph as Message | undefined;
  if (!g) throw new NnlensError(ctx.path, 'not a valid ONNX model: it has no graph');
  const warnings: string[] = [];
  const graph = readGraph(g, ctx, warnings);
  groupByScopes(graph);
  attachParams(graph);
  const opsets: Record<string, number> = {};
  for (const o of (proto.opset_import as Message[] | undefined) ?? []) opsets[(o.domain as string) || ''] = o.version as number;
  if (!proto.opset_import) opsets[''] = 1;
  const metadata: Record<string, string> = {};
  for (const kv of (proto.metadata_props as Message[] | undefined) ?? []) metadata[kv.key as string] = (kv.value as string) ?? '';
  const producer = [proto.producer_name, proto.producer_version].filter(Boolean).join(' ') || undefined;
  const fn = (proto.functions as Message[] | undefined) ?? [];
  if (fn.length) warnings.push(`${fn.length} model-local function(s) are shown as single nodes`);
  const model: Model = {
    format: 'onnx',
    formatLabel: `ONNX IR ${proto.ir_version ?? '?'}, opset ${opsets[''] ?? '?'}${Object.keys(opsets).filter((d) => d).map((d) => ` + ${d} ${opsets[d]}`).join('')}`,
    path: ctx.path,
    producer,
    opsets,
    metadata,
    graph,
    warnings,
  };
  inferShapes(model);
  return model;
}

function readGraph(g: Message, ctx: FormatContext, warnings: string[]): Graph {
  const graph = emptyGraph((g.name as string) || 'main');
  const inits = new Set<string>();
  for (const t of (g.initializer as Message[] | undefined) ?? []) {
    const name = t.name as string;
    const tensor = readTensor(t, ctx, warnings);
    const v = valueOf(graph, name);
    v.initializer = tensor;
    v.dtype = tensor.dtype;
    v.shape = [...tensor.shape];
    inits.add(name);
  }
  for (const vi of [...((g.input as Message[]) ?? []), ...((g.output as Message[]) ?? []), ...((g.value_info as Message[]) ?? [])]) {
    const v = valueOf(graph, vi.name as string);
    const t = readType(vi.type as Message | undefined);
    if (t.dtype && !v.dtype) v.dtype = t.dtype;
    if (t.shape && !v.shape) v.shape = t.shape;
  }
  // Before IR 4, initializers were also listed as graph inputs; they are weights, not inputs.
  graph.inputs = ((g.input as Message[]) ?? []).map((i) => i.name as string).filter((n) => !inits.has(n));
  graph.outputs = ((g.output as Message[]) ?? []).map((o) => o.name as string);
  const used = new Set<string>();
  (g.node as Message[] | undefined ?? []).forEach((n, index) => {
    const node = readNode(n, index, ctx, warnings, used);
    graph.nodes.push(node);
    for (const o of node.outputs) if (o) valueOf(graph, o);
    for (const i of node.inputs) if (i) valueOf(graph, i);
  });
  return graph;
}

function readNode(n: Message, index: number, ctx: FormatContext, warnings: string[], used: Set<string>): Node {
  const op = n.op_type as string;
  let name = (n.name as string) || `${op}_${index}`;
  if (used.has(name)) name = `${name}_${index}`;
  used.add(name);
  const attributes: Record<string, Attribute> = {};
  for (const a of (n.attribute as Message[] | undefined) ?? []) {
    const attr = readAttribute(a, ctx, warnings);
    if (attr) attributes[a.name as string] = attr;
  }
  return {
    name,
    op,
    domain: (n.domain as string) ?? '',
    inputs: ((n.input as string[]) ?? []).slice(),
    outputs: ((n.output as string[]) ?? []).slice(),
    attributes,
    group: [],
    params: [],
  };
}

const utf8 = new TextDecoder('utf-8');

function readAttribute(a: Message, ctx: FormatContext, warnings: string[]): Attribute | undefined {
  // Older exporters omit `type`; infer it from which field is set.
  let type = a.type as number | undefined;
  if (!type) {
    if (a.f !== undefined) type = 1; else if (a.i !== undefined) type = 2; else if (a.s !== undefined) type = 3;
    else if (a.t !== undefined) type = 4; else if (a.g !== undefined) type = 5; else if (a.floats) type = 6;
    else if (a.ints) type = 7; else if (a.strings) type = 8; else if (a.graphs) type = 10;
  }
  switch (type) {
    case 1: return { type: 'float', value: (a.f as number) ?? 0 };
    case 2: return { type: 'int', value: (a.i as number) ?? 0 };
    case 3: return { type: 'string', value: utf8.decode((a.s as Uint8Array) ?? new Uint8Array()) };
    case 4: return { type: 'tensor', value: readTensor(a.t as Message, ctx, warnings) };
    case 5: return { type: 'graph', value: readGraph(a.g as Message, ctx, warnings) };
    case 6: return { type: 'floats', value: (a.floats as number[]) ?? [] };
    case 7: return { type: 'ints', value: (a.ints as number[]) ?? [] };
    case 8: return { type: 'strings', value: ((a.strings as Uint8Array[]) ?? []).map((s) => utf8.decode(s)) };
    case 10: return { type: 'graphs', value: ((a.graphs as Message[]) ?? []).map((gg) => readGraph(gg, ctx, warnings)) };
    default:
      if (a.ints === undefined && a.floats === undefined && a.strings === undefined && (type === 6 || type === 7 || type === 8)) return undefined;
      warnings.push(`attribute '${a.name as string}' of unsupported type ${type} ignored`);
      return undefined;
  }
}

function readType(t: Message | undefined): { dtype?: DType; shape?: Dim[] } {
  const tt = t?.tensor_type as Message | undefined;
  if (!tt) return {};
  const dtype = ONNX_DTYPES[tt.elem_type as number];
  const sh = tt.shape as Message | undefined;
  const shape = sh ? ((sh.dim as Message[] | undefined) ?? []).map((d): Dim => (d.dim_value !== undefined ? (d.dim_value as number) : ((d.dim_param as string) || null))) : undefined;
  return { dtype, shape };
}

/** Reads a TensorProto into a lazy {@link Tensor}. */
function readTensor(t: Message, ctx: FormatContext, warnings: string[]): Tensor {
  const name = (t.name as string) || '(unnamed tensor)';
  const code = (t.data_type as number) ?? 0;
  const dtype = ONNX_DTYPES[code];
  const shape = ((t.dims as number[]) ?? []).slice();
  if (!dtype) {
    warnings.push(`tensor '${name}' has unsupported data type ${code}; shown without values`);
    return new Tensor('uint8', shape, { where: name, read: () => { throw new NnlensError(ctx.path, `tensor '${name}': data type ${code} is not supported`); } });
  }
  const n = sizeOf(shape);
  if (t.data_location === 1 || t.external_data) {
    return externalTensor(t, name, dtype, shape, ctx);
  }
  const raw = t.raw_data as ByteRange | undefined;
  if (raw) {
    const expect = n * (dtype === 'string' ? 0 : bytesOf(dtype));
    if (dtype !== 'string' && raw.length !== expect) {
      throw new NnlensError(ctx.path, `tensor '${name}' has ${raw.length} bytes of data but its shape [${shape.join(', ')}] of ${dtype} needs ${expect}`);
    }
    return new Tensor(dtype, shape, {
      where: `${ctx.path} @ ${raw.offset}`,
      read: () => fromBytes(dtype, readRange(raw)),
      chunks: () => rangeChunks(raw.source, raw.offset, raw.length),
    });
  }
  if (dtype === 'string') {
    const strs = ((t.string_data as Uint8Array[]) ?? []).map((s) => utf8.decode(s));
    return Tensor.of('string', shape, strs);
  }
  const field = typedField(dtype);
  const ranges = (t[field] as ByteRange[] | undefined) ?? [];
  return new Tensor(dtype, shape, {
    where: `${ctx.path} (${name})`,
    read: () => typedFromNumbers(dtype, decodePacked(ranges, packedKind(field))),
  });
}

function externalTensor(t: Message, name: string, dtype: DType, shape: number[], ctx: FormatContext): Tensor {
  const info: Record<string, string> = {};
  for (const kv of (t.external_data as Message[] | undefined) ?? []) info[kv.key as string] = kv.value as string;
  if (!info.location) throw new NnlensError(ctx.path, `tensor '${name}' stores its data externally but names no location`);
  const file = ctx.resolveInside(info.location, `external data of tensor '${name}'`);
  const offset = Number(info.offset ?? 0);
  const length = info.length !== undefined ? Number(info.length) : sizeOf(shape) * bytesOf(dtype);
  const open = (): ByteSource => {
    if (!existsSync(file)) throw new NnlensError(file, `external data file is missing (tensor '${name}' of ${ctx.path})`);
    const src: ByteSource = externalSource(file);
    if (offset + length > src.length) throw new NnlensError(file, `tensor '${name}' needs bytes ${offset}..${offset + length} but the file has ${src.length}`);
    return src;
  };
  return new Tensor(dtype, shape, {
    where: `${file} @ ${offset}`,
    read: () => fromBytes(dtype, open().read(offset, length).slice()),
    chunks: () => rangeChunks(open(), offset, length),
  });
}

/** Bytes `offset..offset+length` of a source in pieces of at most 1 MiB, read into one scratch buffer. */
function* rangeChunks(src: ByteSource, offset: number, length: number): Generator<Uint8Array> {
  const PIECE = 1 << 20;
  for (let o = 0; o < length; o += PIECE) {
    const buf = scratch('onnx-read', Math.min(PIECE, length - o));
    src.readInto(offset + o, buf);
    yield buf;
  }
}

const externalSources = new Map<string, FileSource>();
function externalSource(file: string): FileSource {
  let s = externalSources.get(file);
  if (!s) { s = new FileSource(file); externalSources.set(file, s); }
  return s;
}

function bytesOf(dtype: DType): number {
  return { float32: 4, float64: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1, string: 0 }[dtype];
}

function typedField(dtype: DType): string {
  switch (dtype) {
    case 'float32': return 'float_data';
    case 'float64': return 'double_data';
    case 'int64': return 'int64_data';
    case 'uint32': case 'uint64': return 'uint64_data';
    default: return 'int32_data'; // int8/16/32, uint8/16, bool, float16/bfloat16 bits (onnx.proto comments)
  }
}

function packedKind(field: string): 'float' | 'double' | 'int32' | 'int64' | 'uint64' {
  return ({ float_data: 'float', double_data: 'double', int64_data: 'int64', uint64_data: 'uint64', int32_data: 'int32' } as const)[field as 'float_data'];
}

function typedFromNumbers(dtype: DType, nums: number[]): TensorArray {
  const out = allocArray(dtype, nums.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < nums.length; i++) out[i] = BigInt(Math.trunc(nums[i]!));
  } else if (!Array.isArray(out)) {
    (out as Float32Array).set(nums);
  }
  return out;
}

/**
 * Attaches initializers consumed by a node as its params. Batch-norm running statistics
 * (inputs 3 and 4 of BatchNormalization) are not trained by gradient descent: non-trainable,
 * like Keras's `moving_mean` / `moving_variance`.
 */
function attachParams(graph: Graph): void {
  for (const node of graph.nodes) {
    node.inputs.forEach((input, slot) => {
      const v: ValueInfo | undefined = input ? graph.values.get(input) : undefined;
      if (!v?.initializer) return;
      const dot = input.lastIndexOf('.');
      const role = dot >= 0 ? input.slice(dot + 1) : `input${slot}`;
      const isFloat = v.initializer.dtype.startsWith('float') || v.initializer.dtype === 'bfloat16';
      const param: Param = { role, name: input, tensor: v.initializer, trainable: isFloat && !(node.op === 'BatchNormalization' && slot >= 3) };
      node.params.push(param);
    });
  }
}
