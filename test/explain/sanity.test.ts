/**
 * The model-randomization sanity check (Adebayo et al. 2018): Spearman correlation by hand,
 * randomized clones that leave the original model alone, a gradient map that passes, and a "map"
 * that ignores the model (the input's own magnitude) that fails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../../src/explain/method.ts';
import { createMethod } from '../../src/explain/methods.ts';
import { cascadingRandomization, parametricLayers, randomizeLayers, spearman } from '../../src/explain/sanity.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { zooEntry } from '../helpers/zoo.ts';

async function gapContext(): Promise<ExplainContext> {
  const z = zooEntry('gap_cnn');
  const engine = Engine.fromModel(await openModel(z.model));
  return { engine, inputName: engine.inputs()[0]!.name, x: readNpy(z.input) as NdArray & { data: Float32Array }, target: { kind: 'logit' }, values: { index: [z.target] }, layer: 'features' };
}

/** A "map" that ignores the model: the input's magnitude (an edge detector would do the same). */
class InputMagnitude extends Attribution {
  readonly name = 'input-magnitude';
  readonly displayName = 'input magnitude';
  readonly space = 'input' as const;
  readonly citation = 'test double';
  async attribute(ctx: ExplainContext): Promise<AttributionResult> {
    return { map: f32Array(ctx.x.shape, ctx.x.data.map(Math.abs)), space: 'input' };
  }
}

test('Spearman rank correlation: hand-worked values, ties averaged, NaN for a constant side', () => {
  assert.equal(spearman([1, 2, 3], [10, 20, 15]), 0.5);
  assert.ok(Math.abs(spearman([1, 1, 2], [1, 2, 3]) - 1.5 / Math.sqrt(3)) < 1e-12);
  assert.equal(spearman([1, 2, 3, 4], [40, 30, 20, 10]), -1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});

test('randomizeLayers: a clone with re-initialized weights of the same scale; the original is untouched', async () => {
  const model = await openModel(zooEntry('gap_cnn').model);
  const layers = parametricLayers(model);
  assert.ok(layers.length >= 3, `layers: ${layers.map((n) => n.name)}`);
  // From the output down: the dense head first.
  assert.equal(layers[0]!.op, 'Gemm');
  const top = layers[0]!.params.find((p) => p.tensor.shape.length >= 2)!;
  const before = Float32Array.from(top.tensor.float32());
  const random = randomizeLayers(model, layers.slice(0, 1), 3);
  const after = random.graph.values.get(top.name)!.initializer!.float32();
  assert.deepEqual(top.tensor.float32(), before, 'original weights unchanged');
  assert.notDeepEqual(after, before);
  const std = (a: Float32Array): number => { const m = a.reduce((s, v) => s + v, 0) / a.length; return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length); };
  assert.ok(Math.abs(std(after) / std(before) - 1) < 0.25, `std ${std(after)} vs ${std(before)}`);
  // Layers below are shared, not copied; the same seed gives the same weights.
  assert.equal(random.graph.values.get(layers[1]!.params[0]!.name)!.initializer, model.graph.values.get(layers[1]!.params[0]!.name)!.initializer);
  assert.deepEqual(randomizeLayers(model, layers.slice(0, 1), 3).graph.values.get(top.name)!.initializer!.float32(), after);
  // And the randomized model computes something else.
  const x = readNpy(zooEntry('gap_cnn').input) as NdArray;
  const e0 = Engine.fromModel(model), e1 = Engine.fromModel(random);
  try {
    const [a, b] = [await e0.run({ input: x }), await e1.run({ input: x })];
    assert.notDeepEqual(a.outputs.logits!.data, b.outputs.logits!.data);
  } finally { await e0.dispose(); await e1.dispose(); }
});

test('gap_cnn: saliency and Grad-CAM pass the cascade; a map that ignores the model fails it', async () => {
  const ctx = await gapContext();
  try {
    const sal = await cascadingRandomization(ctx, createMethod('saliency'), {}, { seed: 1 });
    assert.equal(sal.rows.length, parametricLayers(ctx.engine.model).length);
    assert.ok(sal.passes, sal.verdict);
    assert.match(sal.verdict, /^passes/);
    assert.ok(sal.rows.every((r) => r.spearman <= 1 && r.spearman >= -1));
    const gc = await cascadingRandomization(ctx, createMethod('gradcam'), {}, { seed: 1 });
    assert.ok(gc.passes, gc.verdict);
    const rows: number[] = [];
    const fake = await cascadingRandomization(ctx, new InputMagnitude(), {}, { onRow: (r) => rows.push(r.spearman) });
    assert.equal(fake.passes, false);
    assert.match(fake.verdict, /^FAILS: the map does not depend on the model's parameters/);
    assert.ok(rows.every((r) => Math.abs(r - 1) < 1e-9), `${rows}`);
  } finally { await ctx.engine.dispose(); }
});
