/**
 * The committed card-fraud examples (examples/transactions, examples/transactions-attention): what
 * their metadata promises, their validation ROC AUC, and whether attributions and attention
 * weights point at the documented fraud rules (issue 5, Example 1). No retraining here.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FEATURE_NAMES } from '../../src/data/transactions.ts';
import { Engine } from '../../src/engine/engine.ts';
import { f32 } from '../../src/engine/ndarray.ts';
import { createMethod } from '../../src/explain/methods.ts';
import { openModel } from '../../src/formats/registry.ts';
import { loadModelInput } from '../../src/io/input.ts';
import { readModelFacts } from '../../src/io/preprocess.ts';
import { loadTabular } from '../../src/io/tabular.ts';
import { classLogProb, rocAuc } from '../../src/train/metrics.ts';
import { transactionsSplit, type TransactionsSplit } from '../../src/train/examples/transactions.ts';
import type { TrainingLogJson } from '../../src/train/log.ts';
import { ROOT } from '../helpers/shared.ts';
import { describeRanking, ruleRanking } from './ranking.ts';

const MLP = join(ROOT, 'examples', 'transactions');
const ATT = join(ROOT, 'examples', 'transactions-attention');
const F = FEATURE_NAMES.length;

let split: TransactionsSplit | undefined;
const data = (): TransactionsSplit => (split ??= transactionsSplit());

/** Validation fraud rows that some rule explains (the ones with a known answer), first `count`. */
function fraudRows(count: number): { x: Float32Array; hits: Uint8Array } {
  const { all, validationStart: v0 } = data();
  const rows: number[] = [];
  for (let i = v0; i < all.n && rows.length < count; i++) if (all.y[i] === 1 && all.ruleHits[i]) rows.push(i);
  const x = new Float32Array(rows.length * F);
  rows.forEach((r, k) => x.set(all.x.subarray(r * F, (r + 1) * F), k * F));
  return { x, hits: Uint8Array.from(rows, (r) => all.ruleHits[r]!) };
}

async function withEngine<T>(dir: string, f: (e: Engine) => Promise<T>): Promise<T> {
  const engine = Engine.fromModel(await openModel(join(dir, 'model.onnx')));
  try { return await f(engine); } finally { await engine.dispose(); }
}

test('metadata says what the models take and give; every sample runs without flags, fraud samples flagged', async () => {
  for (const dir of [MLP, ATT]) {
    const model = await openModel(join(dir, 'model.onnx'));
    const facts = readModelFacts(model.metadata, model.path);
    assert.deepEqual(facts.featureNames, FEATURE_NAMES);
    assert.deepEqual(facts.labels, ['normal', 'fraud']);
    assert.equal(facts.inputKind, 'tabular');
    assert.equal(facts.outputKind, 'logits');
    assert.ok(facts.trainingLog && existsSync(join(dir, facts.trainingLog)), 'the training log the metadata names exists');
    assert.deepEqual(readFileSync(join(dir, 'labels.txt'), 'utf8').trim().split('\n'), ['normal', 'fraud']);
    if (dir === ATT) assert.deepEqual(model.graph.outputs, ['logits', 'attention']);
    const engine = Engine.fromModel(model);
    try {
      const input = engine.inputs()[0]!;
      for (const name of ['fraud-night_far_large', 'fraud-online_velocity', 'fraud-cnp_foreign_unusual', 'normal']) {
        const file = join(dir, 'samples', `${name}.csv`);
        const x = await loadModelInput(file, { inputShape: input.shape, inputName: input.name, metadata: model.metadata, modelFile: model.path });
        const out = await engine.run({ [input.name]: { dtype: 'float32', shape: x.shape, data: x.data } });
        const p = Math.exp(classLogProb(out.outputs.logits!.data as Float32Array, 2, 1)[0]!);
        if (name === 'normal') assert.ok(p < 0.5, `${dir} ${name}: p(fraud) ${p}`);
        else assert.ok(p > 0.5, `${dir} ${name}: p(fraud) ${p}`);
      }
      // The labelled rows: the is_fraud column is ignored, the features are matched by name.
      const rows = loadTabular(join(dir, 'samples', 'rows.csv'), { featureNames: FEATURE_NAMES, inputShape: input.shape });
      assert.equal(rows.rows, 8);
      // The reference files: a baseline row and KernelSHAP background rows.
      assert.equal(loadTabular(join(dir, 'reference', 'background.csv'), { featureNames: FEATURE_NAMES }).rows, 50);
      assert.ok(existsSync(join(dir, 'reference', 'baseline.npy')));
    } finally { await engine.dispose(); }
  }
});

