import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f } from '../../src/engine/builder.ts';
import { checkGradients, randomArray, tinyModel } from './fd.ts';

const TOL = 2e-2;
async function expectOk(model: Parameters<typeof checkGradients>[0], feeds: Parameters<typeof checkGradients>[1], eps?: number): Promise<void> {
  const errs = await checkGradients(model, feeds, eps);
  for (const [k, v] of Object.entries(errs)) assert.ok(v < TOL, `${model.graph.nodes.map((n) => n.op).join('+')} d/d${k}: relative error ${v}`);
}

test('MatMul (batched, broadcast, 1-D) and Gemm (all transposes)', async () => {
  await expectOk(tinyModel({ a: [2, 3, 4], b: [4, 5] }, (b, [x, y]) => b.op('MatMul', [x!, y!])), { a: randomArray([2, 3, 4], 1), b: randomArray([4, 5], 2) });
  await expectOk(tinyModel({ a: [4], b: [2, 4, 3] }, (b, [x, y]) => b.op('MatMul', [x!, y!])), { a: randomArray([4], 3), b: randomArray([2, 4, 3], 4) });
  await expectOk(tinyModel({ a: [3, 4], b: [4] }, (b, [x, y]) => b.op('MatMul', [x!, y!])), { a: randomArray([3, 4], 5), b: randomArray([4], 6) });
  for (const transA of [0, 1]) for (const transB of [0, 1]) {
    const sa = transA ? [4, 3] : [3, 4], sb = transB ? [5, 4] : [4, 5];
    const m = tinyModel({ a: sa, b: sb, c: [5] }, (b, [x, y, z]) => b.op('Gemm', [x!, y!, z!], { transA, transB, alpha: f(0.7), beta: f(1.3) }));
    await expectOk(m, { a: randomArray(sa, 7), b: randomArray(sb, 8), c: randomArray([5], 9) });
  }
});

test('Conv: strides, pads, dilations, groups, auto_pad, 1-D; weight and bias gradients', async () => {
  const cases: { x: number[]; w: number[]; attrs: Record<string, number[] | number | string> }[] = [
    { x: [2, 3, 7, 6], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
    { x: [1, 4, 9, 8], w: [6, 2, 3, 2], attrs: { strides: [2, 1], pads: [1, 0, 2, 1], group: 2 } },
    { x: [1, 2, 9, 9], w: [2, 2, 3, 3], attrs: { dilations: [2, 2], strides: [2, 2] } },
    { x: [1, 2, 8, 7], w: [3, 2, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
    { x: [2, 3, 10], w: [4, 3, 3], attrs: { pads: [1, 1], strides: [2] } },
  ];
  for (const c of cases) {
    const m = tinyModel({ x: c.x, w: c.w, bias: [c.w[0]!] }, (b, [x, w, bias]) => b.op('Conv', [x!, w!, bias!], c.attrs));
    await expectOk(m, { x: randomArray(c.x, 10), w: randomArray(c.w, 11), bias: randomArray([c.w[0]!], 12) });
  }
});

test('Conv with a constant kernel and stride 1 uses the flipped-kernel path, and it is right (groups too)', async () => {
  for (const group of [1, 2]) {
    const m = tinyModel({ x: [2, 4, 6, 5] }, (b, [x]) => {
      const w = randomArray([6, 4 / group, 3, 3], 13 + group);
      return b.op('Conv', [x!, b.constant('float32', w.shape, w.data)], { pads: [1, 0, 2, 1], group, dilations: [1, 2] });
    });
    await expectOk(m, { x: randomArray([2, 4, 6, 5], 14) });
  }
});

test('ConvTranspose input and bias gradients', async () => {
  const m = tinyModel({ x: [1, 3, 4, 4], bias: [2] }, (b, [x, bias]) => {
    const w = randomArray([3, 2, 3, 3], 15);
    return b.op('ConvTranspose', [x!, b.constant('float32', w.shape, w.data), bias!], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] });
  });
  await expectOk(m, { x: randomArray([1, 3, 4, 4], 16), bias: randomArray([2], 17) });
});

test('MaxPool (overlapping, ceil_mode, pads), AveragePool (count_include_pad both ways), global pools', async () => {
  // Distinct values so the argmax is stable under +-eps.
  const distinct = (shape: number[], seed: number) => {
    const a = randomArray(shape, seed);
    const order = Array.from(a.data.keys()).sort(() => 0).map((i) => i);
    order.forEach((i, k) => { a.data[i] = ((k * 7919) % a.data.length) / a.data.length - 0.5; });
    return a;
  };
  await expectOk(tinyModel({ x: [1, 2, 7, 7] }, (b, [x]) => b.op('MaxPool', [x!], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })), { x: distinct([1, 2, 7, 7], 20) }, 1e-4);
  await expectOk(tinyModel({ x: [1, 2, 6, 6] }, (b, [x]) => b.op('MaxPool', [x!], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })), { x: distinct([1, 2, 6, 6], 21) }, 1e-4);
  for (const count_include_pad of [0, 1]) {
    await expectOk(tinyModel({ x: [1, 2, 7, 6] }, (b, [x]) => b.op('AveragePool', [x!], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 1, 1, 0], count_include_pad })), { x: randomArray([1, 2, 7, 6], 22) });
  }
  await expectOk(tinyModel({ x: [1, 2, 7, 7] }, (b, [x]) => b.op('AveragePool', [x!], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })), { x: randomArray([1, 2, 7, 7], 23) });
  await expectOk(tinyModel({ x: [2, 3, 4, 5] }, (b, [x]) => b.op('GlobalAveragePool', [x!])), { x: randomArray([2, 3, 4, 5], 24) });
  await expectOk(tinyModel({ x: [2, 3, 4, 5] }, (b, [x]) => b.op('GlobalMaxPool', [x!])), { x: distinct([2, 3, 4, 5], 25) }, 1e-4);
});

