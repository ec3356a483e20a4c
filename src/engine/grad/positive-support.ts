/**
 * Gradients that are already zero wherever their forward value is <= 0, so that a Relu's
 * backward mask (ARCHITECTURE.md: "Relu backward is a Where") is the identity on them.
 *
 * Why: in Conv -> Relu -> MaxPool (ResNet's stem, VGG, GoogLeNet) the MaxPool backward sends dY
 * only to each window's argmax, where X equals the window maximum Y. Masking dY by Y > 0 on the
 * pooled tensor (4x smaller for a 3x3/2 pool) therefore leaves dX zero wherever X <= 0, and the
 * Relu's own mask on the full-size tensor can be skipped (ResNet-18's stem: a Greater, Cast and
 * Mul over 64x112x112, about 0.7 ms at one thread). The MaxPool rule records such gradients here;
 * the Relu rule asks.
 *
 * Keyed by the graph being differentiated, so that nothing outlives one backward pass.
 */
import type { Graph } from '../../graph/ir.ts';

const known = new WeakMap<Graph, Set<string>>();

/**
 * Records that gradient value `grad` is zero wherever its forward value is <= 0.
 * @example markPositiveSupport(e.b.graph, dx)
 */
export function markPositiveSupport(graph: Graph, grad: string): void {
  let set = known.get(graph);
  if (!set) { set = new Set(); known.set(graph, set); }
  set.add(grad);
}

/**
 * Whether `grad` was recorded by {@link markPositiveSupport} for this graph.
 * @example if (hasPositiveSupport(e.b.graph, dy)) return dy;
 */
export function hasPositiveSupport(graph: Graph, grad: string): boolean {
  return known.get(graph)?.has(grad) ?? false;
}
