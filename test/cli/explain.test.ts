/**
 * `nnlens explain` end to end: overlay and bar-chart pictures, --save-raw shapes, --json facts,
 * batch mode with its manifest, the seed scenarios on real Keras models, and bad input refused with
 * one line, exit 2 and no output file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadDigits, writeDigitPng } from '../../src/data/mnist.ts';
import { readNpy } from '../../src/io/npy.ts';
import { pngSize } from '../../src/render/raster.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const GAP_CNN = join(ZOO_FIXTURES, 'gap_cnn', 'model.onnx');
const MLP = join(ZOO_FIXTURES, 'tabular_mlp', 'model.onnx');
const dir = mkdtempSync(join(tmpdir(), 'nnlens-explain-'));
const inputs = join(dir, 'inputs');
const out = join(dir, 'out');
after(() => rmSync(dir, { recursive: true, force: true }));

const nnlens = (...args: string[]): CliResult => runCli(dir, ...args);

before(async () => {
  mkdirSync(inputs, { recursive: true });
  mkdirSync(out, { recursive: true });
  const d = loadDigits();
  for (const i of [0, 1, 2]) await writeDigitPng(join(inputs, `digit${i}.png`), d, i);
  writeFileSync(join(dir, 'row.csv'), 'a,b,c,d,e,f,g,h\n0.5,-1.2,0.3,2.0,-0.7,0.1,1.5,-0.4\n');
  writeFileSync(join(dir, 'rows.csv'), 'a,b,c,d,e,f,g,h\n0.5,-1.2,0.3,2.0,-0.7,0.1,1.5,-0.4\n1,1,1,1,1,1,1,1\n');
});

test('gradcam on a digit: overlay PNG, raw map at the layer resolution, JSON facts', () => {
  const png = join(out, 'heat.png'), raw = join(out, 'heat.npy');
  const r = nnlens('explain', GAP_CNN, '--input', join(inputs, 'digit0.png'), '--method', 'gradcam', '-o', png, '--save-raw', raw, '--json', '--metrics');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.method.name, 'gradcam');
  assert.equal(j.layer.chosen, 'default');
  assert.deepEqual([j.layer.height, j.layer.width], [7, 7]);
  assert.equal(j.items.length, 1);
  const it = j.items[0];
  assert.equal(it.target.kind, 'class');
  assert.ok(it.target.index >= 0 && it.target.index < 10);
  assert.ok(it.target.probability > 0 && it.target.probability < 1);
  assert.ok(it.metrics.deletionAuc >= 0 && it.metrics.insertionAuc <= 1);
  assert.equal(it.metrics.deletion.length, it.metrics.steps + 1);
  for (const k of ['forward', 'attribute', 'heatmaps', 'metrics', 'total']) assert.ok(j.timings[k] >= 0, k);
  const size = pngSize(readFileSync(png));
  assert.ok(size.width > 500 && size.height > 300, `${size.width}x${size.height}`);
  const a = readNpy(raw);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.shape, [1, 7, 7]);
});

test('input-space methods: --save-raw has the input\'s exact shape; IG reports its completeness error', () => {
  const raw = join(out, 'ig.npy');
  const r = nnlens('explain', GAP_CNN, '--input', join(inputs, 'digit1.png'), '--method', 'ig', '--steps', '32', '--save-raw', raw, '--target', '3');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^target: class 3 \(logit -?[\d.e-]+, probability [\d.]+\)$/m);
  assert.match(r.stdout, /^completeness: sum of attributions .*, error \|sum - \(f\(x\) - f\(baseline\)\)\| = /m);
  assert.deepEqual(readNpy(raw).shape, [1, 1, 28, 28]);
  const svg = join(out, 'occ.svg');
  const o = nnlens('explain', GAP_CNN, '--input', join(inputs, 'digit1.png'), '--method', 'occlusion', '--window', '4', '--stride', '2', '-o', svg, '--colormap', 'viridis', '--alpha', '0.6');
  assert.equal(o.code, 0, o.stderr);
  assert.match(readFileSync(svg, 'utf8'), /^<svg /);
  assert.match(o.stdout, /parameters: window 1x4x4, strides 1x2x2, baseline 0/);
});

test('tabular: features ranked on stdout, bar chart PNG', () => {
  const png = join(out, 'bars.png');
  const r = nnlens('explain', MLP, '--input', join(dir, 'row.csv'), '--method', 'kernelshap', '-o', png);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^features ranked by \|attribution\|:$/m);
  const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+[a-h]\s/.test(l));
  assert.equal(rows.length, 8);
  const attrs = rows.map((l) => Math.abs(Number(l.trim().split(/\s+/)[3])));
  assert.deepEqual(attrs, [...attrs].sort((x, y) => y - x), 'sorted by |attribution|');
  assert.ok(pngSize(readFileSync(png)).height > 200);
});

test('batch: a folder with --out-dir writes one picture per input and manifest.jsonl', () => {
  const od = join(out, 'batch');
  const r = nnlens('explain', GAP_CNN, '--input', inputs, '--out-dir', od, '--method', 'gradcam', '--save-raw', '--batch-size', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(od).sort(), ['digit0.npy', 'digit0.png', 'digit1.npy', 'digit1.png', 'digit2.npy', 'digit2.png', 'manifest.jsonl']);
  const lines = readFileSync(join(od, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => l.outputs.picture), ['digit0', 'digit1', 'digit2'].map((s) => join(od, `${s}.png`)));
  assert.ok(lines.every((l) => l.target.kind === 'class' && typeof l.target.score === 'number'));
  // Not a terminal: one plain progress line per input.
  assert.equal(r.stderr.trim().split('\n').filter((l) => /^\[\d\/3\] /.test(l)).length, 3);
  // The same maps as one by one.
  const single = join(out, 'single.npy');
  assert.equal(nnlens('explain', GAP_CNN, '--input', join(inputs, 'digit2.png'), '--method', 'gradcam', '--save-raw', single).code, 0);
  const a = readNpy(single).data as Float32Array, b = readNpy(join(od, 'digit2.npy')).data as Float32Array;
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-5 * Math.max(1, Math.abs(v))));
  // Several files (and CSV rows) work too.
  const od2 = join(out, 'batch2');
  const t = nnlens('explain', MLP, '--input', join(dir, 'rows.csv'), '--input', join(dir, 'row.csv'), '--out-dir', od2, '--method', 'ablation', '--json');
  assert.equal(t.code, 0, t.stderr);
  assert.equal(JSON.parse(t.stdout).items.length, 3);
  assert.deepEqual(readdirSync(od2).sort(), ['manifest.jsonl', 'row.png', 'rows-row0.png', 'rows-row1.png']);
});

/** Refused with exit 2, exactly one line on stderr, and nothing written to `out`. */
function refused(pattern: RegExp, ...args: string[]): void {
  const before = readdirSync(out).sort();
  const r = nnlens(...args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(readdirSync(out).sort(), before, 'no output file');
}

test('bad input: one line, exit 2, no partial output', () => {
  const png = join(out, 'bad.png'), npy = join(out, 'bad.npy');
  const digit = join(inputs, 'digit0.png'), row = join(dir, 'row.csv');
  refused(/unknown method 'gradcamm' \(one of: gradcam, /, 'explain', GAP_CNN, '--input', digit, '--method', 'gradcamm', '-o', png);
  refused(/gradcam is a CAM method and needs an image model/, 'explain', MLP, '--input', row, '--method', 'gradcam', '-o', png, '--save-raw', npy);
  refused(/kernelshap explains tabular inputs/, 'explain', GAP_CNN, '--input', digit, '--method', 'kernelshap', '-o', png);
  refused(/no layer, tensor or module named 'nolayer'/, 'explain', GAP_CNN, '--input', digit, '--method', 'gradcam', '--layer', 'nolayer', '-o', png);
  refused(/--window 40 does not fit the input dimension of size 28/, 'explain', GAP_CNN, '--input', digit, '--method', 'occlusion', '--window', '40', '-o', png);
  refused(/--window must be whole numbers >= 1/, 'explain', GAP_CNN, '--input', digit, '--method', 'occlusion', '--window', '0', '-o', png);
  refused(/bad\.jpg: unsupported output type '\.jpg'/, 'explain', GAP_CNN, '--input', digit, '--method', 'gradcam', '-o', join(out, 'bad.jpg'));
  refused(/--alpha must be a number in \[0, 1\]/, 'explain', GAP_CNN, '--input', digit, '--method', 'gradcam', '--alpha', '2', '-o', png);
  refused(/--target 12 is out of range: the model outputs 10 classes/, 'explain', GAP_CNN, '--input', digit, '--method', 'saliency', '--target', '12', '-o', png);
  refused(/--target 'cat' is not a class index, and there are no labels/, 'explain', GAP_CNN, '--input', digit, '--method', 'saliency', '--target', 'cat', '-o', png);
  refused(/--layer is for CAM methods/, 'explain', GAP_CNN, '--input', digit, '--method', 'ig', '--layer', 'features', '-o', png);
  refused(/--input DIR needs --out-dir DIR/, 'explain', GAP_CNN, '--input', inputs, '--method', 'gradcam');
  refused(/--method is required/, 'explain', GAP_CNN, '--input', digit);
  assert.ok(!existsSync(png) && !existsSync(npy));
});

test('seed scenario: Grad-CAM on the Keras cat-vs-dog CNN draws a gray overlay', { skip: NEEDS_SHARED }, () => {
  const png = join(out, 'dogcat.png');
  const labels = join(dir, 'catdog.txt');
  writeFileSync(labels, 'Cat\nDog\n');
  const r = nnlens('explain', real('dogcat-cnn-11tonytony11'), '--input', join(inputs, 'digit0.png'), '--scale', '1', '--labels', labels, '--method', 'gradcam', '--layer', 'conv2d_2', '-o', png, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual([j.layer.height, j.layer.width], [13, 13]);
  assert.ok(['Cat', 'Dog'].includes(j.items[0].target.label));
  assert.ok(pngSize(readFileSync(png)).width > 500);
});

test('seed scenario: IG and KernelSHAP on the Keras card-fraud MLP rank the 30 features', { skip: NEEDS_SHARED }, () => {
  const names = ['Time', ...Array.from({ length: 28 }, (_, i) => `V${i + 1}`), 'Amount'];
  const values = names.map((_, i) => (i === 14 ? -6.2 : i === 4 ? 3.8 : i === 12 ? -4.1 : Math.sin(i) * 0.8).toFixed(3));
  const csv = join(dir, 'fraud.csv');
  writeFileSync(csv, `${names.join(',')}\n${values.join(',')}\n`);
  for (const method of ['ig', 'kernelshap']) {
    const png = join(out, `fraud-${method}.png`);
    const r = nnlens('explain', real('fraud-mlp-creditcard-0xdaksh'), '--input', csv, '--method', method, '-o', png, '--json');
    assert.equal(r.code, 0, r.stderr);
    const it = JSON.parse(r.stdout).items[0];
    assert.equal(it.features.length, 30);
    assert.deepEqual(new Set(it.features.map((f: { name: string }) => f.name)), new Set(names));
    const mags = it.features.map((f: { attribution: number }) => Math.abs(f.attribution));
    assert.deepEqual(mags, [...mags].sort((a: number, b: number) => b - a));
    // Sigmoid output: the predicted class is explained, with its probability above one half.
    assert.ok(it.target.probability >= 0.5, `${it.target.probability}`);
    assert.ok(pngSize(readFileSync(png)).height > 500);
  }
});
