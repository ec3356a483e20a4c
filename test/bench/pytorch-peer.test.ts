// The PyTorch peer's output parsing, without Python (CI never runs Python).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PEER_RUNS, parsePeerOutput } from '../../bench/pytorch/peer.ts';

test('the figures are the last JSON line a peer script printed, whatever came before', () => {
  const out = [
    '/usr/lib/python3/dist-packages/torch/__init__.py: UserWarning: {not json}',
    '{"side": "pytorch", "bench": "gradcam", "model": "resnet50", "threads": 2, "torch": "1.13.0a0", "job_s": 10.1, "peak_rss_mb": 1007.4}',
    '',
  ].join('\n');
  const r = parsePeerOutput(out);
  assert.equal(r?.bench, 'gradcam');
  assert.equal(r?.job_s, 10.1);
  assert.equal(r?.peak_rss_mb, 1007.4);
  assert.equal(parsePeerOutput('Traceback (most recent call last):\n  ...\n'), undefined);
  assert.equal(parsePeerOutput('{"side": "nnlens"}\n'), undefined, 'only PyTorch-side lines count');
});

test('the peer runs are the ones issues 3 and 4 ask for', () => {
  const keys = PEER_RUNS.map((r) => `${r.script}:${r.options.model}:${r.options.batch ?? 1}`);
  assert.deepEqual(keys, ['fwd_bwd:resnet18:1', 'fwd_bwd:resnet50:1', 'gradcam:resnet50:32', 'ig:resnet50:32']);
  assert.equal(PEER_RUNS.find((r) => r.script === 'ig')?.options.steps, 50);
});
