import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { base64, createImage, encodePng, pngSize, scaleNearest, setPixel } from '../../src/render/raster.ts';

test('encodePng round-trips through an independent decoder (sharp/libpng)', async () => {
  const img = createImage(5, 3);
  for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) setPixel(img, x, y, x * 50, y * 100, 7, 200 + y);
  const png = encodePng(img);
  assert.deepEqual(pngSize(png), { width: 5, height: 3 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  assert.deepEqual([...data], [...img.data]);
});

test('nearest-neighbour upscaling repeats pixels', () => {
  const img = createImage(2, 1);
  setPixel(img, 0, 0, 10, 20, 30);
  const big = scaleNearest(img, 3);
  assert.equal(big.width, 6);
  assert.equal(big.height, 3);
  assert.deepEqual([...big.data.subarray(0, 4)], [10, 20, 30, 255]);
  assert.deepEqual([...big.data.subarray((2 * 6 + 2) * 4, (2 * 6 + 3) * 4)], [10, 20, 30, 255]);
  assert.deepEqual([...big.data.subarray((2 * 6 + 3) * 4, (2 * 6 + 4) * 4)], [255, 255, 255, 255]);
});

test('base64 matches Node', () => {
  for (const s of ['', 'a', 'ab', 'abc', 'abcd', '\u00ff\u0000\u0080']) {
    const bytes = new Uint8Array([...s].map((c) => c.charCodeAt(0)));
    assert.equal(base64(bytes), Buffer.from(bytes).toString('base64'));
  }
});
