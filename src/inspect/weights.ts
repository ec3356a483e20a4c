/**
 * Weight statistics: per parameter tensor its mean, standard deviation, extremes, L2 norm and
 * fraction of zeros (pruned or dead weights), and histograms. Also resolves a user's `--layer`
 * (a node name, a parameter name, or a module path) to parameters.
 *
 * Sums run in float64 with Welford's update (Welford 1962; Knuth TAOCP vol. 2, 4.2.2), so a
 * 100-million-element float32 tensor keeps its mean and variance exact to float32 precision.
 */
import { NnlensError } from '../errors.ts';
import type { Model, Node, Param } from '../graph/ir.ts';
import { groupTree, uniqueParams, type GroupNode } from '../graph/groups.ts';

/** Statistics of one tensor's values. */
export interface WeightStats {
  count: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
  /** sqrt(sum of squares). */
  l2: number;
  /** Fraction of elements exactly 0. */
  zeros: number;
  /** Count of NaN and infinite elements (left out of the other figures). */
  nonFinite: number;
}

/**
 * Statistics of a list of numbers. NaN and infinities are counted apart and left out.
 * @example weightStats(new Float32Array([1, -1, 0, 2])).mean === 0.5
 */
export function weightStats(values: ArrayLike<number>): WeightStats {
  let n = 0, mean = 0, m2 = 0, sq = 0, zeros = 0, bad = 0;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) { bad++; continue; }
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    sq += x * x;
    if (x === 0) zeros++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return { count: 0, mean: NaN, std: NaN, min: NaN, max: NaN, l2: 0, zeros: 0, nonFinite: bad };
  return { count: n, mean, std: Math.sqrt(m2 / n), min, max, l2: Math.sqrt(sq), zeros: zeros / values.length, nonFinite: bad };
}

/** A histogram: `counts[i]` values fall in `[edges[i], edges[i+1])` (the last bin includes its right edge). */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/**
 * Histogram of the finite values over [min, max] in `bins` equal bins.
 * @example histogram(new Float32Array([0, 0.5, 1]), 2) // { edges: [0, 0.5, 1], counts: [1, 2] }
 */
export function histogram(values: ArrayLike<number>, bins = 50, range?: [number, number]): Histogram {
  let lo = range?.[0] ?? Infinity, hi = range?.[1] ?? -Infinity;
  if (!range) for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) { if (x < lo) lo = x; if (x > hi) hi = x; }
  }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x) || x < lo || x > hi) continue;
    counts[Math.min(bins - 1, Math.floor((x - lo) * scale))]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + (i * (hi - lo)) / bins);
  return { edges, counts };
}

/** A parameter with the node it belongs to. */
export interface LayerParam {
  node: Node;
  param: Param;
}

/** Statistics row of `nnlens weights`. */
export interface ParamStats extends WeightStats {
  /** Parameter (tensor) name. */
  name: string;
  node: string;
  op: string;
  role: string;
  shape: number[];
  dtype: string;
  trainable: boolean;
}

/** Whether a parameter holds real numbers (weights), not integer shape constants or strings. */
export function isWeight(p: Param): boolean {
  return p.tensor.dtype.startsWith('float') || p.tensor.dtype === 'bfloat16';
}

/** Every weight of the model (floating-point parameters, shared tensors once), with its node. */
export function allWeights(model: Model): LayerParam[] {
  const out: LayerParam[] = [];
  const seen = new Set<unknown>();
  for (const node of model.graph.nodes) {
    for (const param of node.params) {
      if (!isWeight(param) || seen.has(param.tensor)) continue;
      seen.add(param.tensor);
      out.push({ node, param });
    }
  }
  return out;
}

/**
 * The weights a layer reference names: a node name, a parameter name, or a module path
 * (`layer4`, `layer4/layer4.1`, also written with dots or a leading slash). Unknown names are an
 * NnlensError listing close names.
 * @example resolveLayer(model, 'layer1/layer1.0').length
 */
