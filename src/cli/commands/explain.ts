/**
 * `nnlens explain MODEL --input FILE --method M [-o heat.png] [--json] ...` (issue 4): why the model
 * decided. Images get the heatmap drawn over the picture the model saw; tabular models a bar chart
 * of per-feature attributions and the features ranked on stdout. Several inputs (`--input DIR`, or
 * several files) with `--out-dir DIR` run as one batch on one engine, with a progress bar and a
 * JSON Lines manifest. All the work is in src/explain/explain.ts; this file parses and writes.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { shapeText } from '../../graph/ir.ts';
import { Engine } from '../../engine/engine.ts';
import { explainPrepared, prepare, type ExplainedItem, type ExplainInput, type ExplainOptions, type ExplainOutcome, type TargetFacts } from '../../explain/explain.ts';
import { INTEGRATION_METHODS, type IntegrationMethod } from '../../explain/gradient/integration.ts';
import { METHOD_NAMES } from '../../explain/methods.ts';
import { openModel } from '../../formats/registry.ts';
import { isImageFile } from '../../io/image.ts';
import { writeNpy } from '../../io/npy.ts';
import { writeOutput } from '../../io/output.ts';
import { attributionBarsSvg, rankFeatures } from '../../render/attribution-bars.ts';
import { isColormap, COLORMAPS, type ColormapName } from '../../render/colormap.ts';
import { overlaySvg, pictureFromTensor } from '../../render/overlay.ts';
import { svgToPng } from '../../render/png.ts';
import { heatmapSvg } from '../../render/heatmap.ts';
import { addInputOptions, concatBatch, describeInputs, inputsJson, labelsFor, loadInputFor, loadInputsFor, type InputFlags, type LoadedInputs } from '../input-options.ts';
import { outputKind } from './options.ts';

/** Flags of the method and target, shared by `explain` and `sanity`. */
export interface MethodFlags extends InputFlags {
  method?: string;
  layer?: string;
  target?: string;
  targetLayer?: string;
  channel?: string;
  neuron?: string;
  contrast?: string;
  steps?: string;
  igMethod?: string;
  baseline?: string;
  samples?: string;
  noise?: string;
  window?: string;
  stride?: string;
  background?: string;
  seed?: string;
  batchSize?: string;
  weights?: string;
}

interface Opts extends MethodFlags {
  output?: string;
  colormap: string;
  alpha: string;
  saveRaw?: string | true;
  json?: boolean;
  metrics?: boolean;
  outDir?: string;
}

/**
 * Adds `--method`, `--layer`, the target flags and the method parameters to a command.
 * @example addMethodOptions(program.command('sanity').argument('<model>'))
 */
export function addMethodOptions(cmd: Command): Command {
  return cmd
    .option('--method <name>', `attribution method: ${METHOD_NAMES.join(', ')}`)
    .option('--layer <ref>', 'CAM layer: a layer, node or tensor name or a module path (default: the last 4-D map before global pooling / flatten)')
    .option('--target <t>', 'what to explain: auto (top-1 class), a class index, or a label name', 'auto')
    .option('--target-layer <ref>', 'explain a channel or neuron of this layer instead of a class')
    .option('--channel <c>', 'channel of --target-layer (its spatial mean is explained)')
    .option('--neuron <k>', 'neuron of --target-layer (flat index within one item)')
    .option('--contrast <class>', 'subtract the map of this class (index or label)')
    .option('--steps <n>', 'Integrated Gradients steps (default 50)')
    .option('--ig-method <m>', `Integrated Gradients rule: ${INTEGRATION_METHODS.join(', ')} (default gausslegendre)`)
    .option('--baseline <b>', 'baseline of ig / occlusion / ablation: zeros, blur, uniform or FILE.npy (default zeros)')
    .option('--samples <n>', 'smoothgrad / vargrad noisy samples (default 25); kernelshap coalitions (default 2M + 2048)')
    .option('--noise <s>', 'smoothgrad / vargrad noise level, a fraction of the input range (default 0.15)')
    .option('--window <list>', 'occlusion window: N (square), H,W, or one per input dimension')
    .option('--stride <list>', 'occlusion strides, same forms as --window (default: the window)')
    .option('--background <file.csv>', 'kernelshap background rows (default: one row of zeros)')
    .option('--seed <n>', 'seed of sampling methods (smoothgrad noise, kernelshap coalitions, uniform baseline)')
    .option('--batch-size <n>', 'largest batch sent to the engine at once')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json');
}

