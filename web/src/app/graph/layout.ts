/**
 * Lays out a view in the layout worker (layout.worker.ts) with the same ELK settings and the same
 * position reading as `nnlens diagram` (src/render/diagram-layout.ts). One worker serves the page;
 * a newer request makes the answer to an older one irrelevant, and the caller drops it.
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { elkOptions, layoutDiagram } from '../../../../src/render/diagram-layout.ts';
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
  // A residual stack in three nested containers, like the first view of a ResNet: the code paths
  // a real layout takes get compiled now.
  const box = (id: string) => ({ id, width: 120, height: 40 });
  const children: ElkNode[] = [box('in')];
  const edges: ElkNode['edges'] = [];
  let prev = 'in';
  for (let s = 0; s < 3; s++) {
    const blocks: ElkNode[] = [];
    for (let b = 0; b < 3; b++) {
      const ids = ['a', 'b', 'c', 'd'].map((x) => `s${s}b${b}${x}`);
      blocks.push({ id: `s${s}b${b}`, layoutOptions: { 'elk.padding': '[top=28,left=10,bottom=10,right=10]' }, children: ids.map(box) });
      edges.push({ id: `${ids[0]}i`, sources: [prev], targets: [ids[0]!] }, { id: `${ids[3]}s`, sources: [prev], targets: [ids[3]!] });
      for (let k = 1; k < 4; k++) edges.push({ id: `${ids[k]}e`, sources: [ids[k - 1]!], targets: [ids[k]!] });
      prev = ids[3]!;
    }
    children.push({ id: `s${s}`, layoutOptions: { 'elk.padding': '[top=28,left=10,bottom=10,right=10]' }, children: blocks });
  }
  children.push(box('out'));
  edges.push({ id: 'out', sources: [prev], targets: ['out'] });
  const options = elkOptions({ direction: 'TB' } as Diagram, 40, true);
  void elkInWebWorker({ id: 'warm', layoutOptions: options, children, edges }).catch(() => undefined);
}

/**
 * Positions a diagram's boxes, containers and edges (in place).
 * @example await layoutInWorker(view.diagram); view.diagram.width
 */
export function layoutInWorker(d: Diagram): Promise<Diagram> {
  return layoutDiagram(d, elkInWebWorker);
}
