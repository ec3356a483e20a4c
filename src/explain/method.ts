/**
 * The attribution hierarchy (STYLE.md 5, after Captum's `attr/_utils/attribution.py`): every method
 * is an {@link Attribution} with explicit capabilities; CAM methods work on a layer, gradient
 * methods on the input, perturbation methods by running the model on modified inputs.
 * Methods are small units over the engine: they ask it for activations and gradients and do only
 * their own arithmetic here.
 */
import type { Engine, TargetValues } from '../engine/engine.ts';
import type { NdArray } from '../engine/ndarray.ts';
import type { TargetSpec } from '../engine/targets.ts';

/** What every method gets: the model, one batch of inputs, and what to explain. */
export interface ExplainContext {
  engine: Engine;
  /** Name of the model input being explained (other inputs, if any, are in `extraFeeds`). */
  inputName: string;
  /** The input batch [N, ...]. */
  x: NdArray & { data: Float32Array };
  /** Other model inputs, fed unchanged. */
  extraFeeds?: Record<string, NdArray>;
  /** The scalar to explain per item (class logit by default). */
  target: TargetSpec;
  /** Its runtime values: class/channel/neuron index per item, or weights. */
  values: TargetValues;
  /** Layer reference for layer methods (CAM family). */
  layer?: string;
  /** Seed for methods that sample (SmoothGrad noise, KernelSHAP coalitions, uniform baselines). */
  seed?: number;
  /** Largest batch sent to the engine at once (IG steps, occlusion windows, Score-CAM channels). */
  batchSize?: number;
  /** The target's value per item on `x`, when a forward pass already gave it (see {@link knownScores}). */
  known?: KnownScores;
}

/**
 * Target values on the inputs from a forward pass the caller already ran, together with exactly
 * what they were computed from. A context derived by replacing the model, the inputs, the target
 * or its values (a noise tunnel, a randomized model, a contrast class) no longer matches them, so
 * {@link knownScores} then returns nothing and the method computes its own.
 */
export interface KnownScores {
  engine: Engine;
  x: NdArray;
  target: TargetSpec;
  values: TargetValues;
  data: Float32Array;
}

/** The known target values for `ctx`'s items, only when they were computed for this very context. */
export function knownScores(ctx: ExplainContext): Float32Array | undefined {
  const k = ctx.known;
  if (!k || k.engine !== ctx.engine || k.x !== ctx.x || k.target !== ctx.target || k.values !== ctx.values) return undefined;
  return k.data.length === ctx.x.shape[0] ? k.data : undefined;
}

/** `ctx` with `data` recorded as its items' target values (see {@link KnownScores}). */
export function withKnownScores(ctx: ExplainContext, data: Float32Array): ExplainContext {
  return { ...ctx, known: { engine: ctx.engine, x: ctx.x, target: ctx.target, values: ctx.values, data } };
}

/** An attribution tensor and what the method can tell about it. */
export interface AttributionResult {
  /**
   * Input-space methods: the model input's exact shape [N, ...].
   * Layer (CAM) methods: the map at the layer's spatial resolution after ReLU, [N, h, w].
   */
  map: NdArray & { data: Float32Array };
  space: 'input' | 'layer';
  /** Integrated Gradients' completeness error |sum(attr) - (f(x) - f(baseline))| per item. */
  delta?: Float32Array;
  /** The target's value per item on the original input. */
  score?: Float32Array;
  /** Method-specific facts worth reporting (e.g. the layer used). */
  info?: Record<string, unknown>;
}

/** A method's declared capabilities (Captum's properties), shown by the CLI and the web app. */
export interface Capabilities {
  /** Name used on the command line (`--method`). */
  readonly name: string;
  /** Name for people. */
  readonly displayName: string;
  /** Where the attribution lives. */
  readonly space: 'input' | 'layer';
  /** Whether the result already includes a multiplication by the input (x * grad, IG). */
  readonly multipliesByInputs: boolean;
  /** Whether a convergence delta is reported (IG). */
  readonly hasConvergenceDelta: boolean;
  /** The paper, for `--help` and the docs. */
  readonly citation: string;
}

/** Every method implements this; the signature is fixed here so parameter names cannot drift (STYLE.md 4). */
export abstract class Attribution<Options extends object = object> implements Capabilities {
  abstract readonly name: string;
  abstract readonly displayName: string;
  abstract readonly space: 'input' | 'layer';
  readonly multipliesByInputs: boolean = false;
  readonly hasConvergenceDelta: boolean = false;
  abstract readonly citation: string;

  /** Computes the attribution of `ctx.target` for every item of `ctx.x`. */
  abstract attribute(ctx: ExplainContext, options: Options): Promise<AttributionResult>;
}

/** Feeds for the engine: the explained input plus the unchanged others. */
export function feedsOf(ctx: ExplainContext, x: NdArray = ctx.x): Record<string, NdArray> {
  return { ...(ctx.extraFeeds ?? {}), [ctx.inputName]: x };
}

/** Repeats per-item target values for a batch whose items come from `itemOf(i)`. */
export function valuesFor(ctx: ExplainContext, count: number, itemOf: (i: number) => number): TargetValues {
  if (ctx.values.weights) {
    const w = ctx.values.weights;
    const per = w.data.length / (w.shape[0] ?? 1);
    const data = new Float32Array(count * per);
    for (let i = 0; i < count; i++) data.set((w.data as Float32Array).subarray(itemOf(i) * per, (itemOf(i) + 1) * per), i * per);
    return { weights: { dtype: 'float32', shape: [count, ...w.shape.slice(1)], data } };
  }
  const idx = ctx.values.index ?? [0];
  return { index: Array.from({ length: count }, (_, i) => idx[itemOf(i) % idx.length]!) };
}

/** Batch size for running `count` variants of inputs with `perItem` elements each. */
export function chunkSize(ctx: ExplainContext, perItem: number, count: number): number {
  // Models exported with a fixed batch size (often 1) can only run batches of that size.
  const declared = ctx.engine.inputs().find((i) => i.name === ctx.inputName)?.shape[0];
  if (typeof declared === 'number' && declared > 0) return declared;
  if (ctx.batchSize) return Math.max(1, Math.min(ctx.batchSize, count));
  // About 1.25M input elements per run (8 ImageNet-sized images). Bigger batches do not run faster
  // per item on CPU (ONNX Runtime already spreads one image's convolutions over the cores) but cost
  // memory: ResNet-50 IG ran no faster at 12, 16 or 26 images per run than at 8, with more peak
  // memory, and slower at 1-2 (`node --import tsx bench/dev/ig-chunks.ts 2 1,2,4,8,12,16`).
  return Math.max(1, Math.min(count, defaultChunk(perItem)));
}

/** Inputs of `perItem` elements per engine run when nothing else decides (see {@link chunkSize}). */
export function defaultChunk(perItem: number): number {
  return Math.max(1, Math.floor(1.25e6 / Math.max(1, perItem)));
}

/** A float32 array of a shape. */
export function f32Array(shape: number[], data?: Float32Array): NdArray & { data: Float32Array } {
  const n = shape.reduce((p, d) => p * d, 1);
  return { dtype: 'float32', shape, data: data ?? new Float32Array(n) };
}
