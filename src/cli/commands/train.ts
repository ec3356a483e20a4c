/**
 * `nnlens train --example transactions|transactions-attention|digits -o DIR [--epochs N] [--seed N]
 * [--optimizer adam|sgd] [--lr X] [--batch-size N]`: trains a bundled example with nnlens's own
 * engine and writes a complete example folder (model.onnx with its metadata, TensorBoard logs,
 * training-log.json, labels, samples, README). All the work is in src/train/examples/.
 */
import type { Command } from 'commander';
import { NnlensError } from '../../errors.ts';
import { EXAMPLE_NAMES, trainExample, type ExampleName, type ExampleSettings } from '../../train/examples/index.ts';
import { OPTIMIZERS, type OptimizerName } from '../../train/optimizers.ts';

interface Opts { example?: string; output: string; epochs?: string; seed?: string; optimizer?: string; lr?: string; batchSize?: string }

/** Adds the `train` command. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a bundled example (card-fraud MLP, its attention variant, digits CNN) with nnlens\'s own engine')
    .requiredOption('--example <name>', `what to train: ${EXAMPLE_NAMES.join(', ')}`)
    .requiredOption('-o, --output <dir>', 'folder to write model.onnx, logs/, training-log.json, samples and README into')
    .option('--epochs <n>', 'passes over the training set (default: the example\'s)')
    .option('--seed <n>', 'seed of the initial weights and of the shuffling (default 1)')
    .option('--optimizer <name>', `${OPTIMIZERS.join(' or ')} (default adam)`)
    .option('--lr <x>', 'initial learning rate (decays by a cosine to 1/100 of it)')
    .option('--batch-size <n>', 'examples per step')
    .action(async (opts: Opts) => {
      const name = parseExample(opts.example);
      const settings = parseSettings(opts);
      const r = await trainExample(name, opts.output, settings, { progress: true });
      const figures = Object.entries(r.figures).filter(([k]) => k !== 'train_seconds').map(([k, v]) => `${k.replace(/_/g, ' ')} ${v.toFixed(4)}`);
      process.stdout.write(`${name}: ${figures.join(', ')} (trained in ${Math.round(r.figures.train_seconds ?? r.seconds)} s)\n`);
      process.stdout.write(`wrote ${r.files.map((f) => `${r.dir}/${f}`).join(', ')}\n`);
    });
}

/**
 * Checks `--example`.
 * @example parseExample('digits') === 'digits'
 */
export function parseExample(v: string | undefined): ExampleName {
  if (!v || !(EXAMPLE_NAMES as readonly string[]).includes(v)) throw new NnlensError('', `--example must be one of ${EXAMPLE_NAMES.join(', ')}, got '${v ?? ''}'`);
  return v as ExampleName;
}

/**
 * The settings given on the command line (absent ones stay undefined: the example's defaults apply).
 * @example parseSettings({ output: 'out', epochs: '3' }).epochs === 3
 */
export function parseSettings(o: Opts): Partial<ExampleSettings> {
  const s: Partial<ExampleSettings> = {};
  if (o.epochs !== undefined) s.epochs = whole(o.epochs, '--epochs', 1);
  if (o.seed !== undefined) s.seed = whole(o.seed, '--seed', 0);
  if (o.batchSize !== undefined) s.batchSize = whole(o.batchSize, '--batch-size', 1);
  if (o.lr !== undefined) {
    const lr = Number(o.lr);
    if (!(lr > 0 && lr < 10)) throw new NnlensError('', `--lr must be a positive number below 10, got '${o.lr}'`);
    s.lr = lr;
  }
  if (o.optimizer !== undefined) {
    if (!(OPTIMIZERS as readonly string[]).includes(o.optimizer)) throw new NnlensError('', `--optimizer must be ${OPTIMIZERS.join(' or ')}, got '${o.optimizer}'`);
    s.optimizer = o.optimizer as OptimizerName;
  }
  return s;
}

function whole(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new NnlensError('', `${flag} must be a whole number >= ${min}, got '${v}'`);
  return n;
}

