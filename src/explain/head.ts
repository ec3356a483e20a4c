/**
 * The head of a network above a layer, as its own engine: the part of the executable graph that
 * turns the layer's activation A into the target tensor. Gradient-based CAM methods need only A
 * and d target / d A; once a forward pass has captured A (the explain orchestrator runs one anyway,
 * to find each input's top-1 class), the head engine gives d target / d A by running only the
 * layers above A, forward and backward, instead of the whole network again. This is what
 * pytorch-grad-cam gets from its hooks: PyTorch's backward stops at the hooked activation.
 *
 * The head is cut from the executable graph: the nodes the target needs that depend on A, plus the
 * constant nodes they read. Any other tensor they read that does not depend on A (a skip connection
 * from below the layer, a shape computed from the input) is a "boundary" input, captured in the
 * same forward pass and fed to the head. A is fed through an Identity, so it stays an ordinary
 * tensor the engine can capture and differentiate.
 *
 * Heads are cached per (engine, layer tensor, target tensor), so the sessions a head engine
 * compiles are reused by every later explanation on the same engine (the web app re-explains on
 * each change of class or method; batch jobs explain group after group). They are released with
 * the engine that owns them.
 */
import type { Graph, Node, ValueInfo } from '../graph/ir.ts';
import { Engine } from '../engine/engine.ts';

/** A head engine and what it must be fed. */
export interface Head {
  engine: Engine;
  /** The graph input that takes the layer's activation. */
  input: string;
  /** Other tensors the head reads (executable names), fed from the same forward pass. */
  boundary: string[];
}

/** Suffix of the head's input name for a layer tensor. */
const FED = '::fed';

/** Heads cut from each engine, by layer tensor and target (undefined: the target does not depend on the layer). */
const heads = new WeakMap<Engine, Map<string, Head | undefined>>();

/**
 * The head above `layerTensor` that computes `target` (both executable tensor names), or
 * undefined when the target does not depend on the layer. The head is cut once per engine and
 * reused, with the sessions its engine has compiled. `layerRef` keeps resolving in the head
 * engine, so methods can name the layer as the user did.
 * @example const head = headEngine(engine, 'layer4', '/layer4/layer4.2/relu_2/Relu_output_0', 'logits')
 */
export function headEngine(engine: Engine, layerRef: string, layerTensor: string, target: string): Head | undefined {
  const cached = headsOf(engine);
  const key = JSON.stringify([layerTensor, target]);
  if (cached.has(key)) {
    const head = cached.get(key);
    // Another reference to the same tensor (a module path, then the tensor name) resolves too.
    head?.engine.exec.sourceOutputs.set(layerRef, [layerTensor]);
    return head;
  }
  const head = cutHead(engine, layerRef, layerTensor, target);
  cached.set(key, head);
  return head;
}

/**
 * Releases the sessions of every head cut from `engine` (the next {@link headEngine} call cuts
 * afresh). The engine's own dispose does this too.
 * @example await disposeHeads(engine)
 */
export async function disposeHeads(engine: Engine): Promise<void> {
  const cached = heads.get(engine);
  if (!cached) return;
  const all = [...cached.values()];
  cached.clear();
  for (const h of all) await h?.engine.dispose();
}

/** The head cache of `engine`, created on first use together with the release of its heads. */
function headsOf(engine: Engine): Map<string, Head | undefined> {
  let cached = heads.get(engine);
  if (cached) return cached;
  cached = new Map();
  heads.set(engine, cached);
  // Whoever releases an engine (the CLI when done, the web app's engine LRU) releases the heads'
  // compiled sessions with it, instead of leaving them to the garbage collector.
  engine.onDispose(() => disposeHeads(engine));
  return cached;
}

/** Cuts the head (see the file comment). */
function cutHead(engine: Engine, layerRef: string, layerTensor: string, target: string): Head | undefined {
  const g = engine.exec.graph;
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  // Nodes the target needs.
  const needed = new Set<Node>();
  const stack = [target];
  while (stack.length) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.inputs) if (i) stack.push(i);
  }
  // Tensors depending on the layer, and constant tensors (initializers and what only they produce).
  const dependent = new Set([layerTensor]);
  const constant = new Set<string>();
  for (const [name, v] of g.values) if (v.initializer) constant.add(name);
  for (const n of g.nodes) {
    const ins = n.inputs.filter(Boolean);
    if (ins.some((i) => dependent.has(i))) for (const o of n.outputs) dependent.add(o);
    else if (ins.every((i) => constant.has(i)) && !g.inputs.some((x) => ins.includes(x))) for (const o of n.outputs) constant.add(o);
  }
  if (!dependent.has(target)) return undefined;
  const nodes = g.nodes.filter((n) => needed.has(n) && n.outputs.some((o) => dependent.has(o) || constant.has(o)) && !n.outputs.includes(layerTensor));
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const boundary: string[] = [];
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (!i || i === layerTensor || produced.has(i) || g.values.get(i)?.initializer || boundary.includes(i)) continue;
      boundary.push(i);
    }
  }
  const input = `${layerTensor}${FED}`;
  const used = new Set([...nodes.flatMap((n) => [...n.inputs, ...n.outputs]), layerTensor, input, target]);
  const values = new Map<string, ValueInfo>();
  for (const [k, v] of g.values) if (used.has(k)) values.set(k, { ...v });
  values.set(input, { name: input, dtype: 'float32' });
  for (const b of boundary) values.set(b, { name: b, dtype: g.values.get(b)?.dtype ?? 'float32' });
  const feed: Node = { name: `${layerTensor}${FED}/Identity`, op: 'Identity', domain: '', inputs: [input], outputs: [layerTensor], attributes: {}, group: [], params: [] };
  const head: Graph = { name: `${g.name} head above ${layerRef}`, nodes: [feed, ...nodes], inputs: [input, ...boundary], outputs: [target], values };
  const exec = { ...engine.exec, graph: head, sourceOutputs: new Map([[layerRef, [layerTensor]]]) };
  return { engine: new Engine(exec), input, boundary };
}
