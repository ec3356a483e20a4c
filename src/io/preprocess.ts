/**
 * How an image becomes a model input: presets, the facts a model stores in its ONNX metadata
 * (keys documented in docs/model-metadata.md), and the resolver that combines them with the
 * command-line flags and the model's input shape.
 *
 * Precedence, field by field (highest first):
 * - normalization (`scale`, `mean`, `std`, `fit`, `crop`): flags, then `--preset`, then the model's
 *   metadata, then defaults (scale 1/255, mean 0, std 1);
 * - geometry (`size`, `color`, `layout`): flags, then metadata, then what the model's input shape
 *   says, then the preset, then defaults. A preset does not override a fixed input shape: `--preset
 *   imagenet` on a Keras model that takes `(None, 299, 299, 3)` means ImageNet normalization at 299x299
 *   NHWC, which is what its author meant. An explicit flag that contradicts the shape is reported by
 *   the shape check, not silently changed.
 */
import { NnlensError } from '../errors.ts';
import type { Dim, Shape } from '../graph/ir.ts';
import type { ColorMode, Fit, ImageTransform, Layout } from './image.ts';

/** Names of the built-in presets. */
export type PresetName = 'imagenet' | 'mnist' | 'raw';

/** The parts of an {@link ImageTransform} a preset, the metadata or the flags may set. */
export type PartialTransform = { -readonly [K in keyof ImageTransform]?: ImageTransform[K] };

/**
 * Built-in presets.
 * - `imagenet`: torchvision's ImageNet evaluation transform (`Resize(256)`, `CenterCrop(224)`,
 *   `ToTensor()`, `Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])`), RGB, NCHW when the
 *   model does not say otherwise.
 * - `mnist`: 28x28 grayscale in [0, 1] (the digits are white on black, as in MNIST).
 * - `raw`: pixel values 0..255 unchanged.
 */
export const PRESETS: Record<PresetName, PartialTransform> = {
  imagenet: {
    size: [224, 224], color: 'rgb', layout: 'NCHW', scale: 1 / 255,
    mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], fit: 'cover', cropFraction: 224 / 256,
  },
  mnist: { size: [28, 28], color: 'grayscale', scale: 1 / 255, mean: [0], std: [1], fit: 'stretch' },
  raw: { scale: 1, mean: [0], std: [1] },
};

/** ONNX metadata keys nnlens reads and writes (docs/model-metadata.md). */
export const META = {
  preset: 'nnlens.input.preset',
  layout: 'nnlens.input.layout',
  size: 'nnlens.input.size',
  color: 'nnlens.input.color',
  scale: 'nnlens.input.scale',
  mean: 'nnlens.input.mean',
  std: 'nnlens.input.std',
  fit: 'nnlens.input.fit',
  crop: 'nnlens.input.crop',
  inputKind: 'nnlens.input.kind',
  featureNames: 'nnlens.feature_names',
  labels: 'nnlens.labels',
  task: 'nnlens.task',
  outputKind: 'nnlens.output.kind',
  trainingLog: 'nnlens.training_log',
} as const;

/** What a model is for (`nnlens.task`). */
export type Task = 'classification' | 'binary-classification' | 'regression';
/** Whether the first output still needs a softmax/sigmoid (`nnlens.output.kind`). */
export type OutputKind = 'logits' | 'probabilities';
/** The kind of input the model takes (`nnlens.input.kind`). */
export type InputKind = 'image' | 'tabular';

/** Everything nnlens understands in a model's metadata. */
export interface ModelFacts {
  preprocess: PartialTransform;
  inputKind?: InputKind;
  featureNames?: string[];
  labels?: string[];
  task?: Task;
  outputKind?: OutputKind;
  /** Training log (TensorBoard event file or folder), relative to the model's folder. */
  trainingLog?: string;
}

// ---------------------------------------------------------------------------------------------
// Parsing values (shared by flags and metadata)

/**
 * Parses `HxW` (`224x224`, `28X28`) or a single number (square).
 * @example parseSize('224x160', '--size') // [224, 160]
 */
export function parseSize(s: string, where: string): [number, number] {
  const m = /^\s*(\d+)\s*(?:[xX×,]\s*(\d+))?\s*$/.exec(s);
  const h = m ? Number(m[1]) : NaN, w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!(h >= 1 && w >= 1)) throw new NnlensError(where, `'${s}' is not a size: expected HxW such as 224x224 (height first)`);
  return [h, w];
}

