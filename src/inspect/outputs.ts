/**
 * Reading a model's outputs as a user would (issue 3, `nnlens run`): for a classifier, the top-K
 * classes with probabilities and label names; for anything else, the raw values.
 *
 * Whether scores are logits or probabilities is decided, first source that knows:
 * 1. the model's metadata (`nnlens.output.kind`, `nnlens.task`, docs/model-metadata.md);
 * 2. the graph: an output produced by Softmax or Sigmoid (through shape plumbing such as Reshape,
 *    Flatten, Identity) already holds probabilities;
 * 3. the values: every row within [0, 1] and summing to 1 (to 1e-3) is a probability vector.
 * Otherwise the scores are logits and get a softmax (a single logit with two labels, or
 * `nnlens.task = binary-classification`, gets a sigmoid: p(class 1) = sigmoid(z)).
 */
import { NnlensError } from '../errors.ts';
import type { Graph } from '../graph/ir.ts';
import type { NdArray } from '../engine/ndarray.ts';
import { checkLabelCount, labelOf } from '../io/labels.ts';
import type { ModelFacts } from '../io/preprocess.ts';

/** Ops that pass scores through without changing what they are. */
const PLUMBING = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Cast', 'Dropout', 'Transpose']);

/** One class of a top-K list. */
export interface ClassScore {
  index: number;
  label: string;
  probability: number;
  /** The value the model produced for the class (a logit, or the probability itself). */
  score: number;
}

/** How an output was read. */
export type OutputReading =
  | {
    kind: 'classification';
    name: string;
    shape: number[];
    /** What nnlens applied to get probabilities. */
    applied: 'softmax' | 'sigmoid' | 'none';
    /** What the model's scores are: `logits`, `probabilities`, or independent per-class sigmoids. */
    scores: 'logits' | 'probabilities' | 'multi-label probabilities';
    /** Why nnlens decided so (metadata, the op producing the output, the values). */
    reason: string;
    classes: number;
    /** Top-K per sample. */
    top: ClassScore[][];
  }
  | {
    kind: 'values';
    name: string;
    shape: number[];
    dtype: string;
    /** Why the output is shown as values. */
    reason: string;
    /** Values per sample (at most `maxValues` each). */
    values: number[][];
    truncated: boolean;
  };

/** What {@link readOutput} knows besides the array. */
export interface OutputContext {
  name: string;
  /** The model's metadata facts. */
  facts?: ModelFacts;
  /** Class names and where they came from (named when their count is wrong). */
  labels?: { names: string[]; source: string };
  /** The executable graph, to see which op produced the output. */
  graph?: Graph;
  /** Classes kept per sample (default 5). */
  top?: number;
  /** Values kept per sample for non-classifier outputs (default 1000). */
  maxValues?: number;
  /** The model file, named in errors about its metadata. */
  modelFile?: string;
}

/**
 * The op that produced `tensor`, looking through shape plumbing; undefined for graph inputs.
 * @example producerOp(graph, 'probs') // 'Softmax'
 */
export function producerOp(graph: Graph, tensor: string): string | undefined {
  let t = tensor;
  for (let hops = 0; hops < 32; hops++) {
    const n = graph.nodes.find((x) => x.outputs.includes(t));
    if (!n) return undefined;
    if (!PLUMBING.has(n.op) || !n.inputs[0]) return n.op;
    t = n.inputs[0];
  }
  return undefined;
}

/**
 * Numerically stable softmax of one row: exp(z - max z) / sum, so large logits cannot overflow.
 * @example softmax([1, 2, 3]) // [0.090, 0.245, 0.665]
 */
export function softmax(z: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]!);
  const out = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) { out[i] = Math.exp(z[i]! - m); s += out[i]!; }
  for (let i = 0; i < z.length; i++) out[i]! /= s;
  return out;
}

/** Logistic sigmoid, written so that neither branch overflows. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Whether every row of a [N, K] array is a probability vector (entries in [0, 1], sum 1 to `tol`).
 * @example isProbabilityRows(Float32Array.of(0.2, 0.8), 1, 2) // true
 */
export function isProbabilityRows(v: ArrayLike<number>, rows: number, cols: number, tol = 1e-3): boolean {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const x = v[r * cols + c]!;
      if (!(x >= 0 && x <= 1)) return false;
      s += x;
    }
    if (Math.abs(s - 1) > tol) return false;
  }
  return true;
}

function numbers(a: NdArray): Float64Array | undefined {
  if (Array.isArray(a.data)) return undefined;
  const d = a.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float64Array.from(d, Number);
  return Float64Array.from(d as ArrayLike<number>);
}

/**
 * Reads one model output: a classification (top-K with probabilities and labels) or values.
 * @throws NnlensError when labels do not match the number of classes
 * @example readOutput(outputs.logits, { name: 'logits', facts, labels, graph: engine.exec.graph, top: 5 })
 */
