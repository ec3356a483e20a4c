/**
 * What every command that runs a model shares (issue 3, "Inputs everywhere"): the `--input` option
 * and the preprocessing and label flags, and {@link loadInputFor}, which turns an input file into
 * the feeds of an {@link Engine} from what the model declares (input name, shape, dtype), its
 * `nnlens.*` metadata (docs/model-metadata.md) and the layout its framework uses (NCHW for ONNX,
 * NHWC for Keras and TF.js). `run`, `activations` and `explain` all go through here, so one input
 * file means the same tensor in every command.
 */
import type { Command } from 'commander';
import { NnlensError } from '../errors.ts';
import { shapeText } from '../graph/ir.ts';
import type { DType } from '../graph/tensor.ts';
import type { Engine, RunResult } from '../engine/engine.ts';
import type { NdArray } from '../engine/ndarray.ts';
import type { Layout } from '../io/image.ts';
import { loadModelInput, type ModelInput } from '../io/input.ts';
import { readLabels } from '../io/labels.ts';
import { describeTransform, readModelFacts, type ModelFacts, type PreprocessFlags } from '../io/preprocess.ts';

/** The flags {@link addInputOptions} defines, as commander hands them over. */
export interface InputFlags {
  /** `--input FILE`, or `--input NAME=FILE` once per input of a multi-input model. */
  input?: string[];
  preset?: string;
  size?: string;
  grayscale?: boolean;
  scale?: string;
  mean?: string;
  std?: string;
  layout?: string;
  fit?: string;
  labels?: string;
}

/**
 * Adds `--input` and the preprocessing flags (and `--labels` unless `labels` is false) to a command.
 * @example addInputOptions(program.command('run').argument('<model>'))
 */
export function addInputOptions(cmd: Command, o: { labels?: boolean } = {}): Command {
  cmd
    .option('--input <file>', 'input: .npy (used as given), an image (.png .jpg .webp ...) or .csv/.json rows; NAME=FILE for each input of a multi-input model', (v: string, prev: string[] = []) => [...prev, v])
    .option('--preset <name>', 'image preprocessing preset: imagenet, mnist, raw')
    .option('--size <HxW>', 'resize images to HxW (height first)')
    .option('--grayscale', 'feed images as one luma channel')
    .option('--scale <s>', 'multiply 0..255 pixel values by s (e.g. 1/255)')
    .option('--mean <list>', 'subtract per-channel means after scaling (e.g. 0.485,0.456,0.406)')
    .option('--std <list>', 'divide by per-channel standard deviations')
    .option('--layout <NCHW|NHWC>', 'channel order of image inputs')
    .option('--fit <stretch|cover>', 'stretch to the size, or scale and cut the centre');
  if (o.labels ?? true) cmd.option('--labels <file>', 'class names: .txt (one per line) or .json');
  return cmd;
}

/** One model input and the file that fed it. */
export interface FedInput {
  /** The model's input name. */
  name: string;
  input: ModelInput;
}

/** Inputs loaded for a model, ready to run. */
export interface LoadedInputs {
  /** Every model input by name, with the whole batch. */
  feeds: Record<string, NdArray>;
  inputs: FedInput[];
  /** The first (usually only) input: its picture is the one overlays are drawn on. */
  primary: FedInput;
  /** Samples in the batch. */
  batch: number;
  /**
   * Feed sets to run one after the other: `[feeds]`, or one per sample when the model takes a
   * fixed batch of 1 and the file holds several samples (several CSV rows, say).
   */
  runs: Record<string, NdArray>[];
}

/** Layout to assume for ambiguous image shapes: the one of the model's own framework. */
export function preferredLayout(engine: Engine): Layout {
  return engine.model.format === 'onnx' ? 'NCHW' : 'NHWC';
}

/**
 * The model's `nnlens.*` metadata facts (labels, task, output kind...).
 * @example modelFacts(engine).labels
 */
export function modelFacts(engine: Engine): ModelFacts {
  return readModelFacts(engine.model.metadata, engine.model.path);
}

/**
 * Loads one input file for a single-input model (or the first input of a model whose other
 * inputs have defaults): see {@link loadInputsFor}.
 * @example const { feeds, primary } = await loadInputFor(engine, 'cat.jpg', { preset: 'imagenet' })
 */
export async function loadInputFor(engine: Engine, file: string, flags: PreprocessFlags | InputFlags = {}): Promise<LoadedInputs> {
  return loadInputsFor(engine, [file], flags);
}

