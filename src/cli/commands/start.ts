/**
 * `nnlens start [--example NAME] [--out-dir DIR]` (a CLI tour; `npm start` runs `nnlens serve`): the main CLI job on a
 * bundled example, so a fresh install shows something real at once: the model's summary, its
 * diagram, a prediction on a sample and an explanation of it, with the files it wrote named.
 * Once the web app is the main job, this command can hand over to `serve`.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { Engine } from '../../engine/engine.ts';
import { explain } from '../../explain/explain.ts';
import { openModel } from '../../formats/registry.ts';
import { readOutput } from '../../inspect/outputs.ts';
import { formatSummary, summarize } from '../../inspect/summary.ts';
import { writeOutput } from '../../io/output.ts';
import { modelDiagram } from '../../render/diagram.ts';
import { EXAMPLE_NAMES, type ExampleName } from '../../train/examples/index.ts';
import { ATTENTION_OUTPUT } from '../../train/attention-mlp.ts';
import { DIGITS_CAM_LAYER } from '../../train/examples/digits.ts';
import { labelsFor, loadInputFor, modelFacts, runInputs } from '../input-options.ts';
import { formatExplain, render, toExplainInput } from './explain.ts';
import { formatRun } from './run.ts';

/** The repository's bundled examples. */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

/** What `start` shows for each example: the sample, and how to explain it. */
const SHOWCASE: Record<ExampleName, { sample: string; method: string; layer?: string; extra?: Record<string, string> }> = {
  digits: { sample: 'samples/7.png', method: 'gradcam', layer: DIGITS_CAM_LAYER },
  transactions: { sample: 'samples/fraud-night_far_large.csv', method: 'ig', extra: { baseline: 'reference/baseline.npy' } },
  'transactions-attention': { sample: 'samples/fraud-online_velocity.csv', method: 'ig', extra: { baseline: 'reference/baseline.npy' } },
};

interface Opts { example: string; outDir?: string }

/** A path as short as it can be shown: relative to the working folder when inside it. */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** Adds the `start` command. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('tour a bundled example: summary, diagram, a prediction and its explanation')
    .option('--example <name>', `example: ${EXAMPLE_NAMES.join(', ')}`, 'digits')
    .option('--out-dir <dir>', 'where to write the pictures (default: nnlens-start in the system temp folder)')
    .action(async (opts: Opts) => {
      if (!(EXAMPLE_NAMES as readonly string[]).includes(opts.example)) throw new NnlensError('', `--example must be one of ${EXAMPLE_NAMES.join(', ')}, got '${opts.example}'`);
      const name = opts.example as ExampleName;
      const folder = shown(join(EXAMPLES_DIR, name));
      const modelFile = join(folder, 'model.onnx');
      if (!existsSync(modelFile)) throw new NnlensError(modelFile, `the bundled example is missing; regenerate it with \`npm run examples\` or \`nnlens train --example ${name} -o ${folder}\``);
      const out = opts.outDir ?? join(tmpdir(), 'nnlens-start');
      const show = SHOWCASE[name];
      const say = (s: string): void => { process.stdout.write(`${s}\n`); };

      const model = await openModel(modelFile);
      say(`== nnlens summary ${modelFile}\n`);
      process.stdout.write(formatSummary(summarize(model)));
      const diagram = join(out, `${name}-diagram.svg`);
      writeOutput(diagram, await modelDiagram(model, 'svg', { shapes: true }));
      say(`\n== nnlens diagram ${modelFile} --shapes -o ${diagram}\nwrote ${diagram}`);

      const engine = Engine.fromModel(model);
      try {
        const sample = join(folder, show.sample);
        const loaded = await loadInputFor(engine, sample);
        const res = await runInputs(engine, loaded);
        const labels = labelsFor(engine, undefined);
        const facts = modelFacts(engine);
        // The class scores only: other outputs (the attention weights) are shown below in their own terms.
        const primary = engine.exec.graph.outputs[0]!;
        const readings = [readOutput(res.outputs[primary]!, { name: primary, facts, labels, graph: engine.exec.graph, top: 3, modelFile: model.path })];
        say(`\n== nnlens run ${modelFile} --input ${sample} --top 3\n`);
        process.stdout.write(formatRun(loaded, readings));
        const attention = res.outputs[ATTENTION_OUTPUT];
        if (attention && facts.featureNames) {
          const w = Array.from(attention.data as Float32Array);
          const ranked = w.map((v, j) => [v, facts.featureNames![j]!] as const).sort((a, b) => b[0] - a[0]);
          say(`\noutput '${ATTENTION_OUTPUT}': the model's attention weights (they sum to 1; uniform would be ${(1 / w.length).toFixed(3)}):`);
          for (const [v, f] of ranked) say(`  ${f.padEnd(24)} ${v.toFixed(3)}`);
        }

        const picture = join(out, `${name}-${show.method}.png`);
        const extra = Object.fromEntries(Object.entries(show.extra ?? {}).map(([k, v]) => [k, join(folder, v)]));
        const outcome = await explain(engine, toExplainInput([loaded]), { method: show.method, labels, ...(show.layer ? { layer: show.layer } : {}), ...extra });
        writeOutput(picture, render(outcome, outcome.items[0]!, { colormap: 'jet', alpha: 0.5, kind: 'png' }));
        const flags = [`--method ${show.method}`, ...(show.layer ? [`--layer ${show.layer}`] : []), ...Object.entries(extra).map(([k, v]) => `--${k} ${v}`)];
        say(`\n== nnlens explain ${modelFile} --input ${sample} ${flags.join(' ')} -o ${picture}\n`);
        process.stdout.write(formatExplain([loaded], outcome, [{ picture }]));
      } finally {
        await engine.dispose();
      }
      say(`\nMore: ${join(folder, 'README.md')}; the web app: nnlens serve`);
    });
}
