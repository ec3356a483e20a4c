/**
 * This machine's multiply-add rate in ONNX Runtime: square MatMuls (MLAS SGEMM) and a large 3x3
 * Conv (its blocked NCHWc kernel), 2 threads.
 *
 *     node --import tsx bench/dev/ops/peak.ts
 */
import * as ort from 'onnxruntime-node';
import { time, rand } from './micro.ts';
for (const n of [512, 1024, 2048]) {
  const a = new ort.Tensor('float32', rand(n * n, 1), [n, n]);
  const t = await time(`MatMul ${n}^3`, (b, g) => { b.input('a', 'float32', [n, n]); const w = b.constant('float32', [n, n], rand(n * n, 2), 'w'); g.outputs = [b.op('ReduceSum', [b.op('MatMul', ['a', w]), b.ints([0, 1])], { keepdims: 0 })]; }, { a }, 20);
  console.log(`   ${(n ** 3 / t / 1e6).toFixed(1)} GMAC/s`);
}
{
  const x = new ort.Tensor('float32', rand(256 * 56 * 56, 1), [1, 256, 56, 56]);
  const t = await time('Conv 256->256 3x3 56x56', (b, g) => { b.input('x', 'float32', [1, 256, 56, 56]); const w = b.constant('float32', [256, 256, 3, 3], rand(256 * 256 * 9, 2), 'w'); g.outputs = [b.op('ReduceSum', [b.op('Conv', ['x', w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }), b.ints([0, 1, 2, 3])], { keepdims: 0 })]; }, { x }, 20);
  console.log(`   ${(256 * 256 * 9 * 56 * 56 / t / 1e6).toFixed(1)} GMAC/s`);
}
