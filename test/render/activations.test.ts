import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colormap } from '../../src/render/colormap.ts';
import { featureMapMosaic, featureMosaicSvg, sequenceHeatmapSvg, unitBarsSvg } from '../../src/render/activations.ts';
import { svgToPng } from '../../src/render/png.ts';
import { pngSize } from '../../src/render/raster.ts';

function pixel(img: { width: number; data: Uint8ClampedArray }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

test('mosaic: near-square grid, each map stretched to its own min..max, constant maps grey', () => {
  // 5 maps of 4x4: map k is a ramp along x scaled by k + 1, except map 3, which is constant.
  const c = 5, h = 4, w = 4;
  const planes = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) planes[(k * h + y) * w + x] = k === 3 ? 7 : x * (k + 1);
  const m = featureMapMosaic(planes, c, h, w);
  assert.deepEqual([m.cols, m.rows, m.shown], [3, 2, 5]);
  assert.ok(m.tileW >= 28 && m.tileW % w === 0, `tiles are whole multiples of the map: ${m.tileW}`);
  assert.deepEqual(m.constant, [false, false, false, true, false]);
  const z = m.tileW / w;
  const tile = (k: number) => ({ x0: m.gap + (k % m.cols) * (m.cellW + m.gap), y0: m.gap + Math.floor(k / m.cols) * (m.tileH + m.label + m.gap) + m.label });
  const v = colormap('viridis');
  for (const k of [0, 4]) {
    const { x0, y0 } = tile(k);
    // Each map's own scale: its lowest value is viridis(0), its highest viridis(1), whatever k.
    assert.deepEqual(pixel(m.image, x0, y0), v(0));
    assert.deepEqual(pixel(m.image, x0 + 3 * z, y0), v(1));
    assert.deepEqual(pixel(m.image, x0 + z, y0 + 2 * z), v(1 / 3));
  }
  const { x0, y0 } = tile(3);
  assert.deepEqual(pixel(m.image, x0 + 1, y0 + 1), [208, 215, 222]);
  const svg = featureMosaicSvg(m, 'act', [false, false, false, true, false]);
  assert.equal((svg.match(/<text [^>]*font-size="9"/g) ?? []).length, 5);
  assert.match(svg, /fill="#cf222e" font-weight="bold">3<\/text>/);
  assert.ok(pngSize(svgToPng(svg)).width > 100);
});

test('mosaic: many channels are capped, large maps block-averaged', () => {
  const m = featureMapMosaic(new Float32Array(300 * 2 * 2).map((_, i) => i % 7), 300, 2, 2, { maxMaps: 100 });
  assert.equal(m.shown, 100);
  assert.equal(m.cols * m.rows >= 100 && (m.cols - 1) * m.rows < 100, true);
  const big = featureMapMosaic(new Float32Array(2 * 300 * 300).map((_, i) => i % 300), 2, 300, 300);
  assert.ok(big.shrink >= 3 && big.tileW <= 128, `shrink ${big.shrink}, tile ${big.tileW}`);
});

test('bars: one bar per nonzero unit, a red mark per zero unit; heatmap of a sequence', () => {
  const svg = unitBarsSvg(Float32Array.of(1, 0, -2, 3, 0), { title: 'fc' });
  assert.equal((svg.match(/fill="#3569a8"/g) ?? []).length, 2);
  assert.equal((svg.match(/fill="#e07b39"/g) ?? []).length, 1);
  assert.equal((svg.match(/fill="#cf222e"/g) ?? []).length, 2);
  assert.ok(pngSize(svgToPng(svg)).height > 200);
  const heat = sequenceHeatmapSvg(new Float32Array(12).map((_, i) => i), 3, 4, 'seq');
  assert.match(heat, /channel \(3\)/);
  assert.match(heat, /position \(4\)/);
});
