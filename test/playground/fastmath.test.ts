/** The JavaScript exp and tanh used by the engine stay within a few ulp of the built-ins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fastExp, fastTanh } from '../../src/playground/fastmath.ts';
import { Rng } from '../../src/playground/random.ts';

/** Distance in units in the last place of `ref`. */
function ulps(x: number, ref: number): number {
  if (x === ref) return 0;
  const ulp = Math.max(Number.MIN_VALUE, Math.abs(ref) * Number.EPSILON);
  return Math.abs(x - ref) / ulp;
}

test('fastExp is within 2 ulp of Math.exp from underflow to overflow', () => {
  const rng = new Rng(9);
  let worst = 0;
  for (let i = 0; i < 200000; i++) {
    const x = i < 100000 ? rng.uniform(-40, 40) : rng.uniform(-745, 709.7);
    worst = Math.max(worst, ulps(fastExp(x), Math.exp(x)));
  }
  assert.ok(worst <= 2, `worst ${worst} ulp`);
  assert.equal(fastExp(0), 1);
  assert.equal(fastExp(800), Infinity);
  assert.equal(fastExp(-800), 0);
  assert.ok(Number.isNaN(fastExp(NaN)));
  assert.ok(fastExp(-740) > 0 && ulps(fastExp(-740), Math.exp(-740)) < 1e-3 / Number.EPSILON); // subnormal range stays close
});

test('fastTanh is within 3 ulp of Math.tanh and odd', () => {
  const rng = new Rng(10);
  let worst = 0;
  for (let i = 0; i < 200000; i++) {
    const x = i % 2 ? rng.uniform(-1, 1) : rng.uniform(-30, 30);
    worst = Math.max(worst, ulps(fastTanh(x), Math.tanh(x)));
    assert.equal(fastTanh(-x), -fastTanh(x));
  }
  assert.ok(worst <= 3, `worst ${worst} ulp`);
  for (const x of [1e-300, 1e-10, 0.6249999, 0.625, 19, 44, 45, 1e300]) assert.ok(ulps(fastTanh(x), Math.tanh(x)) <= 3, String(x));
  assert.ok(Object.is(fastTanh(-0), -0));
});
