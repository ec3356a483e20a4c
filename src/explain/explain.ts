/**
 * The explain orchestrator (issue 4): what `nnlens explain`, `nnlens sanity` and the web server
 * call. From an engine and a batch of inputs it resolves what to explain (the target: the model's
 * top-1 class, a class index or label, a channel or neuron of a layer), the CAM layer (by default
 * the last 4-D tensor before global pooling / flatten, as pytorch-grad-cam's examples pick
 * `layer4`), runs the method in batches, subtracts a contrast class when asked, and returns
 * heatmaps at the input's size with the facts a user needs to trust them (score and probability of
 * the target, IG's completeness error, deletion/insertion AUC, time per phase).
 *
 * Targets are class logits *before* the model's own softmax or sigmoid when it ends in one: Grad-CAM
 * differentiates "the score for class c, y^c (before the softmax)" (Selvaraju et al. 2017,
 * arXiv:1610.02391, Sec. 3), and gradients of a saturated softmax vanish.
 */
import { NnlensError } from '../errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { NdArray } from '../engine/ndarray.ts';
import type { TargetSpec } from '../engine/targets.ts';
import type { Picture } from '../io/image.ts';
import { readOutput } from '../inspect/outputs.ts';
import { readModelFacts } from '../io/preprocess.ts';
import type { IntegrationMethod } from './gradient/integration.ts';
import { makeBaseline } from './gradient/baselines.ts';
import { f32Array, knownScores, withKnownScores, type Attribution, type AttributionResult, type ExplainContext } from './method.ts';
import { createMethod, TABULAR_ONLY } from './methods.ts';
import { defaultCamLayer, logitsOf, parseClass } from './defaults.ts';
import { disposeHeads, headEngine, type Head } from './head.ts';
import { deletionInsertion, featureUnits, pixelUnits, type ProbabilityOf } from './metrics.ts';
import { camHeatmaps, contrastMaps, inputHeatmap, resizeBilinear } from './postprocess.ts';
import { scoreRows } from './scores.ts';

export { defaultCamLayer, logitsOf, parseClass } from './defaults.ts';

/** One item of the batch: where it came from and what to draw it on. */
export interface ItemSource {
  file: string;
  /** Row of the file (CSV rows, .npy batches); 0 for pictures. */
  row: number;
  /** The picture the model saw (image inputs). */
  picture?: Picture;
  /** Whether the model saw it in gray (the overlay is drawn in gray then). */
  grayscale?: boolean;
}

/** The inputs to explain: every model input with the whole batch [N, ...], and each item's source. */
export interface ExplainInput {
  feeds: Record<string, NdArray>;
  /** The explained model input (others are fed unchanged). */
  inputName: string;
  items: ItemSource[];
  /** Feature names of a tabular input. */
  featureNames?: string[];
}

/** What to explain and how (the CLI flags of `nnlens explain`). */
export interface ExplainOptions {
  method: string;
  /** CAM layer reference; default {@link defaultCamLayer}. */
  layer?: string;
  /** `auto` (top-1, default), a class index, or a label name. */
  target?: string;
  labels?: { names: string[]; source: string };
  /** A layer whose channel or neuron is the target (with `channel` or `neuron`). */
  targetLayer?: string;
  channel?: number;
  neuron?: number;
  /** Class whose map is subtracted: index or label. */
  contrast?: string;
  steps?: number;
  igMethod?: IntegrationMethod;
  baseline?: string;
  samples?: number;
  noise?: number;
  /** Occlusion window and strides: one number (spatial square / per feature), two (spatial), or one per input dimension. */
  window?: number[];
  stride?: number[];
  /** KernelSHAP background rows [B * features]. */
  background?: Float32Array;
  seed?: number;
  batchSize?: number;
  /** Deletion / insertion AUC (Petsiuk et al. 2018); a number sets the steps. */
  metrics?: boolean | number;
  /** Called after each batch of items is attributed. */
  onProgress?: (done: number, total: number) => void;
}

