/**
 * Keras model config JSON (what `model.to_json()`, the HDF5 `model_config` attribute, a `.keras`
 * zip's `config.json` and a TF.js `modelTopology` hold) -> the nnlens graph IR.
 *
 * Covered forms:
 * - Sequential with a bare list of layers (Keras 1 and 2.0) or `{name, layers}` (Keras 2.2+, 3);
 * - Functional (`Model` in Keras 2, `Functional` in tf.keras 2.4+ and Keras 3) whose
 *   `inbound_nodes` are Keras 1/2 lists `[[layer, node_index, tensor_index, kwargs], ...]` or
 *   Keras 3 `{args, kwargs}` objects holding `__keras_tensor__` entries with a `keras_history`;
 * - nested Sequential / Functional models, flattened: their layers become nodes of the one graph
 *   with `node.group = ['inner_model', ...]`.
 *
 * One IR node per Keras layer, as `model.summary()` and `plot_model` show them. A layer called
 * more than once (a shared layer, or a layer of a nested model that is called twice, as the
 * towers of siamese networks are) stays one node: its `inputs` and `outputs` are the
 * concatenation of every call's, and the attributes `call_inputs` / `call_outputs` (ints) say
 * how many belong to each call. Value names are `<node>:<call>:<tensor>`.
 *
 * Nothing from the config is ever executed: `Lambda` layers and unknown custom layers become
 * opaque nodes (`node.opaque` says why).
 */
import { NnlensError } from '../errors.ts';
import type { Attribute, Dim, Graph, Node, Shape } from '../graph/ir.ts';
import { emptyGraph, valueOf } from '../graph/ir.ts';
import type { DType, Tensor } from '../graph/tensor.ts';
import { isBuiltinLayer, outputShapes, type KerasConfig } from './keras-shapes.ts';

/** Model classes whose config lists layers. */
const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** One layer of a (possibly nested) Keras model. */
export interface LayerEntry {
  /** The Keras layer name. */
  name: string;
  className: string;
  config: KerasConfig;
  /** Enclosing nested models, outermost first. */
  group: string[];
  /** Whether the layer's weights are trainable (false if it or an enclosing model says so). */
  trainable: boolean;
  /** The IR node (absent for nested models and for InputLayers of nested models). */
  node?: Node;
  /** Set when the layer is itself a Sequential or Functional model. */
  model?: ModelTree;
  /** Keras 1 `Merge` of Sequential branches: the branch models, each with its own input. */
  branches?: ModelTree[];
  /** Raw entry of the layers list (holds `inbound_nodes` for Functional models). */
  raw: Record<string, unknown>;
}

/** A Sequential or Functional model: its layers in config order. */
export interface ModelTree {
  name: string;
  className: string;
  config: KerasConfig;
  layers: LayerEntry[];
  /** Input shape recorded when the model was built (tf.keras `build_input_shape`, Keras 3 `build_config`). */
  buildInputShape?: Shape;
}

/** What {@link buildKerasGraph} returns. */
export interface KerasGraph {
  graph: Graph;
  tree: ModelTree;
  warnings: string[];
}

/** Options of {@link buildKerasGraph}. */
export interface BuildOptions {
  /** Node domain: `keras`, or `tfjs` for TF.js layers models. */
  domain: string;
  /** File named in errors. */
  file: string;
}

/**
 * Parses a model config: an object `{class_name, config}`, or the same as a JSON string (some
 * projects `json.dump` the string that `to_json()` returned, which double-encodes it).
 * @example modelConfigOf(JSON.parse(text), 'model.json').class_name // 'Sequential'
 */
export function modelConfigOf(json: unknown, file: string): { class_name: string; config: unknown; keras_version?: string; backend?: string } {
  let v = json;
  for (let i = 0; i < 2 && typeof v === 'string'; i++) {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new NnlensError(file, `corrupted JSON inside a JSON string: ${(e as Error).message}`);
    }
  }
  if (!isObject(v) || typeof v.class_name !== 'string' || !('config' in v)) {
    throw new NnlensError(file, 'not a Keras model config: expected an object with "class_name" and "config"');
  }
  if (!MODEL_CLASSES.has(v.class_name)) {
    throw new NnlensError(file, `the model class '${v.class_name}' is a subclassed model whose architecture is Python code, not stored in the file`);
  }
  return v as { class_name: string; config: unknown; keras_version?: string; backend?: string };
}

