/**
 * Diagram layout with ELK's layered algorithm (Sugiyama-style: layering, crossing minimization,
 * node placement by Brandes-Koepf, orthogonal edge routing; https://eclipse.dev/elk/), through
 * elkjs. Expanded groups become ELK compound nodes laid out together with their contents
 * (`hierarchyHandling: INCLUDE_CHILDREN`), so edges cross group borders cleanly.
 *
 * This file is pure: it converts a {@link Diagram} to an ELK graph and reads positions back. The
 * ELK run itself is a {@link LayoutRunner}: `elk-node.ts` runs it in a worker thread in Node
 * (STYLE.md 10: layout off the main thread); a browser can pass a Web Worker based runner.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { isDiagramContainer, type Diagram, type DiagramBox, type DiagramContainer } from './diagram-model.ts';

/** Runs ELK on a graph and returns the laid-out graph. */
export type LayoutRunner = (graph: ElkNode) => Promise<ElkNode>;

/** Space for a container's label above its contents. */
export const CONTAINER_LABEL = 22;

/** Above this many boxes, cheaper ELK settings keep layout time near-linear. */
export const BIG_GRAPH = 1500;

/**
 * ELK options for a diagram. Model order is kept (graph order of nodes and edges), so the main
 * path of a residual network stays on one side and the layout follows how the model was written.
 */
export function elkOptions(d: Diagram, boxes: number, hierarchical: boolean): Record<string, string> {
  const o: Record<string, string> = {
    'elk.algorithm': 'layered',
    'elk.direction': d.direction === 'LR' ? 'RIGHT' : 'DOWN',
    'elk.edgeRouting': 'ORTHOGONAL',
    'elk.spacing.nodeNode': '20',
    'elk.layered.spacing.nodeNodeBetweenLayers': '30',
    'elk.spacing.edgeNode': '12',
    'elk.spacing.edgeEdge': '8',
    'elk.layered.spacing.edgeNodeBetweenLayers': '12',
    'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
    'elk.padding': '[top=12,left=12,bottom=12,right=12]',
  };
  if (hierarchical) o['elk.hierarchyHandling'] = 'INCLUDE_CHILDREN';
  if (boxes > BIG_GRAPH) {
    // Fewer crossing-minimization sweeps and greedy layering: quality drops a little, time a lot.
    o['elk.layered.thoroughness'] = '1';
    o['elk.layered.layering.strategy'] = 'LONGEST_PATH';
    o['elk.layered.crossingMinimization.greedySwitch.type'] = 'OFF';
  }
  return o;
}

/** Converts a diagram to an ELK graph (sizes only). */
export function toElk(d: Diagram): ElkNode {
  let hierarchical = false;
  const node = (c: DiagramBox | DiagramContainer): ElkNode => {
    if (!isDiagramContainer(c)) return { id: c.id, width: c.width, height: c.height };
    hierarchical = true;
    return {
      id: c.id,
      layoutOptions: { 'elk.padding': `[top=${CONTAINER_LABEL + 6},left=10,bottom=10,right=10]` },
      children: c.children.map(node),
    };
  };
  const children = d.root.children.map(node);
  const edges: ElkExtendedEdge[] = d.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] }));
  return { id: d.root.id, layoutOptions: elkOptions(d, d.boxes.size, hierarchical), children, edges };
}

/**
 * Lays out a diagram in place: sets box and container positions (absolute), edge routes and the
 * drawing size.
 * @example await layoutDiagram(d, elkInWorker); d.width
 */
export async function layoutDiagram(d: Diagram, run: LayoutRunner): Promise<Diagram> {
  const out = await run(toElk(d));
  const abs = new Map<string, [number, number]>([[d.root.id, [0, 0]]]);
  const byId = new Map<string, DiagramBox | DiagramContainer>();
  const index = (c: DiagramBox | DiagramContainer) => {
    byId.set(c.id, c);
    if (isDiagramContainer(c)) c.children.forEach(index);
  };
  d.root.children.forEach(index);
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const ch of n.children ?? []) {
      const x = ox + (ch.x ?? 0), y = oy + (ch.y ?? 0);
      abs.set(ch.id, [x, y]);
      const target = byId.get(ch.id);
      if (target) {
        target.x = x; target.y = y;
        if (isDiagramContainer(target)) { target.width = ch.width ?? 0; target.height = ch.height ?? 0; }
      }
      walk(ch, x, y);
    }
  };
  walk(out, 0, 0);
  const routes = new Map<string, [number, number][]>();
  const collect = (n: ElkNode) => {
    for (const e of (n.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
      const [ox, oy] = abs.get(e.container ?? n.id) ?? [0, 0];
      const pts: [number, number][] = [];
      for (const s of e.sections ?? []) {
        pts.push([s.startPoint.x + ox, s.startPoint.y + oy]);
        for (const b of s.bendPoints ?? []) pts.push([b.x + ox, b.y + oy]);
        pts.push([s.endPoint.x + ox, s.endPoint.y + oy]);
      }
      routes.set(e.id, pts);
    }
    for (const ch of n.children ?? []) collect(ch);
  };
  collect(out);
  for (const e of d.edges) e.points = routes.get(e.id) ?? [];
  d.root.width = out.width ?? 0;
  d.root.height = out.height ?? 0;
  d.width = d.root.width;
  d.height = d.root.height;
  return d;
}
