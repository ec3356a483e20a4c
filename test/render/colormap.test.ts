import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLORMAPS, colormap, hex } from '../../src/render/colormap.ts';

const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

test('colormap endpoints match matplotlib / Turbo / ColorBrewer reference colours', () => {
  // matplotlib: viridis(0) = #440154, viridis(1) = #fde725, magma(0) = #000004, magma(1) = #fcfdbf.
  assert.ok(near(colormap('viridis')(0), [68, 1, 84], 4), String(colormap('viridis')(0)));
  assert.ok(near(colormap('viridis')(1), [253, 231, 37], 4), String(colormap('viridis')(1)));
  assert.ok(near(colormap('viridis')(0.5), [33, 145, 140], 4), String(colormap('viridis')(0.5)));
  assert.ok(near(colormap('magma')(0), [0, 0, 4], 4));
  assert.ok(near(colormap('magma')(1), [252, 253, 191], 6), String(colormap('magma')(1)));
  // Turbo (Google's polynomial fit): near-black at 0, green in the middle, dark red at 1.
  const [r0, g0, b0] = colormap('turbo')(0), [r5, g5, b5] = colormap('turbo')(0.5), [r1, g1, b1] = colormap('turbo')(1);
  assert.ok(r0 + g0 + b0 < 120, String([r0, g0, b0]));
  assert.ok(g5 > r5 && g5 > b5 && g5 > 200, String([r5, g5, b5]));
  assert.ok(r1 > 100 && g1 < 30 && b1 < 30, String([r1, g1, b1]));
  assert.deepEqual(colormap('jet')(0), [0, 0, 128]);
  assert.deepEqual(colormap('jet')(0.5), [128, 255, 128]);
  assert.deepEqual(colormap('gray')(1), [255, 255, 255]);
  assert.deepEqual(colormap('bwr')(0.5), [247, 247, 247]);
  assert.deepEqual(colormap('diverging')(0), [5, 48, 97]);
  assert.equal(hex(colormap('bwr')(1)), '#67001f');
});

test('colormaps clamp, map NaN to grey, and reject unknown names', () => {
  for (const name of COLORMAPS) {
    const f = colormap(name);
    assert.deepEqual(f(-3), f(0));
    assert.deepEqual(f(7), f(1));
    assert.deepEqual(f(NaN), [128, 128, 128]);
    for (let t = 0; t <= 1; t += 0.1) for (const c of f(t)) assert.ok(Number.isInteger(c) && c >= 0 && c <= 255);
  }
  assert.throws(() => colormap('rainbow'), /unknown colormap 'rainbow' \(known: turbo, viridis/);
});

test('viridis lightness increases monotonically (perceptual order)', () => {
  const f = colormap('viridis');
  let prev = -1;
  for (let i = 0; i <= 20; i++) {
    const [r, g, b] = f(i / 20);
    const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    assert.ok(luma > prev, `step ${i}`);
    prev = luma;
  }
});