/** A resolved target, as reported. */
export interface TargetFacts {
  kind: 'class' | 'channel' | 'neuron';
  index: number;
  label?: string;
  /** The tensor whose value is explained. */
  tensor: string;
  /** Its value on the input (a logit for classes). */
  score: number;
  /** The model's probability of the class, when it is a classifier. */
  probability?: number;
}

/** Geometry of the explained input. */
export interface InputGeometry {
  kind: 'image' | 'tabular' | 'other';
  /** Shape of one item (without the batch axis). */
  itemShape: number[];
  layout: 'NCHW' | 'NHWC';
  C: number;
  H: number;
  W: number;
}

/** One explained item. */
export interface ExplainedItem {
  source: ItemSource;
  target: TargetFacts;
  contrast?: TargetFacts;
  /** The item's input values (one item of the explained input, as fed). */
  inputValues: Float32Array;
  /** The raw attribution of this item: the method's map (layer resolution for CAM), contrast not applied. */
  raw: Float32Array;
  /** Images: the heatmap at input size, H * W values in [0, 1] (contrast applied). */
  heatmap?: Float32Array;
  /** Tabular: attribution per feature (target minus contrast when there is one). */
  features?: Float32Array;
  /** Integrated Gradients: |sum(attr) - (f(x) - f(baseline))|. */
  completenessError?: number;
  metrics?: { steps: number; deletionAuc: number; insertionAuc: number; deletion: number[]; insertion: number[] };
}

