import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pngSize } from '../../src/render/raster.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { ZOO_FIXTURES } from '../helpers/zoo.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';

const GAP_CNN = join(ZOO_FIXTURES, 'gap_cnn', 'model.onnx');
const dir = mkdtempSync(join(tmpdir(), 'nnlens-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const nnlens = (...args: string[]): CliResult => runCli(dir, ...args);

/** The CLI refused with exit 2 and exactly one line on stderr, and wrote nothing into `dir`. */
function assertRefused(r: { code: number; stdout: string; stderr: string }, pattern: RegExp, before: string[]): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.deepEqual(readdirSync(dir), before, 'no output file');
}

test('summary prints the table, and --json the documented facts', () => {
  const t = nnlens('summary', GAP_CNN);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^Layer \(type\) +Output shape +Param #$/m);
  assert.match(t.stdout, /^Total params: [\d,]+ \(/m);
  const j = nnlens('summary', GAP_CNN, '--json', '--depth', '1');
  assert.equal(j.code, 0, j.stderr);
  const s = JSON.parse(j.stdout);
  assert.equal(s.depth, 1);
  assert.deepEqual(Object.keys(s.totals), ['params', 'trainable', 'nonTrainable', 'weightBytes', 'nodes', 'paramTensors']);
  assert.ok(s.rows.some((r: { kind: string; name: string }) => r.kind === 'group' && r.name === 'features'));
  assert.equal(s.rows.reduce((a: number, r: { params: number }) => a + r.params, 0), s.totals.params);
});

test('diagram writes .svg, .dot and .png; the extension picks the format', () => {
  for (const ext of ['svg', 'dot', 'png']) {
    const out = join(dir, `gap.${ext}`);
    const r = nnlens('diagram', GAP_CNN, '-o', out, '--shapes', '--depth', '1');
    assert.equal(r.code, 0, r.stderr);
    const bytes = readFileSync(out);
    if (ext === 'svg') assert.match(bytes.toString('utf8'), /^<svg /);
    if (ext === 'dot') assert.match(bytes.toString('utf8'), /^digraph /);
    if (ext === 'png') assert.ok(pngSize(bytes).width > 100);
    rmSync(out);
  }
});

test('diagram: an unknown extension, a bad depth or direction is one line, exit 2, no file', () => {
  const before = readdirSync(dir);
  assertRefused(nnlens('diagram', GAP_CNN, '-o', join(dir, 'out.jpg')), /out\.jpg: unsupported output type '\.jpg': use \.svg, \.png, \.dot/, before);
  assertRefused(nnlens('diagram', GAP_CNN, '-o', join(dir, 'out.svg'), '--depth', '0'), /--depth must be a whole number >= 1/, before);
  assertRefused(nnlens('diagram', GAP_CNN, '-o', join(dir, 'out.svg'), '--direction', 'up'), /--direction must be TB or LR/, before);
  // The extension is checked before the model is even opened.
  assertRefused(nnlens('diagram', join(dir, 'missing.onnx'), '-o', join(dir, 'out.gif')), /unsupported output type/, before);
});

test('weights: stats table, JSON, and pictures', () => {
  const t = nnlens('weights', GAP_CNN);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^Weight +Shape +Mean +Std +Min +Max +L2 norm +Zeros$/m);
  const j = nnlens('weights', GAP_CNN, '--json', '--layer', 'fc');
  assert.equal(j.code, 0, j.stderr);
  const rows = JSON.parse(j.stdout);
  assert.deepEqual(rows.map((r: { shape: number[] }) => r.shape), [[10, 32], [10]]);
  for (const kind of ['histogram', 'heatmap', 'filters']) {
    const out = join(dir, `${kind}.png`);
    const r = nnlens('weights', GAP_CNN, '--kind', kind, '-o', out);
    assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
    assert.ok(pngSize(readFileSync(out)).width > 100);
    rmSync(out);
  }
});

test('weights: unknown layer lists close names; pictures need -o; exit 2, no file', () => {
  const before = readdirSync(dir);
  assertRefused(nnlens('weights', GAP_CNN, '--layer', 'featurs', '--kind', 'histogram', '-o', join(dir, 'h.svg')), /no layer, weight or module named 'featurs'; close names: features/, before);
  assertRefused(nnlens('weights', GAP_CNN, '--kind', 'heatmap'), /--kind heatmap draws a picture: give -o/, before);
  assertRefused(nnlens('weights', GAP_CNN, '--kind', 'pie'), /--kind must be one of stats, histogram, heatmap, filters/, before);
  assertRefused(nnlens('weights', GAP_CNN, '--kind', 'filters', '-o', join(dir, 'f.bmp')), /unsupported output type '\.bmp'/, before);
  assertRefused(nnlens('weights', GAP_CNN, '--layer', 'fc', '--kind', 'filters', '-o', join(dir, 'f.svg')), /no convolution kernel in the chosen layer/, before);
  assert.ok(!existsSync(join(dir, 'f.svg')));
});

test('summary and diagram of a Keras model found by folder', { skip: NEEDS_SHARED }, () => {
  const s = nnlens('summary', real('fraud-mlp-creditcard-0xdaksh'));
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /^Total params: 1,711 /m);
  const out = join(dir, 'fraud.svg');
  const d = nnlens('diagram', real('fraud-mlp-creditcard-0xdaksh'), '-o', out, '--shapes');
  assert.equal(d.code, 0, d.stderr);
  assert.equal((readFileSync(out, 'utf8').match(/class="box node"/g) ?? []).length, 6);
  rmSync(out);
});
