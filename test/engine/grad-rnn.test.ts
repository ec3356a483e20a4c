/**
 * LSTM and GRU gradients: the engine differentiates the unrolled graph (engine/unroll-rnn.ts);
 * finite differences run ONNX Runtime's native LSTM/GRU kernels, so agreement also checks that
 * the unrolled equations are the operator's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGradients, randomArray, tinyModel } from './fd.ts';

const S = 4, N = 2, I = 3, H = 5;

for (const op of ['LSTM', 'GRU'] as const) {
  const G = op === 'LSTM' ? 4 : 3;
  const variants: { name: string; attrs: Record<string, number | string>; dirs: number; layout: number; init: boolean }[] = [
    { name: 'forward', attrs: {}, dirs: 1, layout: 0, init: false },
    { name: 'reverse with initial state', attrs: { direction: 'reverse' }, dirs: 1, layout: 0, init: true },
    // layout=1 (batch-first) is valid ONNX but ONNX Runtime's CPU kernels refuse it, so it cannot be checked here.
    { name: 'bidirectional with initial state', attrs: { direction: 'bidirectional' }, dirs: 2, layout: 0, init: true },
  ];
  if (op === 'GRU') variants.push({ name: 'linear_before_reset', attrs: { linear_before_reset: 1 }, dirs: 1, layout: 0, init: false });
  for (const v of variants) {
    test(`${op} ${v.name}: gradients to input, weights and state match finite differences`, async () => {
      const xShape = v.layout ? [N, S, I] : [S, N, I];
      const hShape = v.layout ? [N, v.dirs, H] : [v.dirs, N, H];
      const inputs: Record<string, number[]> = { x: xShape, w: [v.dirs, G * H, I], r: [v.dirs, G * H, H], b: [v.dirs, 2 * G * H] };
      if (v.init) { inputs.h0 = hShape; if (op === 'LSTM') inputs.c0 = hShape; }
      const model = tinyModel(inputs, (b, names) => {
        const [x, w, r, bias, h0, c0] = names;
        const ins = [x!, w!, r!, bias!, '', h0 ?? '', ...(op === 'LSTM' ? [c0 ?? ''] : [])];
        while (ins[ins.length - 1] === '') ins.pop();
        const [y, yh] = b.node(op, ins, { hidden_size: H, ...v.attrs }, op === 'LSTM' ? 3 : 2);
        // Use both the sequence output and the final state so both paths are checked.
        const flatY = b.op('ReduceSum', [y!, b.ints([0])], { keepdims: 0 });
        return b.op('Add', [b.op('ReduceSum', [flatY, b.ints([0])], { keepdims: 0 }), b.op('ReduceSum', [yh!, b.ints([0])], { keepdims: 0 })]);
      });
      const feeds: Parameters<typeof checkGradients>[1] = {};
      let seed = 100;
      for (const [k, s] of Object.entries(inputs)) feeds[k] = randomArray(s, seed++, -0.8, 0.8);
      const errs = await checkGradients(model, feeds, 1e-2);
      for (const [k, e] of Object.entries(errs)) assert.ok(e < 2e-2, `${op} ${v.name} d/d${k}: relative error ${e}`);
    });
  }
}
