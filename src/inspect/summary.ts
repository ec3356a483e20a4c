/**
 * `model.summary()` for any model: one row per node (or per collapsed group at a depth) with its
 * type, output shapes and parameter count, then the model's inputs, outputs and parameter totals.
 * The JSON form is documented in docs/summary-json.md.
 *
 * Parameters shared by several nodes (an ONNX initializer feeding two ops, a Keras layer called
 * twice) are counted once, in the first row that uses them, so the rows add up to the total.
 */
import type { Model, Node, Param, Shape } from '../graph/ir.ts';
import type { DType } from '../graph/tensor.ts';
import { uniqueParams, viewAt, type ViewItem } from '../graph/groups.ts';
import { formatBytes, formatCount, formatShape } from '../render/format.ts';

/** A tensor as the summary shows it. */
export interface TensorInfo {
  name: string;
  shape: Shape | null;
  dtype: DType | null;
}

/** One row of the summary table. */
export interface SummaryRow {
  /** Node name, or the group path joined with `/`. */
  name: string;
  /** Op or layer type; `group` for a collapsed group. */
  type: string;
  kind: 'node' | 'group';
  /** Module path of the row. */
  path: string[];
  /** Number of nodes the row stands for (1 for a node). */
  nodes: number;
  outputs: TensorInfo[];
  /** Rows (by name) whose outputs this row consumes, as Keras's "Connected to"; graph inputs by value name. */
  connectedTo: string[];
  /** Parameter elements first counted in this row. */
  params: number;
  trainable: number;
}

