/**
 * Relu (mask read from its output, applied as a multiplication) and MaxPool backward, alone and
 * chained as in ResNet's stem: finite differences where the function is smooth, and an exact
 * reference where it is not (ties), following PyTorch's max_pool2d rule that a window's gradient
 * goes to its first maximum in row-major order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GraphBuilder } from '../../src/engine/builder.ts';
import { Engine } from '../../src/engine/engine.ts';
import { f32, type NdArray } from '../../src/engine/ndarray.ts';
import type { Model } from '../../src/graph/ir.ts';
import { checkGradients, randomArray, relErr, rng, tinyModel } from './fd.ts';

interface Pool { kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number]; ceil?: boolean }

const POOLS: Pool[] = [
  { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, // ResNet's stem
  { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, // VGG
  { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }, // GoogLeNet's inception branch
  { kernel: [3, 2], strides: [2, 1], pads: [0, 1, 1, 0] }, // asymmetric
  { kernel: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], ceil: true },
];

function poolAttrs(p: Pool): Record<string, number[] | number> {
  return { kernel_shape: p.kernel, strides: p.strides, pads: p.pads, ...(p.ceil ? { ceil_mode: 1 } : {}) };
}

function outSize(n: number, k: number, s: number, pb: number, pe: number, ceil: boolean): number {
  const span = n + pb + pe - k;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= n + pb) o--; // the last window must start inside the input or the begin pad
  return o;
}

/** d sum(w * MaxPool(x)) / dx with each window's weight sent to its first maximum (row-major). */
function referencePoolGrad(x: NdArray & { data: Float32Array }, w: Float32Array, p: Pool): Float32Array {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const Ho = outSize(H, p.kernel[0], p.strides[0], p.pads[0], p.pads[2], !!p.ceil);
  const Wo = outSize(W, p.kernel[1], p.strides[1], p.pads[1], p.pads[3], !!p.ceil);
  assert.equal(w.length, N * C * Ho * Wo);
  const dx = new Float32Array(x.data.length);
  for (let nc = 0; nc < N * C; nc++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = -Infinity, at = -1;
        for (let a = 0; a < p.kernel[0]; a++) {
          for (let b = 0; b < p.kernel[1]; b++) {
            const h = i * p.strides[0] - p.pads[0] + a, v = j * p.strides[1] - p.pads[1] + b;
            if (h < 0 || h >= H || v < 0 || v >= W) continue;
            const val = x.data[(nc * H + h) * W + v]!;
            if (val > best) { best = val; at = (nc * H + h) * W + v; }
          }
        }
        dx[at]! += w[(nc * Ho + i) * Wo + j]!;
      }
    }
  }
  return dx;
}

/** Engine gradient of sum(w * output) w.r.t. the single input `x`. */
async function engineGrad(model: Model, x: NdArray, w: NdArray): Promise<Float32Array> {
  const engine = Engine.fromModel(model);
  try {
    const res = await engine.gradients({ x }, { target: { kind: 'weighted' }, wrt: ['x'] }, { weights: w });
    return res.grads.x!.data as Float32Array;
  } finally {
    await engine.dispose();
  }
}

/** Shape of the model's output on `x` (so the test checks ceil_mode sizes against its own formula too). */
async function outputShape(model: Model, x: NdArray): Promise<number[]> {
  const engine = Engine.fromModel(model);
  try {
    return (await engine.run({ x })).outputs[model.graph.outputs[0]!]!.shape;
  } finally {
    await engine.dispose();
  }
}

/** Values from a small set, so that windows hold exact ties (including all-zero windows after Relu). */
function tiedArray(shape: number[], seed: number, levels: number[]): NdArray & { data: Float32Array } {
  const r = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return f32(shape, Float32Array.from({ length: n }, () => levels[Math.floor(r() * levels.length)]!));
}

const relu = (b: GraphBuilder, x: string): string => b.op('Relu', [x]);

test('Relu -> MaxPool and MaxPool alone: finite differences (distinct values, kept away from the Relu kink)', async () => {
  for (const p of POOLS) {
    for (const withRelu of [true, false]) {
      const shape = [1, 2, 7, 8];
      const m = tinyModel({ x: shape }, (b, [x]) => b.op('MaxPool', [withRelu ? relu(b, x!) : x!], poolAttrs(p)));
      const x = randomArray(shape, 40, -1, 1, [0], 0.05);
      // Distinct magnitudes so that no window's maximum changes under +-eps.
      x.data.forEach((v, i) => { x.data[i] = Math.sign(v) * (0.05 + ((i * 7919) % x.data.length) / x.data.length); });
      const errs = await checkGradients(m, { x }, 1e-3);
      assert.ok(errs.x! < 2e-2, `${JSON.stringify(p)} relu=${withRelu}: relative error ${errs.x}`);
    }
  }
});

