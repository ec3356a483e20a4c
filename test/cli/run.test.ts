/**
 * `nnlens run` end to end (the real CLI in a child process): classifier outputs against PyTorch's
 * logits from make-zoo, CSV and image inputs, labels, multi-input models, a fixed batch of 1 fed
 * several rows, --save-raw, and each kind of bad input (one line, exit 2, no output file).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { loadDigits } from '../../src/data/mnist.ts';
import { readNpy, writeNpy } from '../../src/io/npy.ts';
import { softmax } from '../../src/inspect/outputs.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { writeBinary, writeClassifier } from './tiny-models.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const GAP = join(ZOO_FIXTURES, 'gap_cnn');
const MLP = join(ZOO_FIXTURES, 'tabular_mlp');
const dir = mkdtempSync(join(tmpdir(), 'nnlens-run-'));
const out = join(dir, 'out');
mkdirSync(out);
after(() => rmSync(dir, { recursive: true, force: true }));

const nnlens = (...args: string[]): CliResult => runCli(dir, ...args);

/** Refused: exit 2, one line on stderr matching `pattern`, nothing written to `out`. */
function assertRefused(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(readdirSync(out), [], 'no output file');
}

interface RunJson {
  inputs: { name: string; kind: string; shape: number[]; featureNames?: string[]; preprocess?: { sources: Record<string, string> } }[];
  outputs: { kind: string; name: string; applied?: string; scores?: string; classes?: number; top?: { index: number; label: string; probability: number; score: number }[][]; values?: number[][] }[];
}

test('gap_cnn: the top class is PyTorch\'s argmax, probabilities are the softmax of its logits, --save-raw is the raw output', () => {
  const logits = readNpy(join(GAP, 'logits.npy')).data as Float32Array;
  const raw = join(out, 'logits.npy');
  const r = nnlens('run', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--top', '3', '--json', '--save-raw', raw);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RunJson;
  const o = j.outputs[0]!;
  assert.deepEqual([o.kind, o.name, o.applied, o.scores, o.classes], ['classification', 'logits', 'softmax', 'logits', 10]);
  assert.equal(o.top![0]!.length, 3);
  assert.equal(o.top![0]![0]!.index, 2); // make-zoo's target: argmax of PyTorch's logits
  const p = softmax(logits);
  for (const c of o.top![0]!) {
    assert.ok(Math.abs(c.probability - p[c.index]!) < 1e-5, `class ${c.index}: ${c.probability} vs ${p[c.index]}`);
    assert.ok(Math.abs(c.score - logits[c.index]!) < 1e-4);
  }
  assert.ok(o.top![0]![0]!.probability >= o.top![0]![1]!.probability);
  // The raw output: float32 [1, 10], PyTorch's logits to float32 rounding.
  const saved = readNpy(raw);
  assert.deepEqual([saved.dtype, saved.shape], ['float32', [1, 10]]);
  (saved.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - logits[i]!) < 1e-4));
  rmSync(raw);
  // Text mode: a table with rank, class, probability, logit and label columns.
  const t = nnlens('run', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'));
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^output 'logits' \[1,10\]: 10 classes, logits \(.*\); softmax applied$/m);
  assert.match(t.stdout, /^ +rank +class +probability +logit +label$/m);
  assert.match(t.stdout, /^ +1 +2 +0\.\d{4} +\S+ +class 2$/m);
  assert.equal(t.stdout.split('\n').filter((l) => /^ +\d +\d+ +0\.\d{4}/.test(l)).length, 5);
});

