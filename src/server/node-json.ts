/**
 * What the node inspector shows (`GET /api/models/:id/node`): op type and description, attributes,
 * input and output shapes, parameter count and per-weight statistics; and the weight pictures
 * (`GET /api/models/:id/weight`): histogram, heatmap of a 2-D weight, mosaic of conv filters,
 * drawn by the same renderers as `nnlens weights`.
 */
import type { Attribute, Model, Node, Param } from '../graph/ir.ts';
import { shapeText } from '../graph/ir.ts';
import { opInfo } from '../graph/ops.ts';
import type { Tensor } from '../graph/tensor.ts';
import { allWeights, histogram, isWeight, weightStats, type LayerParam, type WeightStats } from '../inspect/weights.ts';
import { canonicalKernel, filterMosaic, filterMosaicSvg } from '../render/filters.ts';
import { formatShape } from '../render/format.ts';
import { heatmapSvg } from '../render/heatmap.ts';
import { histogramSvg } from '../render/histogram.ts';
import type { AttributeJson, HistogramJson, NodeJson, PortJson, WeightJson } from './api-types.ts';
import { HttpError } from './http.ts';

/** Statistics already computed, per tensor (weights do not change while the server runs). */
const statsCache = new WeakMap<Tensor, WeightStats>();

function statsOf(t: Tensor): WeightStats {
  let s = statsCache.get(t);
  if (!s) { s = weightStats(t.float32()); statsCache.set(t, s); }
  return s;
}

/** Longest attribute text sent (big lists and JSON configs are cut). */
const MAX_TEXT = 400;

function cut(s: string): string { return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}\u2026` : s; }

/** An attribute as display text. */
export function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'int': case 'float': return String(a.value);
    case 'string': return cut(a.value);
    case 'ints': case 'floats': return cut(`[${a.value.join(', ')}]`);
    case 'strings': return cut(`[${a.value.map((s) => JSON.stringify(s)).join(', ')}]`);
    case 'tensor': {
      const t = a.value;
      const small = t.size <= 16 && (t.dtype.startsWith('float') || t.dtype.startsWith('int') || t.dtype.startsWith('uint'));
      return `${t.dtype} ${formatShape([...t.shape])}${small ? ` = [${Array.from(t.float32(), (v) => String(Number(v.toPrecision(6)))).join(', ')}]` : ''}`;
    }
    case 'graph': return `subgraph '${a.value.name}' (${a.value.nodes.length} nodes)`;
    case 'graphs': return `${a.value.length} subgraphs`;
    case 'json': return cut(JSON.stringify(a.value));
  }
}

/** The pictures that make sense for a weight of `node`. */
function viewsOf(node: Node, p: Param): WeightJson['views'] {
  const rank = p.tensor.shape.length;
  const views: WeightJson['views'] = ['histogram'];
  if (rank === 2) views.push('heatmap');
  if (opInfo(node).kernel && rank >= 3 && rank <= 5) views.push('filters');
  return views;
}

/**
 * The inspector's facts about one node.
 * @throws HttpError 404 when the model has no such node
 */
export function nodeJson(model: Model, name: string): NodeJson {
  const g = model.graph;
  const node = g.nodes.find((n) => n.name === name);
  if (!node) throw new HttpError(404, `no node named '${name}' in ${model.path}`);
  const info = opInfo(node);
  const port = (v: string): PortJson => {
    const vi = g.values.get(v);
    return { name: v, shape: shapeText(vi?.shape ?? vi?.initializer?.shape as number[] | undefined), ...(vi?.dtype ? { dtype: vi.dtype } : {}), ...(vi?.initializer ? { weight: true } : {}) };
  };
  const weights: WeightJson[] = node.params.filter(isWeight).map((p) => ({
    name: p.name, role: p.role, shape: [...p.tensor.shape], dtype: p.tensor.dtype, trainable: p.trainable,
    ...statsOf(p.tensor), views: viewsOf(node, p),
  }));
  const attributes: AttributeJson[] = Object.entries(node.attributes).map(([k, a]) => ({ name: k, type: a.type, value: attributeText(a) }));
  const out: NodeJson = {
    name: node.name, op: node.op, domain: node.domain, category: info.category, description: info.description,
    group: node.group, attributes, inputs: node.inputs.filter(Boolean).map(port), outputs: node.outputs.filter(Boolean).map(port),
    params: node.params.reduce((s, p) => s + p.tensor.size, 0), weights,
  };
  if (node.opaque) out.opaque = node.opaque;
  const rank = g.values.get(node.outputs[0] ?? '')?.shape?.length;
  if (rank !== undefined) out.outputRank = rank;
  return out;
}

/** Finds a weight by name. */
export function findWeight(model: Model, name: string): LayerParam {
  const w = allWeights(model).find((x) => x.param.name === name);
  if (!w) throw new HttpError(404, `no weight named '${name}' in ${model.path}`);
  return w;
}

/**
 * Histogram of a weight's values.
 * @example weightHistogram(findWeight(model, 'fc.weight'), 60).counts.length === 60
 */
export function weightHistogram(w: LayerParam, bins = 60): HistogramJson {
  const h = histogram(w.param.tensor.float32(), bins);
  return { name: w.param.name, edges: h.edges, counts: h.counts };
}

/**
 * A weight picture as SVG: histogram, heatmap (2-D weights) or filter mosaic (conv kernels).
 * @throws HttpError 400 when the view does not apply to this weight
 */
export function weightSvg(w: LayerParam, view: string): string {
  const { node, param } = w;
  const t = param.tensor, shape = [...t.shape];
  const title = `${param.name} ${formatShape(shape)}`;
  if (view === 'histogram') {
    const values = t.float32();
    const s = statsOf(t);
    const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));
    return histogramSvg([{ title, ...histogram(values, 60), caption: `mean ${num(s.mean)}  std ${num(s.std)}  min ${num(s.min)}  max ${num(s.max)}  zeros ${(s.zeros * 100).toFixed(1)}%` }], 1);
  }
  if (view === 'heatmap') {
    if (shape.length !== 2) throw new HttpError(400, `a heatmap needs a 2-D weight; '${param.name}' has shape ${formatShape(shape)}`);
    return heatmapSvg(t.float32(), shape[0]!, shape[1]!, { title, caption: `${node.op} ${node.name}: ${param.role}; blue < 0 < red`, yLabel: `dim 0 (${shape[0]})`, xLabel: `dim 1 (${shape[1]})` });
  }
  if (view === 'filters') {
    const layout = opInfo(node).kernel;
    if (!layout || shape.length < 3 || shape.length > 5) throw new HttpError(400, `'${param.name}' is not a convolution kernel`);
    const k = canonicalKernel(t.float32(), shape, layout);
    return filterMosaicSvg(filterMosaic(k), `${node.name} (${node.op}) ${title}`, k);
  }
  throw new HttpError(400, `view must be histogram, heatmap or filters, got '${view}'`);
}
