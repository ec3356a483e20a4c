/**
 * `nnlens activations MODEL --input FILE --layer NAME [-o FILE.png] [--json] [--save-raw FILE.npy]`:
 * captures a layer's activation in one forward pass; prints per-channel statistics (mean, max,
 * min, zeros: dead units), draws a feature-map mosaic (4-D), a bar chart (2-D) or a heatmap (3-D),
 * and saves the tensor as .npy in the source framework's layout.
 */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { shapeText } from '../../graph/ir.ts';
import { Engine } from '../../engine/engine.ts';
import type { NdArray } from '../../engine/ndarray.ts';
import { openModel } from '../../formats/registry.ts';
import { writeNpy } from '../../io/npy.ts';
import { writeOutput } from '../../io/output.ts';
import { activationStats, channelAxisIn, featureMaps, type ActivationLayout, type ActivationStats } from '../../inspect/activations.ts';
import { featureMapMosaic, featureMosaicSvg, sequenceHeatmapSvg, unitBarsSvg } from '../../render/activations.ts';
import { svgToPng } from '../../render/png.ts';
import { addInputOptions, describeInputs, inputsJson, loadInputsFor, runInputs, type InputFlags } from '../input-options.ts';
import { outputKind } from './options.ts';
import { rawArray } from './run.ts';

interface Opts extends InputFlags { layer: string; output?: string; json?: boolean; saveRaw?: string; sample: string; maxMaps: string; weights?: string }

/** One captured tensor with its statistics. */
interface Captured { tensor: string; array: NdArray; layout: ActivationLayout; stats: ActivationStats }

/** Adds the `activations` command. */
export function registerActivations(program: Command): void {
  const cmd = program
    .command('activations')
    .description("a layer's activation on an input: per-channel statistics (mean, max, zeros = dead units), a feature-map mosaic or bar chart, the raw tensor")
    .argument('<model>', 'model file, or a folder holding one model');
  addInputOptions(cmd, { labels: false })
    .requiredOption('--layer <name>', 'a tensor name, a node (layer) name, or a module path such as layer4')
    .option('-o, --output <file>', 'picture: .png or .svg (mosaic of feature maps, bar chart of units, or heatmap)')
    .option('--json', 'print the statistics as JSON')
    .option('--save-raw <file.npy>', "write the captured tensor (float32, the source framework's layout: NCHW for ONNX, NHWC for Keras)")
    .option('--sample <k>', 'which sample of the batch to draw', '0')
    .option('--max-maps <n>', 'most feature maps in the mosaic', '256')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json')
    .action(async (path: string, opts: Opts) => {
      const picture = opts.output ? outputKind(opts.output, ['png', 'svg'] as const) : undefined;
      if (opts.saveRaw) outputKind(opts.saveRaw, ['npy'] as const);
      const sample = wholeNumber(opts.sample, '--sample', 0);
      const maxMaps = wholeNumber(opts.maxMaps, '--max-maps', 1);
      if (!opts.input?.length) throw new NnlensError('', '--input FILE is required (.npy, an image, or .csv/.json rows)');
      const model = await openModel(path, { weights: opts.weights });
      const engine = Engine.fromModel(model);
      try {
        const tensors = engine.resolve(opts.layer);
        if ((picture || opts.saveRaw) && tensors.length > 1) {
          throw new NnlensError(model.path, `'${opts.layer}' names ${tensors.length} tensors (${tensors.slice(0, 4).join(', ')}); for a picture or --save-raw name one of them with --layer`);
        }
        const loaded = await loadInputsFor(engine, opts.input, opts);
        if (sample >= loaded.batch) throw new NnlensError('', `--sample ${sample}: the input holds ${loaded.batch} sample(s)`);
        const res = await runInputs(engine, loaded, [opts.layer]);
        const captured: Captured[] = res.captured[opts.layer]!.map((array, i) => {
          const layout = engine.exec.layoutOf(tensors[i]!);
          const axis = channelAxisIn(engine.exec.graph, tensors[i]!, array.shape, layout);
          return { tensor: tensors[i]!, array, layout, stats: activationStats(array, layout, axis) };
        });
        let bytes: string | Uint8Array | undefined;
        if (picture) {
          const svg = activationPicture(opts.layer, captured[0]!, sample, loaded.batch, maxMaps);
          bytes = picture === 'png' ? svgToPng(svg, { scale: 1.5 }) : svg;
        }
        // Everything is computed before anything is written: a failure leaves no output file.
        if (opts.saveRaw) writeNpy(opts.saveRaw, rawArray(captured[0]!.array, opts.saveRaw));
        if (opts.output && bytes) writeOutput(opts.output, bytes);
        process.stdout.write(opts.json
          ? `${JSON.stringify({ model: model.path, layer: opts.layer, inputs: inputsJson(loaded), tensors: captured.map((c) => ({ name: c.tensor, ...c.stats })) }, jsonNumbers, 2)}\n`
          : `input: ${describeInputs(loaded).replace(/\n/g, '\n       ')}\n${captured.map((c) => statsText(opts.layer, c)).join('\n')}`);
        if (opts.saveRaw) process.stderr.write(`wrote ${opts.saveRaw} (${shapeText(captured[0]!.array.shape)}, ${captured[0]!.layout})\n`);
        if (opts.output) process.stderr.write(`wrote ${opts.output}\n`);
      } finally {
        await engine.dispose();
      }
    });
}

