/**
 * Layer references (ARCHITECTURE.md, "Names that mean one thing everywhere"): a tensor name, a
 * node name (source-level: a Keras layer or an ONNX node), or a module path (`layer4`,
 * `layer4/layer4.1`, `layer4 > layer4.1`) meaning the tensors that leave that group.
 */
import { NnlensError } from '../errors.ts';
import { scopesOf } from '../formats/onnx-groups.ts';
import type { ExecGraph } from './exec.ts';

/** Ops whose outputs are shape plumbing, never what a user means by "the layer's output". */
const PLUMBING = new Set(['Shape', 'Constant', 'ConstantOfShape', 'Size']);

/**
 * Resolves `ref` to executable tensor names.
 * @example resolveRef(exec, 'layer4') // ['/layer4/layer4.1/relu_1/Relu_output_0']
 */
export function resolveRef(exec: ExecGraph, ref: string): string[] {
  const g = exec.graph;
  const fromSource = exec.sourceOutputs.get(ref);
  if (fromSource) return fromSource;
  if (g.values.has(ref) && (g.inputs.includes(ref) || g.nodes.some((n) => n.outputs.includes(ref)))) return [ref];
  // `layer4 > layer4.1`, `layer4/layer4.1`, and PyTorch's dotted `inception5b.branch1` (whose
  // exported scopes are `inception5b`, `branch1`) all name module paths.
  const paths = [ref.split(/\s*>\s*|\//).filter(Boolean), ref.split(/\s*>\s*|\/|\./).filter(Boolean)];
  for (const path of paths) {
    const names = groupOutputs(exec, path);
    if (names.length > 0) return names;
  }
  throw new NnlensError(exec.model.path, `no layer, tensor or module named '${ref}'${suggest(exec, ref)}`);
}

/** A source tensor's executable name(s): the same name for ONNX; via the node map otherwise. */
/** Tensors leaving the module at `path` (consumed outside it, or graph outputs). */
function groupOutputs(exec: ExecGraph, path: string[]): string[] {
  const src = exec.model.graph;
  const inGroup = (group: string[]): boolean => {
    for (let s = 0; s + path.length <= group.length; s++) {
      if (path.every((p, k) => group[s + k] === p)) return true;
    }
    return false;
  };
  // ONNX node names carry the full module path, including single-node modules that have no group of their own.
  const scopes = (n: (typeof src.nodes)[number]): string[] => (exec.model.format === 'onnx' ? scopesOf(n.name) : n.group);
  const members = src.nodes.filter((n) => inGroup(scopes(n)));
  if (members.length === 0) return [];
  const memberSet = new Set(members.map((n) => n.name));
  const produced = new Set(members.flatMap((n) => (PLUMBING.has(n.op) ? [] : n.outputs)));
  const leaving: string[] = [];
  for (const n of src.nodes) {
    if (memberSet.has(n.name) || PLUMBING.has(n.op)) continue;
    for (const i of n.inputs) if (produced.has(i) && !leaving.includes(i)) leaving.push(i);
  }
  for (const o of src.outputs) if (produced.has(o) && !leaving.includes(o)) leaving.push(o);
  // Integer tensors leaving a module are shape arithmetic (Shape -> Gather -> Concat...), not its output.
  const isData = (t: string): boolean => { const d = src.values.get(t)?.dtype; return d === undefined || d.startsWith('float') || d === 'bfloat16'; };
  const data = leaving.filter(isData);
  return (data.length ? data : leaving).flatMap((t) => mapSourceTensor(exec, t));
}

function mapSourceTensor(exec: ExecGraph, t: string): string[] {
  if (exec.model.format === 'onnx') return [t];
  for (const n of exec.model.graph.nodes) {
    const k = n.outputs.indexOf(t);
    if (k >= 0) {
      const mapped = exec.sourceOutputs.get(n.name);
      if (mapped?.[k]) return [mapped[k]!];
    }
  }
  return [];
}

function suggest(exec: ExecGraph, ref: string): string {
  const names = new Set<string>();
  for (const n of exec.model.graph.nodes) {
    names.add(n.name);
    for (const g of n.group) names.add(g);
  }
  const low = ref.toLowerCase();
  const close = [...names].filter((n) => n.toLowerCase().includes(low) || low.includes(n.toLowerCase())).slice(0, 5);
  return close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : '';
}
