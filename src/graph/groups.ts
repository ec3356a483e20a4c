/**
 * Module groups and collapsed views of a graph.
 *
 * Nodes carry a module path in `node.group` (`['layer4', 'layer4.1']`). A *view* at depth N shows
 * every group at level N (path length N) as one collapsed item holding its nodes, and the groups
 * above it as containers, as torchinfo's `depth` and Keras's nested-model boxes do. Edges between
 * items are derived from value flow: an edge goes from the item producing a value to each item
 * consuming it. Large graphs stay readable and fast to lay out because collapsed groups are laid
 * out as single boxes (STYLE.md 10, after TensorBoard's graph plugin).
 */
import type { Graph, Node, Param } from './ir.ts';
import { consumers, producers } from './ir.ts';

/** A group of the module tree, with its direct nodes and sub-groups. */
export interface GroupNode {
  /** Module path, outermost first; `[]` for the root. */
  path: string[];
  /** Path joined with `/` (`''` for the root); unique. */
  key: string;
  children: GroupNode[];
  /** Nodes directly in this group (not in sub-groups). */
  nodes: Node[];
  /** Nodes in this group and all its sub-groups, in graph order. */
  allNodes: Node[];
}

/**
 * Builds the module tree of a graph from `node.group`.
 * @example groupTree(model.graph).children.map((g) => g.key) // ['layer1', 'layer2', ...]
 */
export function groupTree(graph: Graph): GroupNode {
  const root: GroupNode = { path: [], key: '', children: [], nodes: [], allNodes: [] };
  const byKey = new Map<string, GroupNode>([['', root]]);
  for (const node of graph.nodes) {
    let g = root;
    g.allNodes.push(node);
    for (let i = 1; i <= node.group.length; i++) {
      const path = node.group.slice(0, i);
      const key = path.join('/');
      let child = byKey.get(key);
      if (!child) {
        child = { path, key, children: [], nodes: [], allNodes: [] };
        byKey.set(key, child);
        g.children.push(child);
      }
      g = child;
      g.allNodes.push(node);
    }
    g.nodes.push(node);
  }
  return root;
}

/** Deepest group level present in the graph (0 when no node is grouped). */
export function maxDepth(graph: Graph): number {
  let d = 0;
  for (const n of graph.nodes) d = Math.max(d, n.group.length);
  return d;
}

/**
 * The distinct parameters of some nodes: a tensor shared by several nodes (an ONNX initializer
 * feeding two ops, a Keras layer called twice) is counted once.
 */
export function uniqueParams(nodes: Iterable<Node>): Param[] {
  const seen = new Set<unknown>();
  const out: Param[] = [];
  for (const n of nodes) {
    for (const p of n.params) {
      if (seen.has(p.tensor) || seen.has(p.name)) continue;
      seen.add(p.tensor);
      seen.add(p.name);
      out.push(p);
    }
  }
  return out;
}

/** Number of parameter elements of some nodes, shared tensors counted once. */
export function paramCount(nodes: Iterable<Node>): number {
  let n = 0;
  for (const p of uniqueParams(nodes)) n += p.tensor.size;
  return n;
}

/** A box of a view: one node, a collapsed group, a graph input or a graph output. */
export type ViewItem =
  | { kind: 'node'; id: string; node: Node; path: string[] }
  | { kind: 'group'; id: string; path: string[]; nodes: Node[]; params: number; outputs: string[] }
  | { kind: 'input' | 'output'; id: string; value: string; path: string[] };

/** An expanded group drawn as a labelled container around its items. */
export interface ViewContainer {
  id: string;
  path: string[];
  /** Items and sub-containers, in graph order. */
  children: (ViewItem | ViewContainer)[];
}

/** An edge of a view: the values flowing from one item to another. */
export interface ViewEdge {
  id: string;
  from: string;
  to: string;
  values: string[];
}

/** A graph seen at some depth. */
export interface GraphView {
  /** The top level (path `[]`). */
  root: ViewContainer;
  /** Every item by id, in graph order. */
  items: Map<string, ViewItem>;
  edges: ViewEdge[];
}

/** Options of {@link viewAt}. */
export interface ViewOptions {
  /** Collapse groups at this level (1 = top-level modules); undefined shows every node. */
  depth?: number;
  /** Add boxes for graph inputs and outputs (default true). */
  io?: boolean;
  /**
   * Leave out constant nodes (ONNX `Constant`, TF `Const`) that only feed other nodes: like
   * initializers, they are data, and exporters emit hundreds of them. Default false.
   */
  hideConstants?: boolean;
}

/** Whether a node is a pure constant source (no inputs, op Constant/Const) and not a graph output. */
export function isConstantSource(n: Node, outputs: ReadonlySet<string>): boolean {
  return (n.op === 'Constant' || n.op === 'Const') && n.inputs.every((i) => !i) && !n.outputs.some((o) => outputs.has(o));
}

/** Whether a view child is a container. */
export function isContainer(c: ViewItem | ViewContainer): c is ViewContainer {
  return 'children' in c;
}

/**
 * Builds the view of `graph` at `depth`: nodes whose group is at least `depth` deep are folded
 * into the group of level `depth` that holds them. A collapsed group of a single node is shown as
 * that node.
 * @example const v = viewAt(model.graph, { depth: 1 }); v.items.size // inputs + top-level nodes and groups + outputs
 */
