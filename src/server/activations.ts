/**
 * A layer's activation on the current input (`GET /api/models/:id/activations`): per-channel
 * statistics and the picture `nnlens activations` draws for it (feature-map mosaic for 4-D tensors,
 * bars of units for 2-D, a channels x positions heatmap for 3-D).
 */
import { runInputs, type LoadedInputs } from '../cli/input-options.ts';
import type { Engine } from '../engine/engine.ts';
import type { NdArray } from '../engine/ndarray.ts';
import { shapeText } from '../graph/ir.ts';
import { activationStats, featureMaps, type ActivationLayout, type ActivationStats } from '../inspect/activations.ts';
import { featureMapMosaic, featureMosaicSvg, sequenceHeatmapSvg, unitBarsSvg } from '../render/activations.ts';
import type { ActivationsJson } from './api-types.ts';
import { HttpError } from './http.ts';

/** A captured activation. */
export interface Captured {
  layer: string;
  tensor: string;
  array: NdArray;
  layout: ActivationLayout;
  stats: ActivationStats;
  ms: number;
}

/**
 * Runs the input and captures `layer` (its first tensor when the reference names several).
 * @throws NnlensError for unknown layers
 */
export async function captureActivation(engine: Engine, loaded: LoadedInputs, layer: string): Promise<Captured> {
  const t0 = performance.now();
  const tensors = engine.resolve(layer);
  const res = await runInputs(engine, loaded, [layer]);
  const array = res.captured[layer]![0]!;
  if (array.dtype !== 'float32') throw new HttpError(400, `'${layer}' holds ${array.dtype} values; activations are shown for float tensors`);
  const layout = engine.exec.layoutOf(tensors[0]!);
  return { layer, tensor: tensors[0]!, array, layout, stats: activationStats(array, layout), ms: performance.now() - t0 };
}

/** The JSON answer for a captured activation. */
export function activationsJson(c: Captured): ActivationsJson {
  const rank = c.array.shape.length;
  return {
    layer: c.layer, tensor: c.tensor, shape: c.array.shape, layout: c.layout, overall: c.stats.overall,
    channels: c.stats.channels.length, picture: rank === 4 ? 'mosaic' : rank === 2 ? 'bars' : rank === 3 ? 'heatmap' : 'none', ms: c.ms,
  };
}

/**
 * The picture of sample 0 of a captured activation, as SVG.
 * @throws HttpError 400 for ranks that have no picture
 */
export function activationSvg(c: Captured, maxMaps = 256): string {
  const a = c.array, shape = a.shape;
  const title = `${c.layer}${c.layer === c.tensor ? '' : ` (${c.tensor})`} ${shapeText(shape)}`;
  const data = a.data as Float32Array;
  if (shape.length === 4) {
    const m = featureMaps(a, c.layout, 0);
    const mosaic = featureMapMosaic(m.planes, m.c, m.h, m.w, { maxMaps, maxWidth: 900 });
    const dead = Array.from({ length: mosaic.shown }, (_, k) => m.planes.subarray(k * m.h * m.w, (k + 1) * m.h * m.w).every((v) => v === 0));
    return featureMosaicSvg(mosaic, title, dead, `${m.h}x${m.w} per map, ${c.layout}`);
  }
  if (shape.length === 2) {
    const n = shape[1]!;
    const row = data.subarray(0, n);
    const zeros = row.reduce((p, v) => p + (v === 0 ? 1 : 0), 0);
    return unitBarsSvg(row, { title, caption: `${n} units; ${zeros} exactly zero` });
  }
  if (shape.length === 3) {
    const [, d1, d2] = shape as [number, number, number];
    const src = data.subarray(0, d1 * d2);
    if (c.layout === 'NCHW') return sequenceHeatmapSvg(src, d1, d2, title, 'rows: channels (axis 1), columns: positions (axis 2)');
    const t = new Float32Array(d1 * d2);
    for (let p = 0; p < d1; p++) for (let k = 0; k < d2; k++) t[k * d1 + p] = src[p * d2 + k]!;
    return sequenceHeatmapSvg(t, d2, d1, title, 'rows: channels (last axis), columns: positions (axis 1)');
  }
  throw new HttpError(400, `a rank-${shape.length} activation ${shapeText(shape)} has no picture (2-, 3- and 4-D tensors do)`);
}
