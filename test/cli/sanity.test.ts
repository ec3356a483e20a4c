/**
 * `nnlens sanity`: the cascading-randomization table and verdict (text and JSON), on the zoo's
 * gap_cnn and on the real Keras cat-vs-dog CNN, and bad input refused with one line and exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDigits, writeDigitPng } from '../../src/data/mnist.ts';
import { NEEDS_SHARED, ROOT, real } from '../helpers/shared.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const GAP = join(ZOO_FIXTURES, 'gap_cnn');

const nnlens = (...args: string[]): CliResult => runCli(ROOT, ...args);

test('sanity prints one row per weighted layer, from the output down, and a verdict', () => {
  const r = nnlens('sanity', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--method', 'saliency', '--seed', '1');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\S+\s+(Gemm|Conv)\s+\d+\s+-?[\d.]+$/.test(l));
  assert.equal(rows.length, 4, r.stdout);
  assert.match(rows[0]!, /\/fc\/Gemm\s+Gemm/);
  assert.match(r.stdout, /^verdict: passes: the rank correlation with the original map fell to /m);
  const j = nnlens('sanity', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--method', 'gradcam', '--json');
  assert.equal(j.code, 0, j.stderr);
  const report = JSON.parse(j.stdout);
  assert.equal(report.method, 'gradcam');
  assert.equal(report.rows.length, 4);
  assert.ok(report.rows.every((x: { spearman: number }) => x.spearman >= -1 && x.spearman <= 1));
  assert.equal(typeof report.passes, 'boolean');
  assert.equal(report.threshold, 0.5);
});

test('sanity: bad input is one line and exit 2', () => {
  for (const [args, pattern] of [
    [['--method', 'nope'], /unknown method 'nope'/],
    [['--method', 'gradcam', '--layer', 'nolayer'], /no layer, tensor or module named 'nolayer'/],
    [['--method', 'gradcam', '--threshold', '2'], /--threshold must be a number in \(0, 1\]/],
  ] as [string[], RegExp][]) {
    const r = nnlens('sanity', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), ...args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});

test('sanity on the Keras cat-vs-dog CNN (weights re-initialized through the Keras lowering)', { skip: NEEDS_SHARED }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-sanity-'));
  try {
    const png = join(dir, 'digit.png');
    await writeDigitPng(png, loadDigits(), 0);
    const r = nnlens('sanity', real('dogcat-cnn-11tonytony11'), '--input', png, '--scale', '1', '--method', 'gradcam', '--layer', 'conv2d_2', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.rows.map((x: { layer: string }) => x.layer), ['dense_3', 'dense_2', 'dense_1', 'dense', 'conv2d_4', 'conv2d_3', 'conv2d_2', 'conv2d_1', 'conv2d']);
    assert.ok(report.rows.every((x: { spearman: number }) => Number.isFinite(x.spearman)));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
