/**
 * TF.js graph models (`tensorflowjs_converter --output_format tfjs_graph_model`): `model.json`
 * holds `modelTopology`, a TensorFlow GraphDef in proto3 JSON (`node[]` of NodeDefs), and a
 * `weightsManifest` whose shards hold the values of the graph's `Const` nodes
 * (tfjs-converter `operations/executor/graph_model.ts`, `graph_model.ts loadSync`).
 *
 * Nodes keep their TF op names (Conv2D, MatMul, BiasAdd, AddV2...) in domain `tf`. Const nodes
 * become constant values (lazy tensors read from the shards) and params of the nodes consuming
 * them; Placeholders become graph inputs. Tensor references follow GraphDef's own spelling: `X`
 * is output 0 of node X (`X:0` is normalized to it), `X:1` output 1, and `^X` control inputs are
 * dropped. Nodes are grouped by the `/` scopes of their names, without the `PartitionedCall` /
 * `StatefulPartitionedCall` wrapper of TF2 functions. Graph models are displayed, not executed.
 */
import { NnlensError } from '../errors.ts';
import type { Graph, Model, Node } from '../graph/ir.ts';
import { emptyGraph, valueOf } from '../graph/ir.ts';
import { inferShapes } from '../graph/shapes/index.ts';
import type { Tensor } from '../graph/tensor.ts';
import type { FormatContext } from './context.ts';
import { groupByScopes } from './onnx-groups.ts';
import { TF_DTYPES, convertAttr, shapeOf, tensorFromJson, type ShapeJson, type TensorJson } from './tfjs-graph-attrs.ts';
import { readManifest } from './tfjs-weights.ts';

interface NodeDefJson { name?: string; op?: string; input?: string[]; attr?: Record<string, Record<string, unknown>>; device?: string }
interface TensorInfoJson { name?: string; dtype?: string; tensorShape?: ShapeJson }
interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology?: { node?: NodeDefJson[]; library?: { function?: unknown[] }; versions?: { producer?: number } };
  weightsManifest?: unknown;
  signature?: { inputs?: Record<string, TensorInfoJson>; outputs?: Record<string, TensorInfoJson> };
}

/** A `.json` with `format: 'graph-model'` or a GraphDef (`modelTopology.node`). */
export function match(ctx: FormatContext): boolean {
  if (ctx.ext !== '.json') return false;
  const head = new TextDecoder().decode(ctx.head);
  if (!/"(modelTopology|format)"/.test(head)) return false;
  let j: ModelJson;
  try {
    j = JSON.parse(ctx.text()) as ModelJson;
  } catch {
    return false;
  }
  return typeof j === 'object' && j !== null && (j.format === 'graph-model' || Array.isArray(j.modelTopology?.node));
}

/** Opens a TF.js graph model.json with its shards. */
export async function open(ctx: FormatContext): Promise<Model> {
  const j = ctx.json() as ModelJson;
  const defs = j.modelTopology?.node;
  if (!Array.isArray(defs)) throw new NnlensError(ctx.path, 'TF.js graph model has no modelTopology.node list');
  const warnings: string[] = [];
  const { tensors, quantized } = readManifest(ctx, j.weightsManifest);
  const graph = emptyGraph('main');
  const outputsOf = outputCounts(defs, j);
  const used = new Set<string>();
  for (const [i, def] of defs.entries()) {
    if (typeof def?.name !== 'string' || typeof def.op !== 'string') throw new NnlensError(ctx.path, `node ${i} of modelTopology has no name or op`);
    if (def.op === 'Const') addConst(graph, def, tensors.get(def.name), warnings);
    else if (def.op === 'Placeholder') addInput(graph, def);
    else graph.nodes.push(toNode(graph, def, outputsOf.get(def.name) ?? 1));
    used.add(def.name);
  }
  const unused = [...tensors.keys()].filter((n) => !used.has(n));
  if (unused.length) warnings.push(`${unused.length} weight(s) of the manifest match no Const node and are not shown (${unused.slice(0, 3).join(', ')})`);
  const fns = j.modelTopology?.library?.function?.length ?? 0;
  if (fns) warnings.push(`${fns} graph function(s) are shown as single call nodes`);
  applySignature(graph, j);
  attachParams(graph);
  groupTfScopes(graph);
  const model: Model = {
    format: 'tfjs-graph',
    formatLabel: formatLabel(j, quantized),
    path: ctx.path,
    ...(j.generatedBy ? { producer: `tensorflow ${j.generatedBy}` } : {}),
    metadata: metadataOf(j),
    graph,
    warnings,
  };
  inferShapes(model);
  return model;
}