/**
 * Builds the IR graph of a Keras model config.
 * @example const { graph } = buildKerasGraph(modelConfigOf(json, file), { domain: 'keras', file });
 */
export function buildKerasGraph(modelConfig: { class_name: string; config: unknown }, options: BuildOptions): KerasGraph {
  const b = new Builder(options);
  const tree = b.parse(modelConfig.class_name, modelConfig.config, [], true, 'model', (modelConfig as { build_config?: unknown }).build_config);
  b.graph.name = tree.name;
  b.graph.outputs = b.callModel(tree, undefined);
  b.finish();
  return { graph: b.graph, tree, warnings: b.warnings };
}

/** Every layer entry of a tree, nested ones included, depth first in config order. */
export function allLayers(tree: ModelTree): LayerEntry[] {
  return tree.layers.flatMap((l) => [l, ...(l.model ? allLayers(l.model) : []), ...(l.branches ?? []).flatMap(allLayers)]);
}

// ------------------------------------------------------------------------------------------ params

/** Roles that are statistics, not learned by gradient descent (Keras marks them non-trainable). */
const NON_TRAINABLE = new Set(['moving_mean', 'moving_variance', 'running_mean', 'running_std', 'mean', 'variance', 'count']);

/** Keras 1 weight suffixes (`dense_1_W`) -> Keras 2 roles. */
const KERAS1_ROLES: Record<string, string> = { W: 'kernel', b: 'bias', U: 'recurrent_kernel', running_mean: 'moving_mean', running_std: 'moving_variance', alphas: 'alpha' };

/**
 * The role of a weight from its stored name: `dense_1/kernel:0` -> `kernel`, Keras 1
 * `convolution2d_1_W:0` -> `kernel`, Bidirectional `bidirectional/forward_lstm/lstm_cell/kernel`
 * -> `forward/kernel`.
 */
export function roleFromWeightName(weightName: string, entry: LayerEntry): string {
  const segs = weightName.split('/').filter((s) => s !== '');
  // An opaque layer (subclassed model) holds many kernels: keep the path inside it as the role.
  if (entry.node?.opaque) return segs.filter((s, i) => !(i === 0 && s === entry.name)).join('/').replace(/:\d+$/, '');
  let role = (segs.at(-1) ?? weightName).replace(/:\d+$/, '');
  if (role.startsWith(`${entry.name}_`)) role = role.slice(entry.name.length + 1);
  role = KERAS1_ROLES[role] ?? role;
  if (role === 'kernel' && entry.className === 'Embedding') role = 'embeddings';
  const dir = segs.slice(0, -1).find((s) => /^(forward|backward)_/.test(s));
  return dir ? `${dir.split('_')[0]}/${role}` : role;
}

/**
 * Attaches a weight to a layer's node, checking what the config lets us check (a Dense or
 * convolution kernel's output size); a weight that does not fit its layer is an NnlensError.
 */
export function addParam(entry: LayerEntry, role: string, name: string, tensor: Tensor, file: string): void {
  const node = entry.node;
  if (!node) throw new NnlensError(file, `weight '${name}' belongs to '${entry.name}', which cannot hold weights`);
  checkWeightShape(entry, role, tensor.shape, name, file);
  const base = role.split('/').at(-1)!;
  node.params.push({ role, name, tensor, trainable: entry.trainable && !NON_TRAINABLE.has(base) });
}

function checkWeightShape(entry: LayerEntry, role: string, shape: readonly number[], name: string, file: string): void {
  const c = entry.config;
  let expected: number | undefined;
  if (entry.className === 'Dense') expected = num(c.units ?? c.output_dim);
  else if (/^Conv[123]D$/.test(entry.className) && c.data_format !== 'channels_first') expected = num(c.filters);
  if (expected === undefined) return;
  const got = role === 'kernel' ? shape.at(-1) : role === 'bias' ? shape[0] : undefined;
  if (got !== undefined && got !== expected) {
    throw new NnlensError(file, `weight '${name}' has shape [${shape.join(', ')}] but layer '${entry.name}' (${entry.className}) has ${expected} output units`);
  }
}

// ----------------------------------------------------------------------------------------- builder

interface Ref { layer: string; node: number; tensor: number; shape?: Shape }