function int(v: string | undefined, flag: string, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new NnlensError('', `${flag} must be a whole number >= ${min}, got '${v}'`);
  return n;
}

function num(v: string | undefined, flag: string, lo: number, hi: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi) throw new NnlensError('', `${flag} must be a number in [${lo}, ${hi}], got '${v}'`);
  return n;
}

function list(v: string | undefined, flag: string): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(/[,x]/).map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new NnlensError('', `${flag} must be whole numbers >= 1 separated by commas, got '${v}'`);
  return xs;
}

/**
 * The library's options from the command-line flags (checked; bad values are NnlensErrors).
 * @example explainOptionsOf({ method: 'ig', steps: '32' }) // { method: 'ig', steps: 32, ... }
 */
export function explainOptionsOf(f: MethodFlags): ExplainOptions {
  if (!f.method) throw new NnlensError('', `--method is required (one of: ${METHOD_NAMES.join(', ')})`);
  if (!(METHOD_NAMES as readonly string[]).includes(f.method)) throw new NnlensError('', `unknown method '${f.method}' (one of: ${METHOD_NAMES.join(', ')})`);
  if (f.igMethod !== undefined && !(INTEGRATION_METHODS as readonly string[]).includes(f.igMethod)) {
    throw new NnlensError('', `--ig-method must be one of ${INTEGRATION_METHODS.join(', ')}, got '${f.igMethod}'`);
  }
  if (f.baseline !== undefined && !['zeros', 'blur', 'uniform'].includes(f.baseline) && !f.baseline.toLowerCase().endsWith('.npy')) {
    throw new NnlensError('', `--baseline must be zeros, blur, uniform or a .npy file, got '${f.baseline}'`);
  }
  const o: ExplainOptions = { method: f.method };
  if (f.layer !== undefined) o.layer = f.layer;
  if (f.target !== undefined) o.target = f.target;
  if (f.targetLayer !== undefined) o.targetLayer = f.targetLayer;
  if (f.channel !== undefined) o.channel = int(f.channel, '--channel');
  if (f.neuron !== undefined) o.neuron = int(f.neuron, '--neuron');
  if (f.contrast !== undefined) o.contrast = f.contrast;
  if (f.steps !== undefined) o.steps = int(f.steps, '--steps', f.igMethod === 'riemann_trapezoid' ? 2 : 1);
  if (f.igMethod !== undefined) o.igMethod = f.igMethod as IntegrationMethod;
  if (f.baseline !== undefined) o.baseline = f.baseline;
  if (f.samples !== undefined) o.samples = int(f.samples, '--samples', 1);
  if (f.noise !== undefined) o.noise = num(f.noise, '--noise', 0, 10);
  if (f.window !== undefined) o.window = list(f.window, '--window');
  if (f.stride !== undefined) o.stride = list(f.stride, '--stride');
  if (f.seed !== undefined) o.seed = int(f.seed, '--seed');
  if (f.batchSize !== undefined) o.batchSize = int(f.batchSize, '--batch-size', 1);
  return o;
}

/**
 * Joins loaded input files into one batch for the orchestrator (same shapes required).
 * @example toExplainInput(engine.inputs()[0].name, [await loadInputFor(engine, 'a.png')])
 */