/** Everything `explain` found, ready to render or print as JSON. */
export interface ExplainOutcome {
  method: { name: string; displayName: string; citation: string; space: 'input' | 'layer'; parameters: Record<string, unknown> };
  /** CAM layer and its map size. */
  layer?: { ref: string; height: number; width: number; chosen: 'flag' | 'default' };
  input: InputGeometry & { name: string; featureNames?: string[] };
  items: ExplainedItem[];
  /** The whole batch's raw map: [N, h, w] for CAM methods, the input's exact shape otherwise (for --save-raw). */
  raw: NdArray & { data: Float32Array };
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

/** What a prepared explanation holds: the method, its options, and a context per batch. */
export interface Prepared {
  method: Attribution<object>;
  options: Record<string, unknown>;
  /** The whole batch as one context (values: the target per item). */
  ctx: ExplainContext;
  /**
   * The context the method runs on: `ctx`, or for gradient-based CAM methods the head above the
   * layer fed with the activation captured in the first forward pass (src/explain/head.ts).
   */
  methodCtx: ExplainContext;
  /**
   * Releases the head engine's sessions now. They are otherwise kept with the engine for the next
   * explanation on it (src/explain/head.ts) and released with it; callers that go on with other
   * engines (the sanity cascade) free them early.
   */
  dispose(): Promise<void>;
  targets: TargetFacts[];
  /** Target values of the contrast class, when asked. */
  contrastValues?: ExplainContext['values'];
  contrasts?: TargetFacts[];
  geometry: InputGeometry;
  layer?: ExplainOutcome['layer'];
  /** How target scores become probabilities (deletion/insertion). */
  probability: ProbabilityOf;
  timings: Record<string, number>;
}

/** Methods whose map needs only the layer's activation and its gradient (they can run on the head). */
const HEAD_SHORTCUT = new Set(['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam']);

/** Geometry of the explained input from its batch shape and layout. */
export function inputGeometry(shape: number[], layout: 'NCHW' | 'NHWC'): InputGeometry {
  const itemShape = shape.slice(1);
  if (shape.length === 4) {
    const [C, H, W] = layout === 'NHWC' ? [shape[3]!, shape[1]!, shape[2]!] : [shape[1]!, shape[2]!, shape[3]!];
    return { kind: 'image', itemShape, layout, C, H, W };
  }
  if (shape.length === 2) return { kind: 'tabular', itemShape, layout, C: 1, H: 1, W: shape[1]! };
  return { kind: 'other', itemShape, layout, C: 1, H: 1, W: itemShape.reduce((p, d) => p * d, 1) };
}

/**
 * Resolves everything before the method runs: checks that the method fits the input, runs the
 * model once to find the targets and their scores, picks the CAM layer and parses method options.
 * Bad input is an NnlensError raised here, before any work is written anywhere.
 */
export async function prepare(engine: Engine, input: ExplainInput, o: ExplainOptions): Promise<Prepared> {
  const timings: Record<string, number> = {};
  const path = engine.model.path;
  const method = createMethod(o.method);
  const x = input.feeds[input.inputName];
  if (!x) throw new NnlensError(path, `the model has no input '${input.inputName}'`);
  if (x.dtype !== 'float32') throw new NnlensError(path, `input '${input.inputName}' is ${x.dtype}; attributions need a float32 input (token ids and other integers have no gradient)`);
  const geometry = inputGeometry(x.shape, engine.exec.layoutOf(input.inputName));
  if (method.space === 'layer' && geometry.kind === 'tabular') {
    throw new NnlensError(path, `${o.method} is a CAM method and needs an image model with 4-D feature maps; this model takes rows of ${geometry.W} features: use ig, saliency, gradxinput, ablation or kernelshap`);
  }
  if (TABULAR_ONLY.has(o.method) && geometry.kind !== 'tabular') {
    throw new NnlensError(path, `${o.method} explains tabular inputs (one value per feature); this input is [${x.shape.join(', ')}]: use occlusion for images`);
  }
  if (o.contrast !== undefined && (o.targetLayer !== undefined)) throw new NnlensError('', '--contrast compares two classes; it cannot be used with --target-layer');
  let layer: Prepared['layer'];
  let layerRef: string | undefined;
  if (method.space === 'layer') {
    layerRef = o.layer ?? defaultCamLayer(engine.model);
    const names = engine.resolve(layerRef);
    if (names.length !== 1) throw new NnlensError(path, `layer '${layerRef}' has ${names.length} output tensors; name one of: ${names.slice(0, 6).join(', ')}`);
  } else if (o.layer !== undefined) {
    throw new NnlensError('', `--layer is for CAM methods; ${o.method} attributes to the input`);
  }
  const logits = logitsOf(engine);
  let spec: TargetSpec;
  if (o.targetLayer !== undefined) {
    if ((o.channel === undefined) === (o.neuron === undefined)) throw new NnlensError('', '--target-layer needs exactly one of --channel C or --neuron K');
    engine.resolve(o.targetLayer);
  } else if (o.channel !== undefined || o.neuron !== undefined) {
    throw new NnlensError('', '--channel and --neuron need --target-layer');
  }
  // One forward pass: the outputs (for top-1 and probabilities), the logits and target layer, and the CAM layer's size.
  // Gradient-based CAM methods on a class target run on the head above the layer (one forward pass for the whole job).
  let head: Head | undefined;
  if (layerRef && HEAD_SHORTCUT.has(o.method) && o.targetLayer === undefined && !process.env.NNLENS_NO_HEAD) {
    head = headEngine(engine, layerRef, engine.resolve(layerRef)[0]!, logits.tensor);
  }
  const captures = [...new Set([...(head?.boundary ?? []).filter((b) => !input.feeds[b]), ...(logits.tensor !== logits.output ? [logits.tensor] : []), ...(o.targetLayer ? [o.targetLayer] : []), ...(layerRef ? [layerRef] : [])])];
  let t0 = performance.now();
  const run = await runBatched(engine, input.feeds, captures);
  timings.forward = performance.now() - t0;
  const N = x.shape[0]!;
  const out = run.outputs[logits.output]!;
  const scoresT = logits.tensor === logits.output ? out : run.captured[logits.tensor]![0]!;
  const extraFeeds = Object.fromEntries(Object.entries(input.feeds).filter(([k]) => k !== input.inputName));
  const base = { engine, inputName: input.inputName, x: x as NdArray & { data: Float32Array }, extraFeeds, seed: o.seed, batchSize: o.batchSize, layer: layerRef };
  let targets: TargetFacts[];
  let ctx: ExplainContext;
  let probability: ProbabilityOf = 'none';
  let contrastValues: number[] | undefined, contrasts: TargetFacts[] | undefined, contrastWeights: ExplainContext['values'] | undefined;
  if (o.targetLayer !== undefined) {
    const t = run.captured[o.targetLayer]![0]!;
    const tensor = engine.resolve(o.targetLayer)[0]!;
    if (o.channel !== undefined) {
      const nhwc = t.shape.length === 4 && engine.exec.layoutOf(tensor) === 'NHWC';
      const C = nhwc ? t.shape[3]! : t.shape[1] ?? 1;
      checkIndex(o.channel, C, '--channel', o.targetLayer);
      // The channel's spatial mean as a weighted sum (weights 1/HW on channel c, 0 elsewhere), in
      // the layer's own layout (Keras keeps channels last).
      const per = t.data.length / N, hw = per / C;
      const w = new Float32Array(t.data.length);
      for (let n = 0; n < N; n++) for (let i = 0; i < hw; i++) w[n * per + (nhwc ? i * C + o.channel : o.channel * hw + i)] = 1 / hw;
      spec = { kind: 'weighted', tensor: o.targetLayer };
      ctx = { ...base, target: spec, values: { weights: { dtype: 'float32', shape: t.shape, data: w } } };
    } else {
      checkIndex(o.neuron!, t.data.length / N, '--neuron', o.targetLayer);
      spec = { kind: 'neuron', tensor: o.targetLayer };
      ctx = { ...base, target: spec, values: { index: new Array(N).fill(o.neuron) } };
    }
    const s = scoreRows(ctx, t, (i) => i);
    ctx = withKnownScores(ctx, s);
    targets = Array.from({ length: N }, (_, n) => ({ kind: o.channel !== undefined ? 'channel' : 'neuron', index: (o.channel ?? o.neuron)!, tensor: o.targetLayer!, score: s[n]! }));
  } else {
    const K = scoresT.data.length / N;
    const facts = readModelFacts(engine.model.metadata, path);
    const reading = readOutput(out, { name: logits.output, facts, labels: o.labels, graph: engine.exec.graph, top: Math.max(2, K), modelFile: path });
    const classifier = reading.kind === 'classification';
    // One sigmoid logit z is two classes: class 1 scores z, class 0 scores -z (sigmoid(-z) = 1 - sigmoid(z)).
    const binary = classifier && K === 1;
    const classes = binary ? 2 : K;
    const probs = (n: number, k: number): number | undefined => (classifier ? reading.top[n]!.find((r) => r.index === k)?.probability : undefined);
    const logitScores = logits.activation !== 'none' || (classifier && reading.applied !== 'none');
    probability = !classifier ? 'none' : binary ? (logitScores ? 'sigmoid' : 'none') : logits.activation === 'softmax' || reading.applied === 'softmax' ? 'softmax' : 'none';
    const logit = scoresT.data as Float32Array;
    const chosen = o.target === undefined || o.target === 'auto'
      ? Array.from({ length: N }, (_, n) => (binary ? (logit[n]! >= (logitScores ? 0 : 0.5) ? 1 : 0) : K === 1 ? 0 : argmax(logit, n * K, K)))
      : new Array<number>(N).fill(parseClass(o.target, classes, o.labels));
    const tensor = logits.tensor !== logits.output ? { tensor: logits.tensor } : {};
    const valuesOf = (ks: number[]): ExplainContext['values'] => (binary
      ? { weights: { dtype: 'float32', shape: [N, 1], data: Float32Array.from(ks, (k) => (k === 1 ? 1 : -1)) } }
      : { index: ks });
    spec = binary ? { kind: 'weighted', ...tensor } : { kind: 'logit', ...tensor };
    ctx = { ...base, target: spec, values: valuesOf(chosen) };
    const facts_ = (ks: number[]): TargetFacts[] => {
      const sc = scoreRows({ ...ctx, values: valuesOf(ks) }, scoresT, (i) => i);
      return ks.map((k, n) => ({ kind: 'class', index: k, label: o.labels?.names[k], tensor: logits.tensor, score: sc[n]!, probability: probs(n, k) }));
    };
    targets = facts_(chosen);
    ctx = withKnownScores(ctx, Float32Array.from(targets, (t) => t.score));
    if (o.contrast !== undefined) {
      if (classes < 2) throw new NnlensError(path, '--contrast needs a model with several classes; this one has a single output');
      contrastValues = new Array<number>(N).fill(parseClass(o.contrast, classes, o.labels, '--contrast'));
      contrasts = facts_(contrastValues);
      if (binary) contrastValues = undefined; // contrast values of a binary model are weights, set below
    }
    if (binary && contrasts) contrastWeights = valuesOf(contrasts.map((c) => c.index));
  }
  if (layerRef) {
    const a = run.captured[layerRef]![0]!;
    if (a.shape.length !== 4) throw new NnlensError(path, `layer '${layerRef}' has shape [${a.shape.join(', ')}]; CAM methods need a 4-D feature map (N, C, H, W or N, H, W, C)`);
    const nhwc = engine.exec.layoutOf(engine.resolve(layerRef)[0]!) === 'NHWC';
    layer = { ref: layerRef, height: nhwc ? a.shape[1]! : a.shape[2]!, width: nhwc ? a.shape[2]! : a.shape[3]!, chosen: o.layer ? 'flag' : 'default' };
  }
  const options = methodOptions(o, ctx, geometry);
  const contrastTarget = contrastWeights ?? (contrastValues ? { index: contrastValues } : undefined);
  let methodCtx = ctx;
  if (head && layerRef) {
    const boundary = Object.fromEntries(head.boundary.map((b) => [b, input.feeds[b] ?? run.captured[b]![0]!]));
    if (Object.values(boundary).every((a) => a.shape[0] === N)) {
      methodCtx = { ...ctx, engine: head.engine, inputName: head.input, x: run.captured[layerRef]![0]! as NdArray & { data: Float32Array }, extraFeeds: boundary };
    }
  }
  const dispose = async (): Promise<void> => { if (head) await disposeHeads(engine); };
  return { method, options, ctx, methodCtx, dispose, targets, contrastValues: contrastTarget, contrasts, geometry, layer, probability, timings };
}

function checkIndex(k: number, count: number, flag: string, layer: string): void {
  if (!Number.isInteger(k) || k < 0 || k >= count) throw new NnlensError('', `${flag} ${k} is out of range: '${layer}' has ${count} (0..${count - 1})`);
}

function argmax(a: Float32Array, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

/** Runs the batch, one item at a time when the model declares a fixed batch of 1. */
async function runBatched(engine: Engine, feeds: Record<string, NdArray>, capture: string[]): Promise<{ outputs: Record<string, NdArray>; captured: Record<string, NdArray[]> }> {
  const g = groupSize(engine, Object.values(feeds)[0]!.shape[0]!, undefined);
  const N = Object.values(feeds)[0]!.shape[0]!;
  if (g >= N) return engine.run(feeds, capture);
  const parts: { outputs: Record<string, NdArray>; captured: Record<string, NdArray[]> }[] = [];
  for (let s = 0; s < N; s += g) parts.push(await engine.run(sliceFeeds(feeds, s, Math.min(N, s + g)), capture));
  const outputs = Object.fromEntries(Object.keys(parts[0]!.outputs).map((k) => [k, concat(parts.map((p) => p.outputs[k]!))]));
  const captured = Object.fromEntries(capture.map((k) => [k, [concat(parts.map((p) => p.captured[k]![0]!))]]));
  return { outputs, captured };
}

/** Items per engine batch: the model's fixed batch size, else --batch-size, else balanced groups of at most 32. */
function groupSize(engine: Engine, N: number, batchSize: number | undefined): number {
  const declared = engine.inputs()[0]?.shape[0];
  if (typeof declared === 'number' && declared > 0) return declared;
  const cap = batchSize ?? 32;
  return Math.ceil(N / Math.ceil(N / cap));
}

function sliceFeeds(feeds: Record<string, NdArray>, a: number, b: number): Record<string, NdArray> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => {
    const per = v.data.length / v.shape[0]!;
    return [k, { dtype: v.dtype, shape: [b - a, ...v.shape.slice(1)], data: (v.data as Float32Array).slice(a * per, b * per) }];
  })) as Record<string, NdArray>;
}

