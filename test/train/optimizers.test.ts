/**
 * The optimizers against their published update formulas, step by step in float64 (STYLE.md 8):
 * SGD with momentum in PyTorch's form, Adam as Kingma & Ba 2015, Algorithm 1, decoupled weight
 * decay as Loshchilov & Hutter 2019, and the cosine schedule's end points.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam, Sgd, cosineLr, createOptimizer } from '../../src/train/optimizers.ts';

const G = [[0.5, -2, 0.001], [-0.25, 1, 3], [0.1, 0.1, -0.1]];
const P0 = [1, -1, 0.5];

function close(a: ArrayLike<number>, b: number[], tol: number, what: string): void {
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('SGD with momentum: v <- mu v + g, p <- p - lr v, over three steps', () => {
  const lr = 0.1, mu = 0.9;
  const p = Float32Array.from(P0), opt = new Sgd(lr, mu);
  const ref = [...P0], v = [0, 0, 0];
  for (const g of G) {
    opt.step(new Map([['w', p]]), new Map([['w', Float32Array.from(g)]]));
    for (let i = 0; i < 3; i++) { v[i] = mu * v[i]! + g[i]!; ref[i] -= lr * v[i]!; }
    close(p, ref, 1e-6, 'sgd');
  }
  // Step 1 is plain gradient descent: p1 = p0 - lr g1.
  const one = Float32Array.from(P0);
  new Sgd(lr, mu).step(new Map([['w', one]]), new Map([['w', Float32Array.from(G[0]!)]]));
  close(one, P0.map((x, i) => x - lr * G[0]![i]!), 1e-7, 'first step');
});

test('Adam: bias-corrected moments (Algorithm 1); the first step moves each weight by about lr', () => {
  const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const p = Float32Array.from(P0), opt = new Adam(lr, b1, b2, eps);
  const ref = [...P0], m = [0, 0, 0], v = [0, 0, 0];
  G.forEach((g, k) => {
    const t = k + 1;
    opt.step(new Map([['w', p]]), new Map([['w', Float32Array.from(g)]]));
    for (let i = 0; i < 3; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      ref[i] -= (lr * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps);
    }
    close(p, ref, 1e-6, `adam step ${t}`);
  });
  // m^ = g and v^ = g^2 after one step, so the update is lr * g / (|g| + eps): lr * sign(g), whatever the gradient's scale.
  const one = Float32Array.from(P0);
  new Adam(lr).step(new Map([['w', one]]), new Map([['w', Float32Array.from(G[0]!)]]));
  close(one, P0.map((x, i) => x - lr * Math.sign(G[0]![i]!) * (Math.abs(G[0]![i]!) / (Math.abs(G[0]![i]!) + eps))), 1e-6, 'first Adam step');
});

test('decoupled weight decay shrinks only the named parameter, by lr * lambda, beside the step', () => {
  const lr = 0.1, lambda = 0.5;
  const a = Float32Array.of(2), b = Float32Array.of(2);
  new Sgd(lr, 0, new Map([['a', lambda]])).step(new Map([['a', a], ['b', b]]), new Map([['a', Float32Array.of(0)], ['b', Float32Array.of(0)]]));
  close(a, [2 - lr * lambda * 2], 1e-7, 'decayed');
  close(b, [2], 0, 'not decayed');
  const c = Float32Array.of(2);
  new Adam(lr, 0.9, 0.999, 1e-8, new Map([['c', lambda]])).step(new Map([['c', c]]), new Map([['c', Float32Array.of(1)]]));
  close(c, [2 * (1 - lr * lambda) - lr * (1 / (1 + 1e-8))], 1e-6, 'AdamW');
});

test('optimizers refuse a missing gradient; the cosine schedule goes from lr to lr/100', () => {
  assert.throws(() => createOptimizer('adam', 1e-3).step(new Map([['w', new Float32Array(2)]]), new Map()), /no gradient/);
  assert.equal(createOptimizer('sgd', 0.1).name, 'sgd');
  assert.equal(cosineLr(0.1, 0, 100), 0.1);
  assert.ok(Math.abs(cosineLr(0.1, 50, 100) - (0.001 + 0.099 / 2)) < 1e-12);
  assert.ok(Math.abs(cosineLr(0.1, 100, 100) - 0.001) < 1e-12);
});
