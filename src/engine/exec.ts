/**
 * Executable graphs. An {@link ExecGraph} is an IR graph of plain ONNX ops plus the map from
 * the source-level nodes the user knows (Keras layers, ONNX nodes) to the executable tensors
 * they produced, so that "capture layer4" or "capture conv2d_1" can name executable tensors.
 */
import { NnlensError } from '../errors.ts';
import type { Graph, Model } from '../graph/ir.ts';
import { LOWERINGS } from './lower/index.ts';

/** A graph ready for ONNX Runtime. */
export interface ExecGraph {
  graph: Graph;
  opsets: Record<string, number>;
  /** The source model (for names, groups, metadata). */
  model: Model;
  /** Source node name -> executable tensor names it produced (outputs of the source node). */
  sourceOutputs: Map<string, string[]>;
  /** Executable tensor name -> layout of the source framework ('NCHW' for ONNX, 'NHWC' for Keras 4-D tensors). */
  layoutOf(tensor: string): 'NCHW' | 'NHWC';
}

/** A lowering from a source format to plain ONNX ops. */
export type Lowering = (model: Model) => ExecGraph;

/**
 * The executable graph of a model: ONNX models as they are; other formats through their lowering
 * (engine/lower/index.ts). Layers that cannot run (Keras Lambda, custom layers) throw here.
 * @example const exec = toExec(await openModel('model.onnx'))
 */
export function toExec(model: Model): ExecGraph {
  if (model.format === 'onnx') {
    const sourceOutputs = new Map(model.graph.nodes.map((n) => [n.name, n.outputs.filter(Boolean)]));
    return { graph: model.graph, opsets: { '': 13, ...model.opsets }, model, sourceOutputs, layoutOf: () => 'NCHW' };
  }
  const lower = LOWERINGS[model.format];
  if (!lower) throw new NnlensError(model.path, `models of format ${model.formatLabel} cannot be executed yet (open and display only)`);
  return lower(model);
}

/** A shallow copy of a graph whose node list and value map can be extended without touching the original. */
export function cloneGraph(g: Graph): Graph {
  return {
    name: g.name,
    nodes: g.nodes.slice(),
    inputs: g.inputs.slice(),
    outputs: g.outputs.slice(),
    values: new Map([...g.values].map(([k, v]) => [k, { ...v }])),
  };
}
