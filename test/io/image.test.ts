import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { NnlensError } from '../../src/errors.ts';
import { decodeImage, encodePng, loadImage, luma, pictureToTensor, writePng, type ImageTransform } from '../../src/io/image.ts';

const dir = mkdtempSync(join(tmpdir(), 'nnlens-image-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A 3x2 RGB picture with distinct pixels: (x, y) -> [10x + 100y, 50 + x, 200 - 60y].
const W = 3, H = 2;
const rgb = new Uint8Array(W * H * 3);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set([10 * x + 100 * y, 50 + x, 200 - 60 * y], (y * W + x) * 3);
const base: ImageTransform = { color: 'rgb', layout: 'NCHW', scale: 1, mean: [0], std: [1] };

async function png(name: string, px: Uint8Array, w: number, h: number, channels: 1 | 3 | 4 = 3): Promise<string> {
  const f = join(dir, name);
  await sharp(px, { raw: { width: w, height: h, channels } }).png().toFile(f);
  return f;
}

test('NCHW and NHWC put each pixel where its layout says', async () => {
  const f = await png('grid.png', rgb, W, H);
  const nchw = await loadImage(f, base);
  assert.deepEqual(nchw.shape, [1, 3, H, W]);
  const nhwc = await loadImage(f, { ...base, layout: 'NHWC' });
  assert.deepEqual(nhwc.shape, [1, H, W, 3]);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        const want = rgb[(y * W + x) * 3 + c]!;
        assert.equal(nchw.data[c * H * W + y * W + x], want);
        assert.equal(nhwc.data[(y * W + x) * 3 + c], want);
      }
    }
  }
  assert.deepEqual([...nchw.picture.rgb], [...rgb]);
  assert.deepEqual(nchw.original, { width: W, height: H });
});

test('scale, then per-channel mean and std (ImageNet normalization)', () => {
  const pic = { width: 1, height: 1, rgb: new Uint8Array([255, 0, 51]) };
  const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
  const { data } = pictureToTensor(pic, { ...base, scale: 1 / 255, mean, std }, 'p');
  const want = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225];
  want.forEach((w, c) => assert.ok(Math.abs(data[c]! - w) < 1e-6, `channel ${c}: ${data[c]} vs ${w}`));
});

test('grayscale uses PIL luma and gives one channel', async () => {
  assert.equal(luma(255, 255, 255), 255);
  assert.equal(luma(255, 0, 0), 76); // PIL: 255 * 299/1000 = 76.2
  assert.equal(luma(0, 255, 0), 150);
  assert.equal(luma(0, 0, 255), 29);
  const f = await png('gray-src.png', rgb, W, H);
  const g = await loadImage(f, { ...base, color: 'grayscale' });
  assert.deepEqual(g.shape, [1, 1, H, W]);
  assert.equal(g.data[W + 2], luma(120, 52, 140));
  assert.equal(g.picture.rgb.length, W * H * 3, 'the kept picture stays RGB for overlays');
});