test('BatchNormalization (inference), LayerNormalization, InstanceNormalization', async () => {
  const bn = tinyModel({ x: [2, 3, 4, 4], s: [3], bias: [3] }, (b, [x, s, bias]) => b.op('BatchNormalization', [x!, s!, bias!, b.floats([0.1, -0.2, 0.3]), b.floats([0.5, 1.5, 2])], { epsilon: f(1e-3) }));
  await expectOk(bn, { x: randomArray([2, 3, 4, 4], 30), s: randomArray([3], 31), bias: randomArray([3], 32) });
  const ln = tinyModel({ x: [2, 3, 6], s: [6], bias: [6] }, (b, [x, s, bias]) => b.op('LayerNormalization', [x!, s!, bias!], { axis: -1 }));
  await expectOk(ln, { x: randomArray([2, 3, 6], 33), s: randomArray([6], 34), bias: randomArray([6], 35) });
  const inorm = tinyModel({ x: [2, 3, 4, 5], s: [3], bias: [3] }, (b, [x, s, bias]) => b.op('InstanceNormalization', [x!, s!, bias!]));
  await expectOk(inorm, { x: randomArray([2, 3, 4, 5], 36), s: randomArray([3], 37), bias: randomArray([3], 38) });
});

test('Softmax, LogSoftmax (opset 13+ and legacy 2-D coercion), reductions', async () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    await expectOk(tinyModel({ x: [2, 3, 5] }, (b, [x]) => b.op(op, [x!], { axis: 1 })), { x: randomArray([2, 3, 5], 40, -2, 2) });
    await expectOk(tinyModel({ x: [2, 3, 5] }, (b, [x]) => b.op(op, [x!], { axis: 1 }), 11), { x: randomArray([2, 3, 5], 41, -2, 2) });
  }
  await expectOk(tinyModel({ x: [2, 3, 5] }, (b, [x]) => b.op('ReduceSum', [x!, b.ints([1])], { keepdims: 0 })), { x: randomArray([2, 3, 5], 42) });
  await expectOk(tinyModel({ x: [2, 3, 5] }, (b, [x]) => b.op('ReduceMean', [x!], { axes: [0, 2], keepdims: 1 })), { x: randomArray([2, 3, 5], 43) });
  await expectOk(tinyModel({ x: [2, 3, 5] }, (b, [x]) => b.op('ReduceMax', [x!], { axes: [2], keepdims: 0 })), { x: randomArray([2, 3, 5], 44) }, 1e-4);
});

