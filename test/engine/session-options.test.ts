/**
 * src/engine/runtime.ts sessionOptions: sessions of large graphs stop their thread pool's spinning
 * after each run (so one engine's sessions used in turn do not take each other's cores), small
 * ones keep spinning; and ONNX Runtime accepts the setting on a real session.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/engine/builder.ts';
import { getRuntime, sessionOptions, STOP_SPINNING_BYTES } from '../../src/engine/runtime.ts';
import { Session } from '../../src/engine/session.ts';
import { emptyGraph } from '../../src/graph/ir.ts';

const stops = (o: ReturnType<typeof sessionOptions>): boolean =>
  (o.extra as { session?: { force_spinning_stop?: string } } | undefined)?.session?.force_spinning_stop === '1';

test('large graphs stop spinning after each run, small ones do not, unknown sizes count as large', () => {
  assert.equal(stops(sessionOptions(STOP_SPINNING_BYTES)), true);
  assert.equal(stops(sessionOptions(45e6)), true);
  assert.equal(stops(sessionOptions()), true);
  assert.equal(stops(sessionOptions(STOP_SPINNING_BYTES - 1)), false);
  assert.equal(stops(sessionOptions(20_000)), false);
});

test('a session of a graph above the threshold is created with the stop and runs', async () => {
  await getRuntime();
  const g = emptyGraph('big');
  const b = new GraphBuilder(g, 't');
  const x = b.input('x', 'float32', [1, 512]);
  // 512 x 600 float32 weights: 1.2 MB serialized, above the 1 MiB threshold.
  const w = new Float32Array(512 * 600).map((_, i) => ((i % 7) - 3) / 7);
  const y = b.op('MatMul', [x, b.constant('float32', [512, 600], w)]);
  g.outputs = [y];
  g.values.get(y)!.dtype = 'float32';
  const s = await Session.create(g, { '': 17 });
  const out = await s.run({ x: { dtype: 'float32', shape: [1, 512], data: new Float32Array(512).fill(1) } });
  let expect0 = 0;
  for (let i = 0; i < 512; i++) expect0 += w[i * 600]!;
  assert.ok(Math.abs((out[y]!.data as Float32Array)[0]! - expect0) < 1e-3);
  await s.dispose();
});
