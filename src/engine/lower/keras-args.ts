/**
 * Reading Keras layer configs the way Keras itself does, across its three eras: Keras 1 names and
 * arguments (keras 1.2 `layers/convolutional.py`: `nb_filter`, `nb_row`/`nb_col`, `subsample`,
 * `border_mode`, `dim_ordering`), Keras 2 (`filters`, `kernel_size`, `strides`, `padding`,
 * `data_format`) and Keras 3 (same names, dtype policies as objects). Also the TensorFlow window
 * arithmetic that Keras delegates to (`padding='same'`), and weight re-layout helpers.
 */
import type { Dim, Shape } from '../../graph/ir.ts';

/** A Keras layer config (the `config` object of a layer entry). */
export type KerasConfig = Record<string, unknown>;

/** An int or a list of ints as a list of `n` ints (`3` -> `[3, 3]`). */
export function tuple(v: unknown, n: number, fallback: number): number[] {
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length > 0) return Array.from({ length: n }, (_, i) => Number(v[Math.min(i, v.length - 1)]));
  return Array<number>(n).fill(fallback);
}

/** A number from a config value, or `fallback` when absent/null. */
export function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Keras 1 `dim_ordering: 'th'` or Keras 2+ `data_format: 'channels_first'`: the tensor is (N, C, spatial...). */
export function channelsFirst(cfg: KerasConfig): boolean {
  return cfg.data_format === 'channels_first' || cfg.dim_ordering === 'th';
}

/** `padding` (Keras 2+) or `border_mode` (Keras 1), lower-cased: 'valid', 'same', 'causal' or 'full'. */
export function paddingOf(cfg: KerasConfig): string {
  return String(cfg.padding ?? cfg.border_mode ?? 'valid').toLowerCase();
}

/** Kernel size of a conv layer: `kernel_size` (Keras 2+) or Keras 1 `nb_row`/`nb_col`, `filter_length`, `kernel_dim1..3`. */
export function kernelSizeOf(cfg: KerasConfig, rank: number): number[] {
  if (cfg.kernel_size !== undefined) return tuple(cfg.kernel_size, rank, 1);
  if (rank === 1) return [num(cfg.filter_length, 1)];
  if (rank === 2) return [num(cfg.nb_row, 1), num(cfg.nb_col, 1)];
  return [num(cfg.kernel_dim1, 1), num(cfg.kernel_dim2, 1), num(cfg.kernel_dim3, 1)];
}

/** Strides: `strides` (Keras 2+), `subsample` / `subsample_length` (Keras 1 conv), `stride` (Keras 1 pooling 1D). */
export function stridesOf(cfg: KerasConfig, rank: number, fallback: number[]): number[] {
  const s = cfg.strides ?? cfg.subsample ?? cfg.subsample_length ?? cfg.stride;
  return s === undefined || s === null ? fallback : tuple(s, rank, 1);
}

/** Dilation: `dilation_rate` (Keras 2+) or `atrous_rate` (Keras 1 AtrousConvolution). */
export function dilationOf(cfg: KerasConfig, rank: number): number[] {
  return tuple(cfg.dilation_rate ?? cfg.atrous_rate, rank, 1);
}

/** Pool window: `pool_size` (Keras 2+, Keras 1 2D/3D) or `pool_length` (Keras 1 1D). */
export function poolSizeOf(cfg: KerasConfig, rank: number): number[] {
  return tuple(cfg.pool_size ?? cfg.pool_length, rank, 2);
}

/** A known dimension, or null. */
export function known(d: Dim | undefined): number | null {
  return typeof d === 'number' ? d : null;
}

/**
 * ONNX pads ([begins..., ends...]) for a Keras window op, or undefined when 'same' padding meets an
 * unknown input size (the caller then uses `auto_pad: SAME_UPPER`, which pads the same way).
 *
 * TensorFlow's SAME (tensorflow/core/framework/kernel_shape_util.cc, GetWindowedOutputSize):
 * out = ceil(in / stride), total = max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0),
 * with the odd pixel at the end (begin = floor(total / 2)). Keras 'causal' pads (k - 1) * dilation
 * at the beginning only (keras Conv1D); Keras 1 'full' pads k - 1 on both sides.
 */
export function windowPads(padding: string, spatial: (number | null)[], k: number[], s: number[], d: number[]): number[] | undefined {
  const r = k.length;
  const begin = new Array<number>(r).fill(0), end = new Array<number>(r).fill(0);
  for (let i = 0; i < r; i++) {
    const eff = (k[i]! - 1) * d[i]! + 1;
    if (padding === 'same') {
      const n = spatial[i];
      if (n === null || n === undefined) return undefined;
      const out = Math.ceil(n / s[i]!);
      const total = Math.max((out - 1) * s[i]! + eff - n, 0);
      begin[i] = Math.floor(total / 2);
      end[i] = total - begin[i]!;
    } else if (padding === 'causal') {
      begin[i] = eff - 1;
    } else if (padding === 'full') {
      begin[i] = eff - 1;
      end[i] = eff - 1;
    } else if (padding !== 'valid') {
      return undefined;
    }
  }
  return [...begin, ...end];
}

/** Spatial dims of a Keras-layout shape (between batch and channels, or after channels when channels-first). */
export function spatialDims(shape: Shape | undefined, rank: number, cf: boolean): (number | null)[] {
  if (!shape || shape.length !== rank + 2) return new Array<number | null>(rank).fill(null);
  return (cf ? shape.slice(2) : shape.slice(1, 1 + rank)).map(known);
}

/**
 * Copies `data` of row-major `shape` into the axis order `perm` (as numpy.transpose).
 * @example permute(hwio, [3, 3, 1, 8], [3, 2, 0, 1]) // OIHW
 */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) { inStrides[i] = acc; acc *= shape[i]!; }
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src]!;
    for (let a = r - 1; a >= 0; a--) {
      idx[a]!++;
      src += strides[a]!;
      if (idx[a]! < outShape[a]!) break;
      src -= strides[a]! * outShape[a]!;
      idx[a] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** Re-exported: the loader's reading of Keras cropping / padding arguments. */
export { pairsOf } from '../../formats/keras-shapes.ts';

/** Resolves a possibly negative axis against a rank. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
