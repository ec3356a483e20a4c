/**
 * `nnlens sanity MODEL --input FILE --method M [--layer L] [--json]` (issue 4, "Trust"): the
 * model-randomization test of Adebayo et al. 2018 (src/explain/sanity.ts). Prints, for each layer
 * randomized from the output down, the Spearman rank correlation of the new map with the original
 * one, and the verdict.
 */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { Engine } from '../../engine/engine.ts';
import { prepare } from '../../explain/explain.ts';
import { cascadingRandomization, type SanityRow } from '../../explain/sanity.ts';
import { openModel } from '../../formats/registry.ts';
import { addInputOptions, describeInputs, labelsFor, loadInputsFor } from '../input-options.ts';
import { addMethodOptions, explainOptionsOf, loadBackground, targetText, toExplainInput, type MethodFlags } from './explain.ts';

interface Opts extends MethodFlags { json?: boolean; threshold: string }

/** Adds the `sanity` command. */
export function registerSanity(program: Command): void {
  const cmd = program
    .command('sanity')
    .description('check that an attribution method depends on the model: cascading weight randomization (Adebayo et al. 2018)')
    .argument('<model>', 'model file, or a folder holding one model');
  addInputOptions(cmd);
  addMethodOptions(cmd)
    .option('--threshold <r>', 'the map counts as changed when the final rank correlation is below this', '0.5')
    .option('--json', 'print the table and verdict as JSON')
    .action(async (path: string, opts: Opts) => {
      const o = explainOptionsOf(opts);
      if (o.contrast !== undefined) throw new NnlensError('', '--contrast is not used by sanity; it checks one map');
      const threshold = Number(opts.threshold);
      if (!(threshold > 0 && threshold <= 1)) throw new NnlensError('', `--threshold must be a number in (0, 1], got '${opts.threshold}'`);
      if (!opts.input?.length) throw new NnlensError('', '--input FILE is required');
      const model = await openModel(path, { weights: opts.weights });
      const engine = Engine.fromModel(model);
      try {
        const loaded = await loadInputsFor(engine, opts.input, opts);
        const input = toExplainInput([loaded]);
        o.labels = labelsFor(engine, opts.labels);
        o.background = await loadBackground(engine, opts.background, opts);
        const p = await prepare(engine, input, o);
        const tty = process.stderr.isTTY === true && !opts.json;
        await p.dispose(); // the cascade rebuilds whole engines; the head engine of prepare is not used
        const report = await cascadingRandomization(p.ctx, p.method, p.options, {
          seed: o.seed, threshold,
          onRow: (_r: SanityRow, k: number, total: number) => { if (tty) process.stderr.write(`\rrandomized ${k}/${total} layers`); },
        });
        if (tty) process.stderr.write('\n');
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ model: model.path, layer: p.layer?.ref, target: p.targets[0], ...report }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
          return;
        }
        const lines = [
          `input: ${describeInputs(loaded)}`,
          `method: ${p.method.displayName}${p.layer ? ` on layer ${p.layer.ref} (${p.layer.height}x${p.layer.width})` : ''}; target ${targetText(p.targets[0]!)}`,
          `cascading randomization from the output layer down (Adebayo et al. 2018); Spearman rank correlation with the original map${p.method.space === 'input' ? ' (absolute values)' : ''}:`,
        ];
        const w = Math.max(5, ...report.rows.map((r) => r.layer.length));
        const ow = Math.max(2, ...report.rows.map((r) => r.op.length));
        lines.push(`  ${'step'.padStart(4)}  ${'layer'.padEnd(w)}  ${'op'.padEnd(ow)}  ${'weights'.padStart(9)}  spearman`);
        report.rows.forEach((r, k) => lines.push(`  ${String(k + 1).padStart(4)}  ${r.layer.padEnd(w)}  ${r.op.padEnd(ow)}  ${String(r.params).padStart(9)}  ${r.spearman.toFixed(4).padStart(8)}`));
        lines.push(`verdict: ${report.verdict}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await engine.dispose();
      }
    });
}