/**
 * Loads `--input` values (`FILE`, or `NAME=FILE` per input) into feeds for the engine's model:
 * images are preprocessed from flags, metadata and the declared shape; `.npy` arrays are used as
 * given, so their dtype must be the input's; every shape is checked. A model with a fixed batch of
 * 1 still takes a file of several samples, run one at a time ({@link runInputs}).
 * @throws NnlensError naming the file and the problem (wrong shape or dtype, unknown input name...)
 * @example const loaded = await loadInputsFor(engine, ['obs=obs.npy', 'state_ins=s.npy'], {})
 */
export async function loadInputsFor(engine: Engine, specs: readonly string[], flags: PreprocessFlags | InputFlags = {}): Promise<LoadedInputs> {
  const declared = engine.inputs();
  const path = engine.model.path;
  if (specs.length === 0) throw new NnlensError('', '--input FILE is required (.npy, an image, or .csv/.json rows)');
  if (declared.length === 0) throw new NnlensError(path, 'the model declares no inputs');
  const byName = new Map(declared.map((d) => [d.name, d]));
  const assigned = new Map<string, string>();
  const unnamed: string[] = [];
  for (const s of specs) {
    const eq = s.indexOf('=');
    const name = eq > 0 ? s.slice(0, eq) : undefined;
    // `NAME=FILE` only when NAME is an input of the model: a file path may contain '=' too.
    if (name !== undefined && byName.has(name)) {
      if (assigned.has(name)) throw new NnlensError('', `--input ${name}= is given twice`);
      assigned.set(name, s.slice(eq + 1));
    } else unnamed.push(s);
  }
  for (const file of unnamed) {
    const free = declared.find((d) => !assigned.has(d.name));
    if (!free) throw new NnlensError(file, `one --input too many: the model takes ${declared.length} input(s) (${declared.map((d) => d.name).join(', ')})`);
    assigned.set(free.name, file);
  }
  const missing = declared.filter((d) => !assigned.has(d.name));
  if (missing.length) {
    const list = declared.map((d) => `${d.name} ${shapeText(d.shape)}`).join(', ');
    throw new NnlensError(path, `the model takes ${declared.length} inputs (${list}); give each as --input NAME=FILE (missing: ${missing.map((d) => d.name).join(', ')})`);
  }
  const facts = modelFacts(engine);
  const inputs: FedInput[] = [];
  for (const d of declared) {
    const file = assigned.get(d.name)!;
    // A fixed batch of 1 is relaxed here and honoured by running sample by sample.
    const shape = d.shape.length > 0 && d.shape[0] === 1 ? ['N', ...d.shape.slice(1)] : d.shape;
    const input = await loadModelInput(file, {
      inputShape: shape, inputName: d.name, inputDtype: d.dtype as DType,
      metadata: engine.model.metadata, modelFile: path, prefer: preferredLayout(engine),
    }, toPreprocessFlags(flags));
    if (input.kind === 'array' && input.dtype !== d.dtype) {
      throw new NnlensError(file, `holds ${input.dtype} values, but the model's input '${d.name}' takes ${d.dtype} (a .npy input is used exactly as given; save it as ${d.dtype})`);
    }
    if (input.kind === 'tabular' && facts.inputKind === 'image') {
      throw new NnlensError(file, 'the model takes an image (metadata nnlens.input.kind); give a picture or a .npy array');
    }
    inputs.push({ name: d.name, input });
  }
  const batches = new Set(inputs.map((i) => i.input.shape[0] ?? 1));
  if (batches.size > 1) throw new NnlensError(path, `the inputs hold different numbers of samples (${inputs.map((i) => `${i.name}: ${i.input.shape[0]}`).join(', ')})`);
  const batch = inputs[0]!.input.shape[0] ?? 1;
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, { dtype: i.input.dtype, shape: i.input.shape, data: i.input.data } as NdArray]));
  const fixedOne = declared.some((d) => d.shape[0] === 1);
  const runs = fixedOne && batch > 1 ? Array.from({ length: batch }, (_, k) => sliceFeeds(feeds, k)) : [feeds];
  return { feeds, inputs, primary: inputs[0]!, batch, runs };
}

/** The preprocessing flags alone (commander's option object also holds the command's other flags). */
function toPreprocessFlags(f: PreprocessFlags | InputFlags): PreprocessFlags {
  const { preset, size, grayscale, scale, mean, std, layout, fit } = f as PreprocessFlags;
  const out: PreprocessFlags = {};
  if (preset !== undefined) out.preset = preset;
  if (size !== undefined) out.size = size;
  if (grayscale) out.grayscale = true;
  if ((f as PreprocessFlags).color) out.color = (f as PreprocessFlags).color;
  if (scale !== undefined) out.scale = scale;
  if (mean !== undefined) out.mean = mean;
  if (std !== undefined) out.std = std;
  if (layout !== undefined) out.layout = layout;
  if (fit !== undefined) out.fit = fit;
  return out;
}

