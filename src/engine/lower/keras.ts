/**
 * Lowers a Keras or TF.js layers model (the loader's graph of Keras layers) to plain ONNX ops.
 *
 * Tensors between layers stay in Keras layout (NHWC), as Keras has them: captured activations are
 * in the source framework's layout and Flatten keeps Keras's element order; convolutions and
 * pooling wrap their ONNX op in transposes (see keras-conv.ts). Each layer call is lowered by one
 * function of the {@link KERAS_LAYERS} table; the executable tensor that ends a layer is renamed
 * after the source value (`conv2d_1:0:0`), so exported graphs read like the Keras model.
 *
 * Layers that cannot run (Lambda: Python bytecode, never executed; custom layers whose code is not
 * in the file) make the lowering fail with an error naming the layer: only when the model is
 * executed, since opening and displaying such models works.
 */
import { NnlensError } from '../../errors.ts';
import type { Graph, Model, Node } from '../../graph/ir.ts';
import { attr, emptyGraph, valueOf } from '../../graph/ir.ts';
import { GraphBuilder } from '../builder.ts';
import { Emit } from '../emit.ts';
import type { ExecGraph } from '../exec.ts';
import { channelsFirst, type KerasConfig } from './keras-args.ts';
import { Weights, type Dialect, type LayerCall, type LayerResult } from './keras-call.ts';
import { KERAS_LAYERS, MASK_PASSING } from './keras-layers.ts';

/** Opset of lowered Keras graphs (LayerNormalization, Resize and Split forms of opset 17). */
export const KERAS_OPSET = 17;

/** One call of a source layer (a shared layer has several). */
interface Call { node: Node; index: number; inputs: string[]; outputs: string[] }

/**
 * The executable graph of a Keras / TF.js layers model.
 * @example const exec = lowerKeras(await openModel('model.h5')); exec.sourceOutputs.get('conv2d_1')
 */
export function lowerKeras(model: Model): ExecGraph {
  const src = model.graph;
  const g = emptyGraph(src.name);
  const dialect = dialectOf(model);
  const cache = new Map<string, string>();
  const map = new Map<string, string>(); // source value -> executable tensor
  const masks = new Map<string, string>(); // executable tensor -> its Keras mask (bool [N, T])
  const nchw = new Set<string>(); // executable tensors in channels-first layout
  for (const name of src.inputs) {
    const v = src.values.get(name);
    const ev = valueOf(g, name);
    ev.dtype = v?.dtype ?? 'float32';
    if (v?.shape) ev.shape = v.shape;
    g.inputs.push(name);
    map.set(name, name);
  }
  const calls = callsOf(src);
  let pending = calls;
  while (pending.length) {
    const ready = pending.filter((c) => c.inputs.every((i) => map.has(i)));
    if (ready.length === 0) {
      const c = pending[0]!;
      throw new NnlensError(model.path, `layer '${c.node.name}' (${c.node.op}) takes '${c.inputs.find((i) => !map.has(i))}', which no executable layer produces`);
    }
    for (const call of ready) lowerCall(call);
    pending = pending.filter((c) => !ready.includes(c));
  }

  function lowerCall(call: Call): void {
    const { node } = call;
    const fail = (why: string): never => { throw new NnlensError(model.path, `layer '${node.name}' (${node.op}) cannot be executed: ${why}`); };
    if (node.opaque) {
      if (node.op === 'Lambda') fail('it holds Python code, which nnlens never runs');
      fail(node.opaque);
    }
    const lower = KERAS_LAYERS[node.op];
    if (!lower) fail(`Keras layer class '${node.op}' has no ONNX lowering in nnlens`);
    const cfg = configOf(node);
    const inputs = call.inputs.map((i) => map.get(i)!);
    const prefix = call.index ? `${node.name}/call${call.index}` : node.name;
    const e = new Emit(new GraphBuilder(g, prefix), KERAS_OPSET);
    const lc: LayerCall = {
      node, cfg, className: node.op, inputs,
      inShapes: call.inputs.map((i) => src.values.get(i)?.shape),
      outShapes: call.outputs.map((o) => src.values.get(o)?.shape),
      masks: inputs.map((t) => masks.get(t)),
      e, w: new Weights(g, node, model.path, cache), dialect, fail,
    };
    const start = g.nodes.length;
    const res = lower!(lc);
    const result: LayerResult = Array.isArray(res) ? { outputs: res } : res;
    if (result.outputs.length < call.outputs.length) fail(`the lowering gave ${result.outputs.length} outputs where Keras has ${call.outputs.length}`);
    for (const n of g.nodes.slice(start)) n.group = [...node.group, node.name];
    const created = new Set(g.nodes.slice(start).flatMap((n) => n.outputs));
    const renamed = new Map<string, string>();
    const cf = channelsFirst(cfg) || (cfg.data_format === undefined && cfg.dim_ordering === undefined && inputs.some((t) => nchw.has(t)));
    call.outputs.forEach((target, k) => {
      const t = result.outputs[k]!;
      let name = renamed.get(t) ?? t;
      if (g.inputs.includes(t) && !g.values.has(target)) {
        // A layer passing a graph input through (InputLayer, Dropout...) gets its own tensor, so
        // that capturing the layer never turns a graph input into a graph output.
        g.nodes.push({ name: `${target}/identity`, op: 'Identity', domain: '', inputs: [t], outputs: [target], attributes: {}, group: [...node.group, node.name], params: [] });
        valueOf(g, target);
        name = target;
      } else if (created.has(t) && !renamed.has(t) && !g.values.has(target)) {
        renameTensor(g, start, t, target);
        renamed.set(t, target);
        name = target;
      }
      map.set(target, name);
      const mask = result.masks ? result.masks[k] : k === 0 && MASK_PASSING.has(node.op) ? lc.masks[0] : undefined;
      if (mask) masks.set(name, mask);
      if (cf && (src.values.get(target)?.shape?.length ?? 0) > 2) nchw.add(name);
    });
    if (channelsFirst(cfg)) for (const t of inputs) if (g.inputs.includes(t)) nchw.add(t);
  }

  // Graph outputs keep the source names (an Identity when a layer passed its input through).
  for (const o of src.outputs) {
    const t = map.get(o);
    if (t === undefined) throw new NnlensError(model.path, `model output '${o}' is not produced by any layer`);
    if (t !== o) g.nodes.push({ name: `${o}/output`, op: 'Identity', domain: '', inputs: [t], outputs: [o], attributes: {}, group: [], params: [] });
    const v = valueOf(g, o);
    v.dtype = 'float32';
    const s = src.values.get(o)?.shape;
    if (s) v.shape = s;
    g.outputs.push(o);
    if (nchw.has(t)) nchw.add(o);
  }

  const sourceOutputs = new Map<string, string[]>();
  for (const n of src.nodes) {
    if (n.outputs.every((o) => map.has(o))) sourceOutputs.set(n.name, n.outputs.map((o) => (src.outputs.includes(o) ? o : map.get(o)!)));
  }
  return {
    graph: g,
    opsets: { '': KERAS_OPSET },
    model,
    sourceOutputs,
    layoutOf: (t) => (nchw.has(t) ? 'NCHW' : 'NHWC'),
  };
}

