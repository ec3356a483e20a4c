/**
 * Keras pooling as ONNX MaxPool / AveragePool (wrapped in layout transposes like convolutions)
 * and global pooling as reductions over the spatial axes of the Keras-layout tensor.
 *
 * Keras average pooling never counts padded cells (TensorFlow's avg_pool divides by the number of
 * valid cells), hence `count_include_pad: 0`; padded cells never win a max pool.
 */
import { channelsFirst, poolSizeOf, stridesOf } from './keras-args.ts';
import type { LayerCall, LayerLowering } from './keras-call.ts';
import { channelsFirstScope, windowAttrs } from './keras-conv.ts';

function pool(rank: number, op: 'MaxPool' | 'AveragePool'): LayerLowering {
  return (c) => {
    const k = poolSizeOf(c.cfg, rank);
    const s = stridesOf(c.cfg, rank, k); // Keras: strides default to the pool size
    const attrs = { ...windowAttrs(c, rank, k, s, undefined), ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}) };
    return [channelsFirstScope(c, rank, c.inputs[0]!, (x) => c.e.op(op, [x], attrs))];
  };
}

/** Spatial axes of a rank-`rank` Keras tensor. */
function spatialAxes(c: LayerCall, rank: number): number[] {
  const first = channelsFirst(c.cfg) ? 2 : 1;
  return Array.from({ length: rank }, (_, i) => i + first);
}

/**
 * GlobalAveragePooling / GlobalMaxPooling. Keras 2.2.3+ GlobalAveragePooling1D averages over the
 * unmasked steps only when its input carries a mask (keras/layers/pooling.py).
 */
function globalPool(rank: number, op: 'mean' | 'max'): LayerLowering {
  return (c) => {
    const x = c.inputs[0]!;
    const axes = spatialAxes(c, rank);
    const keep = c.cfg.keepdims === true;
    const mask = c.masks[0];
    if (op === 'mean' && rank === 1 && mask && !channelsFirst(c.cfg)) {
      const m = c.e.op('Cast', [c.e.unsqueeze(mask, [2])], { to: 1 }); // float32 [N, T, 1]
      const total = c.e.reduceSum(c.e.mul(x, m), [1], keep);
      return [c.e.div(total, c.e.reduceSum(m, [1], keep))];
    }
    return [op === 'mean' ? c.e.reduceMean(x, axes, keep) : c.e.reduceMax(x, axes, keep)];
  };
}

/** Pooling layers by Keras class name. */
export const POOL_LAYERS: Record<string, LayerLowering> = {
  MaxPooling1D: pool(1, 'MaxPool'), MaxPooling2D: pool(2, 'MaxPool'), MaxPooling3D: pool(3, 'MaxPool'),
  MaxPool1D: pool(1, 'MaxPool'), MaxPool2D: pool(2, 'MaxPool'), MaxPool3D: pool(3, 'MaxPool'),
  AveragePooling1D: pool(1, 'AveragePool'), AveragePooling2D: pool(2, 'AveragePool'), AveragePooling3D: pool(3, 'AveragePool'),
  AvgPool1D: pool(1, 'AveragePool'), AvgPool2D: pool(2, 'AveragePool'), AvgPool3D: pool(3, 'AveragePool'),
  GlobalAveragePooling1D: globalPool(1, 'mean'), GlobalAveragePooling2D: globalPool(2, 'mean'), GlobalAveragePooling3D: globalPool(3, 'mean'),
  GlobalAvgPool1D: globalPool(1, 'mean'), GlobalAvgPool2D: globalPool(2, 'mean'), GlobalAvgPool3D: globalPool(3, 'mean'),
  GlobalMaxPooling1D: globalPool(1, 'max'), GlobalMaxPooling2D: globalPool(2, 'max'), GlobalMaxPooling3D: globalPool(3, 'max'),
  GlobalMaxPool1D: globalPool(1, 'max'), GlobalMaxPool2D: globalPool(2, 'max'), GlobalMaxPool3D: globalPool(3, 'max'),
};
