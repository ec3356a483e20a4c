/**
 * Explanations for the page (`GET /api/models/:id/explain`) through the explain orchestrator
 * (src/explain/explain.ts), the same code `nnlens explain` runs: any method, a target class
 * (default: the predicted one), an optional contrast class, the CAM layer selected in the graph.
 * Targets are logits before the model's own softmax (Selvaraju et al. 2017, Sec. 3). Class
 * indices are runtime inputs of the compiled gradient graph, so changing the class reuses the
 * compiled session and costs one forward+backward run.
 *
 * What stays here is presentation: the heatmap enlarged for display (bilinear for maps computed
 * at a coarser resolution, CAM and contrasts; whole pixels for input-space maps, which are exact
 * per pixel) and the feature list of tabular inputs, with the attention weights of a model that
 * outputs them.
 */
import { loadInputFor } from '../cli/input-options.ts';
import type { Engine } from '../engine/engine.ts';
import { explain as explainBatch, type ExplainOptions } from '../explain/explain.ts';
import { createMethod } from '../explain/methods.ts';
import { resizeBilinear } from '../explain/postprocess.ts';
import type { Picture } from '../io/image.ts';
import { labelOf } from '../io/labels.ts';
import { pictureFromTensor } from '../render/overlay.ts';
import type { ExplainJson } from './api-types.ts';
import { HttpError } from './http.ts';
import type { StoredInput } from './inputs.ts';
import type { OpenedModel } from './opened.ts';

/** What the page asks for. */
export interface ExplainRequest {
  method: string;
  /** Class to explain; default: the predicted class. */
  target?: number;
  contrast?: number;
  /** Layer reference for CAM methods; default: the orchestrator's (last feature map before pooling). */
  layer?: string;
}

/** A computed explanation: the JSON answer and, for pictures, the heatmap at display size. */
export interface Explanation {
  json: Omit<ExplainJson, 'ms' | 'cached'>;
  /** Heatmap in [0, 1] at the display size (picture size times `zoom`). */
  heat?: Float32Array;
  /** The picture at display size. */
  picture?: Picture;
  grayscale: boolean;
  ms: number;
}

/** Display side of overlays in pixels (small inputs are enlarged by a whole factor to about this). */
export const OVERLAY_SIDE = 280;

/**
 * Options of the page: the model's reference baseline and background when it has them, and fewer
 * steps and samples than the CLI's defaults for pictures, where the page waits for the answer.
 */
async function pageOptions(opened: OpenedModel, engine: Engine, method: string, image: boolean): Promise<Partial<ExplainOptions>> {
  const o: Partial<ExplainOptions> = {};
  const ref = opened.reference;
  if (ref.baseline && ['ig', 'occlusion', 'ablation'].includes(method)) o.baseline = ref.baseline;
  if (ref.background && method === 'kernelshap') o.background = Float32Array.from((await loadInputFor(engine, ref.background)).primary.input.data as Float32Array);
  if (image && method === 'ig') o.steps = 32;
  if (image && (method === 'smoothgrad' || method === 'vargrad')) o.samples = 16;
  return o;
}

/** Enlarges a picture by whole pixels. */
function enlarge(p: Picture, z: number): Picture {
  if (z === 1) return p;
  const W = p.width * z, H = p.height * z, rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const s = (Math.floor(y / z) * p.width + Math.floor(x / z)) * 3, d = (y * W + x) * 3;
    rgb[d] = p.rgb[s]!; rgb[d + 1] = p.rgb[s + 1]!; rgb[d + 2] = p.rgb[s + 2]!;
  }
  return { width: W, height: H, rgb };
}

/**
 * Runs one explanation on a stored input.
 * @throws NnlensError / HttpError for methods that do not apply (a CAM method on a table...)
 */
export async function explainInput(opened: OpenedModel, stored: StoredInput, req: ExplainRequest): Promise<Explanation> {
  const t0 = performance.now();
  const method = createMethod(req.method);
  const layer = method.space === 'layer' ? req.layer : undefined;
  if (req.contrast !== undefined && req.contrast === req.target) throw new HttpError(400, 'the contrast class must differ from the target class');
  const engine = await opened.engine(method.space === 'layer' ? `layer:${layer ?? ''}` : 'main');
  const { primary, feeds } = stored.loaded;
  const tabular = stored.info.row !== undefined;
  const names = stored.info.row?.names;
  const grayscale = primary.input.preprocess?.transform.color === 'grayscale';
  const labels = opened.facts.labels ? { names: opened.facts.labels, source: `${opened.model.path} (metadata nnlens.labels)` } : undefined;
  const outcome = await explainBatch(engine, {
    feeds, inputName: primary.name, items: [{ file: primary.input.file, row: 0, ...(primary.input.picture ? { picture: primary.input.picture } : {}), grayscale }],
    ...(names ? { featureNames: names } : {}),
  }, {
    method: req.method, seed: 0, ...(layer ? { layer } : {}), ...(labels ? { labels } : {}),
    ...(req.target !== undefined ? { target: String(req.target) } : {}), ...(req.contrast !== undefined ? { contrast: String(req.contrast) } : {}),
    ...(await pageOptions(opened, engine, req.method, !tabular)),
  });
  const item = outcome.items[0]!;
  const cls = (t: { index: number; label?: string }) => ({ index: t.index, label: t.label ?? labelOf(opened.facts.labels, t.index) });
  const json: Explanation['json'] = {
    method: outcome.method.name, displayName: outcome.method.displayName, space: outcome.method.space,
    target: cls(item.target), ...(item.contrast ? { contrast: cls(item.contrast) } : {}),
    ...(outcome.layer ? { layer: outcome.layer.ref } : {}), score: item.target.score,
    ...(item.completenessError !== undefined ? { delta: item.completenessError } : {}),
    kind: item.heatmap ? 'image' : 'features',
  };
  if (!item.heatmap) {
    const values = item.features ?? item.raw;
    json.features = Array.from(values, (a, k) => ({ name: names?.[k] ?? `feature ${k}`, value: stored.info.row?.values[k] ?? item.inputValues[k] ?? NaN, attribution: a }));
    const att = opened.info().attentionOutput;
    if (att && names) json.attention = await attentionWeights(opened, stored, att, names);
    return { json, grayscale, ms: performance.now() - t0 };
  }
  const g = outcome.input;
  const pic = item.source.picture ?? pictureFromTensor(item.inputValues, g.C, g.H, g.W, g.layout);
  const zoom = Math.max(1, Math.round(OVERLAY_SIDE / Math.max(g.H, g.W)));
  const H = g.H * zoom, W = g.W * zoom;
  let heat = item.heatmap;
  if (zoom > 1) {
    if (outcome.method.space === 'layer' || item.contrast) heat = resizeBilinear(heat, g.H, g.W, H, W);
    else {
      const big = new Float32Array(H * W);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) big[y * W + x] = heat[Math.floor(y / zoom) * g.W + Math.floor(x / zoom)]!;
      heat = big;
    }
  }
  return { json, heat, picture: enlarge(pic, zoom), grayscale, ms: performance.now() - t0 };
}

/** The attention output's weights for the input row, by feature. */
async function attentionWeights(opened: OpenedModel, stored: StoredInput, output: string, names: string[]): Promise<{ name: string; weight: number }[]> {
  const engine = await opened.engine('main');
  const r = await engine.run(stored.loaded.runs[0]!);
  const a = r.outputs[output];
  if (!a) return [];
  const row = a.data as Float32Array;
  return names.map((name, k) => ({ name, weight: row[k]! }));
}
