/**
 * Diagram benchmark (issue 2, "Done when"): a generated 10,000-node ResNet-like ONNX IR graph
 * gets its SVG diagram (build, ELK layout in a worker, SVG text) within 30 s on the project's
 * 2-core machine. Also times the collapsed views at depth 1 and 2, which users of big models see first.
 */
import { loadavg } from 'node:os';
import { buildDiagram } from '../src/render/diagram-model.ts';
import { layoutDiagram } from '../src/render/diagram-layout.ts';
import { diagramSvg } from '../src/render/diagram-svg.ts';
import { elkInWorker } from '../src/render/elk-node.ts';
import { residualModel } from './synthetic.ts';
import { timed, type BenchMetric, type BenchModule } from './types.ts';

/** Node count of the generated graph. */
export const DIAGRAM_NODES = 10_000;
/** Goal for the full-depth SVG, in seconds. */
export const DIAGRAM_GOAL_S = 30;

/** The diagram benchmark module, listed in bench/run.ts. */
export const diagramBench: BenchModule = {
  name: 'diagram',
  description: `SVG diagram of a generated ${DIAGRAM_NODES.toLocaleString('en-US')}-node ResNet-like graph (ELK layered layout in a worker thread)`,
  async run() {
    const model = residualModel({ nodes: DIAGRAM_NODES });
    const metrics: BenchMetric[] = [];
    const notes: string[] = [`graph: ${model.graph.nodes.length} nodes, ${model.graph.values.size} values`, `load average at start: ${loadavg().map((x) => x.toFixed(1)).join(', ')} (other jobs on the machine slow the wall time; layout and drawing are single-threaded, so on an idle machine the wall time is about the CPU time)`];
    for (const depth of [undefined, 2, 1]) {
      const cpu0 = process.cpuUsage();
      const { ms, value: svg } = await timed(async () => diagramSvg(await layoutDiagram(buildDiagram(model, { depth, shapes: true }), elkInWorker)));
      const cpu = process.cpuUsage(cpu0);
      const label = depth === undefined ? 'full depth (every node), --shapes' : `--depth ${depth}, --shapes`;
      const s = ms / 1000;
      metrics.push(depth === undefined
        ? { label: `${label}, wall time`, value: round(s), unit: 's', goal: `<= ${DIAGRAM_GOAL_S} s`, ok: s <= DIAGRAM_GOAL_S }
        : { label: `${label}, wall time`, value: round(s), unit: 's' });
      // CPU time of the process (all threads) says what the run costs when other jobs share the cores.
      metrics.push({ label: `${label}, CPU time`, value: round((cpu.user + cpu.system) / 1e6), unit: 's' });
      notes.push(`${label}: SVG ${(svg.length / 1e6).toFixed(1)} MB, ${(svg.match(/class="box /g) ?? []).length} boxes`);
    }
    return { metrics, notes };
  },
};

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
