/**
 * Explanations for the page (`GET /api/models/:id/explain`): any method of `nnlens explain`, a
 * target class, an optional contrast class, the layer selected in the graph (CAM methods).
 *
 * The explained scalar is the target's logit (pytorch-grad-cam's ClassifierOutputTarget); with a
 * contrast class it is the difference of the two logits, w . logits with w = e_target - e_contrast:
 * "why this class rather than that one" (Selvaraju et al. 2017, Sec. 5 "counterfactual"
 * explanations use the negated gradient; the logit difference is the two-class form). Class
 * indices and weights are runtime inputs of the compiled gradient graph, so changing the class or
 * the contrast reuses the compiled session: only one forward+backward run is paid.
 *
 * For a single-logit binary classifier, class 1 is the logit and class 0 its negation.
 */
import { f32, type NdArray } from '../engine/ndarray.ts';
import { NnlensError } from '../errors.ts';
import { createMethod, TABULAR_ONLY } from '../explain/methods.ts';
import type { ExplainContext } from '../explain/method.ts';
import { camHeatmaps, inputHeatmap } from '../explain/postprocess.ts';
import type { Picture } from '../io/image.ts';
import { labelOf } from '../io/labels.ts';
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
  /** Layer reference for CAM methods; default: the model's CAM layer. */
  layer?: string;
}

/** A computed explanation: the JSON answer and, for pictures, the heatmap at display size. */
export interface Explanation {
  json: Omit<ExplainJson, 'ms' | 'cached'>;
  /** Heatmap in [0, 1] at the picture's size times `zoom`. */
  heat?: Float32Array;
  picture?: Picture;
  /** Display pixels per input pixel. */
  zoom: number;
  ms: number;
}

/** Display side of overlays in pixels (small inputs are enlarged by a whole factor to about this). */
export const OVERLAY_SIDE = 280;

/** Method options the page uses (the CLI's defaults, with fewer samples where latency matters). */
function optionsFor(method: string, x: NdArray, layout: 'NCHW' | 'NHWC', tabular: boolean): object {
  switch (method) {
    case 'ig': return { steps: tabular ? 64 : 32 };
    case 'smoothgrad': case 'vargrad': return { samples: 16, noise: 0.15 };
    case 'occlusion': {
      if (tabular) return { window: x.shape.slice(1).map(() => 1) };
      const dims = x.shape.slice(1);
      const [h, w] = layout === 'NCHW' ? [dims[1]!, dims[2]!] : [dims[0]!, dims[1]!];
      // About 7 x 7 windows over the picture, overlapping by half (Zeiler & Fergus slide a grey square).
      const k = Math.max(2, Math.round(Math.max(h, w) / 7)), s = Math.max(1, Math.ceil(k / 2));
      const win = layout === 'NCHW' ? [dims[0]!, k, k] : [k, k, dims[2]!];
      const str = layout === 'NCHW' ? [dims[0]!, s, s] : [s, s, dims[2]!];
      return { window: win, strides: str };
    }
    default: return {};
  }
}

/**
 * Runs one explanation on a stored input.
 * @throws NnlensError / HttpError for methods that do not apply (a CAM method on a table...)
 */