/** Everything `nnlens summary` reports. */
export interface Summary {
  model: { path: string; format: string; formatLabel: string; producer: string | null; graph: string };
  /** Depth the rows were grouped at; null for one row per node. */
  depth: number | null;
  rows: SummaryRow[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  totals: {
    params: number;
    trainable: number;
    nonTrainable: number;
    /** Bytes of all parameter tensors (shared ones once). */
    weightBytes: number;
    nodes: number;
    /** Number of distinct parameter tensors. */
    paramTensors: number;
  };
  warnings: string[];
}

/**
 * All parameters of a model, each tensor once: those attached to nodes, then initializers of the
 * graph that no node consumes (still weights stored in the file).
 * @example modelParams(model).reduce((s, p) => s + p.tensor.size, 0)
 */
export function modelParams(model: Model): Param[] {
  const params = uniqueParams(model.graph.nodes);
  const seen = new Set<unknown>(params.map((p) => p.tensor));
  for (const p of params) seen.add(p.name);
  for (const v of model.graph.values.values()) {
    if (!v.initializer || seen.has(v.initializer) || seen.has(v.name)) continue;
    seen.add(v.initializer);
    params.push({ role: 'unused', name: v.name, tensor: v.initializer, trainable: false });
  }
  return params;
}

/**
 * Summarizes a model, one row per node, or per group at `depth`.
 * @example const s = summarize(await openModel('m.onnx'), { depth: 1 }); s.totals.params
 */
export function summarize(model: Model, options: { depth?: number } = {}): Summary {
  const graph = model.graph;
  const view = viewAt(graph, { depth: options.depth, io: true });
  const rowName = (id: string): string => {
    const it = view.items.get(id)!;
    return it.kind === 'node' ? it.node.name : it.kind === 'group' ? it.path.join('/') : it.value;
  };
  const incoming = new Map<string, string[]>();
  for (const e of view.edges) {
    const list = incoming.get(e.to);
    if (list) list.push(rowName(e.from)); else incoming.set(e.to, [rowName(e.from)]);
  }
  const counted = new Set<unknown>();
  const rows: SummaryRow[] = [];
  const tensorInfo = (name: string): TensorInfo => {
    const v = graph.values.get(name);
    return { name, shape: v?.shape ?? null, dtype: v?.dtype ?? null };
  };
  for (const item of view.items.values()) {
    const nodes = itemNodes(item);
    let params = 0, trainable = 0;
    for (const n of nodes) for (const p of n.params) {
      if (counted.has(p.tensor) || counted.has(p.name)) continue;
      counted.add(p.tensor); counted.add(p.name);
      params += p.tensor.size;
      if (p.trainable) trainable += p.tensor.size;
    }
    if (item.kind === 'group') {
      rows.push({ name: item.path.join('/'), type: 'group', kind: 'group', path: item.path, nodes: nodes.length, outputs: item.outputs.map(tensorInfo), connectedTo: incoming.get(item.id) ?? [], params, trainable });
    } else if (item.kind === 'node') {
      const n = item.node;
      rows.push({ name: n.name, type: n.op, kind: 'node', path: n.group, nodes: 1, outputs: n.outputs.filter((o) => o).map(tensorInfo), connectedTo: incoming.get(item.id) ?? [], params, trainable });
    }
  }
  const all = modelParams(model);
  let total = 0, train = 0, bytes = 0;
  for (const p of all) {
    total += p.tensor.size;
    if (p.trainable) train += p.tensor.size;
    bytes += p.tensor.byteLength;
  }
  return {
    model: { path: model.path, format: model.format, formatLabel: model.formatLabel, producer: model.producer ?? null, graph: graph.name },
    depth: options.depth ?? null,
    rows,
    inputs: graph.inputs.map(tensorInfo),
    outputs: graph.outputs.map(tensorInfo),
    totals: { params: total, trainable: train, nonTrainable: total - train, weightBytes: bytes, nodes: graph.nodes.length, paramTensors: all.length },
    warnings: [...model.warnings],
  };
}

function itemNodes(item: ViewItem): Node[] {
  return item.kind === 'group' ? item.nodes : item.kind === 'node' ? [item.node] : [];
}

/**
 * The summary as a Keras-style text table.
 * @example process.stdout.write(formatSummary(summarize(model)))
 */
export function formatSummary(s: Summary): string {
  // Like Keras, a "Connected to" column only when the graph is not a plain chain.
  // Constant nodes (ONNX Constant, TF Const) feeding a layer do not make a branch.
  const isConst = (r: SummaryRow) => (r.type === 'Constant' || r.type === 'Const') && r.connectedTo.length === 0;
  const consts = new Set(s.rows.filter(isConst).map((r) => r.name));
  const flow = s.rows.filter((r) => !isConst(r));
  const chain = flow.every((r, i) => {
    const from = r.connectedTo.filter((c) => !consts.has(c));
    return from.length <= 1 && (i === 0 || from.length === 0 || from[0] === flow[i - 1]!.name);
  });
  const header = ['Layer (type)', 'Output shape', 'Param #', ...(chain ? [] : ['Connected to'])];
  const lines: string[][] = [];
  for (const r of s.rows) {
    const type = r.kind === 'group' ? `group, ${r.nodes} nodes` : r.type;
    // A group can have many outputs (every value leaving it); three lines say enough.
    const shapes = r.outputs.length ? r.outputs.slice(0, 3).map((o) => formatShape(o.shape)) : [''];
    if (r.outputs.length > 3) shapes.push(`(+${r.outputs.length - 3} more)`);
    const from = r.connectedTo.length ? r.connectedTo : [''];
    const n = chain ? shapes.length : Math.max(shapes.length, from.length);
    for (let i = 0; i < n; i++) {
      lines.push([i === 0 ? `${r.name} (${type})` : '', shapes[i] ?? '', i === 0 ? formatCount(r.params) : '', ...(chain ? [] : [from[i] ?? ''])]);
    }
  }
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const width = w.reduce((a, b) => a + b, 0) + 3 * (w.length - 1);
  const row = (l: string[]) => [l[0]!.padEnd(w[0]!), l[1]!.padEnd(w[1]!), l[2]!.padStart(w[2]!), ...(chain ? [] : [l[3]!])].join('   ').trimEnd();
  const out: string[] = [];
  out.push(`Model: ${s.model.path}`);
  out.push(`Format: ${s.model.formatLabel}${s.model.producer ? `, produced by ${s.model.producer}` : ''}`);
  out.push('\u2500'.repeat(width), row(header), '\u2550'.repeat(width));
  for (const l of lines) out.push(row(l));
  out.push('\u2500'.repeat(width));
  const io = (t: TensorInfo) => `${t.name} ${formatShape(t.shape)}${t.dtype ? ` ${t.dtype}` : ''}`;
  out.push(`Inputs:  ${s.inputs.map(io).join(', ') || '(none)'}`);
  out.push(`Outputs: ${s.outputs.map(io).join(', ') || '(none)'}`);
  const t = s.totals;
  out.push(`Total params: ${formatCount(t.params)} (${formatBytes(t.weightBytes)})`);
  out.push(`Trainable params: ${formatCount(t.trainable)}`);
  out.push(`Non-trainable params: ${formatCount(t.nonTrainable)}`);
  out.push(`Nodes: ${formatCount(t.nodes)}, parameter tensors: ${formatCount(t.paramTensors)}`);
  for (const wmsg of s.warnings) out.push(`Warning: ${wmsg}`);
  return `${out.join('\n')}\n`;
}