class Builder {
  readonly graph = emptyGraph('model');
  readonly warnings: string[] = [];
  private readonly names = new Set<string>();
  private readonly calls = new Map<Node, { inputs: number[]; outputs: number[] }>();

  constructor(private readonly opts: BuildOptions) {}

  /** Phase 1: the layer tree and one IR node per (non-model) layer. */
  parse(className: string, config: unknown, group: string[], trainable: boolean, fallbackName: string, buildConfig?: unknown): ModelTree {
    const cfg: KerasConfig = Array.isArray(config) ? { layers: config } : isObject(config) ? config : {};
    const rawLayers = cfg.layers;
    if (!Array.isArray(rawLayers)) throw new NnlensError(this.opts.file, `model '${fallbackName}' (${className}) has no "layers" list`);
    const name = typeof cfg.name === 'string' ? cfg.name : fallbackName;
    const modelTrainable = trainable && cfg.trainable !== false;
    const tree: ModelTree = { name, className, config: cfg, layers: [] };
    const built = batchShape(cfg.build_input_shape ?? (isObject(buildConfig) ? buildConfig.input_shape : undefined));
    if (built) tree.buildInputShape = built;
    rawLayers.forEach((raw, i) => {
      if (!isObject(raw) || typeof raw.class_name !== 'string') throw new NnlensError(this.opts.file, `layer ${i} of model '${name}' has no class_name`);
      const lc = isObject(raw.config) ? raw.config : {};
      const lname = String(raw.name ?? lc.name ?? `${raw.class_name.toLowerCase()}_${i}`);
      const entry: LayerEntry = { name: lname, className: raw.class_name, config: lc, group, trainable: modelTrainable && lc.trainable !== false, raw };
      if (MODEL_CLASSES.has(raw.class_name) && (Array.isArray(raw.config) || Array.isArray(lc.layers))) {
        entry.model = this.parse(raw.class_name, raw.config, [...group, lname], entry.trainable, lname, raw.build_config);
      } else if (!(raw.class_name === 'InputLayer' && group.length > 0)) {
        entry.node = this.newNode(entry);
        // Keras 1 `Merge([left, right])` inside a Sequential holds whole Sequential branches.
        if (raw.class_name === 'Merge' && Array.isArray(lc.layers)) {
          entry.branches = lc.layers.map((b, j) => {
            const bc = isObject(b) ? b : {};
            const bname = isObject(bc.config) && typeof bc.config.name === 'string' ? bc.config.name : `${lname}_branch_${j}`;
            return this.parse(String(bc.class_name ?? 'Sequential'), bc.config, [...group, bname], entry.trainable, bname);
          });
        }
      }
      tree.layers.push(entry);
    });
    return tree;
  }

