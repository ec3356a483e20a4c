/**
 * Gradients through lowered Keras models: `engine.gradients` on a real Keras CNN (the cat-vs-dog
 * classifier of ../shared) w.r.t. the input and w.r.t. a Conv2D layer's output, and on a real
 * Keras LSTM (hard_sigmoid gates, differentiated through engine/unroll-rnn.ts) w.r.t. its input,
 * each checked against central finite differences of the forward model on the entries with the
 * largest gradients.
 *
 * The CNN is very confident on any input (its softmax saturates), so the input is placed on its
 * decision boundary first: bisection along the segment between an input it calls "Dog" and one it
 * calls "Cat", as an attribution baseline path would go.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { f32, type NdArray } from '../../src/engine/ndarray.ts';
import { openModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/graph/ir.ts';
import { NEEDS_SHARED, real } from '../helpers/shared.ts';
import { randomArray } from './fd.ts';

type F32 = NdArray & { data: Float32Array };

/** Indices of the k largest |values|. */
function topK(a: Float32Array, k: number): number[] {
  return Array.from(a.keys()).sort((i, j) => Math.abs(a[j]!) - Math.abs(a[i]!)).slice(0, k);
}

/** Central differences of `f` along single entries of `x`, against `grad`; returns the worst error relative to max |grad|. */
async function fdError(x: F32, grad: Float32Array, idx: number[], eps: number, f: (x: F32) => Promise<number>): Promise<number> {
  let scale = 0;
  for (const g of grad) scale = Math.max(scale, Math.abs(g));
  let worst = 0;
  for (const i of idx) {
    const plus = f32(x.shape, Float32Array.from(x.data)), minus = f32(x.shape, Float32Array.from(x.data));
    plus.data[i]! += eps;
    minus.data[i]! -= eps;
    const fd = ((await f(plus)) - (await f(minus))) / (2 * eps);
    worst = Math.max(worst, Math.abs(fd - grad[i]!) / scale);
  }
  return worst;
}

/** The part of a Keras model after `layer`: its output becomes the graph input (to differentiate numerically w.r.t. it). */
function tailAfter(model: Model, layer: string): Model {
  const g = model.graph;
  const start = g.nodes.findIndex((n) => n.name === layer);
  const input = g.nodes[start]!.outputs[0]!;
  const graph = { ...g, nodes: g.nodes.slice(start + 1), inputs: [input] };
  return { ...model, graph };
}

test('Keras CNN (dogcat): d output[class] / d input and / d conv2d_2 match finite differences', { skip: NEEDS_SHARED }, async (t) => {
  const model = await openModel(real('dogcat-cnn-11tonytony11', 'model.h5'));
  const engine = Engine.fromModel(model);
  const input = model.graph.inputs[0]!;
  const out = model.graph.outputs[0]!;
  const prob = async (x: F32, cls = 0): Promise<number> => ((await engine.run({ [input]: x })).outputs[out]!.data as Float32Array)[cls]!;
  // Two 0-255 pictures it classifies differently, then bisection to P(class 0) in [0.2, 0.8].
  const noise = randomArray([1, 60, 60, 1], 3, 0, 255);
  const smooth = f32([1, 60, 60, 1], Float32Array.from({ length: 3600 }, (_, i) => 128 + 60 * Math.sin(0.1 * (i % 60)) * Math.cos(0.2 * Math.floor(i / 60))));
  assert.ok((await prob(noise)) < 0.5 && (await prob(smooth)) > 0.5, 'the two end points are classified differently');
  const mix = (s: number): F32 => f32(noise.shape, noise.data.map((v, i) => (1 - s) * v + s * smooth.data[i]!));
  let lo = 0, hi = 1, x = mix(0.5);
  for (let k = 0; k < 40; k++) {
    const mid = (lo + hi) / 2;
    x = mix(mid);
    const p = await prob(x);
    if (p > 0.2 && p < 0.8) break;
    if (p < 0.5) lo = mid; else hi = mid;
  }
  const p0 = await prob(x);
  assert.ok(p0 > 0.2 && p0 < 0.8, `boundary input found (P = ${p0})`);

  const r = await engine.gradients({ [input]: x }, { target: { kind: 'logit' }, wrt: [input, 'conv2d_2'], capture: ['conv2d_2'] }, { index: [0] });
  assert.ok(Math.abs(r.score[0]! - p0) < 1e-5, 'the score is the output value');
  const gx = r.grads[input]!.data as Float32Array;
  // Near its boundary this model moves P by ~3 per grey level, so the step must be small.
  const ex = await fdError(x, gx, topK(gx, 6), 1e-2, (v) => prob(v));

  const act = r.captured.conv2d_2![0]! as F32;
  const ga = r.grads.conv2d_2!;
  assert.deepEqual(ga.shape, act.shape, 'the layer gradient has the layer output shape (NHWC)');
  const tail = Engine.fromModel(tailAfter(model, 'conv2d_2'));
  const tailIn = tail.inputs()[0]!.name;
  const probTail = async (v: F32): Promise<number> => ((await tail.run({ [tailIn]: v })).outputs[out]!.data as Float32Array)[0]!;
  assert.ok(Math.abs((await probTail(act)) - p0) < 1e-5, 'the tail model continues from the captured activation');
  const gad = ga.data as Float32Array;
  const ea = await fdError(act, gad, topK(gad, 6), 1e-2, probTail);
  t.diagnostic(`P(class 0) = ${p0.toFixed(3)}; finite-difference error relative to max |grad|: input ${ex.toExponential(2)}, conv2d_2 ${ea.toExponential(2)}`);
  assert.ok(ex < 1e-2, `d/d input: ${ex}`);
  assert.ok(ea < 1e-2, `d/d conv2d_2: ${ea}`);
  await tail.dispose();
  await engine.dispose();
});

test('Keras LSTM with hard_sigmoid gates (char-LSTM, Keras 2.1.6): d output / d input matches finite differences through the unrolled layer', { skip: NEEDS_SHARED }, async (t) => {
  const model = await openModel(real('hdf5-named-dotkeras-deathgrips', 'model.keras'));
  const engine = Engine.fromModel(model);
  const input = model.graph.inputs[0]!;
  const out = model.graph.outputs[0]!;
  const x = randomArray([1, 40, 61], 8, 0, 1);
  const probs = (await engine.run({ [input]: x })).outputs[out]!.data as Float32Array;
  const cls = topK(probs, 1)[0]!; // the most likely next character: not saturated
  const prob = async (v: F32): Promise<number> => ((await engine.run({ [input]: v })).outputs[out]!.data as Float32Array)[cls]!;
  const r = await engine.gradients({ [input]: x }, { target: { kind: 'logit' }, wrt: [input] }, { index: [cls] });
  const g = r.grads[input]!.data as Float32Array;
  assert.ok(g.some((v) => v !== 0), 'gradients reach the input through the LSTM');
  const err = await fdError(x, g, topK(g, 6), 1e-2, prob);
  t.diagnostic(`P(class ${cls}) = ${r.score[0]!.toFixed(3)}; finite-difference error relative to max |grad| ${err.toExponential(2)}`);
  assert.ok(err < 1e-2, `d/d input: ${err}`);
  await engine.dispose();
});
