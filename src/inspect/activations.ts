/**
 * Statistics of a captured activation, per channel (issue 3, `nnlens activations`): mean, max,
 * min and the fraction of exact zeros. After a ReLU, a channel that is zero everywhere on an input
 * is a "dead" unit for that input (Lu et al. 2019, "Dying ReLU and Initialization", arXiv:1903.06733);
 * a high zero fraction across inputs points at units that never fire.
 *
 * The channel axis follows the source framework's layout (`ExecGraph.layoutOf`): channels first
 * (NCHW, and NCL for 1-D) for ONNX, channels last (NHWC, NWC) for Keras and TF.js. For a 2-D
 * activation `[N, F]` each feature (unit) is a channel. A 3-D ONNX tensor is channels-first only
 * when a convolution-family op made it (Conv1d's `[N, C, L]`); otherwise it is a sequence
 * `[N, T, F]` (LSTM, attention, MatMul outputs) whose features are the last axis
 * ({@link channelAxisIn}). Statistics pool the batch and all spatial positions of a channel.
 */
import type { Graph } from '../graph/ir.ts';
import type { NdArray } from '../engine/ndarray.ts';

/** Source layouts of 3- to 5-D tensors: channels first or last. */
export type ActivationLayout = 'NCHW' | 'NHWC';

/** One channel's statistics. */
export interface ChannelStats {
  channel: number;
  mean: number;
  max: number;
  min: number;
  /** Fraction of values exactly 0. */
  zeros: number;
  /** Every value is 0 (a dead unit on this input). */
  dead: boolean;
}

/** Statistics of a whole activation. */
export interface ActivationStats {
  shape: number[];
  layout: ActivationLayout;
  /** The axis whose entries are the channels. */
  channelAxis: number;
  /** Values pooled per channel: batch x spatial positions. */
  valuesPerChannel: number;
  channels: ChannelStats[];
  overall: { mean: number; max: number; min: number; zeros: number; deadChannels: number };
  /** NaN or infinite values (left out of the statistics). */
  nonFinite: number;
}

/**
 * The channel axis of an activation of `shape` in `layout`.
 * @example channelAxis([1, 56, 56, 64], 'NHWC') // 3
 */
export function channelAxis(shape: readonly number[], layout: ActivationLayout): number {
  if (shape.length <= 1) return 0;
  if (shape.length === 2) return 1;
  return layout === 'NHWC' ? shape.length - 1 : 1;
}

/** Ops whose outputs are channels-first in ONNX (the channel axis is 1 whatever the rank). */
const CHANNEL_FIRST = new Set(['Conv', 'ConvTranspose', 'BatchNormalization', 'InstanceNormalization', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'LRN', 'ConvInteger', 'QLinearConv']);
/** Ops that keep their (first) input's layout: followed back to find what made a tensor. */
const KEEPS_LAYOUT = new Set(['Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softplus', 'Softsign', 'Gelu', 'Erf', 'Mish', 'Clip', 'Identity', 'Dropout', 'Cast', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Neg', 'Abs', 'Exp', 'Log', 'Pad', 'Max', 'Min', 'Sum']);

/**
 * The channel axis of `tensor` in an executable graph: {@link channelAxis}, except that a 3-D
 * tensor in a channels-first graph is a sequence `[N, T, F]` (channels last) unless a
 * convolution-family op made it.
 * @example channelAxisIn(exec.graph, '/lstm/Transpose_1_output_0', [1, 5, 12], 'NCHW') // 2
 */
export function channelAxisIn(graph: Graph, tensor: string, shape: readonly number[], layout: ActivationLayout): number {
  if (shape.length !== 3 || layout === 'NHWC') return channelAxis(shape, layout);
  let t = tensor;
  for (let hops = 0; hops < 64; hops++) {
    const n = graph.nodes.find((x) => x.outputs.includes(t));
    if (!n) break;
    if (CHANNEL_FIRST.has(n.op)) return 1;
    if (!KEEPS_LAYOUT.has(n.op) || !n.inputs[0]) break;
    t = n.inputs[0];
  }
  return 2;
}

/**
 * Per-channel statistics of an activation (channel axis from the layout, or `axis` when given).
 * @example activationStats(captured, 'NCHW').channels.filter((c) => c.dead).length
 */
export function activationStats(a: NdArray, layout: ActivationLayout, axisOverride?: number): ActivationStats {
  const shape = a.shape;
  const axis = axisOverride ?? channelAxis(shape, layout);
  const C = shape.length === 0 ? 1 : shape[axis]!;
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const data = a.data as ArrayLike<number | bigint>;
  const sum = new Float64Array(C), zeros = new Float64Array(C), count = new Float64Array(C);
  const max = new Float64Array(C).fill(-Infinity), min = new Float64Array(C).fill(Infinity);
  let nonFinite = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const base = (o * C + c) * inner;
      let s = 0, z = 0, n = 0, hi = max[c]!, lo = min[c]!;
      for (let i = 0; i < inner; i++) {
        const x = Number(data[base + i]!);
        if (!Number.isFinite(x)) { nonFinite++; continue; }
        s += x; n++;
        if (x === 0) z++;
        if (x > hi) hi = x;
        if (x < lo) lo = x;
      }
      sum[c]! += s; zeros[c]! += z; count[c]! += n; max[c] = hi; min[c] = lo;
    }
  }
  const per = outer * inner;
  const channels: ChannelStats[] = Array.from({ length: C }, (_, c) => ({
    channel: c,
    mean: count[c]! ? sum[c]! / count[c]! : NaN,
    max: count[c]! ? max[c]! : NaN,
    min: count[c]! ? min[c]! : NaN,
    zeros: per ? zeros[c]! / per : 0,
    dead: per > 0 && zeros[c] === per,
  }));
  const total = count.reduce((p, x) => p + x, 0);
  const overall = {
    mean: total ? sum.reduce((p, x) => p + x, 0) / total : NaN,
    max: channels.reduce((m, c) => (c.max > m ? c.max : m), -Infinity),
    min: channels.reduce((m, c) => (c.min < m ? c.min : m), Infinity),
    zeros: outer * C * inner ? zeros.reduce((p, x) => p + x, 0) / (outer * C * inner) : 0,
    deadChannels: channels.filter((c) => c.dead).length,
  };
  return { shape: [...shape], layout, channelAxis: axis, valuesPerChannel: per, channels, overall, nonFinite };
}

/**
 * One sample's feature maps as C planes of H x W floats, whatever the layout (rank-4 tensors).
 * @example const { planes, c, h, w } = featureMaps(act, 'NHWC', 0)
 */
export function featureMaps(a: NdArray, layout: ActivationLayout, sample = 0): { planes: Float32Array; c: number; h: number; w: number } {
  if (a.shape.length !== 4) throw new Error(`feature maps need a 4-D activation; this one has shape [${a.shape.join(', ')}]`);
  const [, d1, d2, d3] = a.shape as [number, number, number, number];
  const [c, h, w] = layout === 'NHWC' ? [d3, d1, d2] : [d1, d2, d3];
  const n = c * h * w;
  const src = a.data as ArrayLike<number>;
  const planes = new Float32Array(n);
  const base = sample * n;
  if (layout === 'NCHW') {
    for (let i = 0; i < n; i++) planes[i] = Number(src[base + i]);
  } else {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      planes[(k * h + y) * w + x] = Number(src[base + (y * w + x) * c + k]);
    }
  }
  return { planes, c, h, w };
}
