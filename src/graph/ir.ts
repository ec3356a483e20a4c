/**
 * The one graph IR of nnlens (see ARCHITECTURE.md): every loader returns a {@link Model}, and
 * everything else (summary, diagram, engine, explainers, web app) reads only this structure.
 *
 * A graph is a list of {@link Node}s connected by named values (tensors). The same structure
 * holds a *source-level* graph (Keras layers such as `Conv2D`, ONNX ops grouped by module scope)
 * and an *executable* graph (plain ONNX ops, produced by `engine/lower`).
 */
import type { DType, Tensor } from './tensor.ts';

/** A dimension: a number when known, a name when symbolic (`batch`, `N`), null when unknown. */
export type Dim = number | string | null;
/** A tensor shape; `undefined` in a {@link ValueInfo} means the rank itself is unknown. */
export type Shape = Dim[];

/** Attribute types, as in ONNX's AttributeProto, plus `json` for source-framework config values. */
export type Attribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'json'; value: unknown };

/** Facts about one tensor of a graph. */
export interface ValueInfo {
  name: string;
  dtype?: DType;
  shape?: Shape;
  /** Present when the value is a constant weight (ONNX initializer, Keras weight). */
  initializer?: Tensor;
}

/** A learned parameter attached to a node (Keras layer weight, or an ONNX initializer feeding the node). */
export interface Param {
  /** Role in the layer: `kernel`, `bias`, `gamma`, `moving_mean`... or the ONNX input name. */
  role: string;
  /** Name of the value in the graph (for ONNX, the initializer name; for Keras, `layer/kernel:0`). */
  name: string;
  tensor: Tensor;
  trainable: boolean;
}

/** One operation (ONNX) or layer (Keras / TF.js). */
export interface Node {
  /** Unique within the graph. */
  name: string;
  /** Op or layer type as the author saw it: `Conv`, `Gemm`, `Conv2D`, `Dense`, `Lambda`... */
  op: string;
  /** ONNX domain (`''` is ai.onnx), or `keras` / `tfjs` for source-level layers. */
  domain: string;
  /** Input value names; `''` marks an omitted optional ONNX input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  /** Module path this node belongs to, outermost first (`['layer4', 'layer4.1']`); `[]` at top level. */
  group: string[];
  /** Learned parameters of this node (also reachable as initializers among `inputs` for ONNX). */
  params: Param[];
  /** Set when the node cannot be executed or inspected further (Keras `Lambda`, custom layers): why. */
  opaque?: string;
}

/** A dataflow graph. */
export interface Graph {
  name: string;
  nodes: Node[];
  /** Graph inputs (not including initializers). */
  inputs: string[];
  outputs: string[];
  /** Every value by name: inputs, outputs, intermediates and initializers. */
  values: Map<string, ValueInfo>;
}

/** Format families that loaders produce. */
export type ModelFormat = 'onnx' | 'keras' | 'tfjs-layers' | 'tfjs-graph';

/** A loaded model: its source-level graph and what is known about where it came from. */
export interface Model {
  format: ModelFormat;
  /** Human description of the exact format, e.g. `Keras 2.0.5 HDF5 weights + architecture JSON`. */
  formatLabel: string;
  /** The file (or folder) the model was opened from. */
  path: string;
  /** Producer, e.g. `pytorch 2.2.1`, `keras 2.15.0`, `tfjs-converter 4.20.0`. */
  producer?: string;
  /** ONNX opset imports by domain (ONNX models and lowered graphs). */
  opsets?: Record<string, number>;
  /** Free-form metadata (ONNX metadata_props; nnlens stores feature names, labels, preprocessing here). */
  metadata: Record<string, string>;
  graph: Graph;
  /** Warnings met while loading (unsupported but skippable things), shown by `summary`. */
  warnings: string[];
}

/** The value type of attributes of type `T`. */
export type AttrValue<T extends Attribute['type']> = Extract<Attribute, { type: T }>['value'];

/**
 * Returns an attribute's value if present with the expected type, else `fallback`.
 * @example const strides = attr(node, 'strides', 'ints', [1, 1]);
 */
export function attr<T extends Attribute['type']>(node: Node, name: string, type: T, fallback: AttrValue<T>): AttrValue<T> {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== type) throw new Error(`node '${node.name}' (${node.op}): attribute '${name}' is ${a.type}, expected ${type}`);
  return a.value as unknown as AttrValue<T>;
}

/** Creates an empty graph. */
export function emptyGraph(name: string): Graph {
  return { name, nodes: [], inputs: [], outputs: [], values: new Map() };
}

/** Gets or creates the ValueInfo of `name`. */
export function valueOf(graph: Graph, name: string): ValueInfo {
  let v = graph.values.get(name);
  if (!v) { v = { name }; graph.values.set(name, v); }
  return v;
}

/** Map from value name to the node producing it. */
export function producers(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/** Map from value name to the nodes consuming it. */
export function consumers(graph: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) list.push(n); else m.set(i, [n]);
    }
  }
  return m;
}

/** Formats a shape for display: `(None, 28, 28, 1)` style is left to renderers; this gives `[N,3,224,224]`. */
export function shapeText(shape: Shape | undefined): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
