import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalKernel, filterMosaic, filterMosaicSvg } from '../../src/render/filters.ts';
import { downsample, heatmapSvg, matrixImage } from '../../src/render/heatmap.ts';
import { histogramSvg } from '../../src/render/histogram.ts';

/** A kernel whose value encodes its (o, i, y, x) position, in OIHW order. */
function oihw(O: number, I: number, H: number, W: number): Float32Array {
  const a = new Float32Array(O * I * H * W);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) a[((o * I + i) * H + y) * W + x] = o * 1000 + i * 100 + y * 10 + x;
  return a;
}

/** The same kernel stored HWIO (Keras Conv2D). */
function toHwio(a: Float32Array, O: number, I: number, H: number, W: number): Float32Array {
  const b = new Float32Array(a.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) b[((y * W + x) * I + i) * O + o] = a[((o * I + i) * H + y) * W + x]!;
  return b;
}

test('ONNX OIHW and Keras HWIO kernels give the same canonical filters', () => {
  const [O, I, H, W] = [4, 3, 2, 3];
  const a = oihw(O, I, H, W);
  const fromOnnx = canonicalKernel(a, [O, I, H, W], 'OIS');
  const fromKeras = canonicalKernel(toHwio(a, O, I, H, W), [H, W, I, O], 'SIO');
  assert.deepEqual([fromKeras.o, fromKeras.i, fromKeras.h, fromKeras.w], [O, I, H, W]);
  assert.deepEqual([...fromKeras.data], [...a]);
  assert.deepEqual([...fromOnnx.data], [...a]);
  // ConvTranspose (IOHW): axis 0 is input channels.
  const t = canonicalKernel(a, [O, I, H, W], 'IOS');
  assert.deepEqual([t.o, t.i], [I, O]);
  assert.equal(t.data[((1 * O + 2) * H + 1) * W + 2], 2 * 1000 + 1 * 100 + 12);
});

test('depthwise and 1-D kernels', () => {
  // Keras DepthwiseConv2D: [kh, kw, in, multiplier] -> in * multiplier single-channel filters.
  const dw = canonicalKernel(new Float32Array(3 * 3 * 2 * 2).map((_, i) => i), [3, 3, 2, 2], 'SIM');
  assert.deepEqual([dw.o, dw.i, dw.h, dw.w], [4, 1, 3, 3]);
  // Filter (c=1, m=0) -> index 2; its (0,0) value is at offset ((0*3+0)*2+1)*2+0 = 2.
  assert.equal(dw.data[2 * 9], 2);
  const c1 = canonicalKernel(new Float32Array(8 * 2 * 5), [8, 2, 5], 'OIS');
  assert.deepEqual([c1.o, c1.i, c1.h, c1.w], [8, 2, 1, 5]);
  assert.throws(() => canonicalKernel(new Float32Array(4), [2, 2], 'OIS'), /3 to 5 dimensions/);
});

test('RGB first-layer filters become colour tiles stretched per filter', () => {
  const k = canonicalKernel(oihw(16, 3, 5, 5), [16, 3, 5, 5], 'OIS');
  const m = filterMosaic(k);
  assert.equal(m.mode, 'rgb');
  assert.equal(m.filters, 16);
  // 4 x 4 grid of 5 x 5 tiles enlarged 7x (round(36 / 5)), 3 px grooves.
  assert.equal(m.image.width, 4 * (35 + 3) + 3);
  // First filter: red channel holds the smallest values (0..44), blue the largest (200..244).
  const px = (x: number, y: number) => [...m.image.data.subarray((y * m.image.width + x) * 4, (y * m.image.width + x) * 4 + 3)];
  // Pixel (0, 0) of filter 0 holds 0, 100, 200 over the filter's range 0..244.
  assert.deepEqual(px(3, 3), [0, Math.round((100 / 244) * 255), Math.round((200 / 244) * 255)]);
  // The groove between tiles is light grey.
  assert.deepEqual(px(1, 1), [216, 221, 227]);
  const svg = filterMosaicSvg(m, 'conv1.weight', k);
  assert.match(svg, /16 of 16 filters as RGB images \(5x5\)/);
  assert.match(svg, /href="data:image\/png;base64,/);
});

test('other filters: one row per filter, one tile per input channel, diverging scale', () => {
  const k = canonicalKernel(new Float32Array(8 * 5 * 3 * 3).map((_, i) => (i % 2 ? 1 : -1) * i), [8, 5, 3, 3], 'OIS');
  const m = filterMosaic(k, { maxFilters: 6 });
  assert.equal(m.mode, 'channels');
  assert.equal(m.filters, 6);
  assert.equal(m.channels, 5);
  assert.equal(m.scale, 6 * 45 - 1);
});

test('heatmap block-averages big matrices and draws a colour bar', () => {
  const big = new Float32Array(2048 * 4).fill(1);
  big[0] = 3; // first block (2 rows) averages to (3 + 1) / 2.
  const d = downsample(big, 2048, 4, 1024);
  assert.deepEqual([d.rows, d.cols], [1024, 4]);
  assert.equal(d.data[0], 2);
  const svg = heatmapSvg(new Float32Array([-1, 0, 0.5, 1]), 2, 2, { title: 'w' });
  assert.match(svg, /<image /);
  assert.ok((svg.match(/<rect x="[\d.]+" y="[\d.]+" width="16"/g) ?? []).length >= 64, 'colour bar steps');
});

test('histogram panels', () => {
  const svg = histogramSvg([{ title: 'a', edges: [0, 1, 2], counts: [3, 0] }, { title: 'b', edges: [-1, 0, 1], counts: [1, 1] }]);
  assert.equal((svg.match(/fill="#3569a8"/g) ?? []).length, 3);
  assert.match(svg, /stroke-dasharray="3 3"/, 'zero line for signed data');
});

test('matrixImage colours each entry; diverging maps centre on zero, NaN is grey', () => {
  const { image, lo, hi } = matrixImage(new Float32Array([-2, 0, 1, NaN]), 2, 2);
  assert.deepEqual([lo, hi], [-2, 2]);
  const px = (i: number) => [...image.data.subarray(i * 4, i * 4 + 3)];
  assert.deepEqual(px(0), [5, 48, 97]);
  assert.deepEqual(px(1), [247, 247, 247]);
  assert.deepEqual(px(3), [128, 128, 128]);
  const fixed = matrixImage(new Float32Array([0.5]), 1, 1, { colormap: 'gray', range: [0, 1] });
  assert.deepEqual([...fixed.image.data.subarray(0, 3)], [128, 128, 128]);
});

test('kernel layouts by op: ONNX Conv OIHW, Keras Conv2D HWIO, Keras 1 Theano ordering OIHW', async () => {
  const { kernelLayout } = await import('../../src/graph/ops.ts');
  const node = (op: string, domain: string, attributes = {}) => ({ op, domain, attributes });
  assert.equal(kernelLayout(node('Conv', '')), 'OIS');
  assert.equal(kernelLayout(node('ConvTranspose', '')), 'IOS');
  assert.equal(kernelLayout(node('Conv2D', 'keras')), 'SIO');
  assert.equal(kernelLayout(node('Convolution2D', 'keras', { dim_ordering: { type: 'json', value: 'th' } })), 'OIS');
  assert.equal(kernelLayout(node('Convolution2D', 'keras', { dim_ordering: { type: 'json', value: 'tf' } })), 'SIO');
  assert.equal(kernelLayout(node('DepthwiseConv2dNative', 'tf')), 'SIM');
  assert.equal(kernelLayout(node('Dense', 'keras')), undefined);
});
