import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f } from '../../src/engine/builder.ts';
import { checkGradients, randomArray, tinyModel } from './fd.ts';

const TOL = 2e-2;

async function expectOk(model: Parameters<typeof checkGradients>[0], feeds: Parameters<typeof checkGradients>[1], eps?: number): Promise<void> {
  const errs = await checkGradients(model, feeds, eps);
  for (const [k, v] of Object.entries(errs)) assert.ok(v < TOL, `d/d${k}: relative error ${v}`);
}

test('Add/Sub/Mul/Div with broadcasting', async () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    const m = tinyModel({ a: [2, 3, 4], b: [3, 1] }, (b, [x, y]) => b.op(op, [x!, y!]));
    await expectOk(m, { a: randomArray([2, 3, 4], 1), b: randomArray([3, 1], 2, 0.5, 1.5) });
  }
});

test('Pow, Sqrt, Exp, Log, Reciprocal, Abs, Neg, Sum, Max, Min', async () => {
  const pos = { a: randomArray([2, 5], 3, 0.5, 2), b: randomArray([2, 5], 4, 0.5, 2) };
  await expectOk(tinyModel({ a: [2, 5], b: [2, 5] }, (b, [x, y]) => b.op('Pow', [x!, y!])), pos);
  for (const op of ['Sqrt', 'Exp', 'Log', 'Reciprocal', 'Abs', 'Neg']) {
    await expectOk(tinyModel({ a: [2, 5] }, (b, [x]) => b.op(op, [x!])), { a: pos.a });
  }
  for (const op of ['Sum', 'Max', 'Min']) {
    await expectOk(tinyModel({ a: [2, 5], b: [5] }, (b, [x, y]) => b.op(op, [x!, y!])), { a: randomArray([2, 5], 5), b: randomArray([5], 6) });
  }
});

test('activations', async () => {
  const cases: [string, Record<string, ReturnType<typeof f> | number | string>][] = [
    ['Relu', {}], ['LeakyRelu', { alpha: f(0.1) }], ['Elu', { alpha: f(0.7) }], ['Selu', {}], ['Sigmoid', {}], ['Tanh', {}],
    ['HardSigmoid', { alpha: f(0.3), beta: f(0.4) }], ['HardSwish', {}], ['Softplus', {}], ['Erf', {}],
  ];
  for (const [op, attrs] of cases) {
    const m = tinyModel({ a: [3, 7] }, (b, [x]) => b.op(op, [x!], attrs));
    // Keep inputs away from kinks (0; HardSigmoid's and HardSwish's corners) by more than eps.
    await expectOk(m, { a: randomArray([3, 7], 11, -4, 4, [0, -3, 3, (0 - 0.4) / 0.3, (1 - 0.4) / 0.3], 0.05) }, 1e-2);
  }
  const gelu = tinyModel({ a: [3, 7] }, (b, [x]) => b.op('Gelu', [x!]), 20);
  await expectOk(gelu, { a: randomArray([3, 7], 12, -3, 3) });
  const geluTanh = tinyModel({ a: [3, 7] }, (b, [x]) => b.op('Gelu', [x!], { approximate: 'tanh' }), 20);
  await expectOk(geluTanh, { a: randomArray([3, 7], 13, -3, 3) });
  const prelu = tinyModel({ a: [2, 3, 4], s: [3, 1] }, (b, [x, s]) => b.op('PRelu', [x!, s!]));
  await expectOk(prelu, { a: randomArray([2, 3, 4], 14, -2, 2, [0]), s: randomArray([3, 1], 15, 0.1, 0.5) });
  const clip = tinyModel({ a: [4, 5] }, (b, [x]) => b.op('Clip', [x!, b.floats([-0.5], []), b.floats([0.6], [])]));
  await expectOk(clip, { a: randomArray([4, 5], 16, -1, 1, [-0.5, 0.6]) });
});

test('Where and Expand', async () => {
  const m = tinyModel({ a: [3, 4], b: [4] }, (b, [x, y]) => b.op('Where', [b.op('Greater', [x!, b.floats([0], [])]), x!, y!]));
  await expectOk(m, { a: randomArray([3, 4], 21, -1, 1, [0]), b: randomArray([4], 22) });
  const e = tinyModel({ a: [3, 1] }, (b, [x]) => b.op('Expand', [x!, b.ints([2, 3, 4])]));
  await expectOk(e, { a: randomArray([3, 1], 23) });
});