/** The IR name of a tensor reference; undefined for control inputs (`^X`). */
export function tensorName(ref: string): string | undefined {
  if (ref.startsWith('^')) return undefined;
  const m = /^(.*):(\d+)$/.exec(ref);
  if (!m) return ref;
  return m[2] === '0' ? m[1]! : ref;
}

/** How many outputs each node shows: up to the highest index referenced (or listed in `_output_shapes`). */
function outputCounts(defs: NodeDefJson[], j: ModelJson): Map<string, number> {
  const counts = new Map<string, number>();
  const see = (ref: string): void => {
    const m = /^\^?(.*?)(?::(\d+))?$/.exec(ref)!;
    counts.set(m[1]!, Math.max(counts.get(m[1]!) ?? 1, Number(m[2] ?? 0) + 1));
  };
  for (const d of defs) {
    for (const r of d.input ?? []) if (!r.startsWith('^')) see(r);
    const listed = (d.attr?._output_shapes?.list as { shape?: unknown[] } | undefined)?.shape?.length;
    if (listed && d.name) counts.set(d.name, Math.max(counts.get(d.name) ?? 1, listed));
  }
  for (const t of Object.values(j.signature?.outputs ?? {})) if (t.name) see(t.name);
  return counts;
}

function addConst(graph: Graph, def: NodeDefJson, manifest: Tensor | undefined, warnings: string[]): void {
  const v = valueOf(graph, def.name!);
  const proto = def.attr?.value?.tensor as TensorJson | undefined;
  const t = manifest ?? tensorFromJson(proto);
  if (t) {
    v.initializer = t;
    v.dtype = t.dtype;
    v.shape = [...t.shape];
    return;
  }
  v.dtype = TF_DTYPES[String(def.attr?.dtype?.type)];
  v.shape = shapeOf(proto?.tensorShape);
  warnings.push(`constant '${def.name}' has no value in the weights manifest or inline; it is shown without values`);
}

function addInput(graph: Graph, def: NodeDefJson): void {
  const v = valueOf(graph, def.name!);
  v.dtype = TF_DTYPES[String(def.attr?.dtype?.type)];
  v.shape = shapeOf(def.attr?.shape?.shape as ShapeJson | undefined);
  graph.inputs.push(def.name!);
}

function toNode(graph: Graph, def: NodeDefJson, outputs: number): Node {
  const attributes: Node['attributes'] = {};
  for (const [k, a] of Object.entries(def.attr ?? {})) {
    // `_output_shapes` becomes value shapes below; other `_`-attributes are grappler/runtime bookkeeping.
    if (k.startsWith('_')) continue;
    const c = convertAttr(a);
    if (c) attributes[k] = c;
  }
  const node: Node = {
    name: def.name!,
    op: def.op!,
    domain: 'tf',
    inputs: (def.input ?? []).map(tensorName).filter((n): n is string => n !== undefined),
    outputs: Array.from({ length: outputs }, (_, k) => (k === 0 ? def.name! : `${def.name}:${k}`)),
    attributes,
    group: [],
    params: [],
  };
  const shapes = (def.attr?._output_shapes?.list as { shape?: ShapeJson[] } | undefined)?.shape ?? [];
  node.outputs.forEach((o, k) => {
    const v = valueOf(graph, o);
    v.shape ??= shapeOf(shapes[k]);
  });
  for (const i of node.inputs) valueOf(graph, i);
  return node;
}

