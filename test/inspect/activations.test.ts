import assert from 'node:assert/strict';
import { test } from 'node:test';
import { f32 } from '../../src/engine/ndarray.ts';
import { GraphBuilder } from '../../src/engine/builder.ts';
import { emptyGraph } from '../../src/graph/ir.ts';
import { activationStats, channelAxis, channelAxisIn, featureMaps } from '../../src/inspect/activations.ts';

/** [N=2, C=3, H=2, W=2] with channel c of sample n filled from a formula; channel 1 all zero. */
function nchw(): Float32Array {
  const v = new Float32Array(2 * 3 * 4);
  for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) {
    v[((n * 3 + c) * 4) + i] = c === 1 ? 0 : c === 0 ? i + n : Math.max(0, i - 2);
  }
  return v;
}

/** The same values laid out NHWC. */
function toNhwc(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let i = 0; i < 4; i++) out[(n * 4 + i) * 3 + c] = v[(n * 3 + c) * 4 + i]!;
  return out;
}

test('per-channel mean, max, min, zeros and dead channels, pooled over batch and space', () => {
  const s = activationStats(f32([2, 3, 2, 2], nchw()), 'NCHW');
  assert.equal(s.channelAxis, 1);
  assert.equal(s.valuesPerChannel, 8);
  // Channel 0: sample 0 -> 0,1,2,3; sample 1 -> 1,2,3,4.
  assert.deepEqual(s.channels[0], { channel: 0, mean: 2, max: 4, min: 0, zeros: 1 / 8, dead: false });
  assert.deepEqual(s.channels[1], { channel: 1, mean: 0, max: 0, min: 0, zeros: 1, dead: true });
  // Channel 2: max(0, i - 2) -> 0,0,0,1 twice.
  assert.deepEqual(s.channels[2], { channel: 2, mean: 0.25, max: 1, min: 0, zeros: 6 / 8, dead: false });
  assert.equal(s.overall.deadChannels, 1);
  assert.equal(s.overall.zeros, (1 + 8 + 6) / 24);
  assert.equal(s.overall.max, 4);
});

test('NHWC gives the same statistics as NCHW for the same activation', () => {
  const a = activationStats(f32([2, 3, 2, 2], nchw()), 'NCHW');
  const b = activationStats(f32([2, 2, 2, 3], toNhwc(nchw())), 'NHWC');
  assert.equal(b.channelAxis, 3);
  assert.deepEqual(b.channels, a.channels);
  const m = featureMaps(f32([2, 2, 2, 3], toNhwc(nchw())), 'NHWC', 1);
  assert.deepEqual([m.c, m.h, m.w], [3, 2, 2]);
  assert.deepEqual([...m.planes], [...nchw().subarray(12, 24)]);
});

test('channel axes: 2-D units, channels first or last, sequences; NaN left out', () => {
  assert.equal(channelAxis([4, 10], 'NCHW'), 1);
  assert.equal(channelAxis([1, 8, 5], 'NCHW'), 1);
  assert.equal(channelAxis([1, 5, 8], 'NHWC'), 2);
  const g = emptyGraph('g');
  const b = new GraphBuilder(g, 't');
  const x = b.input('x', 'float32', [1, 2, 5]);
  const conv = b.op('Relu', [b.op('Conv', [x, b.floats(new Array(12).fill(0.1), [4, 2, 3])])]);
  const seq = b.op('Relu', [b.op('MatMul', [x, b.floats(new Array(20).fill(0.1), [5, 4])])]);
  assert.equal(channelAxisIn(g, conv, [1, 4, 3], 'NCHW'), 1, 'Conv1d output [N, C, L]');
  assert.equal(channelAxisIn(g, seq, [1, 2, 4], 'NCHW'), 2, 'a sequence [N, T, F]');
  assert.equal(channelAxisIn(g, seq, [1, 2, 4, 1], 'NCHW'), 1);
  const s = activationStats(f32([1, 3], [1, NaN, Infinity]), 'NCHW');
  assert.equal(s.nonFinite, 2);
  assert.ok(Number.isNaN(s.channels[1]!.mean));
});