export function toExplainInput(loaded: LoadedInputs[]): ExplainInput {
  const first = loaded[0]!;
  const inputName = first.primary.name;
  const shapes = new Set(loaded.map((l) => shapeText(l.feeds[inputName]!.shape.slice(1))));
  if (shapes.size > 1) throw new NnlensError(loaded[1]!.primary.input.file, `has shape ${[...shapes][1]} but ${first.primary.input.file} has ${[...shapes][0]}; a batch needs one input size (--size HxW)`);
  const feeds = Object.fromEntries(Object.keys(first.feeds).map((k) => [k, concatBatch(loaded.map((l) => l.feeds[k]!))]));
  const items = loaded.flatMap((l) => {
    const inp = l.primary.input;
    return Array.from({ length: l.batch }, (_, row) => ({
      file: inp.file, row, ...(inp.picture && l.batch === 1 ? { picture: inp.picture } : {}),
      grayscale: inp.preprocess?.transform.color === 'grayscale',
    }));
  });
  return { feeds, inputName, items, ...(first.primary.input.featureNames ? { featureNames: first.primary.input.featureNames } : {}) };
}

/** The model's background rows for KernelSHAP, loaded like an input. */
export async function loadBackground(engine: Engine, file: string | undefined, flags: InputFlags): Promise<Float32Array | undefined> {
  if (!file) return undefined;
  const b = await loadInputFor(engine, file, { ...flags, input: undefined });
  return Float32Array.from(b.primary.input.data as Float32Array);
}

/** Input files of a batch: the files of a folder (images, .npy, .csv, sorted), or the files given. */
function batchFiles(inputs: string[]): string[] {
  return inputs.flatMap((p) => {
    let st;
    try { st = statSync(p); } catch { throw new NnlensError(p, 'no such file or folder'); }
    if (!st.isDirectory()) return [p];
    const files = readdirSync(p).filter((f) => isImageFile(f) || ['.npy', '.csv', '.json'].includes(extname(f).toLowerCase())).sort().map((f) => join(p, f));
    if (files.length === 0) throw new NnlensError(p, 'holds no input files (images, .npy, .csv)');
    return files;
  });
}

/** Adds the `explain` command. */
export function registerExplain(program: Command): void {
  const cmd = program
    .command('explain')
    .description('explain a prediction: CAM family, gradients (saliency, IG, SmoothGrad...), occlusion, ablation, KernelSHAP')
    .argument('<model>', 'model file, or a folder holding one model');
  addInputOptions(cmd);
  addMethodOptions(cmd)
    .option('-o, --output <file>', 'picture: the heatmap over the input (images) or the attribution bar chart (tables); .png or .svg')
    .option('--colormap <name>', `heatmap colours: ${COLORMAPS.filter((c) => c !== 'diverging').join(', ')}`, 'jet')
    .option('--alpha <a>', 'weight of the heatmap over the picture, 0..1', '0.5')
    .option('--save-raw [file.npy]', 'the raw attribution (float32): CAM map at layer resolution, else the input\'s shape; in batch mode one .npy per input in --out-dir')
    .option('--json', 'print the facts as JSON')
    .option('--metrics', 'deletion and insertion AUC (Petsiuk et al. 2018)')
    .option('--out-dir <dir>', 'batch mode: one picture per input, and manifest.jsonl')
    .action(async (path: string, opts: Opts) => runExplain(path, opts));
}

