/**
 * Lays out a view in the layout worker (layout.worker.ts) with the same ELK settings and the same
 * position reading as `nnlens diagram` (src/render/diagram-layout.ts). One worker serves the page;
 * a newer request makes the answer to an older one irrelevant, and the caller drops it.
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { layoutDiagram } from '../../../../src/render/diagram-layout.ts';
import type { Diagram } from '../../../../src/render/diagram-model.ts';

let worker: Worker | undefined;
let counter = 0;
const waiting = new Map<number, { resolve: (g: ElkNode) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'nnlens-layout' });
    worker.onmessage = (e: MessageEvent<{ id: number; graph?: ElkNode; error?: string }>) => {
      const w = waiting.get(e.data.id);
      if (!w) return;
      waiting.delete(e.data.id);
      if (e.data.graph) w.resolve(e.data.graph); else w.reject(new Error(`layout failed: ${e.data.error}`));
    };
    worker.onerror = (e) => {
      for (const w of waiting.values()) w.reject(new Error(`layout worker failed: ${e.message}`));
      waiting.clear();
      worker = undefined;
    };
  }
  return worker;
}

/** Runs ELK on a graph in the worker. */
export function elkInWebWorker(graph: ElkNode): Promise<ElkNode> {
  const id = ++counter;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    getWorker().postMessage({ id, graph });
  });
}

/**
 * Starts the worker and has ELK lay out a small compound graph, so that loading elkjs (1.4 MB)
 * and its first, unoptimized run overlap with the page fetching the model instead of delaying
 * the first drawing.
 */
export function warmUpLayout(): void {
  const box = (id: string) => ({ id, width: 100, height: 30 });
  void elkInWebWorker({
    id: 'warm', layoutOptions: { 'elk.algorithm': 'layered', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.edgeRouting': 'ORTHOGONAL' },
    children: [box('a'), { id: 'g', children: [box('b'), box('c')] }, box('d')],
    edges: [{ id: 'e1', sources: ['a'], targets: ['b'] }, { id: 'e2', sources: ['b'], targets: ['c'] }, { id: 'e3', sources: ['c'], targets: ['d'] }, { id: 'e4', sources: ['a'], targets: ['d'] }],
  }).catch(() => undefined);
}

/**
 * Positions a diagram's boxes, containers and edges (in place).
 * @example await layoutInWorker(view.diagram); view.diagram.width
 */
export function layoutInWorker(d: Diagram): Promise<Diagram> {
  return layoutDiagram(d, elkInWebWorker);
}
