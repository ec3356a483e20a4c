/**
 * Control flow with subgraphs (ONNX Operators.md: If, Loop, Scan). The subgraphs are inferred
 * with the enclosing graph's facts in scope (through {@link InferContext.subgraph}); outputs whose
 * shape differs between branches or iterations get unknown dims there.
 */
import type { Graph, Node, Shape } from '../ir.ts';
import { attr } from '../ir.ts';
import { sameDim } from './symbolic.ts';
import type { Fact, InferContext, Rule } from './types.ts';

/** What two facts have in common (a dim known in one and different in the other becomes null). */
function meet(a: Fact | undefined, b: Fact | undefined): Fact {
  const shape: Shape | undefined = a?.shape && b?.shape && a.shape.length === b.shape.length
    ? a.shape.map((d, i) => (sameDim(d, b.shape![i]!) ? d : null))
    : undefined;
  return { dtype: a?.dtype ?? b?.dtype, shape };
}

function graphAttr(node: Node, name: string): Graph | undefined {
  const a = node.attributes[name];
  return a?.type === 'graph' ? a.value : undefined;
}

function subgraph(ctx: InferContext, g: Graph | undefined, inputs: (Fact | undefined)[]): Fact[] | undefined {
  return g && ctx.subgraph ? ctx.subgraph(g, inputs) : undefined;
}

/** If: each output is what the then- and else-branch outputs have in common. */
const ifOp: Rule = (node, _inputs, ctx) => {
  const then = subgraph(ctx, graphAttr(node, 'then_branch'), []);
  const other = subgraph(ctx, graphAttr(node, 'else_branch'), []);
  return node.outputs.map((_, i) => meet(then?.[i], other?.[i]));
};

/**
 * Loop(M, cond, v_initial...): body(iter, cond, v...) -> (cond, v..., scan...). Final loop-carried
 * values are what the initial and updated values have in common; scan outputs get a leading
 * iteration-count dim (M when it is a known constant).
 */
const loop: Rule = (node, inputs, ctx) => {
  const carried = inputs.slice(2);
  const body = subgraph(ctx, graphAttr(node, 'body'), [{ dtype: 'int64', shape: [] }, { dtype: 'bool', shape: [] }, ...carried]);
  const trip = inputs[0]?.value?.[0] ?? null;
  return node.outputs.map((_, i) => {
    if (i < carried.length) return meet(carried[i], body?.[1 + i] ?? carried[i]);
    const s = body?.[1 + i];
    return { dtype: s?.dtype, shape: s?.shape && [trip, ...s.shape] };
  });
};

/** Scan (opset 9+): N state variables, then scan inputs iterated along `scan_input_axes` (default 0). */
const scan: Rule = (node, inputs, ctx) => {
  const m = attr(node, 'num_scan_inputs', 'int', 0);
  const n = inputs.length - m;
  const axes = attr(node, 'scan_input_axes', 'ints', new Array(m).fill(0));
  const scanned = inputs.slice(n).map((x, j) => {
    const a = axes[j] ?? 0;
    return { dtype: x?.dtype, shape: x?.shape && x.shape.filter((_, i) => i !== (a < 0 ? a + x.shape!.length : a)) };
  });
  const first = inputs[n]?.shape;
  const seq = first ? (first[(axes[0] ?? 0) < 0 ? (axes[0] ?? 0) + first.length : (axes[0] ?? 0)] ?? null) : null;
  const body = subgraph(ctx, graphAttr(node, 'body'), [...inputs.slice(0, n), ...scanned]);
  const outAxes = attr(node, 'scan_output_axes', 'ints', []);
  return node.outputs.map((_, i) => {
    if (i < n) return meet(inputs[i], body?.[i] ?? inputs[i]);
    const s = body?.[i];
    if (!s?.shape) return { dtype: s?.dtype };
    const shape = [...s.shape];
    const a = outAxes[i - n] ?? 0;
    shape.splice(a < 0 ? a + shape.length + 1 : a, 0, seq);
    return { dtype: s.dtype, shape };
  });
};

/** Rules of this family, by ONNX op type. */
export const controlRules: Record<string, Rule> = {
  If: ifOp,
  Loop: loop,
  Scan: scan,
};