function concat(parts: NdArray[]): NdArray & { data: Float32Array } {
  if (parts.length === 1) return parts[0]! as NdArray & { data: Float32Array };
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const p of parts) { data.set(p.data as Float32Array, off); off += p.data.length; }
  return { dtype: 'float32', shape: [parts.reduce((s, p) => s + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)], data };
}

/** The method's options from the flags (documented defaults filled in, so JSON reports them). */
function methodOptions(o: ExplainOptions, ctx: ExplainContext, geo: InputGeometry): Record<string, unknown> {
  switch (o.method) {
    case 'ig': return { steps: o.steps ?? 50, method: o.igMethod ?? 'gausslegendre', baseline: o.baseline ?? 'zeros' };
    case 'smoothgrad': case 'vargrad': return { samples: o.samples ?? 25, noise: o.noise ?? 0.15 };
    case 'occlusion': {
      const { window, strides } = occlusionWindow(o.window, o.stride, geo);
      return { window, strides, baseline: baselineValue(o.baseline, ctx) };
    }
    case 'ablation': return { baseline: baselineValue(o.baseline, ctx) };
    case 'kernelshap': return { samples: o.samples ?? 2 * geo.W + 2048, ...(o.background ? { background: o.background } : {}) };
    default: return {};
  }
}