  private newNode(entry: LayerEntry): Node {
    let name = entry.name;
    if (this.names.has(name) && entry.group.length) name = `${entry.group.join('/')}/${entry.name}`;
    for (let k = 2; this.names.has(name); k++) name = `${entry.name}_${k}`;
    this.names.add(name);
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(entry.config)) attributes[k] = { type: 'json', value: v };
    const node: Node = { name, op: entry.className, domain: this.opts.domain, inputs: [], outputs: [], attributes, group: entry.group, params: [] };
    const why = opaqueReason(entry);
    if (why) node.opaque = why;
    this.graph.nodes.push(node);
    return node;
  }

  /** Phase 2: wires one call of a model; `inputs` undefined means the top-level model (graph inputs). */
  callModel(tree: ModelTree, inputs: string[] | undefined): string[] {
    return tree.className === 'Sequential' ? this.callSequential(tree, inputs) : this.callFunctional(tree, inputs);
  }

  private callSequential(tree: ModelTree, inputs: string[] | undefined): string[] {
    const layers = [...tree.layers];
    if (layers.length === 0) return inputs ?? [];
    let cur: string;
    if (inputs) {
      cur = inputs[0]!;
      if (layers[0]!.className === 'InputLayer') layers.shift();
    } else if (layers[0]!.className === 'InputLayer') {
      cur = this.graphInput(layers.shift()!);
    } else if (layers[0]!.branches) {
      cur = ''; // a Keras 1 Merge of branches: each branch has its own graph input
    } else {
      // Keras names the implicit input of a Sequential model `<first layer>_input`.
      const first = layers[0]!;
      const shape = declaredInputShape(first) ?? tree.buildInputShape;
      cur = `${first.name}_input`;
      const v = valueOf(this.graph, cur);
      v.dtype = dtypeOf(first.config.input_dtype ?? first.config.dtype);
      if (shape) v.shape = shape;
      else this.warnings.push(`the input shape of Sequential model '${tree.name}' is not in its config`);
      this.graph.inputs.push(cur);
    }
    for (const l of layers) cur = this.callLayer(l, [cur], 1)[0]!;
    return [cur];
  }

  private callFunctional(tree: ModelTree, inputs: string[] | undefined): string[] {
    const byName = new Map(tree.layers.map((l) => [l.name, l]));
    const refs = new Map<string, string>();
    const key = (l: string, n: number, t: number): string => `${l}:${n}:${t}`;
    const inputRefs = refList(tree.config.input_layers);
    // Graph inputs / bound inputs.
    for (const l of tree.layers) {
      if (l.className !== 'InputLayer') continue;
      if (inputs) {
        const i = inputRefs.findIndex((r) => r.layer === l.name);
        if (i < 0 || inputs[i] === undefined) throw new NnlensError(this.opts.file, `nested model '${tree.name}': input '${l.name}' is not bound`);
        refs.set(key(l.name, 0, 0), inputs[i]!);
      } else {
        refs.set(key(l.name, 0, 0), this.graphInput(l));
      }
    }
    // Every call of every layer, processed once its inputs exist (a shared layer's second call
    // may depend on layers listed after it, as in Keras's own `from_config` queue).
    type Pending = { layer: LayerEntry; index: number; refs: Ref[] };
    let pending: Pending[] = [];
    for (const l of tree.layers) {
      if (l.className === 'InputLayer') continue;
      const nodes = Array.isArray(l.raw.inbound_nodes) ? l.raw.inbound_nodes : [];
      nodes.forEach((n, index) => pending.push({ layer: l, index, refs: inboundRefs(n, byName) }));
    }
    const outputRefs = refList(tree.config.output_layers);
    renumberNestedCalls(tree, [...pending.flatMap((p) => p.refs), ...outputRefs]);
    const maxTensor = new Map<string, number>();
    for (const r of pending.flatMap((p) => p.refs)) maxTensor.set(key(r.layer, r.node, 0), Math.max(maxTensor.get(key(r.layer, r.node, 0)) ?? 0, r.tensor));
    for (const r of outputRefs) maxTensor.set(key(r.layer, r.node, 0), Math.max(maxTensor.get(key(r.layer, r.node, 0)) ?? 0, r.tensor));
    while (pending.length) {
      const ready = pending.filter((p) => p.refs.every((r) => refs.has(key(r.layer, r.node, r.tensor))));
      if (ready.length === 0) {
        const p = pending[0]!;
        const missing = p.refs.find((r) => !refs.has(key(r.layer, r.node, r.tensor)))!;
        throw new NnlensError(this.opts.file, `layer '${p.layer.name}' of model '${tree.name}' takes '${missing.layer}' call ${missing.node}, which the config never defines`);
      }
      for (const p of ready) {
        const ins = p.refs.map((r) => {
          const v = refs.get(key(r.layer, r.node, r.tensor))!;
          if (r.shape) this.hintShape(v, r.shape);
          return v;
        });
        const outs = this.callLayer(p.layer, ins, (maxTensor.get(key(p.layer.name, p.index, 0)) ?? 0) + 1);
        outs.forEach((o, t) => refs.set(key(p.layer.name, p.index, t), o));
      }
      pending = pending.filter((p) => !ready.includes(p));
    }
    return outputRefs.map((r) => {
      const v = refs.get(key(r.layer, r.node, r.tensor));
      if (!v) throw new NnlensError(this.opts.file, `output '${r.layer}' call ${r.node} tensor ${r.tensor} of model '${tree.name}' does not exist`);
      return v;
    });
  }

  /** A top-level InputLayer: the graph input (named as the layer) and an identity node from it. */
  private graphInput(l: LayerEntry): string {
    const v = valueOf(this.graph, l.name);
    v.dtype = dtypeOf(l.config.dtype);
    const shape = inputShapeOf(l.config, l.className);
    if (shape) v.shape = shape;
    this.graph.inputs.push(l.name);
    return this.callLayer(l, [l.name], 1, shape)[0]!;
  }

  /** Wires one call of a layer (or of a nested model, flattened) and returns its output values. */
  private callLayer(l: LayerEntry, inputs: string[], minOutputs: number, forced?: Shape): string[] {
    if (l.model) return this.callModel(l.model, inputs);
    // Each branch starts from its own graph input, as Keras 1 Merge branches did.
    if (l.branches) inputs = l.branches.flatMap((b) => this.callModel(b, undefined));
    const node = l.node!;
    const inShapes = inputs.map((i) => this.graph.values.get(i)?.shape);
    const shapes = forced ? [forced] : node.opaque && l.className !== 'Lambda' ? [undefined] : outputShapes(l.className, l.config, inShapes);
    const n = Math.max(shapes.length, minOutputs);
    const rec = this.calls.get(node) ?? { inputs: [], outputs: [] };
    this.calls.set(node, rec);
    const call = rec.inputs.length;
    const dtype = dtypeOf(l.config.dtype);
    const outs: string[] = [];
    for (let t = 0; t < n; t++) {
      const name = `${node.name}:${call}:${t}`;
      const v = valueOf(this.graph, name);
      v.dtype = dtype;
      const s = shapes[t];
      if (s) v.shape = s;
      outs.push(name);
    }
    node.inputs.push(...inputs);
    node.outputs.push(...outs);
    rec.inputs.push(inputs.length);
    rec.outputs.push(n);
    return outs;
  }

  /** Keras 3 records each input tensor's shape: use it where inference could not tell. */
  private hintShape(value: string, hint: Shape): void {
    const v = valueOf(this.graph, value);
    if (!v.shape || v.shape.length !== hint.length) v.shape = hint;
    else v.shape = v.shape.map((d, i) => (d === null ? hint[i]! : d));
  }

  finish(): void {
    for (const [node, rec] of this.calls) {
      if (rec.inputs.length > 1) {
        node.attributes.call_inputs = { type: 'ints', value: rec.inputs };
        node.attributes.call_outputs = { type: 'ints', value: rec.outputs };
      }
    }
    for (const n of this.graph.nodes) {
      if (!this.calls.has(n)) this.warnings.push(`layer '${n.name}' (${n.op}) is never called in the model config`);
    }
  }
}