export async function explain(opened: OpenedModel, stored: StoredInput, req: ExplainRequest, predicted: { index: number; classes: number }): Promise<Explanation> {
  const t0 = performance.now();
  const method = createMethod(req.method);
  const info = opened.info();
  const tabular = stored.info.row !== undefined;
  if (TABULAR_ONLY.has(req.method) && !tabular) throw new HttpError(400, `${method.displayName} is for tabular inputs only`);
  const layer = method.space === 'layer' ? req.layer ?? info.camLayer : undefined;
  if (method.space === 'layer' && !layer) throw new HttpError(400, `${method.displayName} needs a layer with a 4-D feature map; select one in the graph`);
  const engine = await opened.engine(layer ? `layer:${layer}` : 'main');
  const { primary, feeds } = stored.loaded;
  const x = feeds[primary.name]!;
  if (x.dtype !== 'float32') throw new NnlensError(opened.model.path, `the input '${primary.name}' is ${x.dtype}; explanations need a float32 input`);
  const K = predicted.classes;
  const target = req.target ?? predicted.index;
  const checkClass = (c: number, what: string) => {
    const max = K === 1 ? 2 : K;
    if (!Number.isInteger(c) || c < 0 || c >= max) throw new HttpError(400, `${what} must be a class index from 0 to ${max - 1}, got ${c}`);
  };
  checkClass(target, 'target');
  if (req.contrast !== undefined) {
    checkClass(req.contrast, 'contrast');
    if (req.contrast === target) throw new HttpError(400, 'the contrast class must differ from the target class');
  }
  const n = x.shape[0] ?? 1;
  // A plain class is the class's logit (an index target, which CAM needs); a contrast, or class 0
  // of a single-logit classifier, is a weighted sum of the logits.
  let target_: Pick<ExplainContext, 'target' | 'values'>;
  if (req.contrast === undefined && (K > 1 || target === 1)) target_ = { target: { kind: 'logit' }, values: { index: new Array<number>(n).fill(K > 1 ? target : 0) } };
  else {
    const w = new Float32Array(Math.max(1, K));
    if (K === 1) w[0] = target === 1 ? 1 : -1;
    else { w[target] = 1; if (req.contrast !== undefined) w[req.contrast] = -1; }
    target_ = { target: { kind: 'weighted' }, values: { weights: f32([n, w.length], Float32Array.from({ length: n * w.length }, (_, i) => w[i % w.length]!)) } };
  }
  const extraFeeds = Object.fromEntries(Object.entries(feeds).filter(([k]) => k !== primary.name));
  const ctx: ExplainContext = {
    engine, inputName: primary.name, x: x as NdArray & { data: Float32Array }, extraFeeds, ...target_, ...(layer ? { layer } : {}), seed: 0,
  };
  const layout = primary.input.preprocess?.transform.layout ?? (opened.model.format === 'onnx' ? 'NCHW' : 'NHWC');
  const result = await method.attribute(ctx, optionsFor(req.method, x, layout, tabular));
  const labels = info.labels;
  const json: Explanation['json'] = {
    method: method.name, displayName: method.displayName, space: method.space,
    target: { index: target, label: labelOf(labels, target) },
    ...(req.contrast !== undefined ? { contrast: { index: req.contrast, label: labelOf(labels, req.contrast) } } : {}),
    ...(layer ? { layer } : {}),
    ...(result.score ? { score: result.score[0] } : {}),
    ...(result.delta ? { delta: result.delta[0] } : {}),
    kind: tabular ? 'features' : 'image',
  };
  if (tabular) {
    const names = stored.info.row?.names ?? [];
    const per = result.map.data.length / n;
    json.features = Array.from({ length: per }, (_, k) => ({ name: names[k] ?? `feature ${k}`, value: stored.info.row?.values[k] ?? NaN, attribution: result.map.data[k]! }));
    if (info.attentionOutput) json.attention = await attentionWeights(opened, stored, info.attentionOutput, names);
    return { json, zoom: 1, ms: performance.now() - t0 };
  }
  const pic = primary.input.picture ?? grayPicture(x.shape, layout);
  const zoom = Math.max(1, Math.round(OVERLAY_SIDE / Math.max(pic.width, pic.height)));
  const H = pic.height * zoom, W = pic.width * zoom;
  let heat: Float32Array;
  if (result.space === 'layer') heat = camHeatmaps(result.map, H, W)[0]!;
  else {
    const dims = x.shape.slice(1);
    const [C, h, wd] = dims.length === 3 ? (layout === 'NCHW' ? [dims[0]!, dims[1]!, dims[2]!] : [dims[2]!, dims[0]!, dims[1]!]) : [1, dims[0]!, dims[1]!];
    const small = inputHeatmap(result.map.data.subarray(0, C * h * wd), C, h, wd, layout);
    heat = new Float32Array(H * W);
    for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) heat[y * W + xx] = small[Math.floor((y * h) / H) * wd + Math.floor((xx * wd) / W)]!;
  }
  return { json, heat, picture: pic, zoom, ms: performance.now() - t0 };
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

/** A mid-grey picture for image models fed a raw array (no picture to draw on). */
function grayPicture(shape: number[], layout: 'NCHW' | 'NHWC'): Picture {
  const d = shape.slice(1);
  const [h, w] = d.length === 3 ? (layout === 'NCHW' ? [d[1]!, d[2]!] : [d[0]!, d[1]!]) : [d[0] ?? 1, d[1] ?? 1];
  return { width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(128) };
}