function baselineValue(spec: string | undefined, ctx: ExplainContext): number | Float32Array {
  if (spec === undefined || spec === 'zeros') return 0;
  return makeBaseline(ctx, spec);
}

/**
 * Occlusion's window and strides per item dimension from `--window` / `--stride`: one number is a
 * square spatial window over all channels (one feature for tables), two are height and width, and
 * a full list is taken as given. Default: an eighth of the picture's shorter side, stride half of it.
 * @example occlusionWindow([15], undefined, geometry) // { window: [3, 15, 15], strides: [3, 8, 8] }
 */
export function occlusionWindow(win: number[] | undefined, stride: number[] | undefined, geo: InputGeometry): { window: number[]; strides: number[] } {
  const dims = geo.itemShape;
  const expand = (v: number[], what: string): number[] => {
    if (v.some((x) => !Number.isInteger(x) || x < 1)) throw new NnlensError('', `--${what} must be whole numbers >= 1, got ${v.join(',')}`);
    if (v.length === dims.length) return v;
    if (geo.kind === 'image' && (v.length === 1 || v.length === 2)) {
      const [h, w] = v.length === 1 ? [v[0]!, v[0]!] : [v[0]!, v[1]!];
      return geo.layout === 'NCHW' ? [geo.C, h, w] : [h, w, geo.C];
    }
    if (v.length === 1) return dims.map(() => v[0]!);
    throw new NnlensError('', `--${what} has ${v.length} numbers; give 1${geo.kind === 'image' ? ', 2 (height, width)' : ''} or ${dims.length} (one per input dimension [${dims.join(', ')}])`);
  };
  let window: number[];
  if (win) window = expand(win, 'window');
  else if (geo.kind === 'image') { const s = Math.max(1, Math.round(Math.min(geo.H, geo.W) / 8)); window = expand([s], 'window'); }
  else window = dims.map(() => 1);
  window.forEach((w, i) => { if (w > dims[i]!) throw new NnlensError('', `--window ${w} does not fit the input dimension of size ${dims[i]} (input item [${dims.join(', ')}])`); });
  const strides = stride ? expand(stride, 'stride') : win ? window.slice() : window.map((w, i) => (geo.kind === 'image' && w !== dims[i] ? Math.max(1, Math.round(w / 2)) : w));
  return { window, strides };
}

