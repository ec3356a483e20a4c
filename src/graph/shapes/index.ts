/**
 * Static shape and dtype inference over an IR graph (ONNX ops of the default and `ai.onnx.ml`
 * domains, and TF ops of TF.js graph models). Every value the model does not describe gets a
 * dtype and shape where its producer's rule can tell; symbolic dims stay symbolic (`batch`),
 * unknown dims are null. Small integer tensors are evaluated on the way, so that shape-computing
 * subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) give real shapes.
 */
import type { Graph, Model, Node, ValueInfo } from '../ir.ts';
import { valueOf } from '../ir.ts';
import { tensorFact } from './fold.ts';
import { sameDim } from './symbolic.ts';
import { SHAPE_RULES, ruleKey } from './table.ts';
import { numericShape, type Fact, type InferContext } from './types.ts';

export type { Fact } from './types.ts';

/** What inference could not do, for warnings and tests. */
export interface ShapeReport {
  /** Ops with no rule (`domain:op` keys); their outputs keep unknown shapes. */
  unknownOps: Set<string>;
  /** Nodes whose rule rejected its inputs: `node 'name' (Op): problem`. */
  problems: string[];
  /** Values whose stated shape disagrees with the inferred one (the stated shape is kept). */
  conflicts: { value: string; stated: ValueInfo['shape']; inferred: ValueInfo['shape'] }[];
}

/**
 * Fills in `dtype` and `shape` of the model's values (mutating the graph), and adds one warning
 * per kind of problem to `model.warnings`.
 * @example const m = await openModel('model.onnx'); inferShapes(m); m.graph.values.get('logits')?.shape
 */
export function inferShapes(model: Model): void {
  const report = inferShapesWithReport(model);
  if (report.unknownOps.size) {
    model.warnings.push(`shape inference: no rule for ${[...report.unknownOps].sort().join(', ')}; their outputs have unknown shapes`);
  }
  if (report.problems.length) {
    const more = report.problems.length > 3 ? ` (and ${report.problems.length - 3} more)` : '';
    model.warnings.push(`shape inference: ${report.problems.slice(0, 3).join('; ')}${more}`);
  }
}

/** {@link inferShapes}, returning what it could not do instead of adding warnings. */
export function inferShapesWithReport(model: Model): ShapeReport {
  const report: ShapeReport = { unknownOps: new Set(), problems: [], conflicts: [] };
  inferGraph(model.graph, model.opsets ?? {}, () => undefined, report);
  return report;
}

/**
 * Infers the facts of every value of `graph` without changing the model it came from (the graph
 * is mutated: pass a copy). Used by the engine to get concrete shapes for gradient graphs once
 * the input shapes are bound.
 */
export function inferFacts(graph: Graph, opsets: Record<string, number>): Map<string, Fact> {
  return inferGraph(graph, opsets, () => undefined, { unknownOps: new Set(), problems: [], conflicts: [] });
}

/** Infers one graph; `outer` resolves names of enclosing graphs (subgraphs see them). */
function inferGraph(graph: Graph, opsets: Record<string, number>, outer: (name: string) => Fact | undefined, report: ShapeReport): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  for (const v of graph.values.values()) {
    if (v.initializer) facts.set(v.name, tensorFact(v.initializer));
    else if (v.shape || v.dtype) facts.set(v.name, { dtype: v.dtype, shape: v.shape });
  }
  const lookup = (name: string): Fact | undefined => facts.get(name) ?? outer(name);
  for (const node of topologicalOrder(graph)) {
    const key = ruleKey(node.domain, node.op);
    const ctx: InferContext = {
      opset: opsets[node.domain === 'ai.onnx' ? '' : node.domain] ?? 0,
      subgraph: (g, inputs) => {
        g.inputs.forEach((name, i) => {
          const v = valueOf(g, name);
          const given = inputs[i];
          if (given) { v.dtype ??= given.dtype; v.shape ??= given.shape && [...given.shape]; }
        });
        const inner = inferGraph(g, opsets, lookup, report);
        return g.outputs.map((o) => inner.get(o) ?? {});
      },
    };
    const rule = SHAPE_RULES[key];
    let outs: Fact[] = [];
    if (!rule) {
      report.unknownOps.add(key);
    } else {
      try {
        outs = rule(node, node.inputs.map((i) => (i ? lookup(i) : undefined)), ctx);
      } catch (e) {
        report.problems.push(`node '${node.name}' (${node.op}): ${(e as Error).message}`);
      }
    }
    node.outputs.forEach((name, i) => {
      if (name) facts.set(name, settle(valueOf(graph, name), outs[i], report));
    });
  }
  return facts;
}

/**
 * Records an inferred fact on a value. What the model states wins; inference fills what it left
 * out (the whole shape, or dims it left unknown). The folded value is kept only when it is a
 * value of the settled shape.
 */
function settle(v: ValueInfo, inferred: Fact | undefined, report: ShapeReport): Fact {
  const f = inferred ?? {};
  v.dtype ??= f.dtype;
  if (!v.shape) {
    if (f.shape) v.shape = [...f.shape];
  } else if (f.shape) {
    const stated = v.shape;
    if (stated.length !== f.shape.length || stated.some((d, i) => typeof d === 'number' && typeof f.shape![i] === 'number' && d !== f.shape![i])) {
      report.conflicts.push({ value: v.name, stated: [...stated], inferred: [...f.shape] });
    } else {
      v.shape = stated.map((d, i) => d ?? f.shape![i]!);
    }
  }
  const s = numericShape(v.shape);
  const keep = f.value && s && f.shape && s.length === f.shape.length && s.every((d, i) => sameDim(d, f.shape![i]!));
  return { dtype: v.dtype, shape: v.shape, value: keep ? f.value : undefined };
}

/**
 * Nodes in dependency order. ONNX requires graphs to be sorted already, TF GraphDefs do not; Kahn's
 * algorithm keeps the file's order where it is free to. Nodes on cycles (TF while loops) come last,
 * in file order.
 */
function topologicalOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => { if (o) producer.set(o, i); }));
  const pending = graph.nodes.map((n, i) => new Set(n.inputs.map((x) => producer.get(x)).filter((p): p is number => p !== undefined && p !== i)).size);
  const users = graph.nodes.map((): number[] => []);
  graph.nodes.forEach((n, i) => {
    const deps = new Set(n.inputs.map((x) => producer.get(x)).filter((p): p is number => p !== undefined && p !== i));
    for (const p of deps) users[p]!.push(i);
  });
  const order: number[] = [];
  const done = new Uint8Array(graph.nodes.length);
  const queue = pending.flatMap((c, i) => (c === 0 ? [i] : []));
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    order.push(i);
    done[i] = 1;
    for (const u of users[i]!) if (--pending[u]! === 0) queue.push(u);
  }
  graph.nodes.forEach((_, i) => { if (!done[i]) order.push(i); });
  return order.map((i) => graph.nodes[i]!);
}
