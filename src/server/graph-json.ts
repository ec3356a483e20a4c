/**
 * The graph as the browser's graph view needs it (`GET /api/models/:id/graph`): nodes with their
 * op category, module group, data inputs and outputs and parameter count; the group tree; and the
 * shape of every value. Weights are left out of node inputs: the view draws data flow, and a
 * node's weights are in the inspector.
 */
import type { Model } from '../graph/ir.ts';
import { shapeText } from '../graph/ir.ts';
import { CATEGORY_STYLES, GROUP_STYLE, opInfo } from '../graph/ops.ts';
import { formatCount } from '../render/format.ts';
import type { CategoryColors, GraphGroup, GraphJson, GraphNode } from './api-types.ts';
import { displayName } from './opened.ts';

/** A Keras layer's fused activation (`Dense` + `relu`), as the diagram shows it. */
function activationOf(attrs: Model['graph']['nodes'][number]['attributes']): string | undefined {
  const a = attrs.activation;
  const v = a?.type === 'string' ? a.value : a?.type === 'json' && typeof a.value === 'string' ? a.value : undefined;
  return v && v !== 'linear' ? v : undefined;
}

/**
 * Builds the graph JSON of a model.
 * @example graphJson(model).nodes.length === model.graph.nodes.length
 */
export function graphJson(model: Model, title = displayName(model.path)): GraphJson {
  const g = model.graph;
  const groups: GraphGroup[] = [];
  const groupIndex = new Map<string, number>();
  const groupOf = (path: string[]): number => {
    let parent = -1;
    for (let k = 1; k <= path.length; k++) {
      const key = path.slice(0, k).join('\u0000');
      let idx = groupIndex.get(key);
      if (idx === undefined) {
        idx = groups.length;
        groups.push({ path: path.slice(0, k), parent });
        groupIndex.set(key, idx);
      }
      parent = idx;
    }
    return parent;
  };
  const isWeight = (v: string) => !!g.values.get(v)?.initializer;
  let params = 0;
  const seen = new Set<unknown>();
  const nodes: GraphNode[] = g.nodes.map((n) => {
    let p = 0;
    for (const prm of n.params) {
      p += prm.tensor.size;
      if (!seen.has(prm.tensor)) { seen.add(prm.tensor); params += prm.tensor.size; }
    }
    const node: GraphNode = { n: n.name, op: n.op, c: opInfo(n).category, g: groupOf(n.group), i: n.inputs.filter((v) => v && !isWeight(v)), o: n.outputs.filter(Boolean), p };
    const act = activationOf(n.attributes);
    if (act) node.a = act;
    if (n.opaque) node.x = 1;
    return node;
  });
  const shapes: Record<string, string> = {};
  for (const [name, v] of g.values) if (!v.initializer && v.shape) shapes[name] = shapeText(v.shape);
  const categories: Record<string, CategoryColors> = { ...CATEGORY_STYLES, group: GROUP_STYLE };
  return {
    title,
    subtitle: `${model.formatLabel} \u00b7 ${formatCount(g.nodes.length)} nodes \u00b7 ${formatCount(params)} params`,
    nodes, groups, inputs: g.inputs.filter((v) => !isWeight(v)), outputs: g.outputs, shapes, categories,
  };
}