/**
 * Parses a number or a fraction (`1/255`, `0.0039`).
 * @example parseScale('1/255', '--scale') // 0.00392156862745098
 */
export function parseScale(s: string, where: string): number {
  const m = /^\s*([+-]?[\d.]+(?:e[+-]?\d+)?)\s*(?:\/\s*([\d.]+(?:e[+-]?\d+)?))?\s*$/i.exec(s);
  const v = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!Number.isFinite(v)) throw new NnlensError(where, `'${s}' is not a number (examples: 1/255, 0.5, 1)`);
  return v;
}

/**
 * Parses a list of numbers: a JSON array or comma/space separated (`0.485,0.456,0.406`).
 * @example parseNumbers('[0.5, 0.5, 0.5]', '--mean') // [0.5, 0.5, 0.5]
 */
export function parseNumbers(s: string, where: string): number[] {
  const parts = s.trim().replace(/^\[|\]$/g, '').split(/[\s,]+/).filter((p) => p !== '');
  const v = parts.map(Number);
  if (v.length === 0 || v.some((x) => !Number.isFinite(x))) throw new NnlensError(where, `'${s}' is not a list of numbers (example: 0.485,0.456,0.406)`);
  return v;
}

function oneOf<T extends string>(s: string, allowed: readonly T[], where: string): T {
  const v = s.trim();
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) throw new NnlensError(where, `'${s}' is not one of ${allowed.join(', ')}`);
  return hit;
}

function stringArray(s: string, where: string): string[] {
  let v: unknown;
  try { v = JSON.parse(s); } catch { throw new NnlensError(where, 'is not a JSON array of strings'); }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new NnlensError(where, 'is not a JSON array of strings');
  return v as string[];
}

/** A preset by name, as an error naming `where` if unknown. */
export function preset(name: string, where = '--preset'): PartialTransform {
  return { ...PRESETS[oneOf(name, Object.keys(PRESETS) as PresetName[], where)] };
}

// ---------------------------------------------------------------------------------------------
// Metadata

/**
 * Reads nnlens's keys from a model's metadata (ONNX `metadata_props`). Unknown keys are ignored;
 * a known key with a bad value is an error naming the model file and the key.
 * @example const facts = readModelFacts(model.metadata, model.path); facts.labels?.[3]
 */
export function readModelFacts(meta: Record<string, string>, file: string): ModelFacts {
  const at = (key: string): string => `${file} (metadata ${key})`;
  const p: PartialTransform = {};
  const get = (key: string): string | undefined => (meta[key] !== undefined && meta[key] !== '' ? meta[key] : undefined);
  let v: string | undefined;
  if ((v = get(META.preset)) !== undefined) Object.assign(p, preset(v, at(META.preset)));
  if ((v = get(META.layout)) !== undefined) p.layout = oneOf(v, ['NCHW', 'NHWC'] as Layout[], at(META.layout));
  if ((v = get(META.size)) !== undefined) p.size = parseSize(v, at(META.size));
  if ((v = get(META.color)) !== undefined) p.color = oneOf(v, ['rgb', 'grayscale'] as ColorMode[], at(META.color));
  if ((v = get(META.scale)) !== undefined) p.scale = parseScale(v, at(META.scale));
  if ((v = get(META.mean)) !== undefined) p.mean = parseNumbers(v, at(META.mean));
  if ((v = get(META.std)) !== undefined) p.std = parseNumbers(v, at(META.std));
  if ((v = get(META.fit)) !== undefined) p.fit = oneOf(v, ['stretch', 'cover'] as Fit[], at(META.fit));
  if ((v = get(META.crop)) !== undefined) p.cropFraction = parseScale(v, at(META.crop));
  const facts: ModelFacts = { preprocess: p };
  if ((v = get(META.inputKind)) !== undefined) facts.inputKind = oneOf(v, ['image', 'tabular'] as InputKind[], at(META.inputKind));
  if ((v = get(META.featureNames)) !== undefined) facts.featureNames = stringArray(v, at(META.featureNames));
  if ((v = get(META.labels)) !== undefined) facts.labels = stringArray(v, at(META.labels));
  if ((v = get(META.task)) !== undefined) facts.task = oneOf(v, ['classification', 'binary-classification', 'regression'] as Task[], at(META.task));
  if ((v = get(META.outputKind)) !== undefined) facts.outputKind = oneOf(v, ['logits', 'probabilities'] as OutputKind[], at(META.outputKind));
  if ((v = get(META.trainingLog)) !== undefined) facts.trainingLog = v;
  return facts;
}