export function readOutput(a: NdArray, ctx: OutputContext): OutputReading {
  const facts = ctx.facts ?? { preprocess: {} };
  const v = numbers(a);
  const shape = a.shape;
  const n = shape.length >= 1 ? shape[0]! : 1;
  const values = (reason: string): OutputReading => {
    const per = Math.max(1, n > 0 ? (v?.length ?? 0) / n : 0);
    const max = ctx.maxValues ?? 1000;
    const rows = v ? Array.from({ length: shape.length === 0 ? 1 : n }, (_, i) => [...v.subarray(i * per, i * per + Math.min(per, max))]) : [];
    return { kind: 'values', name: ctx.name, shape, dtype: a.dtype, reason, values: rows, truncated: per > max };
  };
  if (!v) return values(`${a.dtype} output`);
  if (facts.task === 'regression') return values('metadata nnlens.task = regression');
  if (shape.length !== 2 || !a.dtype.startsWith('float')) {
    if (facts.task) throw new NnlensError(ctx.modelFile ?? ctx.name, `the metadata says ${facts.task}, but output '${ctx.name}' has shape [${shape.join(', ')}] (${a.dtype}); expected [N, classes]`);
    return values(shape.length !== 2 ? `rank-${shape.length} output` : `${a.dtype} output`);
  }
  const k = shape[1]!;
  const op = ctx.graph ? producerOp(ctx.graph, ctx.name) : undefined;
  const labelCount = ctx.labels?.names.length;

  if (k === 1) {
    const binary = facts.task === 'binary-classification' || facts.task === 'classification' || op === 'Sigmoid' || labelCount === 2;
    if (!binary) return values('one value per sample (no nnlens.task metadata, no Sigmoid, no two labels: read as regression)');
    const isProb = facts.outputKind ? facts.outputKind === 'probabilities' : op === 'Sigmoid';
    const reason = facts.outputKind ? `metadata nnlens.output.kind = ${facts.outputKind}` : op === 'Sigmoid' ? 'the output comes from a Sigmoid' : facts.task === 'binary-classification' ? 'metadata nnlens.task = binary-classification' : 'one output and two labels: a single logit';
    if (ctx.labels) checkLabelCount(ctx.labels.names, 2, ctx.labels.source);
    const top = Array.from({ length: n }, (_, i) => {
      const p1 = isProb ? v[i]! : sigmoid(v[i]!);
      const both: ClassScore[] = [
        { index: 1, label: labelOf(ctx.labels?.names, 1), probability: p1, score: v[i]! },
        { index: 0, label: labelOf(ctx.labels?.names, 0), probability: 1 - p1, score: isProb ? 1 - v[i]! : -v[i]! },
      ];
      return both.sort((x, y) => y.probability - x.probability).slice(0, Math.max(1, ctx.top ?? 5));
    });
    return { kind: 'classification', name: ctx.name, shape, applied: isProb ? 'none' : 'sigmoid', scores: isProb ? 'probabilities' : 'logits', reason, classes: 2, top };
  }

  let scores: 'logits' | 'probabilities' | 'multi-label probabilities';
  let reason: string;
  if (facts.outputKind) { scores = facts.outputKind; reason = `metadata nnlens.output.kind = ${facts.outputKind}`; }
  else if (op === 'Softmax') { scores = 'probabilities'; reason = 'the output comes from a Softmax'; }
  else if (op === 'Sigmoid') { scores = 'multi-label probabilities'; reason = 'the output comes from a Sigmoid (independent per-class probabilities)'; }
  else if (isProbabilityRows(v, n, k)) { scores = 'probabilities'; reason = 'every row is in [0, 1] and sums to 1'; }
  else { scores = 'logits'; reason = op ? `the output comes from ${op}, not a Softmax, and its rows are not probabilities` : 'its rows are not probabilities'; }
  if (ctx.labels) checkLabelCount(ctx.labels.names, k, ctx.labels.source);
  const K = Math.min(k, Math.max(1, ctx.top ?? 5));
  const top = Array.from({ length: n }, (_, i) => {
    const row = v.subarray(i * k, (i + 1) * k);
    const p = scores === 'logits' ? softmax(row) : row;
    return topK(p, K).map((c) => ({ index: c, label: labelOf(ctx.labels?.names, c), probability: p[c]!, score: row[c]! }));
  });
  return { kind: 'classification', name: ctx.name, shape, applied: scores === 'logits' ? 'softmax' : 'none', scores, reason, classes: k, top };
}

/**
 * Indices of the `k` largest values, largest first (ties: lower index first).
 * @example topK([0.1, 0.7, 0.2], 2) // [1, 2]
 */
export function topK(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  // NaN sorts last, so a broken output does not masquerade as the top class.
  const key = (i: number) => (Number.isNaN(v[i]!) ? -Infinity : v[i]!);
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return idx.slice(0, k);
}
