/**
 * Attribution methods with known answers (issue 4, "Trust"): exact results on linear models,
 * Captum's own toy cases, and the occlusion values of Captum's test_occlusion.py.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f } from '../../src/engine/builder.ts';
import { Engine } from '../../src/engine/engine.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import type { ExplainContext } from '../../src/explain/method.ts';
import { createMethod } from '../../src/explain/methods.ts';
import { quadrature, gaussLegendre } from '../../src/explain/gradient/integration.ts';
import { tinyModel } from '../engine/fd.ts';

function ctxFor(model: ReturnType<typeof tinyModel>, x: number[][], index = 0): ExplainContext & { engine: Engine } {
  const engine = Engine.fromModel(model);
  const N = x.length, F = x[0]!.length;
  return { engine, inputName: 'x', x: f32([N, F], x.flat()), target: { kind: 'logit' }, values: { index: new Array(N).fill(index) } };
}

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

/** y = x W + b with W [3, 2]. */
const linear = (): ReturnType<typeof tinyModel> => tinyModel({ x: ['N', 3] as never }, (b, [x]) => b.op('Gemm', [x!, b.floats([2, -1, 0.5, 3, -4, 0.25], [3, 2]), b.floats([0.7, -0.2])]));

test('linear model: saliency = w and IG = (x - baseline) * w exactly, with a tiny completeness error', async () => {
  const c = ctxFor(linear(), [[1, 2, 3], [-1, 0.5, 2]], 1);
  try {
    const sal = await createMethod('saliency').attribute(c, {});
    close(sal.map.data, [-1, 3, 0.25, -1, 3, 0.25], 1e-6, 'saliency');
    for (const method of ['gausslegendre', 'riemann_left', 'riemann_trapezoid']) {
      const ig = await createMethod('ig').attribute(c, { steps: 20, method });
      close(ig.map.data, [-1 * 1, 3 * 2, 0.25 * 3, -1 * -1, 3 * 0.5, 0.25 * 2], 1e-5, `IG ${method}`);
      assert.ok(ig.delta!.every((d) => d < 1e-4), `completeness error ${ig.delta}`);
    }
    const gxi = await createMethod('gradxinput').attribute(c, {});
    close(gxi.map.data, [-1, 6, 0.75, 1, 1.5, 0.5], 1e-6, 'gradient x input');
  } finally { await c.engine.dispose(); }
});

test("Captum's toy: f = ReLU(ReLU(x1) - 1 - ReLU(x2)) at (3, 1) gives IG close to [1.5, -0.5]", async () => {
  // BasicModel2 of Captum's tests, with the two inputs as the two features of one input.
  const model = tinyModel({ x: ['N', 2] as never }, (b, [x]) => {
    const r = b.op('Relu', [x!]);
    const x1 = b.op('Slice', [r, b.ints([0]), b.ints([1]), b.ints([1])]);
    const x2 = b.op('Slice', [r, b.ints([1]), b.ints([2]), b.ints([1])]);
    return b.op('Relu', [b.op('Sub', [b.op('Sub', [x1, b.floats([1], [])]), x2])]);
  });
  const c = ctxFor(model, [[3, 1]]);
  try {
    const ig = await createMethod('ig').attribute(c, { steps: 500, method: 'gausslegendre' });
    close(ig.map.data, [1.5, -0.5], 1e-2, 'IG');
    assert.ok(ig.delta![0]! < 1e-2, `completeness ${ig.delta![0]}`);
  } finally { await c.engine.dispose(); }
});

/** Captum's BasicModel_MultiLayer: identity, Linear(3,4) ones with bias [-10,1,1,1], ReLU, Linear(4,2) ones with bias [-1,1]. */
const multiLayer = (): ReturnType<typeof tinyModel> => tinyModel({ x: ['N', 3] as never }, (b, [x]) => {
  const h = b.op('Relu', [b.op('Gemm', [x!, b.floats(new Array(12).fill(1), [4, 3]), b.floats([-10, 1, 1, 1])], { transB: 1 })]);
  return b.op('Gemm', [h, b.floats(new Array(8).fill(1), [2, 4]), b.floats([-1, 1])], { transB: 1, alpha: f(1) });
});

test("occlusion reproduces Captum's test_occlusion.py values", async () => {
  const c = ctxFor(multiLayer(), [[20, 50, 30]]);
  try {
    const occ = createMethod('occlusion');
    close((await occ.attribute(c, { window: [1] })).map.data, [80, 200, 120], 1e-5, 'window 1');
    close((await occ.attribute(c, { window: [2], strides: [1], baseline: 10 })).map.data, [200, 220, 240], 1e-5, 'window 2, baseline 10');
    close((await occ.attribute(c, { window: [2], strides: [2] })).map.data, [280, 280, 120], 1e-5, 'window 2, stride 2');
    const two = ctxFor(multiLayer(), [[2, 10, 3], [20, 50, 30]]);
    try {
      close((await occ.attribute(two, { window: [1] })).map.data, [8, 35, 12, 80, 200, 120], 1e-5, 'two samples');
    } finally { await two.engine.dispose(); }
    close((await createMethod('ablation').attribute(c, {})).map.data, [80, 200, 120], 1e-5, 'ablation');
  } finally { await c.engine.dispose(); }
});

test('KernelSHAP on a linear model gives w * (x - mean(background)) exactly', async () => {
  const c = ctxFor(linear(), [[1, 2, 3]], 0);
  try {
    const background = Float32Array.from([0, 0, 0, 2, 1, -1]); // two rows; mean [1, 0.5, -0.5]
    const r = await createMethod('kernelshap').attribute(c, { background });
    close(r.map.data, [2 * (1 - 1), 0.5 * (2 - 0.5), -4 * (3 + 0.5)], 1e-4, 'KernelSHAP');
  } finally { await c.engine.dispose(); }
});

test('Gauss-Legendre nodes and weights match numpy.polynomial.legendre.leggauss', () => {
  const { x, w } = gaussLegendre(3);
  close(x, [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)], 1e-12, 'nodes');
  close(w, [5 / 9, 8 / 9, 5 / 9], 1e-12, 'weights');
  const q = quadrature('gausslegendre', 50);
  assert.ok(Math.abs(q.weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  close(quadrature('riemann_trapezoid', 3).weights, [0.25, 0.5, 0.25], 1e-12, 'trapezoid');
});