/** Sample `k` of every feed, as a batch of one. */
function sliceFeeds(feeds: Record<string, NdArray>, k: number): Record<string, NdArray> {
  const out: Record<string, NdArray> = {};
  for (const [name, a] of Object.entries(feeds)) {
    const per = a.shape.slice(1).reduce((p, d) => p * d, 1);
    out[name] = { dtype: a.dtype, shape: [1, ...a.shape.slice(1)], data: a.data.slice(k * per, (k + 1) * per) as NdArray['data'] };
  }
  return out;
}

/**
 * Runs loaded inputs, capturing `capture` in the same forward pass; when the batch had to be
 * split (fixed batch of 1), outputs and captured tensors are joined again along the batch axis.
 * @example const { outputs, captured } = await runInputs(engine, loaded, ['layer4'])
 */
export async function runInputs(engine: Engine, loaded: LoadedInputs, capture: string[] = []): Promise<RunResult> {
  if (loaded.runs.length === 1) return engine.run(loaded.runs[0]!, capture);
  const parts: RunResult[] = [];
  for (const feeds of loaded.runs) parts.push(await engine.run(feeds, capture));
  const outputs: Record<string, NdArray> = {};
  for (const name of Object.keys(parts[0]!.outputs)) outputs[name] = concatBatch(parts.map((p) => p.outputs[name]!));
  const captured: Record<string, NdArray[]> = {};
  for (const ref of Object.keys(parts[0]!.captured)) {
    captured[ref] = parts[0]!.captured[ref]!.map((_, i) => concatBatch(parts.map((p) => p.captured[ref]![i]!)));
  }
  return { outputs, captured };
}

/**
 * Joins arrays along axis 0 (they agree on the other axes).
 * @example concatBatch([f32([1, 2]), f32([1, 2])]).shape // [2, 2]
 */
export function concatBatch(parts: NdArray[]): NdArray {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  const Ctor = (first.data as unknown as { constructor: new (n: number) => NdArray['data'] }).constructor;
  const data = new Ctor(total) as Exclude<NdArray['data'], string[]>;
  let o = 0;
  for (const p of parts) { (data as Float32Array).set(p.data as Float32Array, o); o += p.data.length; }
  return { dtype: first.dtype, shape: [parts.reduce((s, p) => s + (p.shape[0] ?? 1), 0), ...first.shape.slice(1)], data };
}

/** Class labels and where they came from. */
export interface Labels {
  names: string[];
  /** The labels file, or `MODEL (metadata nnlens.labels)`: named when their count is wrong. */
  source: string;
}

/**
 * Labels from `--labels FILE`, else from the model's `nnlens.labels` metadata, else undefined.
 * @example const labels = labelsFor(engine, opts.labels)
 */
export function labelsFor(engine: Engine, file: string | undefined): Labels | undefined {
  if (file) return { names: readLabels(file), source: file };
  const meta = modelFacts(engine).labels;
  return meta ? { names: meta, source: `${engine.model.path} (metadata nnlens.labels)` } : undefined;
}

/**
 * One line saying what was fed: file, kind, shape, and for images the preprocessing and where
 * each setting came from.
 * @example describeInputs(loaded) // "cat.jpg -> input [1,3,224,224] float32 (image: size 224x224 (preset), ...)"
 */
export function describeInputs(loaded: LoadedInputs): string {
  return loaded.inputs.map(({ name, input }) => {
    const how = input.kind === 'image' && input.preprocess ? `image: ${describeTransform(input.preprocess)}`
      : input.kind === 'tabular' ? `rows${input.featureNames ? `: ${input.featureNames.length} features` : ''}` : 'array, as given';
    return `${input.file} -> ${name} ${shapeText(input.shape)} ${input.dtype} (${how})`;
  }).join('\n');
}

/**
 * What was fed, as JSON: per model input its file, kind, shape, dtype, and the preprocessing
 * (with the source of each setting) or the feature names.
 * @example JSON.stringify({ inputs: inputsJson(loaded) })
 */
export function inputsJson(loaded: LoadedInputs): unknown[] {
  return loaded.inputs.map(({ name, input }) => ({
    name, file: input.file, kind: input.kind, shape: input.shape, dtype: input.dtype,
    ...(input.preprocess ? { preprocess: { ...input.preprocess.transform, sources: input.preprocess.sources, description: describeTransform(input.preprocess) } } : {}),
    ...(input.featureNames ? { featureNames: input.featureNames } : {}),
  }));
}
