/**
 * Reverse-mode automatic differentiation over an ONNX graph (ARCHITECTURE.md, "Gradients"):
 * the backward pass is appended to the graph as ordinary ONNX nodes, one rule per op family,
 * so that ONNX Runtime runs forward and backward natively.
 *
 * Only nodes on a path from a `wrt` value to the scalar `loss` are differentiated, so an op
 * without a rule is an error only when a gradient actually has to pass through it.
 */
import { NnlensError } from '../../errors.ts';
import type { Graph, Node } from '../../graph/ir.ts';
import type { DType } from '../../graph/tensor.ts';
import { toFloat32 } from '../../graph/tensor.ts';
import type { Emit } from '../emit.ts';
import type { GradContext, GradRule } from './rule.ts';

/** Static facts about forward values, from the shape probe. */
export interface ValueFacts {
  shape(name: string): number[];
  dtype(name: string): DType;
  /** Values of small integer tensors computed at run time (when known). */
  value?(name: string): number[] | undefined;
}

const FLOAT: ReadonlySet<DType> = new Set<DType>(['float32', 'float64', 'float16', 'bfloat16']);

/**
 * Appends to `graph` (through `e`) the nodes computing d`loss`/d`w` for every `w` in `wrt`,
 * and returns the gradient value names in the same order. `loss` must be a float scalar.
 * @example const [gx] = appendBackward(graph, facts, rules, e, 'loss', ['input'])
 */
export function appendBackward(graph: Graph, facts: ValueFacts, rules: ReadonlyMap<string, GradRule>, e: Emit, loss: string, wrt: string[]): string[] {
  const nodes = graph.nodes.slice(); // forward nodes only; backward nodes are appended after
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o) producer.set(o, n);

  // Values the loss depends on (ancestors), through float values only.
  const ancestors = new Set<string>([loss]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!n.outputs.some((o) => ancestors.has(o))) continue;
    for (const x of n.inputs) if (x && isFloat(facts, x)) ancestors.add(x);
  }
  // Values that depend on some wrt value (descendants).
  const descendants = new Set<string>(wrt);
  for (const n of nodes) {
    if (!n.inputs.some((x) => descendants.has(x))) continue;
    for (const o of n.outputs) if (o && isFloat(facts, o)) descendants.add(o);
  }
  const active = (v: string): boolean => ancestors.has(v) && descendants.has(v);

  const parts = new Map<string, string[]>();
  const addPart = (v: string, g: string): void => {
    const list = parts.get(v);
    if (list) list.push(g); else parts.set(v, [g]);
  };
  const gradOf = (v: string): string | undefined => {
    const list = parts.get(v);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) {
      const s = e.op('Sum', list);
      parts.set(v, [s]);
      return s;
    }
    return list[0];
  };

  addPart(loss, e.b.floats([1], facts.shape(loss)));
  const constants = constantNodes(graph);

  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i]!;
    if (!node.outputs.some((o) => active(o))) continue;
    const needed = node.inputs.map((x) => !!x && active(x));
    if (!needed.some(Boolean)) continue;
    const dys = node.outputs.map((o) => (active(o) ? gradOf(o) : undefined));
    if (dys.every((d) => d === undefined)) continue;
    const rule = rules.get(node.op);
    if (!rule || (node.domain && node.domain !== 'ai.onnx')) {
      throw new NnlensError('', `no gradient rule for op ${node.domain ? `${node.domain}.` : ''}${node.op} (node '${node.name}'): a gradient has to pass through it`);
    }
    const ctx: GradContext = {
      node,
      e,
      dy: (k = 0) => dys[k],
      dyOrZeros: (k) => dys[k] ?? e.zeros(facts.shape(node.outputs[k]!)),
      shape: (name) => facts.shape(name),
      dtype: (name) => facts.dtype(name),
      constant: (name) => constantValues(graph, name, constants) ?? facts.value?.(name),
      weights: (name) => graph.values.get(name)?.initializer?.float32(),
    };
    const thunks = rule.grad(ctx);
    node.inputs.forEach((x, k) => {
      if (!needed[k]) return;
      const thunk = thunks[k];
      if (thunk) addPart(x, thunk());
    });
  }

  return wrt.map((w) => gradOf(w) ?? e.zeros(facts.shape(w)));
}

function isFloat(facts: ValueFacts, v: string): boolean {
  try {
    return FLOAT.has(facts.dtype(v));
  } catch {
    return false;
  }
}

/** Values of an initializer or of a Constant node's tensor, as numbers; undefined otherwise. */
export function constantValues(graph: Graph, name: string, constants = constantNodes(graph)): number[] | undefined {
  const v = graph.values.get(name);
  if (v?.initializer) return Array.from(toFloat32(v.initializer.dtype, v.initializer.data()));
  const n = constants.get(name);
  {
    if (n) {
      const a = n.attributes.value;
      if (a?.type === 'tensor') return Array.from(toFloat32(a.value.dtype, a.value.data()));
      const ints = n.attributes.value_ints ?? n.attributes.value_int;
      if (ints?.type === 'ints') return ints.value;
      if (ints?.type === 'int') return [ints.value];
      const fl = n.attributes.value_floats ?? n.attributes.value_float;
      if (fl?.type === 'floats') return fl.value;
      if (fl?.type === 'float') return [fl.value];
    }
  }
  return undefined;
}

/** Constant nodes by output name. */
function constantNodes(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) if (n.op === 'Constant' && n.outputs[0]) m.set(n.outputs[0], n);
  return m;
}
