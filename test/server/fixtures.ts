/**
 * Example folders for the server tests, built from the committed zoo fixtures: a digits CNN
 * (gap_cnn, 28 x 28 grayscale, CAM-ready) with labels, real MNIST digit PNGs and a training log;
 * and a tabular classifier (tabular_mlp, 8 features, 2 classes) with feature names, labels and a
 * CSV of rows. The models are the zoo's seeded PyTorch exports with nnlens metadata added, so the
 * tests check the server's wiring, not the models' accuracy.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDigits, writeDigitPng } from '../../src/data/mnist.ts';
import { openModel } from '../../src/formats/registry.ts';
import { writeOnnx } from '../../src/formats/onnx-write.ts';
import { EventWriter } from '../../src/io/tfevents-writer.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';

/** Feature names of the tabular fixture. */
export const FEATURES = ['amount', 'hour', 'distance_km', 'foreign', 'card_present', 'online', 'tx_24h', 'age_days'];

/** Paths of the fixture models. */
export interface Fixtures { root: string; digits: string; table: string }

async function withMetadata(src: string, dst: string, metadata: Record<string, string>): Promise<void> {
  const m = await openModel(src);
  writeFileSync(dst, writeOnnx(m.graph, { opsets: m.opsets ?? { '': 13 }, metadata }));
}

/**
 * Builds the fixture folders in a new temporary folder.
 * @example const fx = await buildFixtures(); await startServer({ models: [fx.digits, fx.table] })
 */
export async function buildFixtures(): Promise<Fixtures> {
  const root = mkdtempSync(join(tmpdir(), 'nnlens-serve-fx-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const dDir = join(root, 'digits'), tDir = join(root, 'transactions');
  mkdirSync(join(dDir, 'samples'), { recursive: true });
  mkdirSync(tDir, { recursive: true });
  const digits = join(dDir, 'digits-cnn.onnx');
  await withMetadata(join(ZOO_FIXTURES, 'gap_cnn', 'model.onnx'), digits, {
    'nnlens.input.kind': 'image', 'nnlens.input.preset': 'mnist',
    'nnlens.labels': JSON.stringify(Array.from({ length: 10 }, (_, k) => String(k))),
    'nnlens.task': 'classification', 'nnlens.output.kind': 'logits', 'nnlens.training_log': 'digits-cnn.log',
  });
  const d = loadDigits();
  for (const label of [3, 7, 0]) {
    const k = d.labels.indexOf(label);
    await writeDigitPng(join(dDir, 'samples', `digit-${label}.png`), d, k);
  }
  const w = new EventWriter(join(dDir, 'digits-cnn.log'), () => 1_700_000_000);
  for (let step = 1; step <= 20; step++) w.scalars(step, { 'train/loss': 2 / step, 'val/accuracy': 1 - 0.5 / step });
  w.close();
  const table = join(tDir, 'fraud-mlp.onnx');
  await withMetadata(join(ZOO_FIXTURES, 'tabular_mlp', 'model.onnx'), table, {
    'nnlens.input.kind': 'tabular', 'nnlens.feature_names': JSON.stringify(FEATURES),
    'nnlens.labels': JSON.stringify(['normal', 'fraud']), 'nnlens.task': 'classification', 'nnlens.output.kind': 'logits',
  });
  const rows = [[12.5, 14, 3.2, 0, 1, 0, 2, 900], [950, 3, 480, 1, 1, 0, 1, 40], [60, 22, 15, 1, 0, 1, 14, 300]];
  writeFileSync(join(tDir, 'rows.csv'), `${[...FEATURES, 'is_fraud'].join(',')}\n${rows.map((r, i) => [...r, i === 0 ? 0 : 1].join(',')).join('\n')}\n`);
  copyFileSync(join(ZOO_FIXTURES, 'tabular_mlp', 'input.npy'), join(tDir, 'row.npy'));
  return { root, digits, table };
}
