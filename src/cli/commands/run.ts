/**
 * `nnlens run MODEL --input FILE [--top K] [--labels FILE] [--json] [--save-raw FILE.npy]`:
 * runs the model once; classifiers print their top-K classes with probabilities (softmax or
 * sigmoid applied when the scores are logits) and label names, other outputs their values.
 */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { shapeText } from '../../graph/ir.ts';
import { Engine } from '../../engine/engine.ts';
import type { NdArray } from '../../engine/ndarray.ts';
import { openModel } from '../../formats/registry.ts';
import { writeNpy, type NpyArray } from '../../io/npy.ts';
import { readOutput, type OutputReading } from '../../inspect/outputs.ts';
import { addInputOptions, describeInputs, inputsJson, labelsFor, loadInputsFor, modelFacts, runInputs, type InputFlags, type LoadedInputs } from '../input-options.ts';
import { outputKind } from './options.ts';

interface Opts extends InputFlags { top: string; json?: boolean; saveRaw?: string; weights?: string }

/** Values printed per sample in text mode (all of them are in --json and --save-raw). */
const SHOWN_VALUES = 12;

/** Adds the `run` command. */
export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run a model on an input: top-K classes with probabilities for classifiers, values otherwise')
    .argument('<model>', 'model file, or a folder holding one model');
  addInputOptions(cmd)
    .option('--top <k>', 'classes shown per sample', '5')
    .option('--json', 'print the results as JSON')
    .option('--save-raw <file.npy>', 'write the first output exactly as the model produced it')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json')
    .action(async (path: string, opts: Opts) => {
      const top = parseTop(opts.top);
      if (opts.saveRaw) outputKind(opts.saveRaw, ['npy'] as const);
      if (!opts.input?.length) throw new NnlensError('', '--input FILE is required (.npy, an image, or .csv/.json rows)');
      const model = await openModel(path, { weights: opts.weights });
      const engine = Engine.fromModel(model);
      try {
        const loaded = await loadInputsFor(engine, opts.input, opts);
        const labels = labelsFor(engine, opts.labels);
        const res = await runInputs(engine, loaded);
        const names = engine.exec.graph.outputs.filter((o) => res.outputs[o]);
        // Labels belong to the class scores: the first floating-point [N, K] output.
        const primary = names.find((o) => res.outputs[o]!.shape.length === 2 && res.outputs[o]!.dtype.startsWith('float')) ?? names[0];
        const facts = modelFacts(engine);
        const readings = names.map((name) => readOutput(res.outputs[name]!, {
          name, facts, labels: name === primary ? labels : undefined, graph: engine.exec.graph, top, modelFile: model.path,
        }));
        if (opts.saveRaw) {
          const first = res.outputs[names[0]!]!;
          writeNpy(opts.saveRaw, rawArray(first, opts.saveRaw));
        }
        process.stdout.write(opts.json ? `${JSON.stringify(runJson(model.path, loaded, readings), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n` : formatRun(loaded, readings));
        if (opts.saveRaw) process.stderr.write(`wrote ${opts.saveRaw} (output '${names[0]}' ${shapeText(res.outputs[names[0]!]!.shape)})\n`);
      } finally {
        await engine.dispose();
      }
    });
}

/**
 * Parses `--top K` (a whole number >= 1).
 * @example parseTop('5') === 5
 */
export function parseTop(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new NnlensError('', `--top must be a whole number >= 1, got '${v}'`);
  return n;
}

/** An engine array as a .npy array, refusing what .npy cannot hold (string outputs). */
export function rawArray(a: NdArray, file: string): NpyArray {
  if (Array.isArray(a.data) || a.dtype === 'string' || a.dtype === 'bfloat16') {
    throw new NnlensError(file, `the output is ${a.dtype}: only numeric arrays can be saved as .npy`);
  }
  return { dtype: a.dtype, shape: a.shape, data: a.data } as NpyArray;
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(5))) : x.toExponential(3);
}

/** A probability with 4 decimals; small ones in exponent form rather than as 0.0000. */
function prob(p: number): string {
  return p >= 5e-5 || p === 0 || !Number.isFinite(p) ? p.toFixed(4) : p.toExponential(1);
}

/** Text report: what was fed, then each output. */
export function formatRun(loaded: LoadedInputs, readings: OutputReading[]): string {
  const out: string[] = [`input: ${describeInputs(loaded).replace(/\n/g, '\n       ')}`];
  for (const r of readings) {
    out.push('');
    if (r.kind === 'classification') {
      const what = r.applied === 'none' ? `${r.scores} (${r.reason})` : `logits (${r.reason}); ${r.applied} applied`;
      out.push(`output '${r.name}' ${shapeText(r.shape)}: ${r.classes} classes, ${what}`);
      const scoreName = r.applied === 'none' ? 'score' : 'logit';
      r.top.forEach((rows, i) => {
        if (r.top.length > 1) out.push(`sample ${i}:`);
        const table = rows.map((c, k) => [String(k + 1), String(c.index), prob(c.probability), num(c.score), c.label]);
        const header = ['rank', 'class', 'probability', scoreName, 'label'];
        const w = header.map((h, j) => Math.max(h.length, ...table.map((t) => t[j]!.length)));
        const fmt = (t: string[]) => `  ${t.map((c, j) => (j === 4 ? c : c.padStart(w[j]!))).join('  ')}`.trimEnd();
        out.push(fmt(header), ...table.map(fmt));
      });
    } else {
      out.push(`output '${r.name}' ${shapeText(r.shape)} ${r.dtype} (${r.reason}):`);
      const per = r.shape.slice(1).reduce((p, d) => p * d, 1);
      r.values.forEach((vals, i) => {
        const shown = vals.slice(0, SHOWN_VALUES).map(num).join(', ');
        const more = per > SHOWN_VALUES ? `, ... (${per} values; all in --json / --save-raw)` : '';
        out.push(`  ${r.values.length > 1 ? `sample ${i}: ` : ''}${vals.length === 1 ? shown : `[${shown}${more}]`}`);
      });
    }
  }
  return `${out.join('\n')}\n`;
}

/** JSON report (docs in README, `nnlens run`). */
export function runJson(model: string, loaded: LoadedInputs, readings: OutputReading[]): unknown {
  return {
    model,
    inputs: inputsJson(loaded),
    outputs: readings,
  };
}
