/**
 * Output shapes of Keras layers, computed from a layer's config and its input shapes, the way
 * each layer's `compute_output_shape` does it (keras/src/layers/..., and the Keras 1 names and
 * arguments of keras 1.2 `keras/layers/convolutional.py`: nb_filter, nb_row, subsample,
 * border_mode, dim_ordering).
 *
 * Shapes use the Keras layout (NHWC unless the layer says `channels_first` / `dim_ordering: 'th'`)
 * with the batch dimension first (null or symbolic). A dimension that cannot be known from the
 * config alone is null; a shape whose rank is unknown is undefined.
 */
import type { Dim, Shape } from '../graph/ir.ts';

/** A Keras layer config (the `config` object of a layer entry). */
export type KerasConfig = Record<string, unknown>;

type ShapeFn = (cfg: KerasConfig, inputs: (Shape | undefined)[]) => (Shape | undefined)[];

/** Whether the layer class is one whose output shape this module knows. */
export function isKnownLayer(className: string): boolean {
  return Object.hasOwn(RULES, className);
}

/** Built-in Keras layers without a shape rule here: their shapes stay unknown, but they are not custom code. */
const BUILTIN_WITHOUT_RULE = new Set([
  'Dot', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D', 'Attention', 'AdditiveAttention', 'MultiHeadAttention',
  'EinsumDense', 'TextVectorization', 'StringLookup', 'IntegerLookup', 'CategoryEncoding', 'Hashing',
  'Discretization', 'RNN', 'StackedRNNCells', 'LocallyConnected1D', 'LocallyConnected2D', 'Highway', 'MaxoutDense',
  'TimeDistributedDense', 'Wrapper', 'Cropping', 'Softmax2D',
]);

/** Whether the class is a Keras built-in layer (with or without a shape rule here). */
export function isBuiltinLayer(className: string): boolean {
  return isKnownLayer(className) || BUILTIN_WITHOUT_RULE.has(className);
}

/**
 * Output shapes of one call of a layer.
 * @example outputShapes('Dense', { units: 10 }, [[null, 784]]) // [[null, 10]]
 */
export function outputShapes(className: string, cfg: KerasConfig, inputs: (Shape | undefined)[]): (Shape | undefined)[] {
  const rule = RULES[className];
  if (!rule) return [undefined];
  return rule(cfg, inputs);
}

// ---------------------------------------------------------------- helpers

const known = (d: Dim | undefined): number | null => (typeof d === 'number' ? d : null);

/** An int or a list of ints as a list of `n` ints (`3` -> `[3, 3]`). */
function tuple(v: unknown, n: number, fallback: number): number[] {
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length > 0) return Array.from({ length: n }, (_, i) => Number(v[Math.min(i, v.length - 1)]));
  return Array<number>(n).fill(fallback);
}

/** Keras 1 `dim_ordering` ('th' = channels first) or Keras 2+ `data_format`. */
function channelsFirst(cfg: KerasConfig): boolean {
  return cfg.data_format === 'channels_first' || cfg.dim_ordering === 'th';
}

/** Applies `fn` to the spatial dims of an (N, spatial..., C) or (N, C, spatial...) shape. */
function spatial(input: Shape | undefined, rank: number, cfg: KerasConfig, fn: (dims: (number | null)[]) => (number | null)[], channels?: number | null): Shape | undefined {
  // Unknown input (after a Lambda): the rank is still known, and so are the channels of a conv.
  if (!input) input = Array<Dim>(rank + 2).fill(null);
  if (input.length !== rank + 2) return undefined;
  const cf = channelsFirst(cfg);
  const dims = (cf ? input.slice(2) : input.slice(1, 1 + rank)).map(known);
  const c = channels === undefined ? input[cf ? 1 : rank + 1]! : channels;
  const out = fn(dims);
  return cf ? [input[0]!, c, ...out] : [input[0]!, ...out, c];
}

/**
 * Keras `conv_output_length` (keras/src/utils/conv_utils.py, and ops `compute_conv_output_shape`):
 * the length after a window of `filter` with `stride`, `dilation` and `padding`.
 */
