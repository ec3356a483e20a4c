/**
 * The graph view's model, shared by the page (web/src/app/graph/) and the server (which lays out
 * the opening view ahead of time, graph-layout.ts): from the {@link GraphJson} and the set of
 * expanded groups, the
 * {@link Diagram} to lay out (the same structure `nnlens diagram` draws, so layout, export and
 * colours are shared with the CLI). Collapsed groups are single boxes and only what is expanded
 * is laid out (STYLE.md 10, after TensorBoard's graph plugin), so a 10,000-node graph opens as a
 * dozen boxes. Groups holding one node are transparent: the node stands for them.
 */
import type { GraphJson, ViewLayout } from './api-types.ts';
import type { CategoryStyle, OpCategory } from '../graph/ops.ts';
import { isDiagramContainer, type Diagram, type DiagramBox, type DiagramContainer, type TextLine } from '../render/diagram-model.ts';
import { compactNumber, fitText, textWidth } from '../render/svg.ts';

/** Derived facts about a graph, computed once per model. */
export interface GraphIndex {
  g: GraphJson;
  /** Per group: nodes inside it (all depths). */
  members: number[][];
  /** Per group: child groups. */
  children: number[][];
  /** Per node: its group chain, outermost first, without one-node groups. */
  chain: number[][];
  /** Value name -> producing node. */
  producer: Map<string, number>;
  /** Nodes in graph order per group key, for search and reveal. */
  groupKey: string[];
  /** Group depth (1 = top level). */
  depth: number[];
  /** Node index by name. */
  byName: Map<string, number>;
  /** Group index by key (`layer4/layer4.1`). */
  byKey: Map<string, number>;
}

/**
 * Indexes a graph.
 * @example const ix = indexGraph(await api.graph(id)); ix.members[0].length
 */
export function indexGraph(g: GraphJson): GraphIndex {
  const members: number[][] = g.groups.map(() => []);
  const children: number[][] = g.groups.map(() => []);
  g.groups.forEach((gr, k) => { if (gr.parent >= 0) children[gr.parent]!.push(k); });
  const fullChain = (k: number): number[] => { const c: number[] = []; for (let x = k; x >= 0; x = g.groups[x]!.parent) c.unshift(x); return c; };
  const chains = g.nodes.map((n) => (n.g >= 0 ? fullChain(n.g) : []));
  chains.forEach((c, i) => { for (const k of c) members[k]!.push(i); });
  const chain = chains.map((c) => c.filter((k) => members[k]!.length > 1));
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => { for (const o of n.o) producer.set(o, i); });
  const groupKey = g.groups.map((x) => x.path.join('/'));
  return {
    g, members, children, chain, producer, groupKey, depth: g.groups.map((x) => x.path.length),
    byName: new Map(g.nodes.map((n, i) => [n.n, i])), byKey: new Map(groupKey.map((k, i) => [k, i])),
  };
}

/** What a box of the view stands for. */
export type BoxRef = { kind: 'node'; node: number } | { kind: 'group'; group: number } | { kind: 'input' | 'output'; value: string };

/** A view ready to lay out, with what each box stands for. */
export interface GraphViewModel {
  diagram: Diagram;
  refs: Map<string, BoxRef>;
  /** Box id of each node (its own box, or the collapsed group holding it). */
  boxOfNode: (node: number) => string;
  /** Shape text drawn on each edge. */
  edgeLabels: Map<string, string>;
  /** Colours of the op categories (and of groups). */
  categories: GraphJson['categories'];
  /** The graph this view shows. */
  g: GraphJson;
}

const PAD_X = 12, PAD_Y = 6, MIN_W = 110, MAX_W = 240;
const TEXT = '#1f2328', SOFT = '#57606a';

function measure(lines: TextLine[], minWidth = MIN_W): { width: number; height: number; lines: TextLine[] } {
  const fitted = lines.map((l) => ({ ...l, text: fitText(l.text, MAX_W - 2 * PAD_X, l.size, l.bold) }));
  const w = Math.max(...fitted.map((l) => textWidth(l.text, l.size, l.bold)));
  return {
    width: Math.ceil(Math.min(MAX_W, Math.max(minWidth, w + 2 * PAD_X))),
    height: Math.ceil(2 * PAD_Y + fitted.reduce((s, l) => s + l.size * 1.3, 0)),
    lines: fitted,
  };
}

/** The part of a node name worth showing: `/layer1/layer1.0/conv1/Conv` -> `conv1`. */
export function shortName(name: string, op: string): string {
  const parts = name.split('/').filter(Boolean);
  if (parts.length >= 2 && parts[parts.length - 1]!.startsWith(op)) return parts[parts.length - 2]!;
  return parts[parts.length - 1] ?? name;
}

/**
 * Builds the view for the expanded groups.
 * @example buildView(ix, new Set([0, 3])).diagram.boxes.size
 */
