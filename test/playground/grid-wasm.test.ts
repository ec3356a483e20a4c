/**
 * The float32 WebAssembly kernel used to draw heatmaps agrees with the float64 engine to well
 * below one colour level (256 levels over [-1, 1] are 0.008 apart).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVATION_NAMES } from '../../src/playground/activations.ts';
import { batchBuffers, forwardBatch } from '../../src/playground/batch.ts';
import { WasmGrid, wasmTanh } from '../../src/playground/grid-wasm.ts';
import { Network } from '../../src/playground/network.ts';
import { Rng } from '../../src/playground/random.ts';

test('WasmGrid.forward agrees with forwardBatch (every activation, several shapes) to 1e-5 relative', () => {
  const shapes: [number, number[], number][] = [[7, [8, 8, 8, 8, 8, 8], 2], [2, [], 3], [3, [32, 1, 5], 1]];
  let worst = 0;
  for (const [inputs, hidden, outputs] of shapes) {
    for (const act of ACTIVATION_NAMES) {
      const rng = new Rng(inputs * 31 + hidden.length);
      const net = Network.init({ inputs, hidden, outputs, activation: act, loss: outputs === 1 ? 'mse' : 'softmax-ce' }, rng);
      const P = 512;
      const g = WasmGrid.create(net, P);
      assert.ok(g, 'WebAssembly SIMD is available in Node 20');
      const ref = batchBuffers(net, P);
      for (let j = 0; j < inputs * P; j++) ref.a[0][j] = Math.fround(rng.uniform(-6, 6)); // same inputs in both precisions
      g.a[0].set(ref.a[0]);
      for (let round = 0; round < 2; round++) {
        forwardBatch(net, ref);
        g.forward();
        for (let l = 1; l <= net.depth; l++) {
          for (let q = 0; q < ref.a[l].length; q++) {
            const err = Math.abs(g.a[l][q] - ref.a[l][q]) / (1 + Math.abs(ref.a[l][q]));
            worst = Math.max(worst, err);
            assert.ok(err < 1e-5, `${act}, layer ${l}, value ${q}: wasm ${g.a[l][q]} vs engine ${ref.a[l][q]}`);
          }
        }
        net.params[0] += 0.5; // new weights are picked up on the next call
      }
    }
  }
  assert.ok(worst > 0, 'float32 differs somewhere (the comparison is live)');
});

test('the kernel tanh is within 2e-7 of Math.tanh, saturating to +-1', () => {
  const rng = new Rng(5);
  const xs = [0, 1e-30, -1e-7, 0.3, -0.3466, 0.625, 1, 4, 8.99, 9, 20, -1e30];
  for (let i = 0; i < 20000; i++) xs.push(rng.uniform(-1, 1), rng.uniform(-12, 12));
  const x32 = Float32Array.from(xs);
  const got = wasmTanh(x32)!;
  let worst = 0;
  x32.forEach((x, i) => { worst = Math.max(worst, Math.abs(got[i] - Math.tanh(x))); });
  assert.ok(worst < 2e-7, `worst absolute error ${worst}`);
  assert.equal(got[x32.indexOf(Math.fround(20))], 1);
  assert.equal(got[xs.length - 1 - 40000], -1);
});

test('WasmGrid refuses a number of points that is not a multiple of 16 (16 points per pass)', () => {
  const net = Network.init({ inputs: 2, hidden: [3], outputs: 2, activation: 'relu', loss: 'softmax-ce' }, new Rng(1));
  assert.equal(WasmGrid.create(net, 24), null);
  assert.ok(WasmGrid.create(net, 32));
});