/** Why a layer is opaque, or undefined when it is an ordinary layer. */
function opaqueReason(l: LayerEntry): string | undefined {
  if (l.className === 'Lambda') return 'Lambda layer: its function is Python bytecode, which nnlens shows but never runs';
  if (l.className === 'InputLayer' || isBuiltinLayer(l.className)) return undefined;
  if (l.className === 'TFOpLambda' || l.className === 'SlicingOpLambda') {
    return `TensorFlow operation 'tf.${String(l.config.function ?? '?')}' recorded by tf.keras: not a Keras layer nnlens models`;
  }
  if (Object.keys(l.config).length === 0) return `subclassed layer or model '${l.className}' with an empty config: its architecture is Python code, not stored in the file`;
  return `custom layer class '${l.className}': its code is not stored in the model file`;
}

/**
 * TF.js (tfjs-layers `Container.getConfig`) numbers the calls of a nested model counting the
 * node the nested model made for its own input, so its first call is 1, where Keras skips that
 * node (`_should_skip_first_node`) and starts at 0. A reference one past the calls the config
 * lists gives the convention away; the references to that model are then shifted back.
 */
function renumberNestedCalls(tree: ModelTree, refs: Ref[]): void {
  for (const l of tree.layers) {
    if (!l.model) continue;
    const calls = Array.isArray(l.raw.inbound_nodes) ? l.raw.inbound_nodes.length : 0;
    const mine = refs.filter((r) => r.layer === l.name);
    if (mine.some((r) => r.node >= calls) && mine.every((r) => r.node >= 1 && r.node <= calls)) for (const r of mine) r.node -= 1;
  }
}

/** The input shape a layer declares; for a nested model, the one its first layer declares. */
function declaredInputShape(l: LayerEntry): Shape | undefined {
  if (!l.model) return inputShapeOf(l.config, l.className);
  const first = l.model.layers[0];
  return (first && declaredInputShape(first)) ?? l.model.buildInputShape;
}

