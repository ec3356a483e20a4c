/**
 * `nnlens train` (a one-epoch run of the fast example into a temporary folder: the committed
 * examples are not retrained) and `nnlens start`, the job `npm start` runs.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openModel } from '../../src/formats/registry.ts';
import { readModelFacts } from '../../src/io/preprocess.ts';
import { readLogDir } from '../../src/io/tfevents.ts';
import { pngSize } from '../../src/render/raster.ts';
import type { TrainingLogJson } from '../../src/train/log.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'nnlens-train-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const nnlens = (...args: string[]): CliResult => runCli(dir, ...args);

test('nnlens train --example transactions writes a complete example folder that nnlens reads back', async () => {
  const out = join(dir, 'fraud');
  const r = nnlens('train', '--example', 'transactions', '--epochs', '1', '--seed', '3', '--lr', '0.003', '--batch-size', '256', '-o', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^transactions: validation auc 0\.\d{4} \(trained in \d+ s\)$/m);
  assert.match(r.stderr, /transactions epoch 1: loss [\d.]+ auc [\d.]+ \| validation loss [\d.]+ auc [\d.]+/);
  for (const f of ['model.onnx', 'training-log.json', 'labels.txt', 'README.md', 'samples/rows.csv', 'samples/normal.csv', 'reference/baseline.npy', 'reference/background.csv']) assert.ok(existsSync(join(out, f)), f);
  const log = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8')) as TrainingLogJson;
  assert.deepEqual(log.config, { example: 'transactions', epochs: 1, seed: 3, optimizer: 'adam', lr: 0.003, batchSize: 256, schedule: 'cosine', weightDecay: { 'fc1.weight': 0.3 } });
  assert.ok(log.results.validation_auc! > 0.9, `one epoch already gives AUC ${log.results.validation_auc}`);
  assert.deepEqual([...readLogDir(join(out, 'logs')).keys()].sort(), ['train', 'validation']);
  const model = await openModel(join(out, 'model.onnx'));
  assert.equal(readModelFacts(model.metadata, model.path).labels?.[1], 'fraud');
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), new RegExp(`nnlens explain ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/model.onnx`));
  // A second run into the same folder replaces the curves instead of appending to them.
  assert.equal(nnlens('train', '--example', 'transactions', '--epochs', '1', '-o', out).code, 0);
  assert.equal(readdirSync(join(out, 'logs', 'train')).length, 1);
});

test('nnlens train refuses bad settings with one line and writes nothing', () => {
  for (const [args, msg] of [
    [['--example', 'cats'], /--example must be one of transactions, transactions-attention, digits/],
    [['--example', 'digits', '--epochs', '0'], /--epochs must be a whole number >= 1/],
    [['--example', 'digits', '--optimizer', 'rmsprop'], /--optimizer must be adam or sgd/],
    [['--example', 'digits', '--lr', '-1'], /--lr must be a positive number/],
  ] as const) {
    const r = nnlens('train', ...args, '-o', join(dir, 'refused'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.ok(!existsSync(join(dir, 'refused')));
  }
});

test('nnlens start (npm start): summary, diagram, prediction and Grad-CAM of a bundled digit, files named', () => {
  const out = join(dir, 'start');
  const r = nnlens('start', '--out-dir', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Total params: [\d,]+/m);
  assert.match(r.stdout, /^\s+1\s+7\s+[01]\.\d{4}\s+\S+\s+7$/m, 'the sample 7 is read as a 7');
  assert.match(r.stdout, /method: Grad-CAM/);
  for (const f of ['digits-diagram.svg', 'digits-gradcam.png']) assert.match(r.stdout, new RegExp(`wrote .*${f}`));
  assert.match(readFileSync(join(out, 'digits-diagram.svg'), 'utf8'), /^<svg/);
  const png = pngSize(readFileSync(join(out, 'digits-gradcam.png')));
  assert.ok(png.width >= 28 && png.height >= 28);
  const tx = nnlens('start', '--example', 'transactions', '--out-dir', out);
  assert.equal(tx.code, 0, tx.stderr);
  assert.match(tx.stdout, /method: Integrated Gradients/);
  assert.ok(existsSync(join(out, 'transactions-ig.png')));
});