function wholeNumber(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new NnlensError('', `${flag} must be a whole number >= ${min}, got '${v}'`);
  return n;
}

/** NaN and infinities are not JSON: write them as null. */
function jsonNumbers(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? x.toPrecision(4) : x.toExponential(2);
}

/**
 * The statistics of one captured tensor as text: a summary line, then one row per channel.
 * @example statsText('layer4', captured)
 */
function statsText(layer: string, c: Captured): string {
  const s = c.stats;
  const unit = s.shape.length >= 3 ? 'channel' : 'unit';
  const axis = s.shape.length === 3 && s.channelAxis === 2 && s.layout === 'NCHW'
    ? 'sequence [N, T, F]: features on axis 2'
    : s.shape.length >= 3 ? `${s.layout}, channel axis ${s.channelAxis}` : `unit axis ${s.channelAxis}`;
  const per = s.valuesPerChannel === 1 ? '1 value' : `${s.valuesPerChannel} values`;
  const lines = [
    `${layer}${layer === c.tensor ? '' : ` -> ${c.tensor}`} ${shapeText(s.shape)} (${axis}; ${per} per ${unit})`,
    `overall: mean ${num(s.overall.mean)}, max ${num(s.overall.max)}, min ${num(s.overall.min)}, zeros ${(s.overall.zeros * 100).toFixed(1)}%, dead ${unit}s (all zero) ${s.overall.deadChannels} of ${s.channels.length}`,
  ];
  if (s.nonFinite) lines.push(`Warning: ${s.nonFinite} NaN or infinite values (left out of the statistics)`);
  const header = [unit, 'mean', 'max', 'min', 'zeros'];
  const rows = s.channels.map((ch) => [String(ch.channel), num(ch.mean), num(ch.max), num(ch.min), `${(ch.zeros * 100).toFixed(1)}%${ch.dead ? ' dead' : ''}`]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.replace(' dead', '').length)));
  const fmt = (r: string[]) => r.map((x, i) => (i === 4 && x.endsWith(' dead') ? `${x.slice(0, -5).padStart(w[i]!)} dead` : x.padStart(w[i]!))).join('  ');
  lines.push(fmt(header), ...rows.map(fmt));
  return `${lines.join('\n')}\n`;
}

/** The picture of one sample of a captured tensor, chosen by its rank. */
function activationPicture(layer: string, c: Captured, sample: number, batch: number, maxMaps: number): string {
  const a = c.array, shape = a.shape;
  const title = `${layer}${layer === c.tensor ? '' : ` (${c.tensor})`} ${shapeText(shape)}${batch > 1 ? `, sample ${sample} of ${batch}` : ''}`;
  const data = a.data as Float32Array;
  if (shape.length === 4) {
    const m = featureMaps(a, c.layout, sample);
    const mosaic = featureMapMosaic(m.planes, m.c, m.h, m.w, { maxMaps });
    // Dead on this sample: the map is zero everywhere.
    const dead = Array.from({ length: mosaic.shown }, (_, k) => m.planes.subarray(k * m.h * m.w, (k + 1) * m.h * m.w).every((v) => v === 0));
    return featureMosaicSvg(mosaic, title, dead, `${m.h}x${m.w} each, ${c.layout}`);
  }
  if (shape.length === 2) {
    const n = shape[1]!;
    const row = data.subarray(sample * n, (sample + 1) * n);
    const zeros = row.reduce((p, v) => p + (v === 0 ? 1 : 0), 0);
    return unitBarsSvg(row, { title, caption: `${n} units; ${zeros} exactly zero` });
  }
  if (shape.length === 3) {
    const [, d1, d2] = shape as [number, number, number];
    const per = d1 * d2, src = data.subarray(sample * per, (sample + 1) * per);
    // Rows are channels: the middle axis channels-first (NCL), the last one channels-last (NLC).
    if (c.stats.channelAxis === 1) return sequenceHeatmapSvg(src, d1, d2, title, 'rows: channels (axis 1), columns: positions (axis 2)');
    const t = new Float32Array(per);
    for (let p = 0; p < d1; p++) for (let k = 0; k < d2; k++) t[k * d1 + p] = src[p * d2 + k]!;
    return sequenceHeatmapSvg(t, d2, d1, title, 'rows: channels (last axis), columns: positions (axis 1)');
  }
  throw new NnlensError(layer, `a rank-${shape.length} activation ${shapeText(shape)} cannot be drawn (pictures are for 2-, 3- and 4-D tensors); use --json or --save-raw`);
}