/** The refs of one inbound node (Keras 1/2 list form, or Keras 3 `{args, kwargs}`). */
function inboundRefs(n: unknown, layers: Map<string, LayerEntry>): Ref[] {
  const out: Ref[] = [];
  if (isObject(n) && ('args' in n || 'kwargs' in n)) {
    walkKerasTensors(n.args, out);
    walkKerasTensors(n.kwargs, out);
    return out;
  }
  if (!Array.isArray(n)) return out;
  for (const e of n) {
    if (!Array.isArray(e) || typeof e[0] !== 'string') continue;
    // tf.keras 2.4+ writes a constant first argument of a TF-op layer as ['_CONSTANT_VALUE', -1, value, kwargs].
    if (e[0] !== '_CONSTANT_VALUE') out.push({ layer: e[0], node: Number(e[1] ?? 0), tensor: Number(e[2] ?? 0) });
    // Keras 2 stores tensors passed as keyword arguments inside the kwargs dict, e.g.
    // `{"validation_embed": ["dense_2", 0, 0]}`: they are inputs too.
    if (isObject(e[3])) for (const v of Object.values(e[3])) collectKwargRefs(v, layers, out);
  }
  return out;
}

function collectKwargRefs(v: unknown, layers: Map<string, LayerEntry>, out: Ref[]): void {
  if (!Array.isArray(v)) return;
  if (typeof v[0] === 'string' && layers.has(v[0]) && typeof v[1] === 'number' && typeof v[2] === 'number') {
    out.push({ layer: v[0], node: v[1], tensor: v[2] });
  } else {
    for (const x of v) collectKwargRefs(x, layers, out);
  }
}

function walkKerasTensors(v: unknown, out: Ref[]): void {
  if (Array.isArray(v)) {
    for (const x of v) walkKerasTensors(x, out);
  } else if (isObject(v)) {
    if (v.class_name === '__keras_tensor__' && isObject(v.config) && Array.isArray(v.config.keras_history)) {
      const [layer, node, tensor] = v.config.keras_history as [string, number, number];
      const shape = batchShape(v.config.shape);
      out.push({ layer, node: Number(node), tensor: Number(tensor), ...(shape ? { shape } : {}) });
    } else {
      for (const x of Object.values(v)) walkKerasTensors(x, out);
    }
  }
}

/** `input_layers` / `output_layers`: a list of `[layer, node, tensor]`, one such triple (Keras 3), or a dict of them. */
function refList(v: unknown): Ref[] {
  if (isObject(v)) v = Object.values(v); // tf.keras 2.3 names its inputs/outputs: {"data_in": [layer, node, tensor]}
  if (!Array.isArray(v)) return [];
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.filter(Array.isArray).map((e) => ({ layer: String(e[0]), node: Number(e[1] ?? 0), tensor: Number(e[2] ?? 0) }));
}

/** The batch input shape a layer config declares (Keras 1/2 `batch_input_shape`, Keras 3 `batch_shape`, `input_shape`, `input_dim`). */
export function inputShapeOf(cfg: KerasConfig, className: string): Shape | undefined {
  const b = batchShape(cfg.batch_input_shape ?? cfg.batch_shape);
  if (b) return b;
  if (Array.isArray(cfg.input_shape)) return [null, ...(cfg.input_shape as Dim[]).map(dimOf)];
  // Embedding's input_dim is the vocabulary size; its input is (batch, input_length).
  if (className === 'Embedding') return [null, dimOf(cfg.input_length)];
  if (typeof cfg.input_dim === 'number' && cfg.input_dim > 0) return [null, cfg.input_dim];
  return undefined;
}

function batchShape(v: unknown): Shape | undefined {
  if (!Array.isArray(v)) return undefined;
  if (v.length > 0 && v.every(Array.isArray)) return undefined; // several inputs
  return v.map(dimOf);
}

const dimOf = (d: unknown): Dim => (typeof d === 'number' ? d : typeof d === 'string' ? d : null);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** A Keras dtype (`'float32'`, or a Keras 3 DTypePolicy such as `mixed_float16`) as an IR dtype. */
function dtypeOf(v: unknown): DType {
  let name = typeof v === 'string' ? v : isObject(v) && isObject(v.config) && typeof v.config.name === 'string' ? v.config.name : 'float32';
  if (name.startsWith('mixed_')) name = name.slice(6);
  const ok: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];
  return ok.includes(name as DType) ? (name as DType) : 'float32';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