export function convLength(input: number | null, filter: number, padding: string, stride: number, dilation = 1): number | null {
  if (input === null) return null;
  const dilated = (filter - 1) * dilation + 1;
  let out: number;
  if (padding === 'same' || padding === 'causal') out = input;
  else if (padding === 'full') out = input + dilated - 1;
  else out = input - dilated + 1;
  return Math.floor((out + stride - 1) / stride);
}

/** Keras `deconv_output_length` (conv_utils.py): the length after a transposed convolution. */
export function deconvLength(input: number | null, filter: number, padding: string, outputPadding: number | null, stride: number, dilation = 1): number | null {
  if (input === null) return null;
  const k = filter + (filter - 1) * (dilation - 1);
  if (outputPadding === null) {
    if (padding === 'valid') return input * stride + Math.max(k - stride, 0);
    if (padding === 'full') return input * stride - (stride + k - 2);
    return input * stride;
  }
  const pad = padding === 'same' ? Math.floor(k / 2) : padding === 'full' ? k - 1 : 0;
  return (input - 1) * stride + k - 2 * pad + outputPadding;
}

function padding(cfg: KerasConfig): string {
  return String(cfg.padding ?? cfg.border_mode ?? 'valid').toLowerCase();
}

/** Kernel size of a conv layer in Keras 2+ (`kernel_size`) or Keras 1 (`nb_row`/`nb_col`, `filter_length`, `kernel_dim1..3`). */
function kernelSize(cfg: KerasConfig, rank: number): number[] {
  if (cfg.kernel_size !== undefined) return tuple(cfg.kernel_size, rank, 1);
  if (rank === 1) return [Number(cfg.filter_length ?? 1)];
  if (rank === 2) return [Number(cfg.nb_row ?? 1), Number(cfg.nb_col ?? 1)];
  return [Number(cfg.kernel_dim1 ?? 1), Number(cfg.kernel_dim2 ?? 1), Number(cfg.kernel_dim3 ?? 1)];
}

function strides(cfg: KerasConfig, rank: number, fallback: number[]): number[] {
  const s = cfg.strides ?? cfg.subsample ?? cfg.subsample_length ?? cfg.stride;
  return s === undefined || s === null ? fallback : tuple(s, rank, 1);
}

function conv(rank: number): ShapeFn {
  return (cfg, [x]) => {
    const k = kernelSize(cfg, rank);
    const s = strides(cfg, rank, Array<number>(rank).fill(1));
    const d = tuple(cfg.dilation_rate ?? cfg.atrous_rate, rank, 1);
    const p = padding(cfg);
    const filters = known((cfg.filters ?? cfg.nb_filter) as Dim);
    return [spatial(x, rank, cfg, (dims) => dims.map((n, i) => convLength(n, k[i]!, p, s[i]!, d[i]!)), filters)];
  };
}

function convTranspose(rank: number): ShapeFn {
  return (cfg, [x]) => {
    if (Array.isArray(cfg.output_shape)) return [[x?.[0] ?? null, ...(cfg.output_shape as Dim[]).slice(1)]]; // Keras 1 Deconvolution2D
    const k = kernelSize(cfg, rank);
    const s = strides(cfg, rank, Array<number>(rank).fill(1));
    const d = tuple(cfg.dilation_rate, rank, 1);
    const op = cfg.output_padding === null || cfg.output_padding === undefined ? null : tuple(cfg.output_padding, rank, 0);
    const p = padding(cfg);
    const filters = known((cfg.filters ?? cfg.nb_filter) as Dim);
    return [spatial(x, rank, cfg, (dims) => dims.map((n, i) => deconvLength(n, k[i]!, p, op ? op[i]! : null, s[i]!, d[i]!)), filters)];
  };
}

function depthwise(rank: number): ShapeFn {
  return (cfg, inputs) => {
    const x = inputs[0];
    const cf = channelsFirst(cfg);
    const cin = x ? known(x[cf ? 1 : x.length - 1]) : null;
    const mult = Number(cfg.depth_multiplier ?? 1);
    return conv(rank)({ ...cfg, filters: cfg.filters ?? (cin === null ? null : cin * mult) }, inputs);
  };
}

