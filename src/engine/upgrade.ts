/**
 * Opset upgrade for executable graphs. Backward passes need ops of recent opsets
 * (ScatterElements with reduction='add' is opset 16), and a model imports a single ai.onnx
 * version, so graphs older than {@link GRAD_OPSET} are rewritten node by node to it, following
 * the ONNX changelog (https://github.com/onnx/onnx/blob/main/docs/Changelog.md) for the ops whose
 * attributes became inputs or whose semantics changed. Nodes are replaced, never mutated, so the
 * source model is untouched.
 */
import { NnlensError } from '../errors.ts';
import { attr, type Graph, type Node } from '../graph/ir.ts';
import { GraphBuilder } from './builder.ts';

/** The opset gradient graphs are built at (unless the model is newer). */
export const GRAD_OPSET = 17;

/**
 * Rewrites `graph` (a clone: its node list is replaced) from opset `from` to `to`.
 * @example upgradeOpset(cloneGraph(model.graph), 11, 17)
 */
export function upgradeOpset(graph: Graph, from: number, to: number): void {
  if (from >= to) return;
  const b = new GraphBuilder(graph, 'upgrade');
  const out: Node[] = [];
  const ints = (vals: number[]): string => b.ints(vals);
  const floatConst = (v: number): string => b.floats([v], []);
  for (const node of graph.nodes) {
    if (node.domain && node.domain !== 'ai.onnx') { out.push(node); continue; }
    const n: Node = { ...node, inputs: node.inputs.slice(), attributes: { ...node.attributes } };
    const moveAxes = (name: string, since: number): void => {
      if (from < since && n.attributes[name]) {
        const a = n.attributes[name]!;
        delete n.attributes[name];
        if (a.type === 'ints') n.inputs[1] = ints(a.value);
      }
    };
    switch (node.op) {
      case 'Squeeze': case 'Unsqueeze': case 'ReduceSum':
        moveAxes('axes', 13);
        break;
      case 'Split':
        if (from < 13 && n.attributes.split) {
          const a = n.attributes.split;
          delete n.attributes.split;
          if (a.type === 'ints') n.inputs[1] = ints(a.value);
        }
        break;
      case 'Dropout':
        // Inference: Dropout is the identity; its ratio moved to an input at 12. Keep the mask output valid by dropping it.
        n.op = 'Identity';
        n.attributes = {};
        n.inputs = [node.inputs[0]!];
        n.outputs = [node.outputs[0]!];
        if (node.outputs[1]) throw new NnlensError(node.name, 'Dropout mask output is used; cannot upgrade the graph');
        break;
      case 'Pad':
        if (from < 11) {
          const pads = attr(node, 'pads', 'ints', []);
          const value = attr(node, 'value', 'float', 0);
          n.attributes = node.attributes.mode ? { mode: node.attributes.mode } : {};
          n.inputs = [node.inputs[0]!, ints(pads), floatConst(value)];
        }
        break;
      case 'Clip':
        if (from < 11) {
          const min = attr(node, 'min', 'float', -3.4028234663852886e38), max = attr(node, 'max', 'float', 3.4028234663852886e38);
          n.attributes = {};
          n.inputs = [node.inputs[0]!, floatConst(min), floatConst(max)];
        }
        break;
      case 'Slice':
        if (from < 10) {
          const starts = attr(node, 'starts', 'ints', []), ends = attr(node, 'ends', 'ints', []);
          const axes = attr(node, 'axes', 'ints', starts.map((_, i) => i));
          n.attributes = {};
          n.inputs = [node.inputs[0]!, ints(starts), ints(ends), ints(axes)];
        }
        break;
      case 'BatchNormalization':
        // 'spatial' (removed at 9) was 1 for every exporter we know; 'is_test'/'consumed_inputs' are obsolete.
        for (const k of ['spatial', 'is_test', 'consumed_inputs']) delete n.attributes[k];
        n.outputs = [node.outputs[0]!];
        break;
      case 'Softmax': case 'LogSoftmax': case 'Hardmax':
        if (from < 13) {
          // Before 13 the input was coerced to 2-D at `axis` (default 1). Same result as axis=-1 only
          // when axis is the last dimension; otherwise rebuild as Flatten -> op -> Reshape.
          const axis = attr(node, 'axis', 'int', 1);
          n.attributes = { axis: { type: 'int', value: -1 } };
          const x = node.inputs[0]!;
          const rank = graph.values.get(x)?.shape?.length;
          if (rank === undefined || axis !== rank - 1 && axis !== -1) {
            const flat = b.fresh('flat');
            const shape = b.fresh('shape');
            out.push({ name: b.fresh('Flatten'), op: 'Flatten', domain: '', inputs: [x], outputs: [flat], attributes: { axis: { type: 'int', value: axis } }, group: node.group, params: [] });
            out.push({ name: b.fresh('Shape'), op: 'Shape', domain: '', inputs: [x], outputs: [shape], attributes: {}, group: node.group, params: [] });
            const y2 = b.fresh('y2d');
            out.push({ ...n, inputs: [flat], outputs: [y2] });
            out.push({ name: b.fresh('Reshape'), op: 'Reshape', domain: '', inputs: [y2, shape], outputs: [node.outputs[0]!], attributes: {}, group: node.group, params: [] });
            continue;
          }
        }
        break;
      case 'Upsample':
        if (from < 10) {
          const mode = attr(node, 'mode', 'string', 'nearest');
          const scales = attr(node, 'scales', 'floats', []);
          n.op = 'Resize';
          n.attributes = { mode: { type: 'string', value: mode === 'bilinear' ? 'linear' : mode }, coordinate_transformation_mode: { type: 'string', value: 'asymmetric' }, nearest_mode: { type: 'string', value: 'floor' } };
          n.inputs = [node.inputs[0]!, '', scales.length ? b.floats(scales) : node.inputs[1]!];
        }
        break;
      case 'Resize':
        if (from < 11) {
          // Opset 10 Resize had inputs (X, scales) and behaved like 'asymmetric' with floor rounding.
          const mode = attr(node, 'mode', 'string', 'nearest');
          n.attributes = { mode: { type: 'string', value: mode }, coordinate_transformation_mode: { type: 'string', value: 'asymmetric' }, nearest_mode: { type: 'string', value: 'floor' } };
          n.inputs = [node.inputs[0]!, '', node.inputs[1]!];
        }
        break;
      case 'TopK':
        if (from < 10) { const k = attr(node, 'k', 'int', 1); n.attributes = { axis: node.attributes.axis ?? { type: 'int', value: -1 } }; n.inputs = [node.inputs[0]!, ints([k])]; }
        break;
      default:
        break;
    }
    out.push(n);
  }
  graph.nodes = out;
}
