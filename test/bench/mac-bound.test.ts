/** bench/engine.ts's macBound: multiply-adds and conv time read from an ONNX Runtime profile. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macBound, type ProfileEvent } from '../../bench/engine.ts';

const node = (name: string, op: string, dur: number, ins: number[][], out: number[]): ProfileEvent => ({
  cat: 'Node', name: `${name}_kernel_time`, dur,
  args: { op_name: op, input_type_shape: ins.map((s) => ({ float: s })), output_type_shape: [{ float: out }] },
});

test('macBound counts twice the forward multiply-adds and splits conv from other kernel time', () => {
  const run = [
    // forward 3x3 conv 16->32 on 8x8: 32*8*8 outputs x 16*9 taps = 294912 MACs in 1 ms
    node('/layer1/conv/Conv_output_0_nchwc', 'Conv', 1000, [[1, 16, 8, 8], [32, 16, 3, 3], [32]], [1, 32, 8, 8]),
    // forward Gemm 32 -> 10: 320 MACs
    node('/fc/Gemm', 'Gemm', 50, [[1, 32], [10, 32], [10]], [1, 10]),
    // the engine's backward nodes: not counted as forward work, but timed
    node('nnlens/Conv_3_nchwc', 'Conv', 400, [[1, 32, 8, 8], [16, 32, 3, 3]], [1, 16, 8, 8]),
    node('nnlens/ConvTranspose_node_4', 'ConvTranspose', 600, [[1, 32, 4, 4]], [1, 16, 8, 8]),
    node('nnlens/Mul_node_5', 'Mul', 100, [[1, 32, 8, 8], [1, 32, 8, 8]], [1, 32, 8, 8]),
  ];
  const events: ProfileEvent[] = [{ name: 'model_run' }, ...run, { name: 'model_run' }, ...run];
  const b = macBound(events, 2);
  assert.equal(b.macs, 2 * (32 * 64 * 16 * 9 + 320));
  assert.equal(b.conv_ms, 2); // (1000 + 400 + 600) us per run
  assert.equal(b.other_ms, 0.2); // 0.15 rounds to 0.2 (Gemm 50 + Mul 100 us)
  // the 1 ms forward conv: 294912 MACs / 1000 us = 0.29 GMAC/s; the 0.4 ms backward one 294912 / 400 us = 0.74
  assert.equal(b.best_gmacs, 0.7);
});