export function buildView(ix: GraphIndex, expanded: ReadonlySet<number>): GraphViewModel {
  const { g } = ix;
  const style = (c: string): CategoryStyle => (g.categories[c] ?? g.categories.custom)!;
  const boxes = new Map<string, DiagramBox>();
  const refs = new Map<string, BoxRef>();
  const root: DiagramContainer = { id: 'c:', label: '', title: '', children: [], x: 0, y: 0, width: 0, height: 0 };
  const containers = new Map<number, DiagramContainer>();
  const container = (path: number[]): DiagramContainer => {
    let c = root;
    for (const k of path) {
      let next = containers.get(k);
      if (!next) {
        const p = g.groups[k]!.path;
        next = { id: `c:${k}`, label: p[p.length - 1]!, title: p.join(' > '), children: [], x: 0, y: 0, width: 0, height: 0 };
        containers.set(k, next);
        c.children.push(next);
      }
      c = next;
    }
    return c;
  };
  const itemOf = new Array<string>(g.nodes.length);
  const add = (box: DiagramBox, ref: BoxRef, path: number[]) => { boxes.set(box.id, box); refs.set(box.id, ref); container(path).children.push(box); };
  for (const v of g.inputs) {
    if (ix.producer.has(v)) continue;
    const m = measure([{ text: 'Input', size: 12, bold: true, color: TEXT }, { text: v, size: 10.5, color: SOFT }, { text: g.shapes[v] ?? '?', size: 10.5, color: SOFT }]);
    add({ id: `in:${v}`, kind: 'input', category: 'io', style: style('io'), title: `Graph input ${v}`, ...m, x: 0, y: 0 }, { kind: 'input', value: v }, []);
  }
  g.nodes.forEach((n, i) => {
    const chain = ix.chain[i]!;
    const cut = chain.findIndex((k) => !expanded.has(k));
    if (cut >= 0) {
      const k = chain[cut]!;
      const id = `g:${k}`;
      itemOf[i] = id;
      if (boxes.has(id)) return;
      const mem = ix.members[k]!;
      const counts = new Map<OpCategory, number>();
      let params = 0;
      for (const j of mem) { const c = g.nodes[j]!.c as OpCategory; counts.set(c, (counts.get(c) ?? 0) + 1); params += g.nodes[j]!.p; }
      const path = g.groups[k]!.path;
      const lines: TextLine[] = [
        { text: path[path.length - 1]!, size: 12, bold: true, color: TEXT },
        { text: `${mem.length} nodes${params ? ` \u00b7 ${compactNumber(params)} params` : ''}`, size: 10.5, color: SOFT },
      ];
      const m = measure(lines, 96);
      add({ id, kind: 'group', category: 'group', style: style('group'), title: `${path.join(' > ')}: ${mem.length} nodes (click to expand)`, mix: [...counts].sort((a, b) => b[1] - a[1]), ...m, height: m.height + 6, x: 0, y: 0 }, { kind: 'group', group: k }, chain.slice(0, cut));
      return;
    }
    const id = `n:${i}`;
    itemOf[i] = id;
    const label = n.a ? `${n.op} \u00b7 ${n.a}` : n.op;
    const short = shortName(n.n, n.op);
    const lines: TextLine[] = [{ text: label, size: 12, bold: true, color: TEXT }];
    if (short && short !== n.op) lines.push({ text: short, size: 10.5, color: SOFT });
    if (n.p > 0) lines.push({ text: `${compactNumber(n.p)} params`, size: 10.5, color: SOFT });
    add({ id, kind: 'node', category: n.c as OpCategory, style: style(n.x ? 'custom' : n.c), title: `${n.op}: ${n.n}`, ...measure(lines), x: 0, y: 0 }, { kind: 'node', node: i }, chain);
  });
  const edges: Diagram['edges'] = [];
  const edgeLabels = new Map<string, string>();
  const pairs = new Map<string, Diagram['edges'][number]>();
  const link = (from: string, to: string, v: string) => {
    const key = `${from}\u0000${to}`;
    const e = pairs.get(key);
    if (e) { if (!e.values.includes(v)) e.values.push(v); return; }
    const edge = { id: `e${edges.length}`, from, to, values: [v], points: [] as [number, number][] };
    pairs.set(key, edge);
    edges.push(edge);
    const shape = g.shapes[v];
    if (shape) edgeLabels.set(edge.id, shape);
  };
  g.nodes.forEach((n, i) => {
    for (const v of n.i) {
      const p = ix.producer.get(v);
      const from = p !== undefined ? itemOf[p]! : boxes.has(`in:${v}`) ? `in:${v}` : undefined;
      if (from && from !== itemOf[i]) link(from, itemOf[i]!, v);
    }
  });
  for (const v of g.outputs) {
    const m = measure([{ text: 'Output', size: 12, bold: true, color: TEXT }, { text: v, size: 10.5, color: SOFT }, { text: g.shapes[v] ?? '?', size: 10.5, color: SOFT }]);
    add({ id: `out:${v}`, kind: 'output', category: 'io', style: style('io'), title: `Graph output ${v}`, ...m, x: 0, y: 0 }, { kind: 'output', value: v }, []);
    const p = ix.producer.get(v);
    const from = p !== undefined ? itemOf[p] : boxes.has(`in:${v}`) ? `in:${v}` : undefined;
    if (from) link(from, `out:${v}`, v);
  }
  const diagram: Diagram = { title: g.title, subtitle: g.subtitle, direction: 'TB', root, boxes, edges, width: 0, height: 0 };
  return { diagram, refs, boxOfNode: (i) => itemOf[i]!, edgeLabels, categories: g.categories, g };
}

