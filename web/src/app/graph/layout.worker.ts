/**
 * The graph layout Web Worker: runs ELK's layered algorithm (elkjs) off the main thread, so the
 * page stays responsive while a big view is laid out (STYLE.md 10, after Netron's grapher and
 * TensorBoard's graph plugin). Protocol: `{ id, graph }` in, `{ id, graph }` or `{ id, error }` out.
 *
 * elk.bundled.js runs ELK in this thread through its "fake worker"; importing it also installs
 * ELK's own message handler on `self`, which the assignment below replaces with ours.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

const elk = new ELK();

self.onmessage = (e: MessageEvent<{ id: number; graph: ElkNode }>) => {
  const { id, graph } = e.data;
  elk.layout(graph).then(
    (out) => self.postMessage({ id, graph: out }),
    (err: unknown) => self.postMessage({ id, error: String((err as Error)?.message ?? err) }),
  );
};