test('1-channel and alpha PNGs decode to RGB; alpha is dropped', async () => {
  const gray = await decodeImage(await png('g.png', new Uint8Array([0, 100, 200, 255]), 2, 2, 1));
  assert.deepEqual([...gray.rgb], [0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);
  const rgba = await decodeImage(await png('a.png', new Uint8Array([0, 0, 10, 255, 50, 0, 0, 0, 1, 2, 3, 128, 255, 255, 255, 255]), 2, 2, 4));
  assert.deepEqual([...rgba.rgb], [0, 0, 10, 50, 0, 0, 1, 2, 3, 255, 255, 255]);
});

test('resize: stretch to HxW; cover keeps the centre; a flat picture stays flat', async () => {
  const flat = new Uint8Array(40 * 20 * 3).fill(77);
  const f = await png('flat.png', flat, 40, 20);
  const s = await loadImage(f, { ...base, size: [28, 14] });
  assert.deepEqual(s.shape, [1, 3, 28, 14]);
  assert.ok(s.data.every((v) => v === 77));
  // Left half black, right half white, 40x20: a cover fit to 10x10 keeps the middle 20 columns.
  const halves = new Uint8Array(40 * 20 * 3);
  for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) halves.fill(255, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
  const c = await loadImage(await png('halves.png', halves, 40, 20), { ...base, color: 'grayscale', size: [10, 10], fit: 'cover' });
  assert.deepEqual(c.shape, [1, 1, 10, 10]);
  assert.ok(c.data[0]! < 10 && c.data[9]! > 245, `cover crop: left ${c.data[0]}, right ${c.data[9]}`);
  assert.equal(c.original.width, 40);
  // torchvision's Resize(256) + CenterCrop(224) on a square picture: the centre 87.5%.
  const border = new Uint8Array(64 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if (x < 4 || x >= 60 || y < 4 || y >= 60) border.fill(255, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
  const cropped = await loadImage(await png('border.png', border, 64, 64), { ...base, size: [56, 56], fit: 'cover', cropFraction: 0.875 });
  assert.ok(cropped.data.every((v) => v === 0), 'the 4-pixel white border lies outside the 87.5% centre');
});

test('JPEG and WebP decode too', async () => {
  const flat = new Uint8Array(16 * 16 * 3).fill(120);
  for (const fmt of ['jpeg', 'webp'] as const) {
    const f = join(dir, `flat.${fmt}`);
    await sharp(flat, { raw: { width: 16, height: 16, channels: 3 } })[fmt]({ quality: 95 }).toFile(f);
    const im = await loadImage(f, base);
    assert.ok(im.data.every((v) => Math.abs(v - 120) <= 3), fmt);
  }
});

test('EXIF orientation is applied before resizing', async () => {
  // 4 wide x 2 high, stored with orientation 6 (rotate 90 degrees clockwise to display): shows 2 x 4.
  const px = new Uint8Array(4 * 2 * 3);
  px.fill(255, 0, 3); // top-left pixel white
  const f = join(dir, 'rot.jpg');
  await sharp(px, { raw: { width: 4, height: 2, channels: 3 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toFile(f);
  const im = await decodeImage(f);
  assert.deepEqual([im.width, im.height], [2, 4]);
  assert.deepEqual(im.original, { width: 2, height: 4 });
});

test('bad inputs are one-line errors naming the file', async () => {
  const junk = join(dir, 'junk.png');
  writeFileSync(junk, 'this is not a png');
  await assert.rejects(loadImage(junk, base), (e: unknown) => e instanceof NnlensError && e.message.startsWith(`${junk}: cannot decode image`) && !e.message.includes('\n'));
  await assert.rejects(loadImage(join(dir, 'missing.png'), base), (e: unknown) => e instanceof NnlensError && e.file.endsWith('missing.png'));
  const pic = { width: 1, height: 1, rgb: new Uint8Array(3) };
  assert.throws(() => pictureToTensor(pic, { ...base, mean: [0.5, 0.5] }, 'x.png'), /x\.png: mean has 2 values, but the input has 3 channels/);
  assert.throws(() => pictureToTensor(pic, { ...base, std: [0] }, 'x.png'), /std \[0\] has a zero/);
  await assert.rejects(loadImage(await png('ok.png', rgb, W, H), { ...base, size: [0, 5] }), /bad target size/);
});

test('encodePng / writePng round-trip RGBA pixels exactly', async () => {
  const rgba = new Uint8Array(5 * 4 * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37) % 256;
  const bytes = await encodePng(rgba, 5, 4);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const back = await sharp(bytes).raw().toBuffer();
  assert.deepEqual([...back], [...rgba]);
  const f = join(dir, 'out', 'w.png');
  await writePng(f, rgba, 5, 4);
  assert.deepEqual([...(await sharp(f).raw().toBuffer())], [...rgba]);
  await assert.rejects(encodePng(rgba, 4, 4), /do not make a 4x4 picture/);
});

test('encodePng keeps 1- and 2-channel pictures grayscale', async () => {
  const g = await encodePng(new Uint8Array([0, 128, 255, 7]), 2, 2, 1);
  const m = await sharp(g).metadata();
  assert.deepEqual([m.channels, m.space], [1, 'b-w']);
  assert.deepEqual([...(await sharp(g).extractChannel(0).raw().toBuffer())], [0, 128, 255, 7]);
  const ga = await encodePng(new Uint8Array([0, 255, 128, 0]), 2, 1, 2);
  const ma = await sharp(ga).metadata();
  assert.deepEqual([ma.channels, ma.hasAlpha], [2, true]);
});
