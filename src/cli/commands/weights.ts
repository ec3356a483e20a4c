/**
 * `nnlens weights MODEL [--layer NAME] [--kind stats|histogram|heatmap|filters] [-o FILE] [--json]`:
 * weight statistics as a table, or a histogram, a heatmap of a 2-D kernel, a mosaic of conv filters.
 */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import type { Model } from '../../graph/ir.ts';
import { kernelLayout } from '../../graph/ops.ts';
import { openModel } from '../../formats/registry.ts';
import { writeOutput } from '../../io/output.ts';
import { allWeights, histogram, paramStats, resolveLayer, weightStats, type LayerParam, type ParamStats } from '../../inspect/weights.ts';
import { canonicalKernel, filterMosaic, filterMosaicSvg } from '../../render/filters.ts';
import { formatShape } from '../../render/format.ts';
import { heatmapSvg } from '../../render/heatmap.ts';
import { histogramSvg } from '../../render/histogram.ts';
import { svgToPng } from '../../render/png.ts';
import { outputKind } from './options.ts';

const KINDS = ['stats', 'histogram', 'heatmap', 'filters'] as const;
type Kind = (typeof KINDS)[number];
/** Most histogram panels drawn in one picture. */
const MAX_PANELS = 24;

interface Opts { layer?: string; kind: string; output?: string; json?: boolean; weights?: string; bins: string }

/** Adds the `weights` command. */
export function registerWeights(program: Command): void {
  program
    .command('weights')
    .description('weight statistics (mean, std, min, max, L2 norm, zeros), histograms, heatmaps, conv filter mosaics')
    .argument('<model>', 'model file, or a folder holding one model')
    .option('--layer <name>', 'a node name, a weight name, or a module path (default: every weight)')
    .option('--kind <kind>', `what to show: ${KINDS.join(', ')}`, 'stats')
    .option('-o, --output <file>', 'output file (.svg or .png for pictures; stats: text, or JSON with --json)')
    .option('--json', 'statistics as JSON')
    .option('--bins <n>', 'histogram bins', '50')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json')
    .action(async (path: string, opts: Opts) => {
      const kind = opts.kind as Kind;
      if (!KINDS.includes(kind)) throw new NnlensError('', `--kind must be one of ${KINDS.join(', ')}, got '${opts.kind}'`);
      const bins = Number(opts.bins);
      if (!Number.isInteger(bins) || bins < 1 || bins > 10000) throw new NnlensError('', `--bins must be a whole number from 1 to 10000, got '${opts.bins}'`);
      let picture: 'svg' | 'png' | undefined;
      if (kind !== 'stats') {
        if (!opts.output) throw new NnlensError('', `--kind ${kind} draws a picture: give -o FILE.svg or -o FILE.png`);
        picture = outputKind(opts.output, ['svg', 'png'] as const);
      }
      const model = await openModel(path, { weights: opts.weights });
      const selected = opts.layer ? resolveLayer(model, opts.layer) : allWeights(model);
      if (selected.length === 0) throw new NnlensError(model.path, 'the model has no weights');
      if (kind === 'stats') {
        const rows = paramStats(selected);
        const text = opts.json ? `${JSON.stringify(rows, null, 2)}\n` : statsTable(rows);
        if (opts.output) { writeOutput(opts.output, text); process.stderr.write(`wrote ${opts.output}\n`); }
        else process.stdout.write(text);
        return;
      }
      const svg = kind === 'histogram' ? histogramPicture(selected, bins) : kind === 'heatmap' ? heatmapPicture(model, selected) : filtersPicture(model, selected, !!opts.layer);
      writeOutput(opts.output!, picture === 'png' ? svgToPng(svg, { scale: 1.5 }) : svg);
      process.stderr.write(`wrote ${opts.output}\n`);
    });
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? x.toPrecision(4) : x.toExponential(2);
}

function short(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(1);
}

/** Statistics as an aligned text table. */
export function statsTable(rows: ParamStats[]): string {
  const header = ['Weight', 'Shape', 'Mean', 'Std', 'Min', 'Max', 'L2 norm', 'Zeros'];
  const lines = rows.map((r) => [r.name, formatShape(r.shape), num(r.mean), num(r.std), num(r.min), num(r.max), num(r.l2), `${(r.zeros * 100).toFixed(1)}%`]);
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  const out = [fmt(header), '\u2500'.repeat(w.reduce((s, x) => s + x + 2, -2)), ...lines.map(fmt)];
  const bad = rows.filter((r) => r.nonFinite > 0);
  for (const r of bad) out.push(`Warning: ${r.name} has ${r.nonFinite} NaN or infinite values (left out of its statistics)`);
  return `${out.join('\n')}\n`;
}

function histogramPicture(selected: LayerParam[], bins: number): string {
  const shown = selected.slice(0, MAX_PANELS);
  if (selected.length > shown.length) process.stderr.write(`showing the first ${MAX_PANELS} of ${selected.length} weights; pick some with --layer\n`);
  const panels = shown.map(({ param }) => {
    const values = param.tensor.float32();
    const s = weightStats(values);
    const h = histogram(values, bins);
    return { title: `${param.name} ${formatShape([...param.tensor.shape])}`, ...h, caption: `mean ${short(s.mean)}  std ${short(s.std)}  min ${short(s.min)}  max ${short(s.max)}  zeros ${(s.zeros * 100).toFixed(1)}%` };
  });
  return histogramSvg(panels);
}

function heatmapPicture(model: Model, selected: LayerParam[]): string {
  const two = selected.filter((w) => w.param.tensor.shape.length === 2);
  const pick = two.find((w) => /kernel|weight/i.test(w.param.role)) ?? two[0];
  if (!pick) {
    const shapes = selected.slice(0, 4).map((w) => `${w.param.name} ${formatShape([...w.param.tensor.shape])}`).join(', ');
    throw new NnlensError(model.path, `a heatmap needs a 2-D weight (a Dense/Gemm/MatMul kernel); found ${shapes}${selected.some((w) => w.param.tensor.shape.length >= 3) ? '; for convolution kernels use --kind filters' : ''}`);
  }
  const [rows, cols] = pick.param.tensor.shape as [number, number];
  return heatmapSvg(pick.param.tensor.float32(), rows, cols, {
    title: `${pick.param.name} ${formatShape([rows, cols])}`,
    caption: `${pick.node.op} ${pick.node.name}: ${pick.param.role}; blue < 0 < red`,
    yLabel: `dim 0 (${rows})`, xLabel: `dim 1 (${cols})`,
  });
}

function filtersPicture(model: Model, selected: LayerParam[], named: boolean): string {
  const isConv = (w: LayerParam) => kernelLayout(w.node) !== undefined && w.param.tensor.shape.length >= 3 && w.param.tensor.shape.length <= 5;
  const pick = selected.find(isConv);
  if (!pick) {
    throw new NnlensError(model.path, named ? 'no convolution kernel in the chosen layer (filters need a Conv / Conv2D weight)' : 'the model has no convolution layer');
  }
  const layout = kernelLayout(pick.node)!;
  const k = canonicalKernel(pick.param.tensor.float32(), pick.param.tensor.shape, layout);
  return filterMosaicSvg(filterMosaic(k), `${pick.node.name} (${pick.node.op}) ${pick.param.name} ${formatShape([...pick.param.tensor.shape])}`, k);
}
