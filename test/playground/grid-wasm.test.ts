/** The WebAssembly kernel used to draw heatmaps gives exactly the JavaScript engine's values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACTIVATION_NAMES } from '../../src/playground/activations.ts';
import { batchBuffers, forwardBatch } from '../../src/playground/batch.ts';
import { fastTanh } from '../../src/playground/fastmath.ts';
import { WasmGrid, wasmTanh } from '../../src/playground/grid-wasm.ts';
import { Network } from '../../src/playground/network.ts';
import { Rng } from '../../src/playground/random.ts';

test('WasmGrid.forward equals forwardBatch bit for bit (every activation, several shapes)', () => {
  const shapes: [number, number[], number][] = [[7, [8, 8, 8, 8, 8, 8], 2], [2, [], 3], [3, [32, 1, 5], 1]];
  for (const [inputs, hidden, outputs] of shapes) {
    for (const act of ACTIVATION_NAMES) {
      const rng = new Rng(inputs * 31 + hidden.length);
      const net = Network.init({ inputs, hidden, outputs, activation: act, loss: outputs === 1 ? 'mse' : 'softmax-ce' }, rng);
      const P = 504;
      const g = WasmGrid.create(net, P);
      assert.ok(g, 'WebAssembly SIMD is available in Node 20');
      const ref = batchBuffers(net, P);
      for (let j = 0; j < inputs * P; j++) ref.a[0][j] = rng.uniform(-6, 6);
      g.a[0].set(ref.a[0]);
      forwardBatch(net, ref);
      g.forward();
      for (let l = 1; l <= net.depth; l++) {
        assert.deepEqual(g.z[l], ref.z[l], `z, layer ${l}, ${act}`);
        assert.deepEqual(g.a[l], ref.a[l], `a, layer ${l}, ${act}`);
      }
      // New weights are picked up on the next call.
      net.params[0] += 0.5;
      forwardBatch(net, ref);
      g.forward();
      assert.deepEqual(g.a[net.depth], ref.a[net.depth]);
    }
  }
});

test('WasmGrid refuses a number of points that is not a multiple of 8 (8 points per pass)', () => {
  const net = Network.init({ inputs: 2, hidden: [3], outputs: 2, activation: 'relu', loss: 'softmax-ce' }, new Rng(1));
  assert.equal(WasmGrid.create(net, 12), null);
  assert.ok(WasmGrid.create(net, 16));
});

test('the kernel tanh equals fastTanh bit for bit, branch edges and special values included', () => {
  const rng = new Rng(5);
  const xs = [0, -0, 1e-300, -1e-12, 7.450580596923828e-9, 7.45e-9, 0.625, -0.625, 0.6249999999999999, 1, 19.06, 44, -44, 44.000001, 1e300, -Infinity, Infinity, NaN];
  for (let i = 0; i < 20000; i++) xs.push(rng.uniform(-1, 1), rng.uniform(-50, 50), rng.normal(0, 1e-6));
  const got = wasmTanh(Float64Array.from(xs))!;
  xs.forEach((x, i) => assert.ok(Object.is(got[i], fastTanh(x)), `tanh(${x}): kernel ${got[i]} vs ${fastTanh(x)}`));
});
