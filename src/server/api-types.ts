/**
 * The JSON shapes of `nnlens serve`'s HTTP API (documented in docs/api.md). Types only: the server
 * (src/server/) produces them and the browser app (web/src/app/) reads them, so both sides agree
 * at compile time.
 */

/** A model the server has opened, as listed by `GET /api/models`. */
export interface ModelEntry {
  /** Short id used in every other URL (`m1`, `m2`...). */
  id: string;
  /** File name shown to users (never a full path: the page does not learn the folder layout). */
  name: string;
  format: string;
  formatLabel: string;
  nodes: number;
  params: number;
  /** What the model takes, from its metadata and input shape. */
  inputKind: 'image' | 'tabular' | 'other';
  /** Whether the engine can run it (false for opaque Keras layers, ONNX-ML ops...), and why not. */
  runnable: boolean;
  whyNot?: string;
}

/** One model input or output. */
export interface TensorSig {
  name: string;
  dtype: string;
  /** Formatted shape (`[N,1,28,28]`). */
  shape: string;
}

/** An attribution method as the UI lists it. */
export interface MethodInfo {
  name: string;
  displayName: string;
  space: 'input' | 'layer';
  citation: string;
  /** Set when the method cannot explain this model (why). */
  unavailable?: string;
}

/** A sample input found beside the model. */
export interface SampleInfo {
  /** Id to pass as `{ "sample": id }`. */
  id: string;
  /** Shown name (`7.png`, `fraud.csv row 2`). */
  label: string;
  kind: 'image' | 'tabular' | 'array';
  /** Image samples: URL of the file for a thumbnail. */
  thumb?: string;
}

/** `GET /api/models/:id`. */
export interface ModelInfo extends ModelEntry {
  producer?: string;
  opsets?: Record<string, number>;
  /** Every metadata key (ONNX metadata_props, nnlens.* keys). */
  metadata: Record<string, string>;
  inputs: TensorSig[];
  outputs: TensorSig[];
  labels?: string[];
  featureNames?: string[];
  /** Image inputs: height, width and channels the model takes (for the drawing canvas). */
  image?: { height: number; width: number; channels: number };
  methods: MethodInfo[];
  /** A sensible CAM layer (the last 4-D feature map), as a layer reference. */
  camLayer?: string;
  samples: SampleInfo[];
  /** Whether `GET /api/models/:id/training` has curves. */
  training: boolean;
  /** Name of an output holding attention weights over the input features, if any. */
  attentionOutput?: string;
  warnings: string[];
}

/** A category's colours. */
export interface CategoryColors { label: string; fill: string; stroke: string }

/** One node of {@link GraphJson}, with short keys: a 10,000-node graph stays a small download. */
export interface GraphNode {
  /** Node name (unique). */
  n: string;
  /** Op type. */
  op: string;
  /** Category (key of `GraphJson.categories`). */
  c: string;
  /** Index of the node's innermost group in `GraphJson.groups`, or -1 at top level. */
  g: number;
  /** Input values (weights excluded). */
  i: string[];
  o: string[];
  /** Parameter elements. */
  p: number;
  /** Fused activation of a Keras layer (`relu`), shown after the op. */
  a?: string;
  /** Set for opaque nodes (Lambda, custom layers). */
  x?: 1;
}

/** A module group: its path and its parent group (-1 for top-level groups). */
export interface GraphGroup {
  path: string[];
  parent: number;
}

/**
 * Positions of a laid-out view, by box, container and edge id (graph-view.ts builds the ids): the
 * server lays out the opening view of each model ahead of time, so the page draws it at once.
 */
export interface ViewLayout {
  /** The expanded groups of this view. */
  expanded: number[];
  boxes: Record<string, [number, number]>;
  /** x, y, width, height. */
  containers: Record<string, [number, number, number, number]>;
  edges: Record<string, [number, number][]>;
  width: number;
  height: number;
}

/** `GET /api/models/:id/graph`: everything the graph view draws. */
export interface GraphJson {
  title: string;
  subtitle: string;
  nodes: GraphNode[];
  groups: GraphGroup[];
  inputs: string[];
  outputs: string[];
  /** Shape text of each value that has one (`[N,64,56,56]`). */
  shapes: Record<string, string>;
  categories: Record<string, CategoryColors>;
  /** The opening view, already laid out (absent when the server's layout was not ready in time). */
  layout?: ViewLayout;
}