/** Splits a node's concatenated calls (`call_inputs` / `call_outputs`, keras-config.ts). */
function callsOf(src: Graph): Call[] {
  const calls: Call[] = [];
  for (const node of src.nodes) {
    if (node.outputs.length === 0) continue; // never called
    const ins = attr(node, 'call_inputs', 'ints', [node.inputs.length]);
    const outs = attr(node, 'call_outputs', 'ints', [node.outputs.length]);
    let i = 0, o = 0;
    ins.forEach((n, index) => {
      calls.push({ node, index, inputs: node.inputs.slice(i, i + n).filter(Boolean), outputs: node.outputs.slice(o, o + outs[index]!) });
      i += n;
      o += outs[index]!;
    });
  }
  return calls;
}

/** The layer config from the node's `json` attributes. */
function configOf(node: Node): KerasConfig {
  const cfg: KerasConfig = {};
  for (const [k, a] of Object.entries(node.attributes)) if (a.type === 'json') cfg[k] = a.value;
  return cfg;
}

/** Renames tensor `from` to `to` in the nodes appended since `start` and in the value map. */
function renameTensor(g: Graph, start: number, from: string, to: string): void {
  for (let i = start; i < g.nodes.length; i++) {
    const n = g.nodes[i]!;
    n.inputs = n.inputs.map((x) => (x === from ? to : x));
    n.outputs = n.outputs.map((x) => (x === from ? to : x));
  }
  const v = g.values.get(from);
  g.values.delete(from);
  g.values.set(to, { ...(v ?? {}), name: to });
}

/**
 * Which Keras's semantics apply: the version the file names (`keras 2.2.4`), else guessed from
 * the config (Keras 3 writes `batch_shape`, Keras 1 `nb_filter`/`output_dim`-style arguments).
 */
export function dialectOf(model: Model): Dialect {
  const tfjs = model.format === 'tfjs-layers';
  const text = /keras v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/i.exec(model.producer ?? '') ?? /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(model.metadata.keras_version ?? '');
  if (text) {
    const version = text.slice(1).filter((x) => x !== undefined).map(Number);
    return { keras: version[0]!, version, tfjs };
  }
  const has = (key: string): boolean => model.graph.nodes.some((n) => key in n.attributes);
  const keras = has('batch_shape') ? 3 : has('nb_filter') || has('border_mode') || has('inner_activation') ? 1 : 2;
  return { keras, version: [keras], tfjs };
}
