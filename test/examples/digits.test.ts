/**
 * The committed digits example (examples/digits): metadata that makes `nnlens run ... --input 7.png`
 * work without flags, its test accuracy, and where CAM and Grad-CAM look (issue 5, Example 2).
 * No retraining here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import { createMethod } from '../../src/explain/methods.ts';
import { camHeatmaps } from '../../src/explain/postprocess.ts';
import { openModel } from '../../src/formats/registry.ts';
import { loadModelInput } from '../../src/io/input.ts';
import { readModelFacts } from '../../src/io/preprocess.ts';
import { readLogDir } from '../../src/io/tfevents.ts';
import { DIGITS_CAM_LAYER, digitsSplit } from '../../src/train/examples/digits.ts';
import type { TrainingLogJson } from '../../src/train/log.ts';
import { accuracy } from '../../src/train/metrics.ts';
import { ROOT } from '../helpers/shared.ts';

const DIR = join(ROOT, 'examples', 'digits');
const MODEL = join(DIR, 'model.onnx');

async function withEngine<T>(f: (e: Engine) => Promise<T>): Promise<T> {
  const engine = Engine.fromModel(await openModel(MODEL));
  try { return await f(engine); } finally { await engine.dispose(); }
}

test('metadata: 28x28 grayscale in [0, 1], labels 0-9; `nnlens run model.onnx --input samples/7.png` needs no flags', async () => {
  const model = await openModel(MODEL);
  const facts = readModelFacts(model.metadata, model.path);
  assert.deepEqual(facts.preprocess, { layout: 'NCHW', size: [28, 28], color: 'grayscale', scale: 1 / 255, mean: [0], std: [1], fit: 'stretch' });
  assert.deepEqual(facts.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.equal(facts.inputKind, 'image');
  assert.ok(facts.trainingLog && existsSync(join(DIR, facts.trainingLog)));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'nnlens.mjs'), 'run', MODEL, '--input', join(DIR, 'samples', '7.png'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const top = JSON.parse(r.stdout).outputs[0].top[0][0];
  assert.equal(top.label, '7');
  assert.ok(top.probability > 0.9, `p = ${top.probability}`);
});

test('every sample PNG reads back as the tensor it was tested on, and the model gets them right', async (t) => {
  const pngs = readdirSync(join(DIR, 'samples')).filter((f) => f.endsWith('.png')).sort();
  assert.equal(pngs.length, 30, 'three per class');
  await withEngine(async (engine) => {
    const input = engine.inputs()[0]!;
    let right = 0;
    for (const f of pngs) {
      const x = await loadModelInput(join(DIR, 'samples', f), { inputShape: input.shape, inputName: input.name, metadata: engine.model.metadata, modelFile: MODEL });
      assert.deepEqual(x.shape, [1, 1, 28, 28]);
      const logits = (await engine.run({ image: { dtype: 'float32', shape: x.shape, data: x.data } })).outputs.logits!.data as Float32Array;
      if (accuracy(logits, [Number(f[0])], 10) === 1) right++;
    }
    t.diagnostic(`${right} of ${pngs.length} sample digits classified right`);
    assert.ok(right >= 28, `${right} of ${pngs.length}`);
  });
});

test('test accuracy of the committed CNN is at least 97%, as its training log says', async (t) => {
  const { test: set } = digitsSplit();
  const acc = await withEngine(async (engine) => {
    const logits = new Float32Array(set.n * 10);
    for (let i = 0; i < set.n; i += 500) {
      const B = Math.min(500, set.n - i);
      const out = await engine.run({ image: f32([B, 1, 28, 28], set.x.slice(i * 784, (i + B) * 784)) });
      logits.set(out.outputs.logits!.data as Float32Array, i * 10);
    }
    return accuracy(logits, set.y, 10);
  });
  const log = JSON.parse(readFileSync(join(DIR, 'training-log.json'), 'utf8')) as TrainingLogJson;
  t.diagnostic(`test accuracy ${(100 * acc).toFixed(2)}% on ${set.n} digits`);
  assert.ok(acc >= 0.97, `test accuracy ${acc}`);
  assert.ok(Math.abs(acc - log.results.test_accuracy!) < 1e-6);
  const runs = readLogDir(join(DIR, 'logs'));
  assert.equal(runs.get('validation')!.scalars.get('epoch_accuracy')!.length, log.epochs.length);
});

test('CAM and Grad-CAM put most of their mass on the strokes', async (t) => {
  const { test: set } = digitsSplit();
  const N = 100, S = 28;
  const x = set.x.slice(0, N * S * S), labels = Array.from(set.y.subarray(0, N));
  // Ink: pixels at least half white, dilated by one pixel (3x3).
  const ink = new Uint8Array(N * S * S);
  for (let n = 0; n < N; n++) for (let y = 0; y < S; y++) for (let c = 0; c < S; c++) {
    let hit = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy, cc = c + dx;
      if (yy >= 0 && yy < S && cc >= 0 && cc < S && x[n * S * S + yy * S + cc]! >= 0.5) hit = 1;
    }
    ink[n * S * S + y * S + c] = hit;
  }
  let inkShare = 0;
  for (const v of ink) inkShare += v;
  inkShare /= ink.length;
  await withEngine(async (engine) => {
    for (const method of ['cam', 'gradcam']) {
      const r = await createMethod(method).attribute({ engine, inputName: 'image', x: f32([N, 1, S, S], x), target: { kind: 'logit' }, values: { index: labels }, layer: DIGITS_CAM_LAYER }, {});
      const maps = camHeatmaps(r.map, S, S);
      let share = 0;
      maps.forEach((m, n) => {
        let inside = 0, total = 0;
        m.forEach((v, i) => { total += v; if (ink[n * S * S + i]) inside += v; });
        share += total > 0 ? inside / total : 0;
      });
      share /= N;
      t.diagnostic(`${method}: ${(100 * share).toFixed(1)}% of the normalized map on the ink (dilated by 1), which covers ${(100 * inkShare).toFixed(1)}% of the image (${N} test digits, layer ${DIGITS_CAM_LAYER})`);
      assert.ok(share > 0.5 && share > 1.5 * inkShare, `${method}: ${share} vs ink ${inkShare}`);
    }
  });
});
