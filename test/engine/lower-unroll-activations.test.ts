/**
 * The LSTM / GRU unroller with the activation lists Keras layers lower to (HardSigmoid gates with
 * alpha/beta, Affine for 'linear', Relu...): gradients of the unrolled graph against finite
 * differences of ONNX Runtime's native kernels, which also checks that the unroller reads
 * `activation_alpha` / `activation_beta` in the order ONNX Runtime does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkGradients, randomArray, tinyModel } from './fd.ts';

const S = 4, N = 2, I = 3, H = 4;

const CASES: { name: string; op: 'LSTM' | 'GRU'; attrs: Record<string, unknown>; dirs: number }[] = [
  // Keras 2 LSTM: recurrent_activation hard_sigmoid (0.2x + 0.5).
  { name: 'LSTM HardSigmoid gates', op: 'LSTM', dirs: 1, attrs: { activations: ['HardSigmoid', 'Tanh', 'Tanh'], activation_alpha: { floats: [0.2] }, activation_beta: { floats: [0.5] } } },
  // Keras 3 hard_sigmoid (x / 6 + 0.5) in both directions; the second direction's parameters come second.
  { name: 'bidirectional LSTM, HardSigmoid with per-direction parameters', op: 'LSTM', dirs: 2, attrs: {
    direction: 'bidirectional', activations: ['HardSigmoid', 'Tanh', 'Tanh', 'HardSigmoid', 'Tanh', 'Tanh'],
    activation_alpha: { floats: [1 / 6, 0.3] }, activation_beta: { floats: [0.5, 0.4] } } },
  // activation='linear' -> Affine(1, 0); 'relu' output activation.
  { name: 'LSTM Affine cell input, Relu output', op: 'LSTM', dirs: 1, attrs: { activations: ['Sigmoid', 'Affine', 'Relu'], activation_alpha: { floats: [1] }, activation_beta: { floats: [0] } } },
  { name: 'GRU HardSigmoid gates, reset_after', op: 'GRU', dirs: 1, attrs: { activations: ['HardSigmoid', 'Tanh'], activation_alpha: { floats: [0.2] }, activation_beta: { floats: [0.5] }, linear_before_reset: 1 } },
  { name: 'GRU Softsign candidate', op: 'GRU', dirs: 1, attrs: { activations: ['Sigmoid', 'Softsign'] } },
];

for (const c of CASES) {
  test(`unrolled ${c.name}: gradients match finite differences of the native op`, async () => {
    const G = c.op === 'LSTM' ? 4 : 3;
    const inputs: Record<string, number[]> = { x: [S, N, I], w: [c.dirs, G * H, I], r: [c.dirs, G * H, H], b: [c.dirs, 2 * G * H] };
    const model = tinyModel(inputs, (b, [x, w, r, bias]) => {
      const [y, yh] = b.node(c.op, [x!, w!, r!, bias!], { hidden_size: H, ...(c.attrs as Record<string, never>) }, c.op === 'LSTM' ? 3 : 2);
      const sy = b.op('ReduceSum', [b.op('ReduceSum', [y!, b.ints([0])], { keepdims: 0 }), b.ints([0])], { keepdims: 0 });
      return b.op('Add', [sy, b.op('ReduceSum', [yh!, b.ints([0])], { keepdims: 0 })]);
    });
    const feeds: Parameters<typeof checkGradients>[1] = {};
    let seed = 300;
    // HardSigmoid and Relu have kinks; keep pre-activations away from them by scale (FD step 1e-2).
    for (const [k, s] of Object.entries(inputs)) feeds[k] = randomArray(s, seed++, -0.9, 0.9);
    const errs = await checkGradients(model, feeds, 1e-2);
    for (const [k, e] of Object.entries(errs)) assert.ok(e < 3e-2, `${c.name} d/d${k}: relative error ${e}`);
  });
}
