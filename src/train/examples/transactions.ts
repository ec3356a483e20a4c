/**
 * Example 1 of issue 5: card-fraud classifiers on the synthetic transactions of
 * src/data/transactions.ts (data sheet: docs/transactions-data.md), as a plain MLP and as an MLP
 * with a feature-attention block. The models take raw rows (their scaling is inside the graph).
 */
import { join } from 'node:path';
import { FEATURE_NAMES, RULES, generateTransactions, referenceRow, transactionsCsv, type Transactions } from '../../data/transactions.ts';
import { writeNpy } from '../../io/npy.ts';
import { writeOutput } from '../../io/output.ts';
import { modelMetadata } from '../../io/preprocess.ts';
import { buildAttentionMlp } from '../attention-mlp.ts';
import { TRAINING_LOG_DIR } from '../log.ts';
import { buildMlp } from '../mlp.ts';
import type { Network } from '../net.ts';
import { fitScaling } from '../tabular-input.ts';
import type { Dataset } from '../trainer.ts';

/** The generated data: how many rows, from which seed, and the share kept for validation. */
export const TRANSACTIONS_DATA = { rows: 60_000, seed: 7, validationFraction: 0.2 } as const;

/** Heavy-tailed features, log-compressed before standardizing (tabular-input.ts). */
export const LOG_FEATURES: readonly string[] = ['amount', 'distance_from_home_km', 'tx_last_24h', 'amount_to_usual', 'account_age_days'];

/** Class names of the fraud models. */
export const TRANSACTION_LABELS = ['normal', 'fraud'] as const;

/** The rows and their split: the last `validationFraction` of the rows (rows are i.i.d.). */
export interface TransactionsSplit {
  all: Transactions;
  train: Dataset;
  validation: Dataset;
  /** Row index in `all` of validation row 0. */
  validationStart: number;
}

/**
 * Generates the example's rows and splits them.
 * @example const { train, validation } = transactionsSplit();
 */
export function transactionsSplit(): TransactionsSplit {
  const all = generateTransactions({ n: TRANSACTIONS_DATA.rows, seed: TRANSACTIONS_DATA.seed });
  const F = FEATURE_NAMES.length;
  const start = Math.round(all.n * (1 - TRANSACTIONS_DATA.validationFraction));
  const part = (a: number, b: number): Dataset => ({ x: all.x.slice(a * F, b * F), y: all.y.slice(a, b), n: b - a, itemShape: [F] });
  return { all, train: part(0, start), validation: part(start, all.n), validationStart: start };
}

/**
 * The untrained network of the example (`attention` picks the feature-attention variant), with
 * its metadata: feature names, class labels, logits, and where its training log is.
 * @example const net = transactionsNetwork(split, false, 1)
 */
export function transactionsNetwork(split: TransactionsSplit, attention: boolean, seed: number): Network {
  const trainRows: Transactions = { ...split.all, x: split.train.x, y: split.train.y, n: split.train.n };
  const scaling = fitScaling(split.train.x, split.train.n, FEATURE_NAMES, LOG_FEATURES, referenceRow(trainRows));
  const metadata = modelMetadata({
    preprocess: {}, inputKind: 'tabular', featureNames: [...FEATURE_NAMES], labels: [...TRANSACTION_LABELS],
    task: 'classification', outputKind: 'logits', trainingLog: TRAINING_LOG_DIR,
  });
  const common = { features: FEATURE_NAMES, classes: 2, scaling, seed, metadata };
  return attention ? buildAttentionMlp(common) : buildMlp({ ...common, hidden: [64, 32] });
}

/** Validation rows worth shipping as samples: one fraud row per rule and a few normal rows. */
export function sampleRows(split: TransactionsSplit, fraudProb: Float32Array): { perRule: { rule: string; row: number }[]; normal: number[]; mixed: number[] } {
  const { all, validationStart: v0 } = split;
  const perRule = RULES.map((rule, k) => {
    // The most confidently caught fraud row that meets only rule k: an unambiguous sample.
    let best = -1;
    for (let i = v0; i < all.n; i++) {
      if (all.y[i] !== 1 || all.ruleHits[i] !== 1 << k) continue;
      if (best < 0 || fraudProb[i - v0]! > fraudProb[best - v0]!) best = i;
    }
    return { rule: rule.id, row: best };
  }).filter((r) => r.row >= 0);
  const normal: number[] = [];
  for (let i = v0; i < all.n && normal.length < 3; i++) if (all.y[i] === 0 && all.ruleHits[i] === 0 && fraudProb[i - v0]! < 0.01) normal.push(i);
  const frauds: number[] = [];
  for (let i = v0; i < all.n && frauds.length < 5; i++) if (all.y[i] === 1) frauds.push(i);
  return { perRule, normal, mixed: [...frauds, ...normal] };
}

/**
 * Writes the example's data files beside the model: `labels.txt`, `samples/*.csv` (header =
 * feature names), `reference/background.csv` (50 training rows, KernelSHAP's background) and
 * `reference/baseline.npy` (the median legitimate row, Integrated Gradients' baseline). The
 * reference files sit in their own folder so the web app does not offer them as samples.
 * Returns the files written.
 */
export function writeTransactionFiles(dir: string, split: TransactionsSplit, fraudProb: Float32Array): string[] {
  const { all } = split;
  const files: string[] = [];
  const put = (name: string, data: string): void => { writeOutput(join(dir, name), data); files.push(name); };
  put('labels.txt', `${TRANSACTION_LABELS.join('\n')}\n`);
  const s = sampleRows(split, fraudProb);
  for (const r of s.perRule) put(`samples/fraud-${r.rule}.csv`, transactionsCsv(all, [r.row]));
  if (s.normal[0] !== undefined) put('samples/normal.csv', transactionsCsv(all, [s.normal[0]]));
  put('samples/rows.csv', transactionsCsv(all, s.mixed, { label: true }));
  // Background: every 960th training row (50 rows, ~2% fraud as in the data), a fixed, spread-out sample.
  const step = Math.floor(split.train.n / 50);
  put('reference/background.csv', transactionsCsv(all, Array.from({ length: 50 }, (_, k) => k * step)));
  const trainRows: Transactions = { ...all, x: split.train.x, y: split.train.y, n: split.train.n };
  writeNpy(join(dir, 'reference', 'baseline.npy'), { dtype: 'float32', shape: [1, FEATURE_NAMES.length], data: referenceRow(trainRows) });
  files.push('reference/baseline.npy');
  return files;
}
