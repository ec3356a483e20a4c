/**
 * Keras layers that move, crop, pad or repeat values: Flatten, Reshape, Permute, RepeatVector,
 * Cropping*, ZeroPadding*, UpSampling*, and the layers that are identities at inference (Dropout
 * and its variants, noise layers, InputLayer).
 *
 * Tensors are in Keras layout, so Flatten is a plain row-major flatten of the NHWC tensor: exactly
 * Keras's element order, which the following Dense kernel was trained on.
 */
import { channelsFirst, pairsOf, tuple } from './keras-args.ts';
import type { LayerCall, LayerLowering } from './keras-call.ts';
import { toChannelsLast } from './keras-conv.ts';

/** ONNX Slice's "to the end" bound. */
const END = Number.MAX_SAFE_INTEGER;

/** The input unchanged (Dropout, noise layers, InputLayer). */
export const identity: LayerLowering = (c) => [c.inputs[0]!];

/**
 * Flatten: row-major over everything but the batch. With `data_format: 'channels_first'`, Keras 2+
 * (and TF.js) first moves channels last (keras/src/layers/reshaping/flatten.py), so that a Dense
 * after it sees the same order whatever the layout.
 */
const flatten: LayerLowering = (c) => {
  let x = c.inputs[0]!;
  const rank = c.inShapes[0]?.length;
  if (c.cfg.data_format === 'channels_first' && rank !== undefined && rank > 2) x = c.e.transpose(x, toChannelsLast(rank - 2));
  return [c.e.op('Flatten', [x], { axis: 1 })];
};

/** Reshape: `target_shape` excludes the batch (ONNX Reshape's 0 copies the batch dimension). */
const reshape: LayerLowering = (c) => {
  const target = c.cfg.target_shape ?? c.cfg.dims;
  if (!Array.isArray(target)) return c.fail('Reshape has no target_shape');
  return [c.e.reshape(c.inputs[0]!, [0, ...(target as unknown[]).map((d) => (d === null ? -1 : Number(d)))])];
};

/** Permute: `dims` are 1-based axes after the batch. */
const permuteLayer: LayerLowering = (c) => {
  const dims = c.cfg.dims;
  if (!Array.isArray(dims)) return c.fail('Permute has no dims');
  return [c.e.transpose(c.inputs[0]!, [0, ...(dims as number[]).map(Number)])];
};

/** RepeatVector(n): (N, F) -> (N, n, F), by broadcasting (Expand), which has a gradient rule. */
const repeatVector: LayerLowering = (c) => {
  const n = Number(c.cfg.n);
  return [c.e.expand(c.e.unsqueeze(c.inputs[0]!, [1]), [1, n, 1])];
};

/** Axes of the spatial dims in the layer's layout. */
function spatialAxes(c: LayerCall, rank: number): number[] {
  const first = channelsFirst(c.cfg) ? 2 : 1;
  return Array.from({ length: rank }, (_, i) => first + i);
}

function cropping(rank: number): LayerLowering {
  return (c) => {
    const p = pairsOf(c.cfg.cropping, rank, rank === 1 ? 1 : 0);
    const axes = spatialAxes(c, rank);
    return [c.e.slice(c.inputs[0]!, p.map((q) => q[0]), p.map((q) => (q[1] > 0 ? -q[1] : END)), axes)];
  };
}

function zeroPadding(rank: number): LayerLowering {
  return (c) => {
    const total = c.inShapes[0]?.length ?? rank + 2;
    const p = pairsOf(c.cfg.padding, rank, 1);
    const begin = new Array<number>(total).fill(0), end = new Array<number>(total).fill(0);
    spatialAxes(c, rank).forEach((a, i) => { begin[a] = p[i]![0]; end[a] = p[i]![1]; });
    return [c.e.pad(c.inputs[0]!, [...begin, ...end])];
  };
}

/**
 * UpSampling: nearest repeats each cell `size` times (ONNX Resize, asymmetric coordinates, floor).
 * Bilinear follows the resize the framework calls: TF 2 `tf.image.resize` (half-pixel centers) for
 * tf.keras 2.3+ and Keras 3; `resize_bilinear` without half-pixel centers for older Keras and TF.js.
 */
function upSampling(rank: number): LayerLowering {
  return (c) => {
    const size = tuple(c.cfg.size ?? c.cfg.length, rank, 2);
    const total = c.inShapes[0]?.length ?? rank + 2;
    const scales = new Array<number>(total).fill(1);
    spatialAxes(c, rank).forEach((a, i) => { scales[a] = size[i]!; });
    const bilinear = c.cfg.interpolation === 'bilinear';
    const [major, minor] = c.dialect.version;
    const halfPixel = !c.dialect.tfjs && (major! > 2 || (major === 2 && minor! >= 3));
    const attrs: Record<string, string> = bilinear
      ? { mode: 'linear', coordinate_transformation_mode: halfPixel ? 'half_pixel' : 'asymmetric' }
      : { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    return [c.e.op('Resize', [c.inputs[0]!, '', c.e.b.floats(scales)], attrs)];
  };
}

/** Masking(mask_value): zeroes the steps whose features all equal mask_value and masks them for RNNs. */
const masking: LayerLowering = (c) => {
  const e = c.e, x = c.inputs[0]!;
  const value = typeof c.cfg.mask_value === 'number' ? c.cfg.mask_value : 0;
  const differs = e.op('Cast', [e.op('Not', [e.op('Equal', [x, e.scalar(value)])])], { to: 1 });
  const keep = e.reduceMax(differs, [-1], true); // [N, T, 1]: 1 where any feature differs
  const mask = e.op('Cast', [e.squeeze(keep, [-1])], { to: 9 }); // bool [N, T]
  return { outputs: [e.mul(x, keep)], masks: [mask] };
};

/** Layers by Keras class name. */
export const RESHAPE_LAYERS: Record<string, LayerLowering> = {
  InputLayer: identity,
  Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, SpatialDropout3D: identity,
  GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity,
  ActivityRegularization: identity, Identity: identity,
  Flatten: flatten, Reshape: reshape, Permute: permuteLayer, RepeatVector: repeatVector,
  Cropping1D: cropping(1), Cropping2D: cropping(2), Cropping3D: cropping(3),
  ZeroPadding1D: zeroPadding(1), ZeroPadding2D: zeroPadding(2), ZeroPadding3D: zeroPadding(3),
  UpSampling1D: upSampling(1), UpSampling2D: upSampling(2), UpSampling3D: upSampling(3),
  Masking: masking,
};
