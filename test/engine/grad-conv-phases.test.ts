/**
 * The strided-conv input gradient built from per-phase stride-1 Convs + one GatherElements
 * (src/engine/grad/conv-phases.ts) against ONNX Runtime's ConvTranspose (the path taken with
 * NNLENS_NO_FLIP=1): same values to float rounding, for every phase layout (kernels smaller and
 * larger than the stride, odd and even sizes, mixed strides, groups, auto_pad, 1-D and 3-D), and
 * the phase path is really the one taken. Finite differences of the same rule are in
 * grad-layers.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { getRuntime, setRuntime, type Runtime } from '../../src/engine/runtime.ts';
import { interleaveIndex, phaseTaps, planPhases } from '../../src/engine/grad/conv-phases.ts';
import { randomArray, tinyModel } from './fd.ts';

interface Case { name: string; x: number[]; w: number[]; attrs: Record<string, number[] | number | string>; phases: boolean }

const CASES: Case[] = [
  { name: '3x3/2 pad 1, odd and even sizes', x: [1, 16, 9, 8], w: [8, 16, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, phases: true },
  { name: '1x1/2 (three phases are zero)', x: [1, 16, 8, 7], w: [12, 16, 1, 1], attrs: { strides: [2, 2] }, phases: true },
  { name: '7x7/2 pad 3 (a stem)', x: [1, 16, 12, 12], w: [16, 16, 7, 7], attrs: { strides: [2, 2], pads: [3, 3, 3, 3] }, phases: true },
  { name: 'strides 2x1, uneven pads, groups', x: [1, 16, 9, 8], w: [8, 8, 3, 2], attrs: { strides: [2, 1], pads: [1, 0, 2, 1], group: 2 }, phases: true },
  { name: 'depthwise 3x3/2 (MobileNet)', x: [1, 16, 10, 10], w: [16, 1, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], group: 16 }, phases: true },
  { name: 'auto_pad SAME_UPPER, stride 2', x: [1, 16, 7, 8], w: [4, 16, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, phases: true },
  { name: '1-D, kernel 2 < stride 3', x: [1, 16, 11], w: [5, 16, 2], attrs: { strides: [3] }, phases: true },
  { name: '3-D, stride 2', x: [1, 16, 5, 4, 6], w: [4, 16, 3, 3, 3], attrs: { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }, phases: true },
  // A begin pad past the kernel would need dY cropped: ConvTranspose keeps it.
  { name: 'begin pad 3 > kernel 3: ConvTranspose', x: [1, 16, 8, 8], w: [4, 16, 3, 3], attrs: { strides: [2, 2], pads: [3, 3, 0, 0] }, phases: false },
  // Few channels (a 3-channel image under a stem) and batches keep ConvTranspose too.
  { name: '3 input channels: ConvTranspose', x: [1, 3, 9, 9], w: [16, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, phases: false },
  { name: 'batch of 2: ConvTranspose', x: [2, 16, 9, 9], w: [8, 16, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, phases: false },
];

/** d sum(w_out * conv(x)) / dx with the engine, and whether the compiled graph interleaves phases. */
async function inputGrad(c: Case, seed: number): Promise<{ grad: Float32Array; gather: boolean; convT: boolean }> {
  const ort = await getRuntime();
  let gather = false, convT = false;
  const wrapped: Runtime = {
    Tensor: ort.Tensor,
    InferenceSession: {
      create: (m, o) => {
        const bytes = typeof m === 'string' ? readFileSync(m) : Buffer.from(m);
        if (bytes.includes('GatherElements')) gather = true;
        if (bytes.includes('ConvTranspose')) convT = true;
        return ort.InferenceSession.create(m, o);
      },
    },
  };
  setRuntime(wrapped, { readsFiles: true });
  try {
    const w = randomArray(c.w, seed);
    const model = tinyModel({ x: c.x }, (b, [x]) => b.op('Conv', [x!, b.constant('float32', w.shape, w.data)], c.attrs));
    const engine = Engine.fromModel(model);
    const x = randomArray(c.x, seed + 1);
    const out = await engine.run({ x });
    const y = Object.values(out.outputs)[0]!;
    const weights = randomArray(y.shape, seed + 2);
    const r = await engine.gradients({ x }, { target: { kind: 'weighted' }, wrt: ['x'] }, { weights });
    await engine.dispose();
    return { grad: r.grads.x!.data as Float32Array, gather, convT };
  } finally {
    setRuntime(ort, { readsFiles: true });
  }
}

for (const [i, c] of CASES.entries()) {
  test(`strided Conv input gradient, ${c.name}: phase Convs agree with ConvTranspose`, async () => {
    const phases = await inputGrad(c, 100 + 3 * i);
    const saved = process.env.NNLENS_NO_FLIP;
    process.env.NNLENS_NO_FLIP = '1';
    let reference;
    try { reference = await inputGrad(c, 100 + 3 * i); } finally { if (saved === undefined) delete process.env.NNLENS_NO_FLIP; else process.env.NNLENS_NO_FLIP = saved; }
    assert.equal(reference.convT, true, 'the reference takes ConvTranspose');
    assert.equal(phases.gather, c.phases, c.phases ? 'phase path taken' : 'phase path not taken');
    assert.equal(phases.convT, !c.phases);
    let num = 0, den = 0;
    for (let k = 0; k < reference.grad.length; k++) { num += (phases.grad[k]! - reference.grad[k]!) ** 2; den += reference.grad[k]! ** 2; }
    assert.ok(den > 0, 'a non-zero gradient');
    assert.ok(Math.sqrt(num / den) < 1e-6, `relative L2 ${Math.sqrt(num / den)}`);
  });
}

test('phaseTaps, planPhases and interleaveIndex on small cases', () => {
  // dx[2m] = dy[m] w[1]; dx[2m+1] = dy[m] w[2] + dy[m+1] w[0] (3-tap, stride 2, pad 1).
  assert.deepEqual(phaseTaps(3, 2, 1, 0), { taps: [1], dMin: 0 });
  assert.deepEqual(phaseTaps(3, 2, 1, 1), { taps: [2, 0], dMin: 0 });
  // Stride 1: one phase, the flipped kernel.
  assert.deepEqual(phaseTaps(3, 1, 1, 0), { taps: [2, 1, 0], dMin: -1 });
  // 1-tap kernel, stride 2: phase 1 has no taps.
  assert.deepEqual(phaseTaps(1, 2, 0, 1).taps, []);
  const plans = planPhases({ inSize: [5], outSize: [3], kernel: [3], strides: [2], padsBegin: [1] })!;
  assert.deepEqual(plans.map((p) => ({ phase: p.phase, size: p.size, pads: p.pads })), [
    { phase: [0], size: [3], pads: [0, 0] },
    { phase: [1], size: [2], pads: [0, 0] },
  ]);
  // Two channels: phase 0 holds [c0: 0 1 2 | c1: 3 4 5], phase 1 [c0: 6 7 | c1: 8 9], then the zero (10).
  assert.deepEqual([...interleaveIndex(2, [5], [2], plans)], [0, 6, 1, 7, 2, 3, 8, 4, 9, 5]);
  const oneByOne = planPhases({ inSize: [4], outSize: [2], kernel: [1], strides: [2], padsBegin: [0] })!;
  assert.deepEqual([...interleaveIndex(1, [4], [2], oneByOne)], [0, 2, 1, 2]);
  // Cropping dY would be needed: no plan.
  assert.equal(planPhases({ inSize: [8], outSize: [6], kernel: [3], strides: [2], padsBegin: [3] }), undefined);
});
