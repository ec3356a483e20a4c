/** Update formulas of the optimizers, checked against values computed by hand from the papers' formulas. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, OPTIMIZERS, optimizerState } from '../../src/playground/optimizers.ts';

const close = (a: number, b: number, msg: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg}: ${a} vs ${b}`);

test('SGD: w <- w - lr g', () => {
  const p = Float64Array.of(1, -2);
  const st = optimizerState(2);
  OPTIMIZERS.sgd.update(p, Float64Array.of(0.5, -4), st, { ...DEFAULT_SETTINGS, learningRate: 0.1 });
  close(p[0], 0.95, 'w0');
  close(p[1], -1.6, 'w1');
});

test('SGD with momentum: v <- mu v + g; w <- w - lr v, over two steps', () => {
  const p = Float64Array.of(1);
  const st = optimizerState(1);
  const s = { ...DEFAULT_SETTINGS, learningRate: 0.1, momentum: 0.9 };
  OPTIMIZERS.momentum.update(p, Float64Array.of(2), st, s); // v = 2, w = 1 - 0.2
  close(p[0], 0.8, 'step 1');
  OPTIMIZERS.momentum.update(p, Float64Array.of(-1), st, s); // v = 1.8 - 1 = 0.8, w = 0.8 - 0.08
  close(st.m[0], 0.8, 'velocity');
  close(p[0], 0.72, 'step 2');
});

test('Adam: bias-corrected moments (Kingma & Ba, Algorithm 1), over two steps', () => {
  const p = Float64Array.of(0.5, 0.5);
  const st = optimizerState(2);
  const s = { ...DEFAULT_SETTINGS, learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  OPTIMIZERS.adam.update(p, Float64Array.of(3, -0.002), st, s);
  // Step 1: m^ = g, v^ = g^2, so the step is lr * g / (|g| + eps) ~ lr * sign(g), whatever |g| is.
  close(p[0], 0.5 - 0.01 * 3 / (3 + 1e-8), 'w0 step 1');
  close(p[1], 0.5 + 0.01 * 0.002 / (0.002 + 1e-8), 'w1 step 1');
  const g2 = 1;
  OPTIMIZERS.adam.update(p, Float64Array.of(g2, 0), st, s);
  const m = 0.9 * (0.1 * 3) + 0.1 * g2;
  const v = 0.999 * (0.001 * 9) + 0.001 * g2 * g2;
  const mh = m / (1 - 0.9 ** 2);
  const vh = v / (1 - 0.999 ** 2);
  close(p[0], 0.5 - 0.01 * 3 / (3 + 1e-8) - 0.01 * mh / (Math.sqrt(vh) + 1e-8), 'w0 step 2');
  assert.equal(st.t, 2);
});
