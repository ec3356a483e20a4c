/** `nnlens diagram MODEL -o FILE [--shapes] [--names] [--constants] [--depth N] [--direction TB|LR]`: the plot_model picture. */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { openModel } from '../../formats/registry.ts';
import { writeOutput } from '../../io/output.ts';
import { modelDiagram, type DiagramFormat } from '../../render/diagram.ts';
import { outputKind, parseDepth } from './options.ts';

/** Adds the `diagram` command. */
export function registerDiagram(program: Command): void {
  program
    .command('diagram')
    .description('draw the model graph to .svg, .png or .dot (boxes coloured by op category)')
    .argument('<model>', 'model file, or a folder holding one model')
    .requiredOption('-o, --output <file>', 'output file; its extension picks the format: .svg, .png or .dot')
    .option('--shapes', 'show output shapes')
    .option('--names', 'show node names')
    .option('--constants', 'also draw constant nodes (ONNX Constant, TF Const), left out by default')
    .option('--depth <n>', 'collapse module groups at this depth (1 = top-level modules)')
    .option('--direction <dir>', 'TB (top to bottom) or LR (left to right)', 'TB')
    .option('--weights <file>', 'weights .h5 for an architecture-only .json')
    .action(async (path: string, opts: { output: string; shapes?: boolean; names?: boolean; constants?: boolean; depth?: string; direction: string; weights?: string }) => {
      const format = outputKind<DiagramFormat>(opts.output, ['svg', 'png', 'dot']);
      const depth = parseDepth(opts.depth);
      const direction = opts.direction.toUpperCase();
      if (direction !== 'TB' && direction !== 'LR') throw new NnlensError('', `--direction must be TB or LR, got '${opts.direction}'`);
      const model = await openModel(path, { weights: opts.weights });
      const out = await modelDiagram(model, format, { depth, shapes: !!opts.shapes, names: !!opts.names, constants: !!opts.constants, direction });
      writeOutput(opts.output, out);
      process.stderr.write(`wrote ${opts.output}\n`);
    });
}