function pool(rank: number): ShapeFn {
  return (cfg, [x]) => {
    const size = tuple(cfg.pool_size ?? cfg.pool_length, rank, 2);
    const s = strides(cfg, rank, size);
    const p = padding(cfg);
    return [spatial(x, rank, cfg, (dims) => dims.map((n, i) => convLength(n, size[i]!, p, s[i]!)))];
  };
}

function globalPool(rank: number): ShapeFn {
  return (cfg, [x]) => {
    if (!x) return [undefined];
    const cf = channelsFirst(cfg);
    const c = x[cf ? 1 : rank + 1] ?? null;
    if (cfg.keepdims === true) return [spatial(x, rank, cfg, (dims) => dims.map(() => 1))];
    return [[x[0]!, c]];
  };
}

/**
 * Normalizes Keras cropping / zero-padding arguments to one [before, after] pair per spatial dim
 * (Keras 2 nested tuples, Keras 1 flat 4-tuples and {top_pad, ...} dicts).
 * @example pairsOf([[1, 2], [3, 4]], 2, 0) // [[1, 2], [3, 4]]
 */
export function pairsOf(v: unknown, rank: number, fallback: number): [number, number][] {
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v]);
  if (Array.isArray(v)) {
    if (v.every((e) => Array.isArray(e))) return (v as unknown[][]).map((e) => [Number(e[0] ?? 0), Number(e[1] ?? e[0] ?? 0)]);
    // Keras 1 ZeroPadding2D((top, bottom, left, right)) flat 4-tuple.
    if (v.length === 2 * rank && rank > 1) return Array.from({ length: rank }, (_, i) => [Number(v[2 * i]), Number(v[2 * i + 1])]);
    if (rank === 1 && v.length === 2) return [[Number(v[0]), Number(v[1])]];
    return Array.from({ length: rank }, (_, i) => [Number(v[i] ?? 0), Number(v[i] ?? 0)]);
  }
  if (v && typeof v === 'object') {
    // Keras 1 dict form {top_pad, bottom_pad, left_pad, right_pad}.
    const o = v as Record<string, number>;
    return [[o.top_pad ?? 0, o.bottom_pad ?? 0], [o.left_pad ?? 0, o.right_pad ?? 0]];
  }
  return Array.from({ length: rank }, () => [fallback, fallback]);
}

function crop(rank: number, sign: -1 | 1): ShapeFn {
  return (cfg, [x]) => {
    const p = pairsOf(sign < 0 ? cfg.cropping : cfg.padding, rank, 1);
    return [spatial(x, rank, cfg, (dims) => dims.map((n, i) => (n === null ? null : n + sign * (p[i]![0] + p[i]![1]))))];
  };
}

function upsample(rank: number): ShapeFn {
  return (cfg, [x]) => {
    const size = tuple(cfg.size ?? cfg.length, rank, 2);
    return [spatial(x, rank, cfg, (dims) => dims.map((n, i) => (n === null ? null : n * size[i]!)))];
  };
}

const identity: ShapeFn = (_cfg, [x]) => [x];

function product(dims: Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** NumPy broadcasting of elementwise-merge inputs (Add, Multiply, ...). */
function broadcast(inputs: (Shape | undefined)[]): Shape | undefined {
  const shapes = inputs.filter((s): s is Shape => s !== undefined);
  if (shapes.length !== inputs.length || shapes.length === 0) return shapes[0];
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const ds = shapes.map((s) => s[s.length - rank + i]).filter((d) => d !== undefined) as Dim[];
    const nums = ds.filter((d): d is number => typeof d === 'number' && d !== 1);
    if (nums.length) out.push(nums[0]!);
    else if (ds.length && ds.every((d) => d === 1)) out.push(1);
    else out.push(ds.find((d) => typeof d === 'string') ?? null);
  }
  return out;
}

const merge: ShapeFn = (_cfg, inputs) => [broadcast(inputs)];

const concatenate: ShapeFn = (cfg, inputs) => {
  if (inputs.some((s) => !s)) return [undefined];
  const shapes = inputs as Shape[];
  const rank = shapes[0]!.length;
  let axis = Number(cfg.axis ?? cfg.concat_axis ?? -1);
  if (axis < 0) axis += rank;
  const out = [...shapes[0]!];
  let sum: number | null = 0;
  for (const s of shapes) {
    const d = known(s[axis]);
    sum = sum === null || d === null ? null : sum + d;
  }
  out[axis] = sum;
  // Other dims: prefer a known size from any input.
  for (let i = 0; i < rank; i++) if (i !== axis && out[i] === null) out[i] = shapes.map((s) => s[i]).find((d) => d !== null) ?? null;
  return [out];
};