async function runExplain(path: string, opts: Opts): Promise<void> {
  const t0 = performance.now();
  const o = explainOptionsOf(opts);
  if (opts.metrics) o.metrics = true;
  if (!isColormap(opts.colormap)) throw new NnlensError('', `unknown colormap '${opts.colormap}' (one of: ${COLORMAPS.join(', ')})`);
  const alpha = num(opts.alpha, '--alpha', 0, 1)!;
  const inputs = opts.input ?? [];
  if (inputs.length === 0) throw new NnlensError('', '--input FILE is required (an image, .npy, or .csv/.json rows; a folder or several files with --out-dir)');
  const batch = opts.outDir !== undefined;
  if (batch && opts.output) throw new NnlensError('', '-o names one picture; in batch mode (--out-dir) pictures are named after the inputs');
  if (!batch && inputs.some((i) => { try { return statSync(i).isDirectory(); } catch { return false; } })) throw new NnlensError('', '--input DIR needs --out-dir DIR');
  const kind = opts.output ? outputKind(opts.output, ['png', 'svg'] as const) : 'png';
  if (!batch && opts.saveRaw === true) throw new NnlensError('', '--save-raw needs a file name (FILE.npy)');
  if (typeof opts.saveRaw === 'string') outputKind(opts.saveRaw, ['npy'] as const);
  const model = await openModel(path, { weights: opts.weights });
  const engine = Engine.fromModel(model);
  try {
    const t1 = performance.now();
    const loaded = batch ? await Promise.all(batchFiles(inputs).map((f) => loadInputFor(engine, f, opts))) : [await loadInputsFor(engine, inputs, opts)];
    if (batch && engine.inputs().length > 1) throw new NnlensError(model.path, 'batch mode explains single-input models; give each input of this model as --input NAME=FILE without --out-dir');
    const input = toExplainInput(loaded);
    const tLoad = performance.now() - t1;
    o.labels = labelsFor(engine, opts.labels);
    o.background = await loadBackground(engine, opts.background, opts);
    const prepared = await prepare(engine, input, o);
    if (!batch && input.items.length > 1 && opts.output) throw new NnlensError(inputs[0]!, `holds ${input.items.length} samples; -o draws one: use --out-dir DIR for one picture per sample`);
    const progress = batch ? progressBar(input.items.length) : undefined;
    const outcome = await explainPrepared(engine, input, { ...o, onProgress: progress?.computed }, prepared);
    outcome.timings.load = tLoad;
    const style = { colormap: opts.colormap as ColormapName, alpha, kind };
    if (batch) {
      const written = writeBatch(outcome, opts.outDir!, style, opts.saveRaw !== undefined, progress!);
      outcome.timings.total = performance.now() - t0;
      process.stdout.write(opts.json ? `${JSON.stringify(explainJson(model.path, loaded, outcome, written), jsonSafe, 2)}\n` : `${formatExplain(loaded, outcome, written)}`);
      return;
    }
    // Render everything before writing anything, so a failure leaves no partial output.
    const files: [string, Uint8Array | string][] = [];
    const written: Written[] = outcome.items.map(() => ({}));
    if (opts.output) {
      files.push([opts.output, render(outcome, outcome.items[0]!, style)]);
      written[0]!.picture = opts.output;
    }
    if (typeof opts.saveRaw === 'string') written[0]!.raw = opts.saveRaw;
    const tr = performance.now();
    for (const [f, data] of files) writeOutput(f, data);
    if (typeof opts.saveRaw === 'string') writeNpy(opts.saveRaw, { dtype: 'float32', shape: outcome.raw.shape, data: outcome.raw.data });
    outcome.timings.write = performance.now() - tr;
    outcome.timings.total = performance.now() - t0;
    process.stdout.write(opts.json ? `${JSON.stringify(explainJson(model.path, loaded, outcome, written), jsonSafe, 2)}\n` : formatExplain(loaded, outcome, written));
  } finally {
    await engine.dispose();
  }
}

interface Written { picture?: string; raw?: string }
interface Style { colormap: ColormapName; alpha: number; kind: 'png' | 'svg' }

function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v instanceof Float32Array) return Array.from(v);
  return v;
}

/** One item's picture: overlay (images), bars (tables), or a heatmap of the attribution (other inputs). */
export function render(outcome: ExplainOutcome, item: ExplainedItem, style: Style): Uint8Array | string {
  const g = outcome.input;
  const title = `${outcome.method.displayName}: ${targetText(item.target)}${item.contrast ? ` minus ${targetText(item.contrast)}` : ''}`;
  const caption = [item.target.probability !== undefined ? `probability ${item.target.probability.toFixed(3)}` : `score ${fmt(item.target.score)}`,
    outcome.layer ? `layer ${outcome.layer.ref} (${outcome.layer.height}x${outcome.layer.width})` : '', basename(item.source.file)].filter(Boolean).join(' · ');
  let svg: string;
  if (item.heatmap && g.kind === 'image') {
    const picture = item.source.picture ?? pictureFromTensor(item.inputValues, g.C, g.H, g.W, g.layout);
    svg = overlaySvg(picture, item.heatmap, { colormap: style.colormap, alpha: style.alpha, grayscale: item.source.grayscale || g.C === 1, title, caption });
  } else if (g.kind === 'tabular') {
    const names = g.featureNames ?? Array.from({ length: g.W }, (_, i) => `feature ${i}`);
    svg = attributionBarsSvg(names, item.features!, { title, caption, values: item.inputValues });
  } else {
    const shape = g.itemShape;
    const rows = shape.length >= 2 ? shape[0]! : 1, cols = item.features!.length / rows;
    svg = heatmapSvg(item.features!, rows, cols, { title, caption, colormap: 'bwr', symmetric: true });
  }
  return style.kind === 'svg' ? svg : svgToPng(svg);
}

