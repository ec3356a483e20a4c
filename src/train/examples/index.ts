/**
 * The bundled examples (issue 5) as recipes: `nnlens train --example NAME -o DIR` and
 * `npm run examples` both call {@link trainExample}, which trains the model with the project's own
 * engine and writes a complete example folder: `model.onnx` (with its `nnlens.*` metadata),
 * `logs/` (TensorBoard), `training-log.json`, `labels.txt`, samples and a README.
 */
import { readdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeOnnx } from '../../formats/onnx-write.ts';
import { writeOutput } from '../../io/output.ts';
import { isEventFile } from '../../io/tfevents.ts';
import { ATTENTION_WEIGHT } from '../attention-mlp.ts';
import { TRAINING_LOG_DIR, TrainingLog } from '../log.ts';
import { accuracy, classLogProb, rocAuc } from '../metrics.ts';
import { paramValues, type Network } from '../net.ts';
import { Adam, Sgd, type Optimizer, type OptimizerName } from '../optimizers.ts';
import { Evaluator, train, type Dataset, type TrainOptions } from '../trainer.ts';
import { digitsNetwork, digitsSplit, shiftDigits, writeDigitFiles } from './digits.ts';
import { exampleReadme } from './readme.ts';
import { transactionsNetwork, transactionsSplit, writeTransactionFiles } from './transactions.ts';

/** Names accepted by `nnlens train --example`. */
export const EXAMPLE_NAMES = ['transactions', 'transactions-attention', 'digits'] as const;
/** An example name. */
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/** What a user may change on the command line. */
export interface ExampleSettings {
  epochs: number;
  seed: number;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
}

/** The settings the committed examples were trained with. */
export const EXAMPLE_DEFAULTS: Record<ExampleName, ExampleSettings> = {
  transactions: { epochs: 8, seed: 1, optimizer: 'adam', lr: 3e-3, batchSize: 128 },
  'transactions-attention': { epochs: 12, seed: 1, optimizer: 'adam', lr: 1e-2, batchSize: 128 },
  digits: { epochs: 12, seed: 1, optimizer: 'adam', lr: 4e-3, batchSize: 64 },
};

/**
 * Decoupled weight decay (per unit of learning rate) on the layer that reads the features, by
 * example (docs/training.md, "Weight decay on the first layer"):
 * - the MLP's `fc1.weight`: a feature that carries no signal (the distractors) then fades out of
 *   the model instead of being fitted to the noise of 1,000 fraud rows;
 * - the attention layer: without it the softmax collapses onto one feature per kind of row, used
 *   as a code rather than as a selection of the features the decision needs.
 */
export const WEIGHT_DECAY: Record<ExampleName, Record<string, number>> = {
  transactions: { 'fc1.weight': 0.3 },
  'transactions-attention': { [ATTENTION_WEIGHT]: 3 },
  digits: {},
};

/** What training an example produced. */
export interface ExampleReport {
  example: ExampleName;
  dir: string;
  settings: ExampleSettings;
  /** Headline figures: `validation_auc` (transactions), `test_accuracy` (digits), ... */
  figures: Record<string, number>;
  /** Files written, relative to `dir`. */
  files: string[];
  seconds: number;
}

/**
 * Trains example `name` and writes its folder `dir`.
 * @example const r = await trainExample('transactions', 'out/fraud'); r.figures.validation_auc
 */
export async function trainExample(name: ExampleName, dir: string, overrides: Partial<ExampleSettings> = {}, o: { progress?: boolean } = {}): Promise<ExampleReport> {
  const settings = { ...EXAMPLE_DEFAULTS[name], ...definedOnly(overrides) };
  clearEventFiles(dir);
  const decay = WEIGHT_DECAY[name];
  const log = new TrainingLog(dir, name === 'digits' ? 'accuracy' : 'auc', { example: name, ...settings, schedule: 'cosine', weightDecay: decay });
  const optimizer = makeOptimizer(settings, new Map(Object.entries(decay)));
  const common = { epochs: settings.epochs, batchSize: settings.batchSize, optimizer, seed: settings.seed, schedule: 'cosine' as const, log, progress: o.progress, label: name };
  const started = Date.now();
  let net: Network;
  let figures: Record<string, number>;
  let files: string[];
  try {
    if (name === 'digits') {
      const split = digitsSplit();
      net = digitsNetwork(settings.seed);
      const opts: TrainOptions = { ...common, classes: 10, metric: 'accuracy', augment: shiftDigits(2) };
      const r = await train(net, split.train, split.validation, opts);
      const test = await logitsOf(net, split.test, 10);
      figures = { test_accuracy: accuracy(test, split.test.y, 10), validation_accuracy: r.history.at(-1)!.validation.metric, train_seconds: r.seconds };
      files = await writeDigitFiles(dir, split);
    } else {
      const split = transactionsSplit();
      net = transactionsNetwork(split, name === 'transactions-attention', settings.seed);
      const r = await train(net, split.train, split.validation, { ...common, classes: 2, metric: 'auc' });
      const val = await logitsOf(net, split.validation, 2);
      const fraudLogProb = classLogProb(val, 2, 1);
      figures = { validation_auc: rocAuc(fraudLogProb, split.validation.y), train_seconds: r.seconds };
      files = writeTransactionFiles(dir, split, Float32Array.from(fraudLogProb, Math.exp));
    }
    for (const [k, v] of Object.entries(figures)) if (k !== 'train_seconds') log.result(k, v);
  } finally {
    log.close();
  }
  writeOutput(join(dir, 'model.onnx'), writeOnnx(net.model.graph, { opsets: net.model.opsets ?? { '': 17 }, metadata: net.model.metadata, producer: 'nnlens' }));
  files.unshift('model.onnx', 'training-log.json', `${TRAINING_LOG_DIR}/`);
  const report: ExampleReport = { example: name, dir, settings, figures, files, seconds: (Date.now() - started) / 1000 };
  writeOutput(join(dir, 'README.md'), exampleReadme(report));
  files.push('README.md');
  return report;
}

function definedOnly(o: Partial<ExampleSettings>): Partial<ExampleSettings> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<ExampleSettings>;
}

function makeOptimizer(s: ExampleSettings, decay: ReadonlyMap<string, number>): Optimizer {
  return s.optimizer === 'adam' ? new Adam(s.lr, 0.9, 0.999, 1e-8, decay) : new Sgd(s.lr, 0.9, decay);
}

async function logitsOf(net: Network, data: Dataset, classes: number): Promise<Float32Array> {
  const ev = await Evaluator.create(net);
  try { return await ev.evaluate(paramValues(net), data, classes); } finally { await ev.dispose(); }
}

/** Removes the event files of an earlier run in `dir/logs/{train,validation}`, so curves are not merged across runs. */
function clearEventFiles(dir: string): void {
  for (const run of ['train', 'validation']) {
    const d = join(dir, TRAINING_LOG_DIR, run);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (isEventFile(f)) rmSync(join(d, f));
  }
}
