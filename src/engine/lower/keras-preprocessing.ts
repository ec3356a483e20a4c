/**
 * Keras preprocessing layers that can sit inside a model: Resizing and CenterCrop, and the
 * augmentation layers (RandomFlip, RandomRotation...), which Keras skips at inference.
 */
import { num } from './keras-args.ts';
import type { LayerLowering } from './keras-call.ts';
import { identity } from './keras-reshape.ts';

/**
 * Resizing(height, width, interpolation): Keras calls `tf.image.resize` (half-pixel centers, no
 * antialiasing; nearest rounds half up), TF.js's Resizing calls resizeBilinear / resizeNearestNeighbor
 * with align_corners (tfjs-layers `preprocessing/image_resizing.ts`); each dialect gets its own.
 */
const resizing: LayerLowering = (c) => {
  if (c.cfg.crop_to_aspect_ratio === true) c.fail('crop_to_aspect_ratio is not supported');
  if (c.cfg.data_format === 'channels_first') c.fail("data_format 'channels_first' is not supported");
  const mode = String(c.cfg.interpolation ?? 'bilinear');
  if (mode !== 'bilinear' && mode !== 'nearest') c.fail(`interpolation '${mode}' is not supported`);
  const e = c.e, x = c.inputs[0]!;
  const h = num(c.cfg.height, NaN), w = num(c.cfg.width, NaN);
  // sizes = (N, height, width, C), N and C taken from the input at run time.
  const s = e.op('Shape', [x]);
  const sizes = e.op('Concat', [e.slice(s, [0], [1], [0]), e.b.ints([h, w]), e.slice(s, [3], [4], [0])], { axis: 0 });
  const coords = c.dialect.tfjs ? 'align_corners' : 'half_pixel';
  const attrs: Record<string, string> = mode === 'bilinear' ? { mode: 'linear', coordinate_transformation_mode: coords } : { mode: 'nearest', coordinate_transformation_mode: coords, nearest_mode: 'round_prefer_ceil' };
  return [e.op('Resize', [x, '', '', sizes], attrs)];
};

/** CenterCrop(height, width): the centered window, offsets floor((H - height) / 2) (Keras and TF.js alike). */
const centerCrop: LayerLowering = (c) => {
  const shape = c.inShapes[0];
  const H = shape?.[1], W = shape?.[2];
  const h = num(c.cfg.height, NaN), w = num(c.cfg.width, NaN);
  if (typeof H !== 'number' || typeof W !== 'number') return c.fail('CenterCrop needs a known input size');
  if (H < h || W < w) c.fail('CenterCrop of an input smaller than the crop (Keras resizes then) is not supported');
  const top = Math.floor((H - h) / 2), left = Math.floor((W - w) / 2);
  return [c.e.slice(c.inputs[0]!, [top, left], [top + h, left + w], [1, 2])];
};

/** Preprocessing layers by Keras class name. */
export const PREPROCESSING_LAYERS: Record<string, LayerLowering> = {
  Resizing: resizing,
  CenterCrop: centerCrop,
  RandomFlip: identity, RandomRotation: identity, RandomZoom: identity, RandomContrast: identity,
  RandomTranslation: identity, RandomBrightness: identity, RandomCrop: identity, RandomHeight: identity, RandomWidth: identity,
};