/** Graph outputs from the signature, else the node outputs nothing consumes; input shapes from the signature where missing. */
function applySignature(graph: Graph, j: ModelJson): void {
  for (const t of Object.values(j.signature?.inputs ?? {})) {
    const name = t.name && tensorName(t.name);
    const v = name ? graph.values.get(name) : undefined;
    if (!v) continue;
    v.dtype ??= TF_DTYPES[t.dtype ?? ''];
    v.shape ??= shapeOf(t.tensorShape);
  }
  const sig = Object.values(j.signature?.outputs ?? {}).map((t) => t.name && tensorName(t.name)).filter((n): n is string => !!n && graph.values.has(n));
  if (sig.length) {
    graph.outputs = sig;
    for (const t of Object.values(j.signature?.outputs ?? {})) {
      const v = graph.values.get(tensorName(t.name ?? '') ?? '');
      if (v && !v.shape) v.shape = shapeOf(t.tensorShape);
    }
    return;
  }
  const consumed = new Set(graph.nodes.flatMap((n) => n.inputs));
  graph.outputs = graph.nodes.filter((n) => n.op !== 'NoOp').flatMap((n) => n.outputs).filter((o) => !consumed.has(o));
}

/** TF's own names for the inputs of common ops (tensorflow/core/ops/*.cc), used as param roles. */
const INPUT_ROLES: Record<string, string[]> = {
  Conv2D: ['input', 'filter'], _FusedConv2D: ['input', 'filter', 'args', 'args'], DepthwiseConv2dNative: ['input', 'filter'],
  FusedDepthwiseConv2dNative: ['input', 'filter', 'args', 'args'], Conv2DBackpropInput: ['input_sizes', 'filter', 'out_backprop'],
  MatMul: ['a', 'b'], _FusedMatMul: ['a', 'b', 'args', 'args'], BatchMatMulV2: ['x', 'y'], BiasAdd: ['value', 'bias'],
  FusedBatchNorm: ['x', 'scale', 'offset', 'mean', 'variance'], FusedBatchNormV3: ['x', 'scale', 'offset', 'mean', 'variance'],
  Reshape: ['tensor', 'shape'], Transpose: ['x', 'perm'], ArgMax: ['input', 'dimension'], Prelu: ['x', 'alpha'],
  Add: ['x', 'y'], AddV2: ['x', 'y'], Sub: ['x', 'y'], Mul: ['x', 'y'], RealDiv: ['x', 'y'], Maximum: ['x', 'y'], Minimum: ['x', 'y'],
};

/**
 * Constants a node consumes become its params. Float constants are the learned weights; batch-norm
 * running statistics (FusedBatchNorm inputs 3 and 4) are not trained by gradient descent.
 */
function attachParams(graph: Graph): void {
  for (const node of graph.nodes) {
    node.inputs.forEach((input, slot) => {
      const t = graph.values.get(input)?.initializer;
      if (!t) return;
      const role = INPUT_ROLES[node.op]?.[slot] ?? `input${slot}`;
      const isFloat = t.dtype.startsWith('float') || t.dtype === 'bfloat16';
      node.params.push({ role, name: input, tensor: t, trainable: isFloat && !(node.op.startsWith('FusedBatchNorm') && slot >= 3) });
    });
  }
}

/**
 * Groups by name scopes with the rule of ONNX exports (onnx-groups.ts): the scopes of a TF name
 * are its `/` segments but the last, as for `/a/b/Op` there. The TF2 function-call wrapper scope
 * (`StatefulPartitionedCall/`) says nothing about the model's structure and is left out.
 */
function groupTfScopes(graph: Graph): void {
  const renamed = graph.nodes.map((n) => ({ ...n, name: `/${n.name.replace(/^(Stateful)?PartitionedCall\//, '')}` }));
  groupByScopes({ ...graph, nodes: renamed });
  graph.nodes.forEach((n, i) => { n.group = renamed[i]!.group; });
}

function formatLabel(j: ModelJson, quantized: Set<string>): string {
  const conv = /v?([\d.]+)\s*$/.exec(j.convertedBy ?? '')?.[1];
  const parts = [conv ? `converter ${conv}` : undefined, j.generatedBy ? `TF ${j.generatedBy}` : undefined].filter(Boolean);
  return `TF.js graph model${parts.length ? ` (${parts.join(', ')})` : ''}${quantized.size ? `, ${[...quantized].join('/')}-quantized weights` : ''}`;
}

function metadataOf(j: ModelJson): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const k of ['format', 'generatedBy', 'convertedBy'] as const) if (typeof j[k] === 'string') metadata[k] = j[k];
  const producer = j.modelTopology?.versions?.producer;
  if (producer !== undefined) metadata.graph_def_version = String(producer);
  return metadata;
}