export function resolveLayer(model: Model, ref: string): LayerParam[] {
  const weights = allWeights(model);
  const byNode = weights.filter((w) => w.node.name === ref);
  if (byNode.length) return byNode;
  const node = model.graph.nodes.find((n) => n.name === ref);
  if (node) throw new NnlensError(model.path, `layer '${ref}' (${node.op}) has no weights`);
  const byParam = weights.filter((w) => w.param.name === ref);
  if (byParam.length) return byParam;
  const path = ref.replace(/^\/+|\/+$/g, '');
  const group = findGroup(groupTree(model.graph), path);
  if (group) {
    const inGroup = new Set(uniqueParams(group.allNodes).map((p) => p.tensor));
    const found = weights.filter((w) => inGroup.has(w.param.tensor));
    if (found.length) return found;
    throw new NnlensError(model.path, `module '${ref}' has no weights`);
  }
  // A module too small to be a group is still a scope of its nodes' names (`/features/features.0/Conv`).
  const inScope = weights.filter((w) => `/${w.node.name.split('/').filter(Boolean).slice(0, -1).join('/')}/`.includes(`/${path}/`));
  if (path && inScope.length) return inScope;
  // PyTorch names weights by module path (`fc_layers.5.weight`), Keras by layer (`dense_1/kernel:0`):
  // a module too small to be a group is still found by that prefix.
  const byPrefix = weights.filter((w) => w.param.name.startsWith(`${ref}.`) || w.param.name.startsWith(`${ref}/`));
  if (byPrefix.length) return byPrefix;
  const names = [...model.graph.nodes.filter((n) => n.params.length).map((n) => n.name), ...weights.map((w) => w.param.name), ...groupKeys(groupTree(model.graph))];
  const close = closest(ref, names, 5);
  throw new NnlensError(model.path, `no layer, weight or module named '${ref}'${close.length ? `; close names: ${close.join(', ')}` : ''}`);
}

function findGroup(root: GroupNode, key: string): GroupNode | undefined {
  const all: GroupNode[] = [];
  const stack = [...root.children];
  while (stack.length) { const g = stack.pop()!; all.push(g); stack.push(...g.children); }
  const exact = all.find((g) => g.key === key || g.path.join('.') === key);
  if (exact) return exact;
  // A module's own name (`layer4.1`) is enough when only one module has it.
  const byLast = all.filter((g) => g.path[g.path.length - 1] === key);
  return byLast.length === 1 ? byLast[0] : undefined;
}

function groupKeys(root: GroupNode): string[] {
  const out: string[] = [];
  const stack = [...root.children];
  while (stack.length) { const g = stack.shift()!; out.push(g.key); stack.push(...g.children); }
  return out;
}

/**
 * The `k` names closest to `ref` by edit distance (case-insensitive), ties broken by order;
 * names containing `ref` (or contained in it) come first, closest in length first.
 */
export function closest(ref: string, names: string[], k: number): string[] {
  const r = ref.toLowerCase();
  const uniq = [...new Set(names)];
  const scored = uniq.map((name, i) => {
    const l = name.toLowerCase();
    const d = l.includes(r) || r.includes(l) ? -1 + Math.abs(l.length - r.length) / 1e4 + i / 1e9 : editDistance(r, l);
    return { name, d };
  });
  scored.sort((a, b) => a.d - b.d);
  return scored.slice(0, k).map((s) => s.name);
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Statistics of each weight in `params` (reads their values).
 * @example paramStats(allWeights(model))[0].std
 */
export function paramStats(params: LayerParam[]): ParamStats[] {
  return params.map(({ node, param }) => ({
    name: param.name,
    node: node.name,
    op: node.op,
    role: param.role,
    shape: [...param.tensor.shape],
    dtype: param.tensor.dtype,
    trainable: param.trainable,
    ...weightStats(param.tensor.float32()),
  }));
}