/**
 * Explains every item: prepare, run the method batch by batch, contrast, heatmaps at input size,
 * and deletion/insertion metrics when asked.
 * @example const outcome = await explain(engine, input, { method: 'gradcam' }); outcome.items[0].heatmap
 */
export async function explain(engine: Engine, input: ExplainInput, o: ExplainOptions): Promise<ExplainOutcome> {
  const p = await prepare(engine, input, o);
  return explainPrepared(engine, input, o, p);
}

/** {@link explain} after {@link prepare} (the CLI prepares first so that bad input fails before any output). */
export async function explainPrepared(engine: Engine, input: ExplainInput, o: ExplainOptions, p: Prepared): Promise<ExplainOutcome> {
  const { ctx, method, options, geometry: geo } = p;
  const timings = { ...p.timings };
  const N = ctx.x.shape[0]!;
  const g = groupSize(engine, N, o.batchSize);
  let t0 = performance.now();
  let contrast: AttributionResult | undefined;
  const result = await attributeGroups(p.methodCtx, method, options, g, o.onProgress);
  timings.attribute = performance.now() - t0;
  if (p.contrastValues) {
    t0 = performance.now();
    contrast = await attributeGroups({ ...p.methodCtx, values: p.contrastValues }, method, options, g);
    timings.contrast = performance.now() - t0;
  }
  t0 = performance.now();
  const mapData: Float32Array = result.map.data, xData: Float32Array = ctx.x.data, otherData: Float32Array | undefined = contrast?.map.data;
  const per = mapData.length / N, xper = xData.length / N;
  const items: ExplainedItem[] = [];
  for (let n = 0; n < N; n++) {
    const raw = mapData.slice(n * per, (n + 1) * per);
    const other = otherData?.subarray(n * per, (n + 1) * per);
    const item: ExplainedItem = { source: input.items[n]!, target: p.targets[n]!, inputValues: xData.slice(n * xper, (n + 1) * xper), raw };
    if (p.contrasts) item.contrast = p.contrasts[n];
    if (result.delta) item.completenessError = result.delta[n];
    if (method.space === 'layer') {
      const [, h, w] = result.map.shape as [number, number, number];
      item.heatmap = other ? resizeBilinear(contrastMaps(raw, other), h, w, geo.H, geo.W) : camHeatmaps(f32Array([1, h, w], raw), geo.H, geo.W)[0]!;
    } else if (geo.kind === 'tabular') {
      item.features = other ? raw.map((v: number, i: number) => v - other[i]!) : raw;
    } else if (geo.kind === 'image') {
      item.heatmap = inputHeatmap(other ? contrastMaps(raw, other) : raw, geo.C, geo.H, geo.W, geo.layout);
    } else {
      item.features = other ? raw.map((v: number, i: number) => v - other[i]!) : raw;
    }
    items.push(item);
  }
  timings.heatmaps = performance.now() - t0;
  if (o.metrics) {
    t0 = performance.now();
    const steps = typeof o.metrics === 'number' ? o.metrics : undefined;
    const saliency = items.map((it) => (geo.kind === 'image' ? orderingSaliency(it, geo, method.space) : it.features!));
    const units = geo.kind === 'image' ? pixelUnits(geo.C, geo.H, geo.W, geo.layout) : featureUnits(xper);
    const m = await deletionInsertion(ctx, saliency, units, { steps, probability: p.probability });
    items.forEach((it, n) => { it.metrics = { steps: m.steps, deletionAuc: m.deletionAuc[n]!, insertionAuc: m.insertionAuc[n]!, deletion: [...m.deletion[n]!], insertion: [...m.insertion[n]!] }; });
    timings.metrics = performance.now() - t0;
  }
  const parameters: Record<string, unknown> = { ...options };
  if (parameters.background instanceof Float32Array) parameters.background = `${(parameters.background as Float32Array).length / Math.max(1, geo.W)} rows`;
  if (parameters.baseline instanceof Float32Array) parameters.baseline = o.baseline;
  if (o.seed !== undefined) parameters.seed = o.seed;
  return {
    method: { name: method.name, displayName: method.displayName, citation: method.citation, space: method.space, parameters },
    ...(p.layer ? { layer: p.layer } : {}),
    input: { name: input.inputName, ...geo, ...(input.featureNames ? { featureNames: input.featureNames } : {}) },
    items,
    raw: result.map,
    timings,
  };
}