test('labels from a file name the classes; a wrong count is refused before --save-raw writes', () => {
  const labels = join(dir, 'digits.txt');
  writeFileSync(labels, `${Array.from({ length: 10 }, (_, i) => `digit ${i}`).join('\n')}\n`);
  const r = nnlens('run', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--labels', labels, '--top', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ +1 +2 +0\.\d{4} +\S+ +digit 2$/m);
  const three = join(dir, 'three.json');
  writeFileSync(three, '["a", "b", "c"]');
  assertRefused(nnlens('run', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--labels', three, '--save-raw', join(out, 'x.npy')), /three\.json: has 3 labels, but the model outputs 10 classes/);
});

test('tabular_mlp: CSV rows by header, several rows through a fixed batch of 1, same numbers as the .npy', () => {
  const x = readNpy(join(MLP, 'input.npy')).data as Float32Array;
  const header = Array.from({ length: 8 }, (_, i) => `f${i}`).join(',');
  const row = [...x].join(',');
  const twice = [...x].map((v) => -v).join(',');
  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, `${header}\n${row}\n${twice}\n`);
  const fromCsv = nnlens('run', join(MLP, 'model.onnx'), '--input', csv, '--json');
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  const j = JSON.parse(fromCsv.stdout) as RunJson;
  assert.deepEqual(j.inputs[0]!.shape, [2, 8]);
  assert.deepEqual(j.inputs[0]!.featureNames, ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7']);
  const top = j.outputs[0]!.top!;
  assert.equal(top.length, 2, 'one top list per row');
  const fromNpy = JSON.parse(nnlens('run', join(MLP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--json').stdout) as RunJson;
  assert.deepEqual(top[0], fromNpy.outputs[0]!.top![0]);
  const logits = readNpy(join(MLP, 'logits.npy')).data as Float32Array;
  assert.equal(top[0]![0]!.index, logits[0]! > logits[1]! ? 0 : 1);
  assert.ok(Math.abs(top[0]![0]!.score - Math.max(logits[0]!, logits[1]!)) < 1e-4);
  assert.notDeepEqual(top[1], top[0]);
  // The text report has one block per sample.
  const t = nnlens('run', join(MLP, 'model.onnx'), '--input', csv);
  assert.match(t.stdout, /^sample 0:$/m);
  assert.match(t.stdout, /^sample 1:$/m);
});

test('bad input: wrong shape, non-numeric cell, unknown extension, wrong .npy dtype, missing --input: one line, exit 2, no file', () => {
  const raw = join(out, 'raw.npy');
  const wrong = join(dir, 'wrong.npy');
  writeNpy(wrong, { dtype: 'float32', shape: [1, 3, 28, 28], data: new Float32Array(3 * 28 * 28) });
  assertRefused(nnlens('run', join(GAP, 'model.onnx'), '--input', wrong, '--save-raw', raw), /wrong\.npy: gives shape \[1,3,28,28\], but the model's input 'input' takes \[N,1,28,28\]/);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,b,c,d,e,f,g,h\n1,2,3,x4,5,6,7,8\n');
  assertRefused(nnlens('run', join(MLP, 'model.onnx'), '--input', bad, '--save-raw', raw), /bad\.csv: .*x4/);
  const txt = join(dir, 'input.txt');
  writeFileSync(txt, '1 2 3');
  assertRefused(nnlens('run', join(MLP, 'model.onnx'), '--input', txt, '--save-raw', raw), /input\.txt: unknown input type '\.txt'/);
  const f64 = join(dir, 'f64.npy');
  writeNpy(f64, { dtype: 'float64', shape: [1, 8], data: new Float64Array(8) });
  assertRefused(nnlens('run', join(MLP, 'model.onnx'), '--input', f64, '--save-raw', raw), /f64\.npy: holds float64 values, but the model's input 'input' takes float32/);
  assertRefused(nnlens('run', join(MLP, 'model.onnx')), /--input FILE is required/);
  assertRefused(nnlens('run', join(MLP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--save-raw', join(out, 'raw.txt')), /raw\.txt: unsupported output type '\.txt': use \.npy/);
  assertRefused(nnlens('run', join(MLP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--top', '0'), /--top must be a whole number >= 1/);
  assert.ok(!existsSync(raw));
});

test('a real MNIST CNN classifies real digits from PNG files (normalization from flags)', { skip: NEEDS_SHARED }, async () => {
  const d = loadDigits();
  // The package holds 1,000 digits per class, class 0 first; take one of each of four classes.
  for (const cls of [0, 3, 6, 9]) {
    const i = d.labels.indexOf(cls) + 11;
    assert.equal(d.labels[i], cls);
    const px = Uint8Array.from(d.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    const png = join(dir, `digit${cls}.png`);
    await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    // torchvision's MNIST normalization, with which this model (AKAZhiyu/cnn_mnist) was trained.
    const r = nnlens('run', real('onnx-mnist-cnn-bn-opset11', 'model.onnx'), '--input', png, '--mean', '0.1307', '--std', '0.3081', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(j.inputs[0]!.shape, [1, 1, 28, 28]);
    assert.equal(j.inputs[0]!.preprocess!.sources.mean, 'flag');
    assert.equal(j.outputs[0]!.top![0]![0]!.index, cls, `digit ${cls}: ${JSON.stringify(j.outputs[0]!.top![0])}`);
    assert.ok(j.outputs[0]!.top![0]![0]!.probability > 0.9);
  }
});

test('a two-input model takes --input NAME=FILE per input; a missing one is named', { skip: NEEDS_SHARED }, () => {
  const model = real('onnx-rl-policy-mlp-opset17', 'model.onnx');
  const obs = join(dir, 'obs.npy'), state = join(dir, 'state.npy');
  writeNpy(obs, { dtype: 'float32', shape: [2, 209], data: Float32Array.from({ length: 418 }, (_, i) => Math.sin(i)) });
  writeNpy(state, { dtype: 'float32', shape: [2], data: new Float32Array(2) });
  const r = nnlens('run', model, '--input', `obs=${obs}`, '--input', `state_ins=${state}`, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RunJson;
  assert.deepEqual(j.inputs.map((i) => i.name), ['obs', 'state_ins']);
  assert.ok(j.outputs.length >= 1);
  assertRefused(nnlens('run', model, '--input', `obs=${obs}`), /takes 2 inputs \(obs .*state_ins.*\); give each as --input NAME=FILE \(missing: state_ins\)/);
});

test('a model with a fixed batch of 1 runs a 2-sample .npy sample by sample, as two separate runs would', { skip: NEEDS_SHARED }, () => {
  const model = real('onnx-cifar100-selu-opset14', 'model.onnx');
  const n = 3 * 32 * 32;
  const both = Float32Array.from({ length: 2 * n }, (_, i) => Math.cos(i * 0.37));
  const pair = join(dir, 'pair.npy'), a = join(dir, 'a.npy'), b = join(dir, 'b.npy');
  writeNpy(pair, { dtype: 'float32', shape: [2, 3, 32, 32], data: both });
  writeNpy(a, { dtype: 'float32', shape: [1, 3, 32, 32], data: both.slice(0, n) });
  writeNpy(b, { dtype: 'float32', shape: [1, 3, 32, 32], data: both.slice(n) });
  const raw = join(out, 'pair-out.npy');
  const r = nnlens('run', model, '--input', pair, '--save-raw', raw, '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RunJson;
  const one = (f: string) => (JSON.parse(nnlens('run', model, '--input', f, '--json').stdout) as RunJson).outputs[0]!.top![0];
  assert.deepEqual(j.outputs[0]!.top, [one(a), one(b)]);
  assert.deepEqual(readNpy(raw).shape, [2, 100]);
  rmSync(raw);
});

test('labels and the output kind from the model\'s metadata; a Sigmoid output with two labels is a binary classifier', () => {
  const labels = JSON.stringify(['cat', 'dog', 'bird']);
  const model = writeClassifier(join(dir, 'tiny.onnx'), { 'nnlens.labels': labels });
  const row = join(dir, 'ones.json');
  writeFileSync(row, '[[1, 1, 1]]');
  // logits = [1, 1, 1] @ W = [0, 2, 1.5], computed by hand from CLASSIFIER_W.
  const r = nnlens('run', model, '--input', row, '--json');
  assert.equal(r.code, 0, r.stderr);
  const o = (JSON.parse(r.stdout) as RunJson).outputs[0]!;
  assert.deepEqual(o.top![0]!.map((c) => c.label), ['dog', 'bird', 'cat']);
  const z = [0, 2, 1.5], s = z.reduce((a, v) => a + Math.exp(v), 0);
  for (const c of o.top![0]!) {
    assert.ok(Math.abs(c.score - z[c.index]!) < 1e-6);
    assert.ok(Math.abs(c.probability - Math.exp(z[c.index]!) / s) < 1e-6);
  }
  // --labels wins over the metadata.
  const other = join(dir, 'other.txt');
  writeFileSync(other, 'a\nb\nc\n');
  assert.match(nnlens('run', model, '--input', row, '--labels', other, '--top', '1').stdout, /^ +1 +1 +0\.\d{4} +2 +b$/m);
  // Metadata saying the scores are probabilities: shown as they are, no softmax.
  const probs = writeClassifier(join(dir, 'probs.onnx'), { 'nnlens.labels': labels, 'nnlens.output.kind': 'probabilities' });
  const p = (JSON.parse(nnlens('run', probs, '--input', row, '--json').stdout) as RunJson).outputs[0]!;
  assert.equal(p.applied, 'none');
  assert.deepEqual(p.top![0]!.map((c) => c.probability), [2, 1.5, 0]);
  // A Sigmoid output [N, 1] with labels [legit, fraud]: p(fraud) = sigmoid(2 - 0.5).
  const bin = writeBinary(join(dir, 'bin.onnx'), { 'nnlens.labels': JSON.stringify(['legit', 'fraud']) });
  const pair = join(dir, 'pair.json');
  writeFileSync(pair, '[[2, 0.5]]');
  const b = (JSON.parse(nnlens('run', bin, '--input', pair, '--json').stdout) as RunJson).outputs[0]!;
  assert.deepEqual([b.kind, b.applied, b.classes], ['classification', 'none', 2]);
  assert.equal(b.top![0]![0]!.label, 'fraud');
  assert.ok(Math.abs(b.top![0]![0]!.probability - 1 / (1 + Math.exp(-1.5))) < 1e-6);
  assert.ok(Math.abs(b.top![0]![1]!.probability - (1 - 1 / (1 + Math.exp(-1.5)))) < 1e-6);
  // Metadata labels of the wrong count are an error naming the model and the key.
  const bad = writeClassifier(join(dir, 'bad-labels.onnx'), { 'nnlens.labels': '["x", "y"]' });
  assertRefused(nnlens('run', bad, '--input', row), /bad-labels\.onnx \(metadata nnlens\.labels\): has 2 labels, but the model outputs 3 classes/);
});

test('a Keras MNIST CNN (NHWC input, Softmax output) runs through the lowering and classifies real digits', { skip: NEEDS_SHARED }, async () => {
  const d = loadDigits();
  for (const cls of [0, 2, 4, 6]) {
    const i = d.labels.indexOf(cls) + 11;
    const px = Uint8Array.from(d.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    const png = join(dir, `k-digit${cls}.png`);
    await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
    const r = nnlens('run', real('mnist-cnn-11hepatel', 'model.h5'), '--input', png, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(j.inputs[0]!.shape, [1, 28, 28, 1], 'NHWC, from the Keras input shape');
    const o = j.outputs[0]!;
    assert.deepEqual([o.kind, o.applied, o.scores], ['classification', 'none', 'probabilities']);
    assert.equal(o.top![0]![0]!.index, cls, `digit ${cls}: ${JSON.stringify(o.top![0])}`);
  }
});

test('a Keras MLP with a sigmoid unit reads CSV rows as a binary classifier', { skip: NEEDS_SHARED }, () => {
  const names = ['Time', ...Array.from({ length: 28 }, (_, i) => `V${i + 1}`), 'Amount'];
  const csv = join(dir, 'cards.csv');
  writeFileSync(csv, `${names.join(',')}\n${names.map((_, i) => (Math.sin(i) * 2).toFixed(3)).join(',')}\n`);
  const r = nnlens('run', real('fraud-mlp-creditcard-0xdaksh'), '--input', csv, '--json');
  assert.equal(r.code, 0, r.stderr);
  const o = (JSON.parse(r.stdout) as RunJson).outputs[0]!;
  assert.deepEqual([o.kind, o.classes, o.applied], ['classification', 2, 'none']);
  const [a, b] = o.top![0]!;
  assert.ok(Math.abs(a!.probability + b!.probability - 1) < 1e-6);
  const raw = join(out, 'p.npy');
  assert.equal(nnlens('run', real('fraud-mlp-creditcard-0xdaksh'), '--input', csv, '--save-raw', raw).code, 0);
  const p = readNpy(raw).data as Float32Array;
  assert.ok(Math.abs(p[0]! - o.top![0]!.find((c) => c.index === 1)!.probability) < 1e-6, 'class 1 is the sigmoid output itself');
  rmSync(raw);
});
