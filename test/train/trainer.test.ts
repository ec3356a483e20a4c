/**
 * The trainer itself, on small networks that train in seconds (the bundled examples are not
 * retrained here): its loss gradient against finite differences of a forward run, the loss going
 * down with Adam and with SGD, the same seed giving the same weights, and the logs it writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Random } from '../../src/data/random.ts';
import { Engine } from '../../src/engine/engine.ts';
import { readLogDir } from '../../src/io/tfevents.ts';
import { buildAttentionMlp } from '../../src/train/attention-mlp.ts';
import { buildCnn } from '../../src/train/cnn.ts';
import { TrainingLog, type TrainingLogJson } from '../../src/train/log.ts';
import { crossEntropy } from '../../src/train/metrics.ts';
import { buildMlp } from '../../src/train/mlp.ts';
import { paramValues, type Network } from '../../src/train/net.ts';
import { Adam, Sgd } from '../../src/train/optimizers.ts';
import { Evaluator, batchGradients, train, type Dataset } from '../../src/train/trainer.ts';
import type { TabularScaling } from '../../src/train/tabular-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'nnlens-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const identity = (F: number): TabularScaling => ({ logMask: new Float32Array(F), mean: new Float32Array(F), std: new Float32Array(F).fill(1) });

/** Two classes that no linear model separates: the label is whether x0 * x1 > 0 (XOR of signs); x2, x3 are noise. */
function xorData(n: number, seed: number): Dataset {
  const rng = new Random(seed);
  const x = new Float32Array(n * 4), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = 2 * rng.uniform() - 1;
    y[i] = x[i * 4]! * x[i * 4 + 1]! > 0 ? 1 : 0;
  }
  return { x, y, n, itemShape: [4] };
}

const mlp = (seed: number): Network => buildMlp({ features: ['a', 'b', 'c', 'd'], hidden: [16, 16], classes: 2, scaling: identity(4), seed });

/** Central differences of the mean cross-entropy (forward runs only) at `count` coordinates of every parameter vs the engine's gradient. */
async function checkGradient(net: Network, x: Float32Array, y: number[], itemShape: number[], classes: number, count = 6): Promise<void> {
  const engine = Engine.fromModel(net.model);
  const ev = await Evaluator.create(net);
  try {
    const params = paramValues(net);
    const { loss, grads } = await batchGradients(engine, net, params, x, y, itemShape);
    const data = { x, n: y.length, itemShape };
    assert.ok(Math.abs(loss - crossEntropy(await ev.evaluate(params, data, classes), y, classes)) < 1e-5, 'loss = mean cross-entropy');
    const rng = new Random(5);
    for (const name of net.params) {
      const p = params.get(name)!, g = grads.get(name)!;
      let num2 = 0, den2 = 0;
      for (let k = 0; k < Math.min(count, p.length); k++) {
        const i = rng.int(0, p.length - 1), keep = p[i]!, h = 1e-2;
        p[i] = keep + h; const up = crossEntropy(await ev.evaluate(params, data, classes), y, classes);
        p[i] = keep - h; const down = crossEntropy(await ev.evaluate(params, data, classes), y, classes);
        p[i] = keep;
        const fd = (up - down) / (2 * h);
        num2 += (fd - g[i]!) ** 2; den2 += fd ** 2 + g[i]! ** 2;
      }
      const rel = Math.sqrt(num2 / Math.max(den2, 1e-12));
      assert.ok(rel < 3e-2 || Math.sqrt(num2) < 1e-4, `${name}: relative error ${rel.toExponential(2)}`);
    }
  } finally {
    await engine.dispose();
    await ev.dispose();
  }
}