/**
 * Pixel importance for deletion/insertion ordering: the CAM heatmap, or for input-space maps the
 * largest |attribution| over channels (not clipped, so the order has no artificial ties).
 */
function orderingSaliency(it: ExplainedItem, geo: InputGeometry, space: 'input' | 'layer'): Float32Array {
  if (space === 'layer' || it.contrast) return it.heatmap!;
  const out = new Float32Array(geo.H * geo.W);
  for (let p = 0; p < out.length; p++) {
    let m = 0;
    for (let c = 0; c < geo.C; c++) m = Math.max(m, Math.abs(it.raw[geo.layout === 'NCHW' ? c * out.length + p : p * geo.C + c]!));
    out[p] = m;
  }
  return out;
}

/**
 * Runs a method over the batch in groups of `g` items (the last group padded with copies of its
 * first item, so every group reuses the same compiled sessions) and joins the results.
 */
export async function attributeGroups(ctx: ExplainContext, method: Attribution<object>, options: object, g: number, onProgress?: (done: number, total: number) => void): Promise<AttributionResult> {
  const N = ctx.x.shape[0]!;
  if (g >= N) {
    const r = await method.attribute(ctx, options);
    onProgress?.(N, N);
    return r;
  }
  const parts: AttributionResult[] = [];
  for (let s = 0; s < N; s += g) {
    const n = Math.min(g, N - s);
    const idx = Array.from({ length: g }, (_, i) => s + Math.min(i, n - 1));
    const part = await method.attribute(subContext(ctx, idx), pickOptions(options, ctx, idx));
    parts.push(trim(part, n));
    onProgress?.(s + n, N);
  }
  const maps = parts.map((r) => r.map);
  const join = (xs: (Float32Array | undefined)[]): Float32Array | undefined => (xs.every(Boolean) ? Float32Array.from(xs.flatMap((a) => [...a!])) : undefined);
  return {
    map: concat(maps) as NdArray & { data: Float32Array },
    space: parts[0]!.space,
    delta: join(parts.map((r) => r.delta)),
    score: join(parts.map((r) => r.score)),
    info: parts[0]!.info,
  };
}