/**
 * Writes facts as metadata key/values (the inverse of {@link readModelFacts}), for the trainer
 * to store in the ONNX files it produces.
 * @example modelMetadata({ preprocess: PRESETS.mnist, inputKind: 'image', labels: ['0', '1'], task: 'classification', outputKind: 'logits' })
 */
export function modelMetadata(f: ModelFacts): Record<string, string> {
  const m: Record<string, string> = {};
  const p = f.preprocess;
  if (p.layout) m[META.layout] = p.layout;
  if (p.size) m[META.size] = `${p.size[0]}x${p.size[1]}`;
  if (p.color) m[META.color] = p.color;
  if (p.scale !== undefined) m[META.scale] = Math.abs(p.scale * 255 - 1) < 1e-12 ? '1/255' : String(p.scale);
  if (p.mean) m[META.mean] = JSON.stringify(p.mean);
  if (p.std) m[META.std] = JSON.stringify(p.std);
  if (p.fit) m[META.fit] = p.fit;
  if (p.cropFraction !== undefined) m[META.crop] = String(p.cropFraction);
  if (f.inputKind) m[META.inputKind] = f.inputKind;
  if (f.featureNames) m[META.featureNames] = JSON.stringify(f.featureNames);
  if (f.labels) m[META.labels] = JSON.stringify(f.labels);
  if (f.task) m[META.task] = f.task;
  if (f.outputKind) m[META.outputKind] = f.outputKind;
  if (f.trainingLog) m[META.trainingLog] = f.trainingLog;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Guessing from the input shape

const isNum = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;
const isChannels = (d: Dim | undefined): boolean => d === 1 || d === 3;

/**
 * What an image model's input shape says about layout, channels and size. For `[N, a, b, c]`,
 * channels are the axis that is 1 or 3; when both ends are (e.g. `[1, 3, 3, 3]`), `prefer` decides
 * (NCHW for ONNX, NHWC for Keras and TF.js). `[N, H, W]` is a grayscale image without a channel
 * axis; `[N, F]` with F = s*s or 3*s*s is a flattened s x s image.
 * @example guessFromShape(['batch', 3, 224, 224]) // { layout: 'NCHW', color: 'rgb', size: [224, 224] }
 */
export function guessFromShape(shape: Shape | undefined, prefer: Layout = 'NCHW'): PartialTransform {
  if (!shape) return {};
  const g: PartialTransform = {};
  const color = (c: Dim | undefined): ColorMode | undefined => (c === 1 ? 'grayscale' : c === 3 ? 'rgb' : undefined);
  const size = (h: Dim | undefined, w: Dim | undefined): void => { if (isNum(h) && isNum(w)) g.size = [h, w]; };
  if (shape.length === 4) {
    const [, a, b, c] = shape;
    let layout: Layout | undefined;
    if (isChannels(a) && isChannels(c)) layout = prefer;
    else if (isChannels(a)) layout = 'NCHW';
    else if (isChannels(c)) layout = 'NHWC';
    else if (!isNum(a) && isNum(c) && c <= 4) layout = 'NHWC';
    else if (!isNum(c) && isNum(a) && a <= 4) layout = 'NCHW';
    if (!layout) return g;
    g.layout = layout;
    const ch = layout === 'NCHW' ? a : c;
    const col = color(ch);
    if (col) g.color = col;
    if (layout === 'NCHW') size(b, c); else size(a, b);
  } else if (shape.length === 3) {
    g.color = 'grayscale';
    size(shape[1], shape[2]);
  } else if (shape.length === 2 && isNum(shape[1])) {
    const f = shape[1];
    const s1 = Math.round(Math.sqrt(f)), s3 = Math.round(Math.sqrt(f / 3));
    if (s1 * s1 === f) { g.color = 'grayscale'; g.size = [s1, s1]; } else if (3 * s3 * s3 === f) { g.color = 'rgb'; g.size = [s3, s3]; }
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// Resolving

/** Preprocessing flags as the CLI receives them (strings) or as a library caller gives them. */
export interface PreprocessFlags {
  preset?: string;
  size?: string | readonly [number, number];
  grayscale?: boolean;
  color?: ColorMode;
  layout?: string;
  scale?: string | number;
  mean?: string | readonly number[];
  std?: string | readonly number[];
  fit?: string;
}

/** Where each resolved value came from, for messages such as `size 28x28 (model metadata)`. */
export type Source = 'flag' | 'preset' | 'metadata' | 'input shape' | 'default';

/** A complete transform and the origin of each of its fields. */
export interface Resolved {
  transform: ImageTransform;
  sources: Partial<Record<keyof ImageTransform, Source>>;
}

function flagsToPartial(f: PreprocessFlags): PartialTransform {
  const p: PartialTransform = {};
  if (f.size !== undefined) p.size = typeof f.size === 'string' ? parseSize(f.size, '--size') : [f.size[0], f.size[1]];
  if (f.color) p.color = f.color;
  if (f.grayscale) p.color = 'grayscale';
  if (f.layout !== undefined) p.layout = oneOf(f.layout, ['NCHW', 'NHWC'] as Layout[], '--layout');
  if (f.scale !== undefined) p.scale = typeof f.scale === 'number' ? f.scale : parseScale(f.scale, '--scale');
  if (f.mean !== undefined) p.mean = typeof f.mean === 'string' ? parseNumbers(f.mean, '--mean') : [...f.mean];
  if (f.std !== undefined) p.std = typeof f.std === 'string' ? parseNumbers(f.std, '--std') : [...f.std];
  if (f.fit !== undefined) p.fit = oneOf(f.fit, ['stretch', 'cover'] as Fit[], '--fit');
  return p;
}

const DEFAULTS: ImageTransform = { color: 'rgb', layout: 'NCHW', scale: 1 / 255, mean: [0], std: [1], fit: 'stretch', cropFraction: 1 };

/**
 * Combines flags, metadata and the model's input shape into one transform (precedence in the
 * module comment). `prefer` breaks layout ties for ambiguous shapes (NHWC for Keras models).
 * @example const { transform } = resolvePreprocess({ flags: { preset: 'imagenet' }, inputShape: ['N', 3, 224, 224] });
 */
export function resolvePreprocess(o: { flags?: PreprocessFlags; metadata?: Record<string, string>; inputShape?: Shape; prefer?: Layout; modelFile?: string }): Resolved {
  const flags = flagsToPartial(o.flags ?? {});
  const presetP = o.flags?.preset ? preset(o.flags.preset) : {};
  const meta = o.metadata ? readModelFacts(o.metadata, o.modelFile ?? 'model').preprocess : {};
  const shape = guessFromShape(o.inputShape, o.prefer);
  const normalization: [Source, PartialTransform][] = [['flag', flags], ['preset', presetP], ['metadata', meta]];
  const geometry: [Source, PartialTransform][] = [['flag', flags], ['metadata', meta], ['input shape', shape], ['preset', presetP]];
  const sources: Resolved['sources'] = {};
  const pick = <K extends keyof ImageTransform>(key: K, order: [Source, PartialTransform][]): ImageTransform[K] => {
    for (const [src, p] of order) {
      if (p[key] !== undefined) { sources[key] = src; return p[key] as ImageTransform[K]; }
    }
    sources[key] = 'default';
    return DEFAULTS[key];
  };
  const transform: ImageTransform = {
    color: pick('color', geometry),
    layout: pick('layout', geometry),
    scale: pick('scale', normalization),
    mean: pick('mean', normalization),
    std: pick('std', normalization),
    fit: pick('fit', normalization),
    cropFraction: pick('cropFraction', normalization),
  };
  const size = pick('size', geometry);
  if (size) transform.size = size; else delete sources.size;
  return { transform, sources };
}

/**
 * One line describing a resolved transform, for `--verbose` output and the web app.
 * @example describeTransform(resolved) // 'size 28x28 (metadata), grayscale (metadata), NCHW (input shape), scale 1/255 (metadata), ...'
 */
export function describeTransform(r: Resolved): string {
  const t = r.transform, s = r.sources;
  const scale = Math.abs(t.scale * 255 - 1) < 1e-12 ? '1/255' : String(t.scale);
  return [
    t.size ? `size ${t.size[0]}x${t.size[1]} (${s.size})` : 'size: the picture\'s own',
    `${t.color} (${s.color})`, `${t.layout} (${s.layout})`, `scale ${scale} (${s.scale})`,
    `mean [${t.mean.join(', ')}] (${s.mean})`, `std [${t.std.join(', ')}] (${s.std})`,
    t.fit === 'cover' ? `fit cover, crop ${t.cropFraction ?? 1} (${s.fit})` : `fit stretch (${s.fit})`,
  ].join(', ');
}