/** An attribute, ready to show. */
export interface AttributeJson { name: string; type: string; value: string }

/** A value at a node's input or output. */
export interface PortJson { name: string; shape: string; dtype?: string; weight?: boolean }

/** Statistics of one weight tensor. */
export interface WeightJson {
  name: string;
  role: string;
  shape: number[];
  dtype: string;
  trainable: boolean;
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  l2: number;
  zeros: number;
  nonFinite: number;
  /** Pictures that make sense for it: a heatmap for 2-D weights, filters for conv kernels. */
  views: ('histogram' | 'heatmap' | 'filters')[];
}

/** `GET /api/models/:id/node?name=`. */
export interface NodeJson {
  name: string;
  op: string;
  domain: string;
  category: string;
  description: string;
  group: string[];
  attributes: AttributeJson[];
  inputs: PortJson[];
  outputs: PortJson[];
  params: number;
  weights: WeightJson[];
  opaque?: string;
  /** Rank of the first output when known (4 = feature maps: CAM layer, activation mosaic). */
  outputRank?: number;
}

/** `GET /api/models/:id/weight?name=&view=histogram`. */
export interface HistogramJson { name: string; edges: number[]; counts: number[] }

/** `POST /api/models/:id/inputs`: the input the other calls refer to. */
export interface InputInfo {
  id: string;
  kind: 'image' | 'tabular' | 'array';
  /** Where it came from (`sample 7.png`, `upload`, `drawing`, `edited row`). */
  source: string;
  shape: number[];
  /** Images: URL of the picture the model saw (after resizing). */
  picture?: string;
  /** Tables: the row's values by feature. */
  row?: { names: string[]; values: number[] };
  description: string;
}

/** One class of a top-K list. */
export interface ClassJson { index: number; label: string; probability: number; score: number }

/** One output as read by `nnlens run`. */
export type OutputJson =
  | { kind: 'classification'; name: string; shape: number[]; applied: string; scores: string; reason: string; classes: number; top: ClassJson[] }
  | { kind: 'values'; name: string; shape: number[]; dtype: string; reason: string; values: number[]; truncated: boolean };

/** `GET /api/models/:id/run?input=`. */
export interface RunJson { input: string; outputs: OutputJson[]; ms: number }

/** `GET /api/models/:id/activations?input=&layer=` (JSON form). */
export interface ActivationsJson {
  layer: string;
  tensor: string;
  shape: number[];
  layout: string;
  overall: { mean: number; max: number; min: number; zeros: number; deadChannels: number };
  channels: number;
  /** What the picture shows: `mosaic`, `bars`, `heatmap`, or `none` for other ranks. */
  picture: 'mosaic' | 'bars' | 'heatmap' | 'none';
  ms: number;
}

/** One feature's attribution (tabular inputs). */
export interface FeatureAttribution { name: string; value: number; attribution: number }

/** `GET /api/models/:id/explain?...` (JSON form). */
export interface ExplainJson {
  method: string;
  displayName: string;
  space: 'input' | 'layer';
  target: { index: number; label: string };
  contrast?: { index: number; label: string };
  layer?: string;
  /** The target's value (a logit unless said otherwise) on the input. */
  score?: number;
  /** Integrated Gradients' completeness error. */
  delta?: number;
  /** `image`: fetch the overlay PNG; `features`: the bars below. */
  kind: 'image' | 'features';
  features?: FeatureAttribution[];
  /** Attention weights of the model's attention output, by feature. */
  attention?: { name: string; weight: number }[];
  ms: number;
  /** Whether the result came from the cache (a change of colormap or opacity only). */
  cached: boolean;
}

/** One scalar series of a training log. */
export interface SeriesJson { run: string; tag: string; steps: number[]; values: number[] }

/** `GET /api/models/:id/training`. */
export interface TrainingJson { source: string; series: SeriesJson[] }

/** Every error response: one line naming the file or parameter and the problem. */
export interface ErrorJson { error: string }