test('shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Pad, Gather, GatherElements', async () => {
  const x = randomArray([2, 3, 4], 50);
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Reshape', [i!, b.ints([4, -1])])), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Flatten', [i!], { axis: 2 })), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Unsqueeze', [i!, b.ints([1])])), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Transpose', [i!], { perm: [2, 0, 1] })), { x });
  await expectOk(tinyModel({ x: [2, 3, 4], y: [2, 2, 4] }, (b, [i, j]) => b.op('Concat', [i!, j!], { axis: 1 })), { x, y: randomArray([2, 2, 4], 51) });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => {
    const [p, q] = b.node('Split', [i!, b.ints([1, 3])], { axis: 2 }, 2);
    return b.op('Mul', [b.op('ReduceSum', [p!, b.ints([2])]), b.op('ReduceSum', [q!, b.ints([2])])]);
  }), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Slice', [i!, b.ints([1, -3]), b.ints([100, -1]), b.ints([1, 2])])), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Pad', [i!, b.ints([0, 1, 2, 0, 0, 1])])), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Gather', [i!, b.ints([2, 0, 2], [3])], { axis: 1 })), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('Gather', [i!, b.ints([1], [])], { axis: 2 })), { x });
  await expectOk(tinyModel({ x: [2, 3, 4] }, (b, [i]) => b.op('GatherElements', [i!, b.ints([0, 2, 1, 1, 0, 0], [2, 3, 1])], { axis: 2 })), { x });
});

test('Resize: nearest and linear, every coordinate transform, up and down', async () => {
  const x = randomArray([1, 2, 4, 5], 60);
  const variants: Record<string, string>[] = [
    { mode: 'nearest' }, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    { mode: 'linear' }, { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
    { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }, { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
  ];
  for (const v of variants) for (const sizes of [[1, 2, 8, 10], [1, 2, 3, 7], [1, 2, 2, 3]]) {
    await expectOk(tinyModel({ x: [1, 2, 4, 5] }, (b, [i]) => b.op('Resize', [i!, '', '', b.ints(sizes)], v)), { x });
  }
  await expectOk(tinyModel({ x: [1, 2, 4, 5] }, (b, [i]) => b.op('Resize', [i!, '', b.floats([1, 1, 2, 1.5])], { mode: 'linear' })), { x });
});

test('weights fed at run time (training): gradients w.r.t. Gemm and Conv weights match finite differences', async () => {
  const { Engine } = await import('../../src/engine/engine.ts');
  const { relErr } = await import('./fd.ts');
  const m = tinyModel({ x: [2, 1, 5, 5] }, (b, [x]) => {
    const w = randomArray([3, 1, 3, 3], 70), fc = randomArray([12, 2], 71);
    const wn = b.constant('float32', w.shape, w.data, 'convw');
    const fcn = b.constant('float32', fc.shape, fc.data, 'fcw');
    const h = b.op('Relu', [b.op('Conv', [x!, wn], { strides: [2, 2] })]);
    return b.op('Gemm', [b.op('Flatten', [h]), fcn]);
  });
  const params = [...m.graph.values.values()].filter((v) => v.initializer && (v.name.includes('convw') || v.name.includes('fcw')));
  const engine = Engine.fromModel(m);
  try {
    const x = randomArray([2, 1, 5, 5], 72);
    const feeds: Record<string, import('../../src/engine/ndarray.ts').NdArray> = { x };
    for (const p of params) feeds[p.name] = { dtype: 'float32', shape: [...p.initializer!.shape], data: Float32Array.from(p.initializer!.float32()) };
    const names = params.map((p) => p.name);
    const r = await engine.gradients(feeds, { target: { kind: 'logprob' }, wrt: names, feedParams: names }, { index: [1, 0] });
    for (const p of params) {
      const base = feeds[p.name]!.data as Float32Array, num = new Float32Array(base.length);
      for (let i = 0; i < base.length; i++) {
        const f = async (d: number): Promise<number> => {
          const v = Float32Array.from(base); v[i]! += d;
          const rr = await engine.gradients({ ...feeds, [p.name]: { ...feeds[p.name]!, data: v } }, { target: { kind: 'logprob' }, wrt: names, feedParams: names }, { index: [1, 0] });
          return rr.score[0]! + rr.score[1]!;
        };
        num[i] = ((await f(1e-2)) - (await f(-1e-2))) / 2e-2;
      }
      const e = relErr(r.grads[p.name]!.data as Float32Array, num);
      assert.ok(e < 2e-2, `${p.name}: relative error ${e}`);
    }
  } finally { await engine.dispose(); }
});
