import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModel } from '../../src/formats/registry.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';

test('ONNX: PyTorch module scopes become groups and initializers become params', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('onnx-gpt2-tiny-kvcache', 'model.onnx'));
  assert.equal(m.graph.nodes.length, 1120);
  const groups = new Set(m.graph.nodes.map((n) => n.group.join(' > ')));
  assert.ok([...groups].some((g) => g.startsWith('transformer > h.0')), [...groups].slice(0, 10).join(' | '));
  // Weights are not read while opening.
  const anyInit = [...m.graph.values.values()].find((v) => v.initializer && v.initializer.size > 1000)!;
  assert.equal(anyInit.initializer!.loaded, false);
  assert.equal(anyInit.initializer!.float32().length, anyInit.initializer!.size);
});

test('ONNX: missing external data opens graph-only and fails clearly when weights are read', { skip: NEEDS_SHARED }, async () => {
  const m = await openModel(real('onnx-external-data-missing-gpttt', 'model.onnx'));
  assert.equal(m.graph.nodes.length, 513);
  const ext = [...m.graph.values.values()].find((v) => v.initializer?.where.includes('model.onnx.data'))!;
  assert.throws(() => ext.initializer!.data(), /model\.onnx\.data: external data file is missing/);
});
