/**
 * Concrete shapes and dtypes of every tensor of a graph for given input shapes, measured by one
 * forward run that exposes every intermediate tensor. Gradient rules then work with exact static
 * shapes (broadcast axes, window sizes), whatever symbolic dims the model declared.
 */
import type { Graph } from '../graph/ir.ts';
import { inferFacts, type Fact } from '../graph/shapes/index.ts';
import type { DType } from '../graph/tensor.ts';
import type { ValueFacts } from './grad/autodiff.ts';
import type { NdArray } from './ndarray.ts';
import { cloneGraph } from './exec.ts';
import { Session } from './session.ts';

/** Facts measured by a probe run. */
export class ProbedFacts implements ValueFacts {
  constructor(
    private readonly shapes: Map<string, number[]>,
    private readonly dtypes: Map<string, DType>,
    private readonly smallInts = new Map<string, number[]>(),
  ) {}
  /** Values of a small integer tensor measured by the probe (shape arithmetic: Slice starts, Reshape targets...). */
  value(name: string): number[] | undefined { return this.smallInts.get(name); }
  shape(name: string): number[] {
    const s = this.shapes.get(name);
    if (!s) throw new Error(`no shape known for tensor '${name}'`);
    return s;
  }
  dtype(name: string): DType {
    const d = this.dtypes.get(name);
    if (!d) throw new Error(`no dtype known for tensor '${name}'`);
    return d;
  }
  /** Records a tensor created after the probe (target subgraphs). */
  set(name: string, dtype: DType, shape: number[]): void { this.shapes.set(name, shape); this.dtypes.set(name, dtype); }
  has(name: string): boolean { return this.shapes.has(name); }
}

/**
 * Runs `graph` once on `feeds` with every node output exposed and records shapes and dtypes
 * (initializers and inputs included).
 */
export async function probe(graph: Graph, opsets: Record<string, number>, feeds: Record<string, NdArray>, label: string): Promise<ProbedFacts> {
  const shapes = new Map<string, number[]>(), dtypes = new Map<string, DType>(), smallInts = new Map<string, number[]>();
  for (const v of graph.values.values()) {
    if (v.initializer) { shapes.set(v.name, [...v.initializer.shape]); dtypes.set(v.name, v.initializer.dtype); }
  }
  for (const [name, a] of Object.entries(feeds)) { shapes.set(name, a.shape); dtypes.set(name, a.dtype); }
  const g = cloneGraph(graph);
  const all = new Set<string>(g.outputs);
  for (const n of g.nodes) for (const o of n.outputs) if (o && !shapes.has(o)) all.add(o);
  g.outputs = [...all];
  // Outputs need no declared type: ORT infers them.
  for (const o of g.outputs) { const v = g.values.get(o); if (v && !graph.outputs.includes(o)) g.values.set(o, { name: o }); }
  const session = await Session.create(g, opsets, label);
  try {
    const out = await session.run(feeds, label);
    for (const [name, a] of Object.entries(out)) {
      shapes.set(name, a.shape);
      dtypes.set(name, a.dtype);
      // Shape-computing subgraphs produce small int tensors; rules that need them as constants read them here.
      if ((a.dtype === 'int64' || a.dtype === 'int32') && a.data.length <= 64) smallInts.set(name, Array.from(a.data as BigInt64Array, Number));
    }
  } finally {
    await session.dispose();
  }
  return new ProbedFacts(shapes, dtypes, smallInts);
}

/**
 * The same facts from static shape inference (src/graph/shapes) with the input shapes bound, when
 * it determines every node output's shape exactly; undefined otherwise (then {@link probe} runs).
 * Saves a forward pass that materializes every intermediate tensor.
 */
export function staticFacts(graph: Graph, opsets: Record<string, number>, feeds: Record<string, NdArray>): ProbedFacts | undefined {
  const g = cloneGraph(graph);
  for (const [name, v] of g.values) {
    if (v.initializer) continue;
    const feed = feeds[name];
    g.values.set(name, feed ? { name, dtype: feed.dtype, shape: [...feed.shape] } : { name });
  }
  let facts: Map<string, Fact>;
  try {
    facts = inferFacts(g, opsets);
  } catch {
    return undefined;
  }
  const shapes = new Map<string, number[]>(), dtypes = new Map<string, DType>(), smallInts = new Map<string, number[]>();
  for (const v of graph.values.values()) {
    if (v.initializer) { shapes.set(v.name, [...v.initializer.shape]); dtypes.set(v.name, v.initializer.dtype); }
  }
  for (const [name, a] of Object.entries(feeds)) { shapes.set(name, a.shape); dtypes.set(name, a.dtype); }
  for (const n of g.nodes) for (const o of n.outputs) {
    if (!o) continue;
    const f = facts.get(o);
    if (!f?.dtype || !f.shape || !f.shape.every((d) => typeof d === 'number')) return undefined;
    shapes.set(o, f.shape as number[]);
    dtypes.set(o, f.dtype);
    if (f.value && f.value.every((d) => typeof d === 'number') && (f.dtype === 'int64' || f.dtype === 'int32')) smallInts.set(o, f.value as number[]);
  }
  return new ProbedFacts(shapes, dtypes, smallInts);
}
