/**
 * Runs ELK in a Node worker thread. Layout of a big graph takes seconds and recurses deeply
 * (elkjs is Java compiled to JavaScript; its depth-first passes recurse once per node on long
 * chains and overflow the default stack near 10,000 nodes), so the worker gets a large stack and
 * the main thread stays free.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { ElkNode } from 'elkjs/lib/elk-api.js';

const ELK_PATH = createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');

// CommonJS worker body: load elkjs, lay out the graph it was given, post the result or the error.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ELK = require(${JSON.stringify(ELK_PATH)});
new ELK().layout(workerData).then(
  (graph) => parentPort.postMessage({ graph }),
  (e) => parentPort.postMessage({ error: String((e && e.message) || e) }));
`;

/** Stack size of the layout worker, in MB. */
export const ELK_STACK_MB = 512;

/**
 * Lays out an ELK graph in a worker thread.
 * @example const laidOut = await elkInWorker({ id: 'root', children: [...], edges: [...] })
 */
export function elkInWorker(graph: ElkNode): Promise<ElkNode> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: graph, resourceLimits: { stackSizeMb: ELK_STACK_MB } });
    let done = false;
    w.once('message', (m: { graph?: ElkNode; error?: string }) => {
      done = true;
      void w.terminate();
      if (m.graph) resolve(m.graph); else reject(new Error(`layout failed: ${m.error}`));
    });
    w.once('error', (e) => { if (!done) { done = true; reject(new Error(`layout failed: ${e.message}`)); } });
    w.once('exit', (code) => { if (!done) reject(new Error(`layout worker exited with code ${code}`)); });
  });
}
