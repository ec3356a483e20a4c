/**
 * Op metadata as data: for every op type nnlens knows (ONNX, Keras layers, TF ops of TF.js graph
 * models), its category (used for colours in diagrams and for the node inspector), a one-line
 * description, and, for convolutions, how its kernel is laid out.
 *
 * The tables live in `ops-onnx.ts` and `ops-keras.ts`; this file holds the categories, their colours
 * and the lookup. Views choose by op type through {@link opInfo}, never by guessing from node names
 * (STYLE.md 9).
 */
import type { Node } from './ir.ts';
import { ONNX_OPS } from './ops-onnx.ts';
import { KERAS_LAYERS, TF_OPS } from './ops-keras.ts';

/** What kind of computation an op does; drives colours and grouping in views. */
export type OpCategory =
  | 'conv' | 'dense' | 'activation' | 'pooling' | 'normalization' | 'shape' | 'merge' | 'math'
  | 'reduce' | 'recurrent' | 'attention' | 'embedding' | 'dropout' | 'io' | 'constant' | 'control'
  | 'quantization' | 'ml' | 'custom';

/**
 * How a convolution kernel stores its axes: O = output channels, I = input channels (per group),
 * spatial axes as `S` (1 to 3 of them), M = depth multiplier. ONNX `Conv` is `OIS` (OIHW for 2-D),
 * Keras `Conv2D` is `SIO` (HWIO), ONNX `ConvTranspose` is `IOS`, Keras `Conv2DTranspose` is `SOI`,
 * Keras `DepthwiseConv2D` is `SIM`.
 */
export type KernelLayout = 'OIS' | 'IOS' | 'SIO' | 'SOI' | 'SIM';

/** One op's metadata entry. */
export interface OpMeta {
  category: OpCategory;
  /** One line for the node inspector. */
  description: string;
  /** Layout of the weight tensor for convolution-like ops. */
  kernel?: KernelLayout;
}

/** A category's display facts. */
export interface CategoryStyle {
  /** Legend label. */
  label: string;
  /** Box fill (light, so dark text stays readable). */
  fill: string;
  /** Box border and legend swatch. */
  stroke: string;
}

/** Colours per category: light fills, saturated borders of the same hue. */
export const CATEGORY_STYLES: Record<OpCategory, CategoryStyle> = {
  conv: { label: 'Convolution', fill: '#dbe8f7', stroke: '#3569a8' },
  dense: { label: 'Dense / linear', fill: '#e3dcf6', stroke: '#5b47a0' },
  activation: { label: 'Activation', fill: '#fbe1d8', stroke: '#c2512f' },
  pooling: { label: 'Pooling', fill: '#dcf0dc', stroke: '#3a8a45' },
  normalization: { label: 'Normalization', fill: '#d6f0ec', stroke: '#21867a' },
  shape: { label: 'Shape / reshape', fill: '#ede6dd', stroke: '#8a6d4f' },
  merge: { label: 'Merge', fill: '#fff0c4', stroke: '#b08600' },
  math: { label: 'Arithmetic', fill: '#e8eef5', stroke: '#5d7590' },
  reduce: { label: 'Reduction', fill: '#e5ecdf', stroke: '#62804a' },
  recurrent: { label: 'Recurrent', fill: '#f6dcef', stroke: '#a3437f' },
  attention: { label: 'Attention', fill: '#ffdde8', stroke: '#c0245c' },
  embedding: { label: 'Embedding', fill: '#e6f2d2', stroke: '#5f8a1c' },
  dropout: { label: 'Dropout', fill: '#efefef', stroke: '#8a8a8a' },
  io: { label: 'Input / output', fill: '#ffffff', stroke: '#333333' },
  constant: { label: 'Constant', fill: '#f5f5f5', stroke: '#a6a6a6' },
  control: { label: 'Control flow', fill: '#fde6c6', stroke: '#c27000' },
  quantization: { label: 'Quantization', fill: '#e0eef0', stroke: '#3d7f8a' },
  ml: { label: 'Classical ML', fill: '#dceefc', stroke: '#2f78b8' },
  custom: { label: 'Custom / opaque', fill: '#f9dada', stroke: '#b3261e' },
};

/** Style of a collapsed group box (not an op category). */
export const GROUP_STYLE: CategoryStyle = { label: 'Group (collapsed)', fill: '#fbfbfc', stroke: '#3d4a5c' };

const UNKNOWN: OpMeta = { category: 'custom', description: 'Op not in nnlens\'s tables (custom or vendor op).' };

/**
 * Metadata of an op type in a domain. `domain` is the node's domain (`''`/`ai.onnx`, `ai.onnx.ml`,
 * `com.microsoft`, `keras`, `tfjs`, `tf`); lookup falls back across tables so that an op is found
 * even when a loader uses another domain string.
 * @example opMeta('Conv', '').category === 'conv'
 */
export function opMeta(op: string, domain = ''): OpMeta {
  const tables = domain === 'keras' || domain === 'tfjs' || domain === 'tfjs-layers'
    ? [KERAS_LAYERS, TF_OPS, ONNX_OPS]
    : domain === 'tf' || domain === 'tfjs-graph'
      ? [TF_OPS, KERAS_LAYERS, ONNX_OPS]
      : [ONNX_OPS, KERAS_LAYERS, TF_OPS];
  for (const t of tables) {
    const m = t[op];
    if (m) return m;
  }
  return UNKNOWN;
}

/**
 * Metadata of a node: its op's entry, except that opaque nodes (Keras `Lambda`, custom layers)
 * are always `custom`, and a Keras `Activation` layer counts as an activation whatever it wraps.
 * @example opInfo(node).description
 */
export function opInfo(node: Pick<Node, 'op' | 'domain' | 'opaque'>): OpMeta {
  const m = opMeta(node.op, node.domain);
  if (node.opaque) return { ...m, category: 'custom', description: `${m.description} Opaque here: ${node.opaque}` };
  return m;
}

/**
 * Kernel layout of a convolution node, or undefined for other ops. Keras 1 layers with Theano
 * dimension ordering (`dim_ordering: 'th'`) store kernels as O x I x H x W, unlike every later Keras.
 * @example kernelLayout(node) === 'SIO' // Keras Conv2D
 */
export function kernelLayout(node: Pick<Node, 'op' | 'domain' | 'opaque' | 'attributes'>): KernelLayout | undefined {
  const k = opMeta(node.op, node.domain).kernel;
  if (!k) return undefined;
  const ord = node.attributes.dim_ordering;
  const th = ord && (ord.type === 'string' || ord.type === 'json') && ord.value === 'th';
  return th && k === 'SIO' ? 'OIS' : k;
}

/** The category style of a node. */
export function nodeStyle(node: Pick<Node, 'op' | 'domain' | 'opaque'>): CategoryStyle {
  return CATEGORY_STYLES[opInfo(node).category];
}

/** Number of op types with metadata (ONNX, Keras, TF), for docs and tests. */
export function knownOpCount(): { onnx: number; keras: number; tf: number } {
  return { onnx: Object.keys(ONNX_OPS).length, keras: Object.keys(KERAS_LAYERS).length, tf: Object.keys(TF_OPS).length };
}