/** Recurrent layers (LSTM, GRU, SimpleRNN; Keras 1 `output_dim`): sequence or last output, plus states. */
function recurrent(states: number): ShapeFn {
  return (cfg, [x]) => {
    const units = known((cfg.units ?? cfg.output_dim) as Dim);
    const b = x?.[0] ?? null;
    const t = x ? (x[1] ?? null) : null;
    const out: Shape = cfg.return_sequences ? [b, t, units] : [b, units];
    const res: (Shape | undefined)[] = [out];
    if (cfg.return_state) for (let i = 0; i < states; i++) res.push([b, units]);
    return res;
  };
}

/** The wrapped layer of Bidirectional / TimeDistributed: `{class_name, config}`. */
function inner(cfg: KerasConfig): { className: string; config: KerasConfig } | undefined {
  const l = cfg.layer as { class_name?: unknown; config?: unknown } | undefined;
  if (!l || typeof l.class_name !== 'string') return undefined;
  return { className: l.class_name, config: (l.config ?? {}) as KerasConfig };
}

const bidirectional: ShapeFn = (cfg, inputs) => {
  const l = inner(cfg);
  if (!l) return [undefined];
  const outs = outputShapes(l.className, l.config, inputs.slice(0, 1));
  const y = outs[0];
  const mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
  const states = outs.slice(1);
  if (mode === null) return [y, y, ...states, ...states];
  let merged = y;
  if (y && mode === 'concat') {
    const last = known(y[y.length - 1]);
    merged = [...y.slice(0, -1), last === null ? null : last * 2];
  }
  return [merged, ...states, ...states];
};

const timeDistributed: ShapeFn = (cfg, [x]) => {
  const l = inner(cfg);
  if (!l || !x) return [undefined];
  const [y] = outputShapes(l.className, l.config, [[x[0]!, ...x.slice(2)]]);
  return [y ? [x[0]!, x[1] ?? null, ...y.slice(1)] : undefined];
};

const flatten: ShapeFn = (_cfg, [x]) => (x ? [[x[0]!, product(x.slice(1))]] : [[null, null]]);

const reshape: ShapeFn = (cfg, [x]) => {
  const target = (cfg.target_shape ?? cfg.dims) as number[] | undefined;
  if (!Array.isArray(target)) return [undefined];
  const b = x?.[0] ?? null;
  const total = x ? product(x.slice(1)) : null;
  const fixed = product(target.filter((d) => d !== -1));
  return [[b, ...target.map((d) => (d === -1 ? (total !== null && fixed ? total / fixed : null) : d))]];
};

const permute: ShapeFn = (cfg, [x]) => {
  const dims = cfg.dims as number[] | undefined;
  if (!x || !Array.isArray(dims)) return [undefined];
  return [[x[0]!, ...dims.map((d) => x[d] ?? null)]];
};

const repeatVector: ShapeFn = (cfg, [x]) => [[x?.[0] ?? null, Number(cfg.n), x?.[1] ?? null]];

const dense: ShapeFn = (cfg, [x]) => {
  const units = known((cfg.units ?? cfg.output_dim) as Dim);
  return [x ? [...x.slice(0, -1), units] : undefined];
};

const embedding: ShapeFn = (cfg, [x]) => {
  const dim = known(cfg.output_dim as Dim);
  if (!x) return [[null, known(cfg.input_length as Dim), dim]];
  return [[...x, dim]];
};

/**
 * Lambda: the function is Python bytecode that nnlens never runs, so the shape is only known
 * when the author gave `output_shape` as a raw tuple (without the batch dimension).
 */
const lambda: ShapeFn = (cfg, [x]) => {
  const os = cfg.output_shape;
  const raw = cfg.output_shape_type === undefined || cfg.output_shape_type === 'raw';
  if (raw && Array.isArray(os) && os.every((d) => d === null || typeof d === 'number')) return [[x?.[0] ?? null, ...(os as Dim[])]];
  return [undefined];
};