test('validation ROC AUC of the committed models is at least 0.95, as their training logs say', async (t) => {
  const { validation } = data();
  for (const dir of [MLP, ATT]) {
    const auc = await withEngine(dir, async (e) => {
      const out = await e.run({ transaction: f32([validation.n, F], validation.x) });
      return rocAuc(classLogProb(out.outputs.logits!.data as Float32Array, 2, 1), validation.y);
    });
    const log = JSON.parse(readFileSync(join(dir, 'training-log.json'), 'utf8')) as TrainingLogJson;
    t.diagnostic(`${dir.split('/').pop()}: validation ROC AUC ${auc.toFixed(4)} (${validation.n} rows, ${validation.y.reduce((s, v) => s + v, 0)} fraud)`);
    assert.ok(auc >= 0.95, `AUC ${auc}`);
    assert.ok(Math.abs(auc - log.results.validation_auc!) < 1e-3, `training log says ${log.results.validation_auc}`);
  }
});

test('Integrated Gradients and KernelSHAP on fraud rows rank the rule features above the distractors', async (t) => {
  await withEngine(MLP, async (engine) => {
    const ig = fraudRows(100);
    const ctx = { engine, inputName: 'transaction', x: f32([ig.hits.length, F], ig.x), target: { kind: 'logprob' as const, tensor: 'logits' }, values: { index: new Array<number>(ig.hits.length).fill(1) } };
    const igMap = await createMethod('ig').attribute(ctx, { steps: 64, baseline: join(MLP, 'reference', 'baseline.npy') });
    const igRank = ruleRanking(Float32Array.from(igMap.map.data, Math.abs), ig.hits);
    t.diagnostic(describeRanking('Integrated Gradients', igRank));
    assert.ok(igRank.top3 > 0.5, describeRanking('IG', igRank));
    assert.ok(igRank.aboveDistractors >= 0.9, describeRanking('IG', igRank));

    const ks = fraudRows(40);
    const background = loadTabular(join(MLP, 'reference', 'background.csv'), { featureNames: FEATURE_NAMES }).data;
    const shap = await createMethod('kernelshap').attribute({ ...ctx, x: f32([ks.hits.length, F], ks.x), values: { index: new Array<number>(ks.hits.length).fill(1) }, seed: 1 }, { background });
    const shapRank = ruleRanking(Float32Array.from(shap.map.data, Math.abs), ks.hits);
    t.diagnostic(describeRanking('KernelSHAP', shapRank));
    assert.ok(shapRank.top3 > 0.5, describeRanking('KernelSHAP', shapRank));
    assert.ok(shapRank.aboveDistractors >= 0.8, describeRanking('KernelSHAP', shapRank));
  });
});

test("the attention block's weights rank the rule features above the distractors too", async (t) => {
  await withEngine(ATT, async (engine) => {
    const rows = fraudRows(1000);
    const out = await engine.run({ transaction: f32([rows.hits.length, F], rows.x) });
    const a = out.outputs.attention!.data as Float32Array;
    for (let r = 0; r < rows.hits.length; r++) {
      const sum = a.subarray(r * F, (r + 1) * F).reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, 'attention rows sum to 1');
    }
    const rank = ruleRanking(a, rows.hits);
    t.diagnostic(describeRanking('attention weights', rank));
    assert.ok(rank.top3 > 0.5, describeRanking('attention', rank));
    assert.ok(rank.aboveDistractors >= 0.9, describeRanking('attention', rank));
  });
});