test('the loss gradient (engine logprob gradients / -B) matches finite differences: MLP, attention MLP, CNN', async () => {
  const d = xorData(8, 1);
  await checkGradient(mlp(3), d.x, Array.from(d.y), [4], 2);
  const att = buildAttentionMlp({ features: ['a', 'b', 'c', 'd'], hidden: [5], classes: 2, scaling: { ...identity(4), logMask: Float32Array.of(1, 0, 0, 0) }, seed: 4 });
  await checkGradient(att, d.x.map(Math.abs), Array.from(d.y), [4], 2);
  const cnn = buildCnn({ size: 8, channels: [3, 4], unpooled: 1, classes: 3, seed: 5 });
  const rng = new Random(6);
  await checkGradient(cnn, Float32Array.from({ length: 4 * 64 }, () => rng.uniform()), [0, 2, 1, 2], [1, 8, 8], 3);
});

test('Adam and SGD drive the loss down on a problem no linear model solves; the same seed gives the same weights', async () => {
  const trainSet = xorData(1200, 1), val = xorData(400, 2);
  const run = async (seed: number, opt: 'adam' | 'sgd') => {
    const net = mlp(seed);
    const r = await train(net, trainSet, val, { epochs: 15, batchSize: 32, optimizer: opt === 'adam' ? new Adam(1e-2) : new Sgd(0.1, 0.9), seed, classes: 2, metric: 'accuracy', progress: false });
    return { net, r };
  };
  const a = await run(1, 'adam');
  const first = a.r.history[0]!, last = a.r.history.at(-1)!;
  assert.ok(last.train.loss < 0.5 * first.train.loss, `Adam: loss ${first.train.loss} -> ${last.train.loss}`);
  assert.ok(last.validation.metric > 0.9, `Adam: validation accuracy ${last.validation.metric}`);
  const s = await run(1, 'sgd');
  assert.ok(s.r.history.at(-1)!.train.loss < 0.5 * s.r.history[0]!.train.loss, 'SGD: loss halves');
  const again = await run(1, 'adam'), other = await run(2, 'adam');
  const w = (n: Network) => Array.from(paramValues(n).get('fc1.weight')!);
  assert.deepEqual(w(again.net), w(a.net), 'same seed, same weights');
  assert.notDeepEqual(w(other.net), w(a.net), 'another seed, other weights');
});

test('the training log: TensorBoard runs train/ and validation/ with Keras tag names, and training-log.json', async () => {
  const out = join(dir, 'run');
  const log = new TrainingLog(out, 'accuracy', { example: 'xor' });
  const trainSet = xorData(256, 3), val = xorData(64, 4);
  const r = await train(mlp(1), trainSet, val, { epochs: 3, batchSize: 64, optimizer: new Adam(1e-2), seed: 1, classes: 2, metric: 'accuracy', schedule: 'cosine', log, progress: false });
  log.result('test_accuracy', 0.5);
  log.close();
  const runs = readLogDir(join(out, 'logs'));
  assert.deepEqual([...runs.keys()].sort(), ['train', 'validation']);
  const tr = runs.get('train')!, va = runs.get('validation')!;
  assert.equal(tr.scalars.get('batch_loss')!.length, 12, 'one point per step (4 steps x 3 epochs)');
  assert.deepEqual(tr.scalars.get('epoch_loss')!.map((p) => p.step), [1, 2, 3]);
  assert.ok(tr.scalars.has('epoch_accuracy') && tr.scalars.has('learning_rate'));
  assert.ok(tr.histograms.has('fc1.weight'), 'weight histograms');
  assert.deepEqual(va.scalars.get('epoch_accuracy')!.map((p) => Number(p.value.toFixed(5))), r.history.map((h) => Number(h.validation.metric.toFixed(5))));
  assert.equal(va.scalars.get('test_accuracy')![0]!.value, 0.5);
  const json = JSON.parse(readFileSync(join(out, 'training-log.json'), 'utf8')) as TrainingLogJson;
  assert.equal(json.format, 'nnlens.training-log/1');
  assert.equal(json.metric, 'accuracy');
  assert.equal(json.steps.length, 12);
  assert.equal(json.epochs.length, 3);
  assert.ok(json.epochs[2]!.lr < json.epochs[0]!.lr, 'cosine decay');
  assert.deepEqual(json.results, { test_accuracy: 0.5 });
  assert.ok(Math.abs(json.epochs[2]!.train.loss - r.history[2]!.train.loss) < 1e-5);
});