/** Keras 1 `Merge` (keras 1.2 `keras/engine/topology.py`): concat along `concat_axis`, or elementwise. */
const merge1: ShapeFn = (cfg, inputs) => {
  const mode = cfg.mode ?? 'sum';
  if (mode === 'concat') return concatenate({ axis: cfg.concat_axis ?? -1 }, inputs);
  if (mode === 'sum' || mode === 'mul' || mode === 'ave' || mode === 'max') return merge(cfg, inputs);
  return [undefined];
};

/** Resizing / CenterCrop (Keras preprocessing layers): (batch, height, width, channels). */
const resize: ShapeFn = (cfg, [x]) => [spatial(x, 2, cfg, () => [known(cfg.height as Dim), known(cfg.width as Dim)])];

const RULES: Record<string, ShapeFn> = {
  Dense: dense,
  Conv1D: conv(1), Conv2D: conv(2), Conv3D: conv(3),
  Convolution1D: conv(1), Convolution2D: conv(2), Convolution3D: conv(3), AtrousConvolution2D: conv(2),
  SeparableConv1D: conv(1), SeparableConv2D: conv(2), SeparableConvolution2D: conv(2),
  DepthwiseConv1D: depthwise(1), DepthwiseConv2D: depthwise(2),
  Conv1DTranspose: convTranspose(1), Conv2DTranspose: convTranspose(2), Conv3DTranspose: convTranspose(3),
  Deconvolution2D: convTranspose(2), Deconvolution3D: convTranspose(3),
  MaxPooling1D: pool(1), MaxPooling2D: pool(2), MaxPooling3D: pool(3),
  AveragePooling1D: pool(1), AveragePooling2D: pool(2), AveragePooling3D: pool(3),
  MaxPool1D: pool(1), MaxPool2D: pool(2), MaxPool3D: pool(3),
  AvgPool1D: pool(1), AvgPool2D: pool(2), AvgPool3D: pool(3),
  GlobalMaxPooling1D: globalPool(1), GlobalMaxPooling2D: globalPool(2), GlobalMaxPooling3D: globalPool(3),
  GlobalAveragePooling1D: globalPool(1), GlobalAveragePooling2D: globalPool(2), GlobalAveragePooling3D: globalPool(3),
  GlobalMaxPool1D: globalPool(1), GlobalMaxPool2D: globalPool(2), GlobalAvgPool1D: globalPool(1), GlobalAvgPool2D: globalPool(2),
  Cropping1D: crop(1, -1), Cropping2D: crop(2, -1), Cropping3D: crop(3, -1),
  ZeroPadding1D: crop(1, 1), ZeroPadding2D: crop(2, 1), ZeroPadding3D: crop(3, 1),
  UpSampling1D: upsample(1), UpSampling2D: upsample(2), UpSampling3D: upsample(3),
  Flatten: flatten, Reshape: reshape, Permute: permute, RepeatVector: repeatVector,
  Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, SpatialDropout3D: identity,
  GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity,
  Activation: identity, ELU: identity, LeakyReLU: identity, ReLU: identity, PReLU: identity,
  Softmax: identity, ThresholdedReLU: identity,
  BatchNormalization: identity, LayerNormalization: identity, UnitNormalization: identity,
  Normalization: identity, Rescaling: identity, Masking: identity, ActivityRegularization: identity,
  Identity: identity,
  RandomFlip: identity, RandomRotation: identity, RandomZoom: identity, RandomContrast: identity,
  RandomTranslation: identity, RandomBrightness: identity, GroupNormalization: identity,
  Resizing: resize, CenterCrop: resize,
  Add: merge, Subtract: merge, Multiply: merge, Average: merge, Maximum: merge, Minimum: merge,
  Concatenate: concatenate, Merge: merge1,
  Embedding: embedding,
  LSTM: recurrent(2), GRU: recurrent(1), SimpleRNN: recurrent(1), CuDNNLSTM: recurrent(2), CuDNNGRU: recurrent(1),
  Bidirectional: bidirectional, TimeDistributed: timeDistributed,
  Lambda: lambda,
};
