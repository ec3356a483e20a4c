/**
 * What a diagram shows, before layout: one box per view item (node, collapsed group, graph input
 * or output) with its text lines and measured size, containers for expanded groups, and edges.
 * `diagram-layout.ts` positions it with ELK, `diagram-svg.ts` and `diagram-dot.ts` draw it.
 */
import type { Model, Node } from '../graph/ir.ts';
import { isConstantSource, isContainer, viewAt, type ViewContainer, type ViewItem } from '../graph/groups.ts';
import { CATEGORY_STYLES, GROUP_STYLE, opInfo, type CategoryStyle, type OpCategory } from '../graph/ops.ts';
import { formatCount, formatShape } from './format.ts';
import { compactNumber, fitText, textWidth } from './svg.ts';

/** Options shared by every diagram output. */
export interface DiagramOptions {
  /** Collapse groups at this level (1 = top-level modules); undefined draws every node. */
  depth?: number;
  /** Show output shapes in the boxes. */
  shapes?: boolean;
  /** Show node names under their op type. */
  names?: boolean;
  /** Flow direction: top to bottom (default) or left to right. */
  direction?: 'TB' | 'LR';
  /** Draw constant nodes (ONNX `Constant`, TF `Const`) too; by default they are left out, like initializers. */
  constants?: boolean;
  /**
   * Draw expanded groups as labelled containers. Default: when the view has at most
   * {@link CONTAINER_LIMIT} boxes (compound layout costs more on huge graphs).
   */
  containers?: boolean;
}

/** Up to this many boxes, expanded groups are drawn as containers by default. */
export const CONTAINER_LIMIT = 1000;

/** A line of text inside a box. */
export interface TextLine {
  text: string;
  size: number;
  bold?: boolean;
  color?: string;
}

/** A box of the diagram. */
export interface DiagramBox {
  id: string;
  kind: ViewItem['kind'];
  category: OpCategory | 'group';
  style: CategoryStyle;
  lines: TextLine[];
  /** Tooltip: full names and the op's description. */
  title: string;
  /** For collapsed groups: node counts per category (drawn as a strip). */
  mix?: [OpCategory, number][];
  width: number;
  height: number;
  x: number;
  y: number;
}

