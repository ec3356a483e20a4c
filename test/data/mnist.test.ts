import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { digitPixels, digitPng, loadDigits, mnistSplit, writeDigitPng } from '../../src/data/mnist.ts';
import { loadImage } from '../../src/io/image.ts';
import { PRESETS, resolvePreprocess } from '../../src/io/preprocess.ts';

test('10,000 real digits, about 1,000 per class, pixels in [0, 1] on the 1/255 grid', () => {
  const all = loadDigits();
  assert.equal(all.n, 10000);
  assert.equal(all.images.length, all.n * 784);
  const perClass = new Array<number>(10).fill(0);
  for (const l of all.labels) perClass[l]!++;
  for (const [c, n] of perClass.entries()) assert.ok(n > 800 && n < 1200, `class ${c}: ${n}`);
  let ink = 0;
  for (let i = 0; i < all.images.length; i++) {
    const v = all.images[i]!;
    assert.ok(v >= 0 && v <= 1);
    if (i < 784 * 50) assert.equal(Math.fround(Math.round(v * 255) / 255), v);
    if (v > 0.5) ink++;
  }
  // MNIST digits cover roughly 10-20% of the picture with ink.
  assert.ok(ink / all.images.length > 0.08 && ink / all.images.length < 0.25, `ink share ${ink / all.images.length}`);
  // Real handwriting: two different digits of a class are not identical.
  assert.notDeepEqual(digitPixels(all, 0), digitPixels(all, 1));
});

test('split is deterministic, disjoint, complete and stratified', () => {
  const a = mnistSplit({ seed: 3 }), b = mnistSplit({ seed: 3 }), c = mnistSplit({ seed: 4 });
  assert.equal(a.train.n + a.test.n, 10000);
  assert.equal(a.test.n, 2000);
  assert.deepEqual(a.test.labels, b.test.labels);
  assert.deepEqual(a.test.images, b.test.images);
  assert.notDeepEqual(a.test.labels, c.test.labels);
  // Disjoint and complete: every digit of the package is in exactly one set.
  const key = (px: Float32Array): string => Buffer.from(px.buffer, px.byteOffset, px.byteLength).toString('base64');
  const all = loadDigits();
  const counts = new Map<string, number>();
  for (let i = 0; i < all.n; i++) counts.set(key(digitPixels(all, i)), (counts.get(key(digitPixels(all, i))) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const set of [a.train, a.test]) for (let i = 0; i < set.n; i++) seen.set(key(digitPixels(set, i)), (seen.get(key(digitPixels(set, i))) ?? 0) + 1);
  assert.deepEqual([...seen.entries()].sort(), [...counts.entries()].sort());
  // Stratified: each class is 20% +- 1 digit in the test set; the order mixes classes.
  for (let cl = 0; cl <= 9; cl++) {
    const inTest = a.test.labels.filter((l) => l === cl).length;
    const total = all.labels.filter((l) => l === cl).length;
    assert.ok(Math.abs(inTest - total * 0.2) <= 1, `class ${cl}: ${inTest} of ${total}`);
  }
  assert.ok(new Set(a.train.labels.subarray(0, 30)).size >= 5, 'training order mixes classes');
});

test('a digit written as PNG reads back with the mnist preset to the same tensor', async () => {
  const { test: set } = mnistSplit();
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-mnist-'));
  try {
    const f = join(dir, 'digit.png');
    await writeDigitPng(f, set, 7);
    const meta = await sharp(f).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [28, 28, 1]);
    const { transform } = resolvePreprocess({ flags: { preset: 'mnist' }, inputShape: ['N', 1, 28, 28] });
    const input = await loadImage(f, transform);
    assert.deepEqual(input.shape, [1, 1, 28, 28]);
    assert.deepEqual(input.data, digitPixels(set, 7));
    assert.equal(PRESETS.mnist.color, 'grayscale');
    const big = await sharp(await digitPng(set, 7, 4)).metadata();
    assert.deepEqual([big.width, big.height], [112, 112]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