export function viewAt(graph: Graph, options: ViewOptions = {}): GraphView {
  const depth = options.depth;
  if (depth !== undefined && !(Number.isInteger(depth) && depth >= 1)) throw new Error(`depth must be a whole number >= 1, got ${depth}`);
  const graphOutputs = new Set(graph.outputs);
  const shown = options.hideConstants ? graph.nodes.filter((n) => !isConstantSource(n, graphOutputs)) : graph.nodes;
  const groupSizes = new Map<string, Node[]>();
  if (depth !== undefined) {
    for (const n of shown) {
      if (n.group.length < depth) continue;
      const key = n.group.slice(0, depth).join('/');
      const list = groupSizes.get(key);
      if (list) list.push(n); else groupSizes.set(key, [n]);
    }
  }
  const items = new Map<string, ViewItem>();
  const itemOfNode = new Map<Node, string>();
  const order: ViewItem[] = [];
  const io = options.io ?? true;
  const prod = producers(graph);
  if (io) {
    const cons = consumers(graph);
    for (const v of graph.inputs) {
      if (prod.has(v)) continue;
      // A Keras InputLayer node already stands for this input: no second box.
      const users = cons.get(v) ?? [];
      if (users.length > 0 && users.every((n) => n.op === 'InputLayer' || n.op === 'Input')) continue;
      const it: ViewItem = { kind: 'input', id: `in:${v}`, value: v, path: [] };
      items.set(it.id, it); order.push(it);
    }
  }
  for (const n of shown) {
    const members = depth !== undefined && n.group.length >= depth ? groupSizes.get(n.group.slice(0, depth).join('/')) : undefined;
    if (members && members.length > 1) {
      const path = n.group.slice(0, depth);
      const id = `g:${path.join('/')}`;
      if (!items.has(id)) {
        const it: ViewItem = { kind: 'group', id, path, nodes: members, params: paramCount(members), outputs: [] };
        items.set(id, it); order.push(it);
      }
      itemOfNode.set(n, id);
    } else {
      const id = `n:${n.name}`;
      // A node standing in for a one-node collapsed group sits where that group's box would.
      const path = depth !== undefined && n.group.length >= depth ? n.group.slice(0, depth - 1) : n.group;
      const it: ViewItem = { kind: 'node', id, node: n, path };
      items.set(id, it); order.push(it);
      itemOfNode.set(n, id);
    }
  }
  const edges = deriveEdges(graph, shown, items, itemOfNode, prod, io);
  if (io) {
    for (const v of graph.outputs) {
      const it: ViewItem = { kind: 'output', id: `out:${v}`, value: v, path: [] };
      items.set(it.id, it); order.push(it);
      const p = prod.get(v);
      const from = p ? itemOfNode.get(p) : items.has(`in:${v}`) ? `in:${v}` : undefined;
      if (from) edges.push({ id: `e${edges.length}`, from, to: it.id, values: [v] });
    }
  }
  return { root: containers(order), items, edges };
}

function deriveEdges(graph: Graph, shown: Node[], items: Map<string, ViewItem>, itemOfNode: Map<Node, string>, prod: Map<string, Node>, io: boolean): ViewEdge[] {
  const byPair = new Map<string, ViewEdge>();
  const outputs = new Set(graph.outputs);
  const edges: ViewEdge[] = [];
  for (const n of shown) {
    const to = itemOfNode.get(n)!;
    for (const v of n.inputs) {
      if (!v) continue;
      const p = prod.get(v);
      // Values of hidden nodes (constants) have a producer but no item: no edge.
      const from = p ? itemOfNode.get(p) : io && items.has(`in:${v}`) ? `in:${v}` : undefined;
      if (!from) continue;
      if (from === to) continue;
      const fromItem = items.get(from)!;
      if (fromItem.kind === 'group' && !fromItem.outputs.includes(v)) fromItem.outputs.push(v);
      const key = `${from}\u0000${to}`;
      const e = byPair.get(key);
      if (e) { if (!e.values.includes(v)) e.values.push(v); continue; }
      const edge = { id: `e${edges.length}`, from, to, values: [v] };
      byPair.set(key, edge);
      edges.push(edge);
    }
  }
  // Values leaving a collapsed group as graph outputs are its outputs too.
  for (const v of outputs) {
    const p = prod.get(v);
    const it = p ? items.get(itemOfNode.get(p)!) : undefined;
    if (it?.kind === 'group' && !it.outputs.includes(v)) it.outputs.push(v);
  }
  return edges;
}

/** Nests items into containers by their paths (each prefix of a path is a container). */
function containers(order: ViewItem[]): ViewContainer {
  const root: ViewContainer = { id: 'c:', path: [], children: [] };
  const byKey = new Map<string, ViewContainer>([['', root]]);
  for (const it of order) {
    // A collapsed group sits in the container of its parent path; a node in the container of its path.
    const cpath = it.kind === 'group' ? it.path.slice(0, -1) : it.path;
    let c = root;
    for (let i = 1; i <= cpath.length; i++) {
      const key = cpath.slice(0, i).join('/');
      let next = byKey.get(key);
      if (!next) {
        next = { id: `c:${key}`, path: cpath.slice(0, i), children: [] };
        byKey.set(key, next);
        c.children.push(next);
      }
      c = next;
    }
    c.children.push(it);
  }
  return root;
}