/** A labelled container around an expanded group's boxes. */
export interface DiagramContainer {
  id: string;
  label: string;
  title: string;
  children: (DiagramBox | DiagramContainer)[];
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An edge, with its route once laid out (absolute coordinates). */
export interface DiagramEdge {
  id: string;
  from: string;
  to: string;
  values: string[];
  points: [number, number][];
}

/** A diagram before (x/y zero) or after layout. */
export interface Diagram {
  title: string;
  subtitle: string;
  direction: 'TB' | 'LR';
  root: DiagramContainer;
  boxes: Map<string, DiagramBox>;
  edges: DiagramEdge[];
  width: number;
  height: number;
}

/** Whether a diagram child is a container. */
export function isDiagramContainer(c: DiagramBox | DiagramContainer): c is DiagramContainer {
  return 'children' in c;
}

const PAD_X = 12, PAD_Y = 6, LINE = 1.3, MIN_W = 120, MAX_W = 260;
const TEXT = '#1f2328', SOFT = '#57606a';

function measure(lines: TextLine[], minWidth = MIN_W): { width: number; height: number; lines: TextLine[] } {
  const inner = MAX_W - 2 * PAD_X;
  const fitted = lines.map((l) => ({ ...l, text: fitText(l.text, inner, l.size, l.bold) }));
  const w = Math.max(...fitted.map((l) => textWidth(l.text, l.size, l.bold)));
  const width = Math.ceil(Math.min(MAX_W, Math.max(minWidth, w + 2 * PAD_X)));
  const height = Math.ceil(2 * PAD_Y + fitted.reduce((s, l) => s + l.size * LINE, 0));
  return { width, height, lines: fitted };
}

function shapeLines(model: Model, values: string[], show: boolean): TextLine[] {
  if (!show || values.length === 0) return [];
  // Distinct shapes only: a shared layer called twice (siamese branches) has two equal outputs.
  const distinct = [...new Set(values.map((v) => formatShape(model.graph.values.get(v)?.shape)))];
  const texts = distinct.slice(0, 2);
  if (distinct.length > 2) texts.push(`+${distinct.length - 2} more`);
  return texts.map((text) => ({ text, size: 10.5, color: SOFT }));
}

/** A short extra for a node's type line: a Keras layer's fused activation (`Dense` + `relu`). */
function activationOf(node: Node): string | undefined {
  const a = node.attributes.activation;
  const v = a?.type === 'string' ? a.value : a?.type === 'json' && typeof a.value === 'string' ? a.value : undefined;
  return v && v !== 'linear' ? v : undefined;
}

function nodeBox(model: Model, item: Extract<ViewItem, { kind: 'node' }>, o: DiagramOptions, inContainer: boolean): DiagramBox {
  const n = item.node;
  const info = opInfo(n);
  const act = activationOf(n);
  const lines: TextLine[] = [{ text: act ? `${n.op} \u00b7 ${act}` : n.op, size: 12, bold: true, color: TEXT }];
  if (o.names && n.name !== n.op) {
    // Inside a drawn container the module path is already written above: show the rest only.
    const prefix = `/${item.path.join('/')}/`;
    let shown = inContainer && item.path.length > 0 && n.name.startsWith(prefix) ? n.name.slice(prefix.length) : n.name;
    // Exporters end names with the op type (`conv1/Conv`); the type is already the first line.
    if (shown !== n.name && shown.endsWith(`/${n.op}`)) shown = shown.slice(0, -n.op.length - 1);
    if (shown !== n.op) lines.push({ text: shown, size: 10.5, color: SOFT });
  }
  const params = n.params.reduce((s, p) => s + p.tensor.size, 0);
  if (params > 0 && n.params.some((p) => p.tensor.dtype.startsWith('float') || p.tensor.dtype === 'bfloat16')) {
    lines.push({ text: `${compactNumber(params)} params`, size: 10.5, color: SOFT });
  }
  lines.push(...shapeLines(model, n.outputs.filter((x) => x), !!o.shapes));
  const m = measure(lines);
  const title = `${n.op}${n.domain && n.domain !== 'ai.onnx' ? ` (${n.domain})` : ''}: ${n.name}\n${info.description}`;
  return { id: item.id, kind: 'node', category: info.category, style: CATEGORY_STYLES[info.category], title, ...m, x: 0, y: 0 };
}

function groupBox(model: Model, item: Extract<ViewItem, { kind: 'group' }>, o: DiagramOptions): DiagramBox {
  const name = item.path[item.path.length - 1]!;
  const counts = new Map<OpCategory, number>();
  for (const n of item.nodes) { const c = opInfo(n).category; counts.set(c, (counts.get(c) ?? 0) + 1); }
  const lines: TextLine[] = [
    { text: name, size: 12, bold: true, color: TEXT },
    { text: `${item.nodes.length} nodes${item.params ? ` \u00b7 ${compactNumber(item.params)} params` : ''}`, size: 10.5, color: SOFT },
    ...shapeLines(model, item.outputs, !!o.shapes),
  ];
  const m = measure(lines, 96);
  const title = `${item.path.join(' > ')}\n${item.nodes.length} nodes, ${formatCount(item.params)} parameters (collapsed group)`;
  return { id: item.id, kind: 'group', category: 'group', style: GROUP_STYLE, title, mix: [...counts].sort((a, b) => b[1] - a[1]), ...m, height: m.height + 6, x: 0, y: 0 };
}

function ioBox(model: Model, item: Extract<ViewItem, { kind: 'input' | 'output' }>, o: DiagramOptions): DiagramBox {
  const v = model.graph.values.get(item.value);
  const lines: TextLine[] = [
    { text: item.kind === 'input' ? 'Input' : 'Output', size: 12, bold: true, color: TEXT },
    { text: item.value, size: 10.5, color: SOFT },
  ];
  if (o.shapes) lines.push({ text: `${formatShape(v?.shape)}${v?.dtype ? ` ${v.dtype}` : ''}`, size: 10.5, color: SOFT });
  const m = measure(lines);
  return { id: item.id, kind: item.kind, category: 'io', style: CATEGORY_STYLES.io, title: `${item.kind === 'input' ? 'Graph input' : 'Graph output'} ${item.value}`, ...m, x: 0, y: 0 };
}

/**
 * Builds the diagram content of a model (boxes sized, not yet positioned).
 * @example const d = buildDiagram(model, { depth: 1, shapes: true }); d.boxes.size
 */
export function buildDiagram(model: Model, o: DiagramOptions = {}): Diagram {
  const view = viewAt(model.graph, { depth: o.depth, hideConstants: !o.constants });
  const outs = new Set(model.graph.outputs);
  const hidden = o.constants ? 0 : model.graph.nodes.filter((n) => isConstantSource(n, outs)).length;
  const boxes = new Map<string, DiagramBox>();
  const withContainers = o.containers ?? view.items.size <= CONTAINER_LIMIT;
  for (const item of view.items.values()) {
    const box = item.kind === 'node' ? nodeBox(model, item, o, withContainers) : item.kind === 'group' ? groupBox(model, item, o) : ioBox(model, item, o);
    boxes.set(box.id, box);
  }
  const convert = (c: ViewContainer): DiagramContainer => {
    const children: (DiagramBox | DiagramContainer)[] = [];
    for (const ch of c.children) {
      if (isContainer(ch)) {
        const sub = convert(ch);
        if (withContainers) children.push(sub); else children.push(...flatten(sub));
      } else children.push(boxes.get(ch.id)!);
    }
    return { id: c.id, label: c.path[c.path.length - 1] ?? '', title: c.path.join(' > '), children, x: 0, y: 0, width: 0, height: 0 };
  };
  const root = convert(view.root);
  // Title: the file name, with its folder when the name says nothing (`model.onnx`, `model.json`).
  const parts = model.path.split(/[\\/]/).filter(Boolean);
  const name = parts.length > 1 && /^model\./i.test(parts[parts.length - 1]!) ? parts.slice(-2).join('/') : parts.pop() ?? model.path;
  let params = 0;
  const seen = new Set<unknown>();
  for (const n of model.graph.nodes) for (const p of n.params) if (!seen.has(p.tensor)) { seen.add(p.tensor); params += p.tensor.size; }
  const graphName = model.graph.name && !/^(main|main_graph|graph|model|torch_jit|torch-jit-export)$/i.test(model.graph.name) ? ` \u00b7 graph ${model.graph.name}` : '';
  const subtitle = `${model.formatLabel}${graphName} \u00b7 ${formatCount(model.graph.nodes.length)} nodes \u00b7 ${formatCount(params)} params${o.depth ? ` \u00b7 depth ${o.depth}` : ''}${hidden ? ` \u00b7 ${formatCount(hidden)} constant nodes not drawn` : ''}`;
  return {
    title: name, subtitle, direction: o.direction ?? 'TB', root, boxes,
    edges: view.edges.map((e) => ({ ...e, points: [] })), width: 0, height: 0,
  };
}

function flatten(c: DiagramContainer): DiagramBox[] {
  return c.children.flatMap((ch) => (isDiagramContainer(ch) ? flatten(ch) : [ch]));
}