test('MaxPool with exact ties sends each window\'s gradient to its first maximum (PyTorch rule), with and without a Relu before it', async () => {
  for (const p of POOLS) {
    for (const withRelu of [true, false]) {
      const shape = [2, 3, 9, 8];
      const x = tiedArray(shape, 41, [-1, 0, 0.5, 1]);
      const m = tinyModel({ x: shape }, (b, [xi]) => b.op('MaxPool', [withRelu ? relu(b, xi!) : xi!], poolAttrs(p)));
      const w = randomArray(await outputShape(m, x), 42, 0.5, 1.5);
      const grad = await engineGrad(m, x, w);
      const r = withRelu ? f32(shape, x.data.map((v) => Math.max(0, v))) : x;
      const want = referencePoolGrad(r, w.data, p);
      if (withRelu) want.forEach((v, i) => { if (!(x.data[i]! > 0)) want[i] = 0; });
      assert.ok(relErr(grad, want) < 1e-6, `${JSON.stringify(p)} relu=${withRelu}: relative error ${relErr(grad, want)}`);
    }
  }
});

test('a Relu whose output feeds a MaxPool and another op: both gradients meet before the Relu mask', async () => {
  const shape = [1, 2, 6, 6];
  const m = tinyModel({ x: shape }, (b, [x]) => {
    const r = relu(b, x!);
    const pooled = b.op('MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] });
    // Mean of r as a second reader, broadcast back onto the pooled map.
    return b.op('Add', [pooled, b.op('ReduceMean', [r], { axes: [2, 3], keepdims: 1 })]);
  });
  const x = randomArray(shape, 43, -1, 1, [0], 0.05);
  x.data.forEach((v, i) => { x.data[i] = Math.sign(v) * (0.05 + ((i * 613) % x.data.length) / x.data.length); });
  const errs = await checkGradients(m, { x }, 1e-3);
  assert.ok(errs.x! < 2e-2, `relative error ${errs.x}`);
});

test('guided backpropagation\'s Relu passes dy only where the Relu input and dy are both positive, also after a MaxPool', async () => {
  const shape = [1, 2, 6, 6];
  const x = randomArray(shape, 44, -1, 1, [0], 0.05);
  const plain = tinyModel({ x: shape }, (b, [xi]) => relu(b, xi!));
  const w = randomArray(shape, 45, -1, 1, [0], 0.05); // dy of both signs
  const engine = Engine.fromModel(plain);
  try {
    const res = await engine.gradients({ x }, { target: { kind: 'weighted' }, wrt: ['x'], reluBackward: 'guided' }, { weights: w });
    const want = x.data.map((v, i) => (v > 0 && w.data[i]! > 0 ? w.data[i]! : 0));
    assert.deepEqual(Array.from(res.grads.x!.data as Float32Array), Array.from(want));
  } finally {
    await engine.dispose();
  }
  // Relu -> MaxPool: dY of both signs routed through the argmax, then the guided mask.
  const pooled = tinyModel({ x: shape }, (b, [xi]) => b.op('MaxPool', [relu(b, xi!)], { kernel_shape: [2, 2], strides: [2, 2] }));
  const wp = randomArray([1, 2, 3, 3], 46, -1, 1, [0], 0.05);
  const e2 = Engine.fromModel(pooled);
  try {
    const res = await e2.gradients({ x }, { target: { kind: 'weighted' }, wrt: ['x'], reluBackward: 'guided' }, { weights: wp });
    const r = f32(shape, x.data.map((v) => Math.max(0, v)));
    const want = referencePoolGrad(r, wp.data, { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }).map((g, i) => (x.data[i]! > 0 && g > 0 ? g : 0));
    assert.deepEqual(Array.from(res.grads.x!.data as Float32Array), Array.from(want));
  } finally {
    await e2.dispose();
  }
});

// Guards against a tempting shortcut (masking dY by Y > 0 on the pooled tensor so that the Relu
// mask on the larger tensor can be skipped): it is exact for d input but drops the windows whose
// maximum is 0 from d(Relu output), which explainers request as a CAM layer (VGG's last Relu).
test('gradient w.r.t. a Relu output that feeds a MaxPool (e.g. VGG\'s last Relu as a CAM layer) keeps the windows whose maximum is 0', async () => {
  const shape = [1, 2, 6, 6];
  let reluOut = '';
  const m = tinyModel({ x: shape }, (b, [xi]) => {
    reluOut = relu(b, xi!);
    return b.op('MaxPool', [reluOut], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  });
  const x = tiedArray(shape, 47, [-1, -0.5, 0, 0.5]); // many all-zero windows after the Relu
  const w = randomArray(await outputShape(m, x), 48, 0.5, 1.5);
  const engine = Engine.fromModel(m);
  try {
    const res = await engine.gradients({ x }, { target: { kind: 'weighted' }, wrt: ['x', reluOut] }, { weights: w });
    const r = f32(shape, x.data.map((v) => Math.max(0, v)));
    const dr = referencePoolGrad(r, w.data, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    assert.ok(dr.some((v, i) => v !== 0 && r.data[i] === 0), 'the case needs windows whose first maximum is a 0');
    assert.deepEqual(Array.from(res.grads[reluOut]!.data as Float32Array), Array.from(dr));
    assert.deepEqual(Array.from(res.grads.x!.data as Float32Array), Array.from(dr.map((v, i) => (x.data[i]! > 0 ? v : 0))));
  } finally {
    await engine.dispose();
  }
});
