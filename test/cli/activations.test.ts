/**
 * `nnlens activations` end to end (the real CLI in a child process): the captured tensor against
 * PyTorch's activation from make-zoo, statistics against a direct computation, the pictures
 * (mosaic for 4-D, bars for 2-D), layer references, and bad input (one line, exit 2, no file).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readNpy, writeNpy } from '../../src/io/npy.ts';
import { pngSize } from '../../src/render/raster.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { writeTwoLeaving } from './tiny-models.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const GAP = join(ZOO_FIXTURES, 'gap_cnn');
const MLP = join(ZOO_FIXTURES, 'tabular_mlp');
const dir = mkdtempSync(join(tmpdir(), 'nnlens-act-'));
const out = join(dir, 'out');
mkdirSync(out);
after(() => rmSync(dir, { recursive: true, force: true }));

const nnlens = (...args: string[]): CliResult => runCli(dir, ...args);

function assertRefused(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(readdirSync(out), [], 'no output file');
}

interface ActJson {
  layer: string;
  tensors: { name: string; shape: number[]; layout: string; channelAxis: number; valuesPerChannel: number; overall: { zeros: number; deadChannels: number; max: number }; channels: { channel: number; mean: number; max: number; min: number; zeros: number; dead: boolean }[] }[];
}

test('gap_cnn `features`: the captured tensor is PyTorch\'s activation; statistics, mosaic PNG and SVG', () => {
  const raw = join(out, 'features.npy'), png = join(out, 'features.png');
  const r = nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', 'features', '--save-raw', raw, '-o', png, '--json');
  assert.equal(r.code, 0, r.stderr);
  const act = readNpy(join(GAP, 'act.npy'));
  const got = readNpy(raw);
  assert.deepEqual([got.dtype, got.shape], ['float32', act.shape]);
  let num = 0, den = 0;
  (got.data as Float32Array).forEach((v, i) => { const d = v - (act.data as Float32Array)[i]!; num += d * d; den += (act.data as Float32Array)[i]! ** 2; });
  assert.ok(Math.sqrt(num / den) < 1e-5, `relative L2 error ${Math.sqrt(num / den)}`);
  // Statistics recomputed from PyTorch's activation, NCHW [1, 32, 7, 7].
  const j = JSON.parse(r.stdout) as ActJson;
  const t = j.tensors[0]!;
  assert.deepEqual([t.shape, t.layout, t.channelAxis, t.valuesPerChannel, t.channels.length], [[1, 32, 7, 7], 'NCHW', 1, 49, 32]);
  const a = act.data as Float32Array;
  for (const c of [0, 5, 31]) {
    const v = a.subarray(c * 49, (c + 1) * 49);
    const mean = v.reduce((s, x) => s + x, 0) / 49;
    const zeros = v.filter((x) => x === 0).length / 49;
    assert.ok(Math.abs(t.channels[c]!.mean - mean) < 1e-5);
    assert.ok(Math.abs(t.channels[c]!.max - Math.max(...v)) < 1e-5);
    assert.ok(Math.abs(t.channels[c]!.zeros - zeros) < 0.03, `channel ${c} zeros ${t.channels[c]!.zeros} vs ${zeros}`);
  }
  assert.equal(t.overall.deadChannels, t.channels.filter((c) => c.dead).length);
  // 32 maps of 7x7 in a near-square grid: a picture several tiles wide and tall.
  const size = pngSize(readFileSync(png));
  assert.ok(size.width > 300 && size.height > 300, JSON.stringify(size));
  const svg = join(out, 'features.svg');
  assert.equal(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', 'features', '-o', svg).code, 0);
  const text = readFileSync(svg, 'utf8');
  assert.match(text, /^<svg /);
  assert.equal((text.match(/<text [^>]*font-size="9"[^>]*>\d+<\/text>/g) ?? []).length, 32, 'one channel number per map');
  for (const f of [raw, png, svg]) rmSync(f);
});

test('the text report has a summary line and one row per channel; a node name and a tensor name work too', () => {
  const r = nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', '/features/features.5/Relu');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\/features\/features\.5\/Relu -> \S+ \[1,16,14,14\] \(NCHW, channel axis 1; 196 values per channel\)$/m);
  assert.match(r.stdout, /^overall: mean \S+, max \S+, min 0, zeros \d+\.\d%, dead channels \(all zero\) \d+ of 16$/m);
  assert.match(r.stdout, /^channel +mean +max +min +zeros$/m);
  assert.equal(r.stdout.split('\n').filter((l) => /^ +\d+ +\S+ +\S+ +\S+ +\d+\.\d%/.test(l)).length, 16);
  const tensor = r.stdout.match(/^\/features\/features\.5\/Relu -> (\S+) \[/m)![1]!;
  const byTensor = nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', tensor);
  assert.equal(byTensor.code, 0, byTensor.stderr);
  assert.equal(byTensor.stdout.split('\n').slice(2).join('\n'), r.stdout.split('\n').slice(2).join('\n'));
});

test('a 2-D activation: statistics per unit and a bar chart', () => {
  const png = join(out, 'hidden.png');
  const r = nnlens('activations', join(MLP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--layer', '/net/net.1/Relu', '-o', png, '--json');
  assert.equal(r.code, 0, r.stderr);
  const t = (JSON.parse(r.stdout) as ActJson).tensors[0]!;
  assert.deepEqual([t.shape, t.channelAxis, t.valuesPerChannel, t.channels.length], [[1, 16], 1, 1, 16]);
  // After a ReLU, a unit is either dead (exactly 0) or positive on one sample.
  for (const c of t.channels) assert.equal(c.dead, c.max === 0);
  const svgOut = join(out, 'hidden.svg');
  assert.equal(nnlens('activations', join(MLP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--layer', '/net/net.1/Relu', '-o', svgOut).code, 0);
  const svg = readFileSync(svgOut, 'utf8');
  const bars = (svg.match(/fill="#3569a8"/g) ?? []).length, zeros = (svg.match(/fill="#cf222e"/g) ?? []).length;
  assert.equal(bars + zeros, 16, 'one bar or zero mark per unit');
  assert.equal(zeros, t.channels.filter((c) => c.dead).length);
  assert.ok(pngSize(readFileSync(png)).width > 300);
  rmSync(png); rmSync(svgOut);
});

test('bad input: unknown layer, unknown extension, wrong shape, a sample not in the batch, no --layer: one line, exit 2, no file', () => {
  const png = join(out, 'a.png'), raw = join(out, 'a.npy');
  assertRefused(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', 'featurez', '-o', png, '--save-raw', raw), /no layer, tensor or module named 'featurez'/);
  assertRefused(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', 'features', '-o', join(out, 'a.jpg')), /a\.jpg: unsupported output type '\.jpg': use \.png, \.svg/);
  assertRefused(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(MLP, 'input.npy'), '--layer', 'features', '-o', png), /input\.npy: gives shape \[1,8\], but the model's input 'input' takes \[N,1,28,28\]/);
  assertRefused(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '--layer', 'features', '--sample', '1', '-o', png), /--sample 1: the input holds 1 sample/);
  assertRefused(nnlens('activations', join(GAP, 'model.onnx'), '--input', join(GAP, 'input.npy'), '-o', png), /required option '--layer <name>'/);
});

test('a real MNIST CNN: a module path naming one ReLU; dead channels agree with the saved tensor', { skip: NEEDS_SHARED }, () => {
  const model = real('onnx-mnist-cnn-bn-opset11', 'model.onnx');
  const x = join(dir, 'x.npy');
  // A blank image with one bright bar: many first-layer ReLU channels stay zero on most of it.
  const data = new Float32Array(28 * 28).fill(-0.4242);
  for (let y = 10; y < 18; y++) for (let c = 4; c < 24; c++) data[y * 28 + c] = 2.8;
  writeNpy(x, { dtype: 'float32', shape: [1, 1, 28, 28], data });
  const raw = join(out, 'relu.npy');
  const r = nnlens('activations', model, '--input', x, '--layer', 'conv_layers.1', '--save-raw', raw, '--json');
  assert.equal(r.code, 0, r.stderr);
  const t = (JSON.parse(r.stdout) as ActJson).tensors[0]!;
  assert.deepEqual(t.shape, [1, 32, 28, 28]);
  const a = readNpy(raw).data as Float32Array;
  const dead = Array.from({ length: 32 }, (_, c) => a.subarray(c * 784, (c + 1) * 784).every((v) => v === 0));
  assert.deepEqual(t.channels.map((c) => c.dead), dead);
  assert.ok(t.channels.every((c) => c.min >= 0), 'a ReLU output');
  rmSync(raw);
});

test('a module with two tensors leaving it: statistics for both; a picture or --save-raw needs one', () => {
  const model = writeTwoLeaving(join(dir, 'two.onnx'));
  const x = join(dir, 'x4.npy');
  writeNpy(x, { dtype: 'float32', shape: [1, 4], data: Float32Array.of(-2, -1, 0, 3) });
  const r = nnlens('activations', model, '--input', x, '--layer', 'blk', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as ActJson;
  assert.equal(j.tensors.length, 2);
  // relu(x) = [0, 0, 0, 3]; -x = [2, 1, 0, -3].
  assert.deepEqual(j.tensors[0]!.channels.map((c) => c.max), [0, 0, 0, 3]);
  assert.deepEqual(j.tensors[0]!.channels.map((c) => c.dead), [true, true, true, false]);
  assert.deepEqual(j.tensors[1]!.channels.map((c) => c.mean), [2, 1, 0, -3]);
  assertRefused(nnlens('activations', model, '--input', x, '--layer', 'blk', '-o', join(out, 'blk.png')), /'blk' names 2 tensors \(.+\); for a picture or --save-raw name one of them with --layer/);
  assertRefused(nnlens('activations', model, '--input', x, '--layer', 'blk', '--save-raw', join(out, 'blk.npy')), /'blk' names 2 tensors/);
});

test('a Keras layer: channels last (NHWC), saved in the Keras layout, statistics over the last axis', { skip: NEEDS_SHARED }, () => {
  const x = join(dir, 'k.npy');
  const data = new Float32Array(28 * 28);
  for (let y = 6; y < 22; y++) for (let c = 12; c < 16; c++) data[y * 28 + c] = 1; // a vertical stroke, a "1"
  writeNpy(x, { dtype: 'float32', shape: [1, 28, 28, 1], data });
  const raw = join(out, 'k-act.npy'), png = join(out, 'k-act.png');
  const r = nnlens('activations', real('mnist-cnn-11hepatel', 'model.h5'), '--input', x, '--layer', 'activation', '--save-raw', raw, '-o', png, '--json');
  assert.equal(r.code, 0, r.stderr);
  const t = (JSON.parse(r.stdout) as ActJson).tensors[0]!;
  assert.deepEqual([t.shape, t.layout, t.channelAxis, t.valuesPerChannel, t.channels.length], [[1, 26, 26, 64], 'NHWC', 3, 676, 64]);
  const a = readNpy(raw);
  assert.deepEqual(a.shape, [1, 26, 26, 64]);
  const v = a.data as Float32Array;
  for (const c of [0, 10, 63]) {
    let max = -Infinity, zeros = 0;
    for (let p = 0; p < 676; p++) { const e = v[p * 64 + c]!; max = Math.max(max, e); if (e === 0) zeros++; }
    assert.ok(Math.abs(t.channels[c]!.max - max) < 1e-6);
    assert.equal(t.channels[c]!.zeros, zeros / 676);
  }
  assert.ok(pngSize(readFileSync(png)).width > 300);
  rmSync(raw); rmSync(png);
});
