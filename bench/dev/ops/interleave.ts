/**
 * Interleaving 4 phase planes [4C, h, w] into [C, 2h, 2w] with ONNX ops (the step a sub-pixel
 * input gradient of a stride-2 conv needs): DepthToSpace, a 6-D Transpose, Concats, a constant
 * index map through Gather or GatherElements; an Add of 0 as the floor (feeds and outputs).
 *
 *     node --import tsx bench/dev/ops/interleave.ts 256,14,14
 */
import * as ort from 'onnxruntime-node';
import { time, rand } from './micro.ts';
const [C, h, w] = (process.argv[2] ?? '256,14,14').split(',').map(Number) as [number, number, number];
const x = new ort.Tensor('float32', rand(4 * C * h * w), [1, 4 * C, h, w]);
const feeds = { x };
let ref: Float32Array | undefined;
const same = (o: Float32Array) => { if (!ref) { ref = o.slice(); return; } let bad = 0; for (let i = 0; i < o.length; i++) if (o[i] !== ref[i]) bad++; if (bad) console.log('   MISMATCH', bad); };
await time(`DepthToSpace DCR ${C}x${h}x${w}`, (b, g) => { b.input('x', 'float32', [1, 4 * C, h, w]); g.outputs = [b.op('DepthToSpace', ['x'], { blocksize: 2, mode: 'DCR' })]; }, feeds, 40, same);
await time('Reshape+Transpose 6D (DCR)', (b, g) => {
  b.input('x', 'float32', [1, 4 * C, h, w]);
  const r = b.op('Reshape', ['x', b.ints([2, 2, C, h, w])]);
  const t = b.op('Transpose', [r], { perm: [2, 3, 0, 4, 1] });
  g.outputs = [b.op('Reshape', [t, b.ints([1, C, 2 * h, 2 * w])])];
}, feeds, 40, same);
await time('two Concats (w inner, then h rows)', (b, g) => {
  b.input('x', 'float32', [1, 4 * C, h, w]);
  const r = b.op('Reshape', ['x', b.ints([2, 2, C, h, w, 1])]);
  const [p0, p1] = b.node('Split', [r, b.ints([1, 1])], { axis: 0 }, 2);
  // p_a: [1, 2, C, h, w, 1] -> split on b
  const rows = [p0!, p1!].map((p) => {
    const [q0, q1] = b.node('Split', [p, b.ints([1, 1])], { axis: 1 }, 2);
    return b.op('Reshape', [b.op('Concat', [q0!, q1!], { axis: 5 }), b.ints([C, h, 1, 2 * w])]);
  });
  g.outputs = [b.op('Reshape', [b.op('Concat', rows, { axis: 2 }), b.ints([1, C, 2 * h, 2 * w])])];
}, feeds, 40, same);
await time('Transpose inner only [2,2,C,h,w]->[2,C,h,w,2] then rows concat', (b, g) => {
  b.input('x', 'float32', [1, 4 * C, h, w]);
  const r = b.op('Reshape', ['x', b.ints([2, 2, C * h * w])]);
  const t = b.op('Transpose', [r], { perm: [0, 2, 1] }); // [2(a), C*h*w, 2(b)]
  const t2 = b.op('Reshape', [t, b.ints([2, C * h, 2 * w])]);
  const t3 = b.op('Transpose', [t2], { perm: [1, 0, 2] }); // [C*h, 2, 2w]
  g.outputs = [b.op('Reshape', [t3, b.ints([1, C, 2 * h, 2 * w])])];
}, feeds, 40, same);
// Gather with a constant index map
{
  const n = 4 * C * h * w;
  const idx = new BigInt64Array(n);
  // out[c, 2i+a, 2j+bb] = x[(a*2+bb)*C + c, i, j]   (DCR)
  let o = 0;
  for (let c = 0; c < C; c++) for (let yy = 0; yy < 2 * h; yy++) for (let xx = 0; xx < 2 * w; xx++) {
    const a = yy & 1, bb = xx & 1, i = yy >> 1, j = xx >> 1;
    idx[o++] = BigInt((((a * 2 + bb) * C + c) * h + i) * w + j);
  }
  await time('Gather 1-D constant map', (b, g) => {
    b.input('x', 'float32', [1, 4 * C, h, w]);
    const flat = b.op('Reshape', ['x', b.ints([-1])]);
    const id = b.constant('int64', [n], idx, 'idx');
    g.outputs = [b.op('Reshape', [b.op('Gather', [flat, id], { axis: 0 }), b.ints([1, C, 2 * h, 2 * w])])];
  }, feeds, 40, same);
  await time('GatherElements 1-D constant map', (b, g) => {
    b.input('x', 'float32', [1, 4 * C, h, w]);
    const flat = b.op('Reshape', ['x', b.ints([-1])]);
    const id = b.constant('int64', [n], idx, 'idx');
    g.outputs = [b.op('Reshape', [b.op('GatherElements', [flat, id], { axis: 0 }), b.ints([1, C, 2 * h, 2 * w])])];
  }, feeds, 40, same);
}
await time('Identity copy (floor)', (b, g) => { b.input('x', 'float32', [1, 4 * C, h, w]); g.outputs = [b.op('Add', ['x', b.floats([0], [])])]; }, feeds, 40);
