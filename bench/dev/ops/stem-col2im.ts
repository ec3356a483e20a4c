/**
 * The input gradient of ResNet's 7x7/2 stem (64 -> 3 channels, 112 -> 224) as ONNX Runtime's
 * ConvTranspose against MatMul (columns) + the ONNX Col2Im op, and the MatMul alone.
 *
 *     node --import tsx bench/dev/ops/stem-col2im.ts
 */
import * as ort from 'onnxruntime-node';
import { time, rand } from './micro.ts';
const M = 64, C = 3, K = 7, h = 112, w = 112;
const Wt = rand(M * C * K * K, 7);
const dy = new ort.Tensor('float32', rand(M * h * w, 3), [1, M, h, w]);
let ref: Float32Array | undefined;
const cmp = (o: Float32Array) => { if (!ref) { ref = o.slice(); return; } let m = 0; for (let i = 0; i < o.length; i++) m = Math.max(m, Math.abs(o[i]! - ref[i]!)); console.log(`   max abs diff ${m.toExponential(2)}`); };
await time('ConvTranspose 64->3 k7 s2', (b, g) => {
  b.input('dy', 'float32', [1, M, h, w]);
  const wt = b.constant('float32', [M, C, K, K], Wt, 'w');
  g.outputs = [b.op('ConvTranspose', ['dy', wt], { strides: [2, 2], pads: [3, 3, 3, 3], kernel_shape: [K, K], output_padding: [1, 1] })];
}, { dy }, 40, cmp);
// W^T as [C*K*K, M]
const WT = new Float32Array(C * K * K * M);
for (let m = 0; m < M; m++) for (let r = 0; r < C * K * K; r++) WT[r * M + m] = Wt[m * C * K * K + r]!;
await time('MatMul + Col2Im', (b, g) => {
  b.input('dy', 'float32', [1, M, h, w]);
  const wt = b.constant('float32', [C * K * K, M], WT, 'wt');
  const cols = b.op('MatMul', [wt, b.op('Reshape', ['dy', b.ints([M, h * w])])]);
  const c3 = b.op('Reshape', [cols, b.ints([1, C * K * K, h * w])]);
  g.outputs = [b.op('Col2Im', [c3, b.ints([224, 224]), b.ints([K, K])], { strides: [2, 2], pads: [3, 3, 3, 3] })];
}, { dy }, 40, cmp);
await time('MatMul only', (b, g) => {
  b.input('dy', 'float32', [1, M, h, w]);
  const wt = b.constant('float32', [C * K * K, M], WT, 'wt');
  g.outputs = [b.op('ReduceSum', [b.op('MatMul', [wt, b.op('Reshape', ['dy', b.ints([M, h * w])])]), b.ints([0, 1])], { keepdims: 0 })];
}, { dy }, 40);