/** Most boxes the first view shows: groups open level by level while the view stays this small. */
export const INITIAL_BOXES = 120;

/**
 * The groups to expand when a model opens: whole levels, outermost first, while the view has at
 * most {@link INITIAL_BOXES} boxes.
 */
export function initialExpansion(ix: GraphIndex): Set<number> {
  const expanded = new Set<number>();
  const real = (k: number) => ix.members[k]!.length > 1;
  for (let level = 1; ; level++) {
    const next = ix.g.groups.map((_, k) => k).filter((k) => ix.depth[k] === level && real(k));
    if (next.length === 0) break;
    const trial = new Set([...expanded, ...next]);
    if (buildView(ix, trial).diagram.boxes.size > INITIAL_BOXES) break;
    for (const k of next) expanded.add(k);
  }
  return expanded;
}

/**
 * The box that shows node `i` in the view of `expanded`: its own, or the collapsed group holding it.
 * @example boxOfNode(ix, new Set(), 5) // 'g:0'
 */
export function boxOfNode(ix: GraphIndex, expanded: ReadonlySet<number>, i: number): string {
  const k = ix.chain[i]!.find((g) => !expanded.has(g));
  return k === undefined ? `n:${i}` : `g:${k}`;
}

/** The box that shows group `k`: itself when its ancestors are open, else the outermost closed ancestor; undefined when it is open. */
export function boxOfGroup(ix: GraphIndex, expanded: ReadonlySet<number>, k: number): string | undefined {
  const chain: number[] = [];
  for (let x = k; x >= 0; x = ix.g.groups[x]!.parent) if (ix.members[x]!.length > 1) chain.unshift(x);
  const closed = chain.find((g) => !expanded.has(g));
  return closed === undefined ? undefined : `g:${closed}`;
}

/** The groups that must be open for node `i` to have its own box. */
export function revealNode(ix: GraphIndex, expanded: ReadonlySet<number>, i: number): Set<number> {
  return new Set([...expanded, ...ix.chain[i]!]);
}

/**
 * Nodes whose name or op type contains `q` (case-insensitive), at most `limit`.
 * @example searchNodes(ix, 'conv', 20)
 */
export function searchNodes(ix: GraphIndex, q: string, limit = 50): number[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const out: number[] = [];
  for (let i = 0; i < ix.g.nodes.length && out.length < limit; i++) {
    const n = ix.g.nodes[i]!;
    if (n.op.toLowerCase().includes(s) || n.n.toLowerCase().includes(s)) out.push(i);
  }
  return out;
}

/** Every container of a diagram, outermost first. */
function allContainers(c: DiagramContainer, out: DiagramContainer[] = []): DiagramContainer[] {
  for (const ch of c.children) if (isDiagramContainer(ch)) { out.push(ch); allContainers(ch, out); }
  return out;
}

/**
 * The positions of a laid-out view, to send or keep.
 * @example layoutJson(view.diagram, expanded).boxes['n:0'] // [x, y]
 */
export function layoutJson(d: Diagram, expanded: Iterable<number>): ViewLayout {
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    expanded: [...expanded].sort((a, b) => a - b),
    boxes: Object.fromEntries([...d.boxes.values()].map((b) => [b.id, [r(b.x), r(b.y)]])),
    containers: Object.fromEntries(allContainers(d.root).map((c) => [c.id, [r(c.x), r(c.y), r(c.width), r(c.height)]])),
    edges: Object.fromEntries(d.edges.map((e) => [e.id, e.points.map(([x, y]) => [r(x), r(y)] as [number, number])])),
    width: r(d.width), height: r(d.height),
  };
}

/**
 * Puts the positions of `l` into a view built for the same expansion; false (and nothing changed)
 * when the view's boxes, containers or edges are not the ones laid out.
 */
export function applyLayout(d: Diagram, l: ViewLayout): boolean {
  const containers = allContainers(d.root);
  if (Object.keys(l.boxes).length !== d.boxes.size || containers.some((c) => !l.containers[c.id]) || d.edges.some((e) => !l.edges[e.id])) return false;
  if ([...d.boxes.keys()].some((id) => !l.boxes[id])) return false;
  for (const b of d.boxes.values()) [b.x, b.y] = l.boxes[b.id]!;
  for (const c of containers) [c.x, c.y, c.width, c.height] = l.containers[c.id]!;
  for (const e of d.edges) e.points = l.edges[e.id]!;
  d.width = d.root.width = l.width;
  d.height = d.root.height = l.height;
  return true;
}

/** Whether an expansion is the one a layout was made for. */
export function sameExpansion(a: ReadonlySet<number>, b: readonly number[]): boolean {
  return a.size === b.length && b.every((k) => a.has(k));
}