function writeBatch(outcome: ExplainOutcome, dir: string, style: Style, raw: boolean, progress: Progress): Written[] {
  const used = new Set<string>();
  const lines: string[] = [];
  const written: Written[] = [];
  outcome.items.forEach((item, n) => {
    const many = outcome.items.filter((it) => it.source.file === item.source.file).length > 1;
    let stem = basename(item.source.file, extname(item.source.file)) + (many ? `-row${item.source.row}` : '');
    for (let k = 2; used.has(stem); k++) stem = `${basename(item.source.file, extname(item.source.file))}-${k}`;
    used.add(stem);
    const w: Written = { picture: join(dir, `${stem}.${style.kind}`) };
    writeOutput(w.picture!, render(outcome, item, style));
    if (raw) {
      w.raw = join(dir, `${stem}.npy`);
      const per = outcome.raw.data.length / outcome.raw.shape[0]!;
      writeNpy(w.raw, { dtype: 'float32', shape: [1, ...outcome.raw.shape.slice(1)], data: (outcome.raw.data as Float32Array).slice(n * per, (n + 1) * per) });
    }
    written.push(w);
    lines.push(JSON.stringify(itemJson(outcome, item, w), jsonSafe));
    progress.written(n + 1, item.source.file, w.picture!);
  });
  writeOutput(join(dir, 'manifest.jsonl'), `${lines.join('\n')}\n`);
  progress.done();
  return written;
}

interface Progress { computed: (done: number, total: number) => void; written: (k: number, file: string, out: string) => void; done: () => void }

