/** `nnlens summary MODEL [--json] [--depth N] [--weights FILE]`: the model.summary() table. */
import type { Command } from 'commander';
import { openModel } from '../../formats/registry.ts';
import { summarize, formatSummary } from '../../inspect/summary.ts';
import { parseDepth } from './options.ts';

/** Adds the `summary` command. */
export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('print layers, output shapes and parameter counts (like Keras model.summary())')
    .argument('<model>', 'model file, or a folder holding one model')
    .option('--json', 'print the summary as JSON (schema: docs/summary-json.md)')
    .option('--depth <n>', 'one row per group at this module depth (1 = top-level modules)')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json')
    .action(async (path: string, opts: { json?: boolean; depth?: string; weights?: string }) => {
      const depth = parseDepth(opts.depth);
      const model = await openModel(path, { weights: opts.weights });
      const s = summarize(model, { depth });
      process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : formatSummary(s));
    });
}