/** Options holding per-element arrays of the whole batch (an occlusion baseline) cut to the group. */
function pickOptions(options: object, ctx: ExplainContext, idx: number[]): object {
  const total = ctx.x.data.length, per = total / ctx.x.shape[0]!;
  const out: Record<string, unknown> = { ...options };
  for (const [k, v] of Object.entries(out)) {
    if (v instanceof Float32Array && v.length === total) {
      const a = new Float32Array(idx.length * per);
      idx.forEach((j, i) => a.set(v.subarray(j * per, (j + 1) * per), i * per));
      out[k] = a;
    }
  }
  return out;
}

function trim(r: AttributionResult, n: number): AttributionResult {
  const N = r.map.shape[0]!, per = r.map.data.length / N;
  return { ...r, map: f32Array([n, ...r.map.shape.slice(1)], (r.map.data as Float32Array).slice(0, n * per)), delta: r.delta?.slice(0, n), score: r.score?.slice(0, n) };
}

/** The context of items `idx` of a batch (inputs, other feeds and target values). */
export function subContext(ctx: ExplainContext, idx: number[]): ExplainContext {
  const pick = (a: NdArray): NdArray => {
    const per = a.data.length / a.shape[0]!;
    const Ctor = (a.data as Float32Array).constructor as new (n: number) => Float32Array;
    const data = new Ctor(idx.length * per);
    idx.forEach((k, i) => data.set((a.data as Float32Array).subarray(k * per, (k + 1) * per), i * per));
    return { dtype: a.dtype, shape: [idx.length, ...a.shape.slice(1)], data };
  };
  const values = ctx.values.weights ? { weights: pick(ctx.values.weights) } : { index: idx.map((k) => ctx.values.index![k % ctx.values.index!.length]!) };
  const extra = Object.fromEntries(Object.entries(ctx.extraFeeds ?? {}).map(([k, v]) => [k, pick(v)]));
  const sub: ExplainContext = { ...ctx, x: pick(ctx.x) as NdArray & { data: Float32Array }, extraFeeds: extra, values, known: undefined };
  const known = knownScores(ctx);
  return known ? withKnownScores(sub, Float32Array.from(idx, (k) => known[k]!)) : sub;
}