/** A progress bar on a terminal's stderr; a plain line per written item otherwise. */
function progressBar(total: number): Progress {
  const tty = process.stderr.isTTY === true;
  const bar = (k: number, what: string): void => {
    const w = 30, f = Math.round((k / total) * w);
    process.stderr.write(`\r[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${k}/${total} ${what}`.padEnd(80).slice(0, Math.max(80, process.stderr.columns ?? 80)));
  };
  return {
    computed: (done) => { if (tty) bar(done, 'explained'); },
    written: (k, file, out) => { if (tty) bar(k, `wrote ${basename(out)}`); else process.stderr.write(`[${k}/${total}] ${file} -> ${out}\n`); },
    done: () => { if (tty) process.stderr.write('\n'); },
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

/** `class 3 'cat'`, `channel 5 of layer4`. */
export function targetText(t: TargetFacts): string {
  if (t.kind === 'class') return `class ${t.index}${t.label ? ` '${t.label}'` : ''}`;
  return `${t.kind} ${t.index} of ${t.tensor}`;
}

function targetLine(t: TargetFacts): string {
  const what = t.kind === 'class' ? `logit ${fmt(t.score)}${t.probability !== undefined ? `, probability ${t.probability.toFixed(4)}` : ''}` : `value ${fmt(t.score)}`;
  return `${targetText(t)} (${what})`;
}

/** Text report. */
export function formatExplain(loaded: LoadedInputs[], out: ExplainOutcome, written: Written[]): string {
  const lines: string[] = [];
  lines.push(`input: ${loaded.length === 1 ? describeInputs(loaded[0]!) : `${loaded.length} files, ${out.items.length} items [${out.input.itemShape.join(', ')}]`}`);
  lines.push(`method: ${out.method.displayName} (${out.method.citation})`);
  const params = Object.entries(out.method.parameters).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('x') : String(v)}`);
  if (params.length) lines.push(`parameters: ${params.join(', ')}`);
  if (out.layer) lines.push(`layer: ${out.layer.ref} (${out.layer.height}x${out.layer.width}${out.layer.chosen === 'default' ? ', default: the last 4-D map before global pooling / flatten' : ''})`);
  out.items.forEach((it, n) => {
    if (out.items.length > 1) lines.push('', `item ${n}: ${it.source.file}${it.source.row ? ` row ${it.source.row}` : ''}`);
    lines.push(`target: ${targetLine(it.target)}`);
    if (it.contrast) lines.push(`contrast: ${targetLine(it.contrast)}`);
    if (it.completenessError !== undefined) {
      const sum = it.raw.reduce((s, v) => s + v, 0);
      const rel = it.completenessError / Math.max(Math.abs(sum), 1e-12);
      lines.push(`completeness: sum of attributions ${fmt(sum)}, error |sum - (f(x) - f(baseline))| = ${fmt(it.completenessError)}${rel > 0.05 ? ` (${(rel * 100).toFixed(0)}% of the sum: the path integral is not converged, try more --steps)` : ''}`);
    }
    if (it.metrics) lines.push(`deletion AUC ${it.metrics.deletionAuc.toFixed(4)} (lower is better), insertion AUC ${it.metrics.insertionAuc.toFixed(4)} (higher is better), ${it.metrics.steps} steps`);
    if (it.features && out.input.kind === 'tabular') lines.push(...featureTable(out, it));
    if (written[n]?.picture) lines.push(`wrote ${written[n]!.picture}`);
  });
  if (written.some((w) => w.raw)) lines.push(written.length === 1 ? `wrote ${written[0]!.raw} (raw attribution ${shapeText(out.raw.shape)} float32)` : `raw attributions: one .npy per input`);
  const t = out.timings;
  lines.push(`time: ${Object.entries(t).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}${t.total !== undefined ? `; total ${Math.round(t.total)} ms` : ''}`);
  return `${lines.join('\n')}\n`;
}

function featureTable(out: ExplainOutcome, it: ExplainedItem): string[] {
  const names = out.input.featureNames ?? Array.from({ length: it.features!.length }, (_, i) => `feature ${i}`);
  const order = rankFeatures(it.features!);
  const rows = order.map((i, k) => [String(k + 1), names[i]!, fmt(it.inputValues[i]!), `${it.features![i]! > 0 ? '+' : ''}${fmt(it.features![i]!)}`]);
  const header = ['rank', 'feature', 'value', 'attribution'];
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => `  ${r.map((c, j) => (j === 1 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join('  ')}`;
  const sum = it.features!.reduce((s, v) => s + v, 0);
  return ['features ranked by |attribution|:', line(header), ...rows.map(line), `  sum of attributions: ${fmt(sum)}`];
}

function itemJson(out: ExplainOutcome, it: ExplainedItem, w: Written): Record<string, unknown> {
  const names = out.input.featureNames;
  return {
    input: it.source.file, row: it.source.row,
    target: it.target, ...(it.contrast ? { contrast: it.contrast } : {}),
    ...(it.completenessError !== undefined ? { completenessError: it.completenessError, attributionSum: it.raw.reduce((s, v) => s + v, 0) } : {}),
    ...(it.metrics ? { metrics: it.metrics } : {}),
    ...(it.features && out.input.kind === 'tabular' ? { features: rankFeatures(it.features).map((i) => ({ name: names?.[i] ?? `feature ${i}`, value: it.inputValues[i], attribution: it.features![i] })) } : {}),
    outputs: w,
  };
}

/** JSON report (documented in the README). */
export function explainJson(model: string, loaded: LoadedInputs[], out: ExplainOutcome, written: Written[]): unknown {
  return {
    model,
    inputs: loaded.flatMap((l) => inputsJson(l)),
    method: out.method,
    ...(out.layer ? { layer: out.layer } : {}),
    rawShape: out.raw.shape,
    items: out.items.map((it, n) => itemJson(out, it, written[n] ?? {})),
    timings: Object.fromEntries(Object.entries(out.timings).map(([k, v]) => [k, Math.round(v * 10) / 10])),
  };
}
