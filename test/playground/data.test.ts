/** Datasets, CSV input and the URL state table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { csvDataset, defaultCsvChoice, parseCsv } from '../../src/playground/csv.ts';
import { DATASETS, dataset, DOMAIN, splitTrainTest } from '../../src/playground/datasets.ts';
import { FEATURES, featureColumns, featureRows, selectFeatures } from '../../src/playground/features.ts';
import { Rng } from '../../src/playground/random.ts';
import { Session, sessionData } from '../../src/playground/session.ts';
import { changeEffect, decodeCsv, defaultState, encodeCsv, parseHash, toHash } from '../../src/playground/state.ts';

test('the generator is seeded: same seed, same stream; uniform in range; normal has mean 0, sd 1', () => {
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const xa = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.next()));
  const r = new Rng(1);
  const ns = Array.from({ length: 20000 }, () => r.normal());
  const mean = ns.reduce((s, x) => s + x, 0) / ns.length;
  const sd = Math.sqrt(ns.reduce((s, x) => s + (x - mean) ** 2, 0) / ns.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `${mean} ${sd}`);
  for (let i = 0; i < 1000; i++) { const u = r.uniform(-2, 3); assert.ok(u >= -2 && u < 3); }
});

test('noise-free datasets follow their label rules (as TF Playground)', () => {
  const circle = dataset('circle').generate(500, 0, new Rng(1), 2);
  assert.equal(circle.length, 500);
  for (const p of circle) assert.equal(p.label, Math.hypot(p.x1, p.x2) < 2.5 ? 1 : 0);
  assert.equal(circle.filter((p) => p.label === 1).length, 250);
  const xor = dataset('xor').generate(500, 0, new Rng(1), 2);
  for (const p of xor) { assert.equal(p.label, p.x1 * p.x2 >= 0 ? 1 : 0); assert.ok(Math.abs(p.x1) >= 0.3 && Math.abs(p.x2) >= 0.3); }
  const plane = dataset('plane').generate(100, 0, new Rng(1), 2);
  for (const p of plane) assert.ok(Math.abs(p.label - (p.x1 + p.x2) / 10) < 1e-12);
  const mg = dataset('multigauss').generate(300, 0, new Rng(1), 2);
  for (const p of mg) assert.ok(p.label >= -1 && p.label <= 1);
  assert.ok(mg.some((p) => p.label > 0.5) && mg.some((p) => p.label < -0.5));
  for (const k of [2, 3, 5]) {
    for (const name of ['gauss', 'spiral'] as const) {
      const pts = dataset(name).generate(500, 0.1, new Rng(2), k);
      assert.deepEqual([...new Set(pts.map((p) => p.label))].sort(), Array.from({ length: k }, (_, i) => i), `${name} with ${k} classes`);
    }
  }
  for (const d of DATASETS) {
    for (const p of d.generate(d.samples, 0, new Rng(3), 2)) assert.ok(Math.abs(p.x1) <= DOMAIN && Math.abs(p.x2) <= DOMAIN, d.name);
  }
});

test('noise flips circle labels near the boundary', () => {
  const pts = dataset('circle').generate(500, 0.5, new Rng(1), 2);
  const flipped = pts.filter((p) => p.label !== (Math.hypot(p.x1, p.x2) < 2.5 ? 1 : 0)).length;
  assert.ok(flipped > 10 && flipped < 250, String(flipped));
});

test('train/test split keeps every point once, at the ratio', () => {
  const pts = dataset('xor').generate(500, 0, new Rng(1), 2);
  const { train, test: tst } = splitTrainTest(pts, 0.3, new Rng(4));
  assert.equal(train.length, 150);
  assert.equal(tst.length, 350);
  assert.deepEqual(new Set([...train, ...tst]), new Set(pts));
});

test('features: formulas, display order, row- and feature-major layouts agree', () => {
  assert.equal(FEATURES.length, 7);
  const f = selectFeatures(['sinx2', 'x1', 'x1x2']);
  assert.deepEqual(f.map((x) => x.name), ['x1', 'x1x2', 'sinx2']);
  const rows = featureRows(f, [{ x1: 2, x2: 3 }, { x1: -1, x2: 0.5 }]);
  assert.deepEqual([...rows], [2, 6, Math.sin(3), -1, -0.5, Math.sin(0.5)]);
  const cols = featureColumns(f, [2, -1], [3, 0.5]);
  assert.deepEqual([...cols], [2, -1, 6, -0.5, Math.sin(3), Math.sin(0.5)]);
});

test('CSV: header detection, quotes, separators, class and regression labels', () => {
  const t = parseCsv('height;weight;"species, name"\n1.5;60;"cat"\n1.7;80;dog\n1.2;40;cat\n', 'pets.csv');
  assert.deepEqual(t.columns, ['height', 'weight', 'species, name']);
  assert.equal(t.rows.length, 3);
  const d = csvDataset(t, defaultCsvChoice(t), 'pets.csv');
  assert.equal(d.task, 'classification');
  assert.deepEqual(d.classNames, ['cat', 'dog']);
  assert.deepEqual(d.points.map((p) => p.label), [0, 1, 0]);
  // Coordinates are rescaled to [-5, 5].
  assert.deepEqual(d.points.map((p) => p.x1), [1.0000000000000009, 5, -5]);
  const noHeader = parseCsv('0.1,0.2,0.5\n0.3,0.1,0.25\n0.2,0.9,-0.75\n0.5,0.5,0.1\n', 'r.csv');
  assert.deepEqual(noHeader.columns, ['column 1', 'column 2', 'column 3']);
  const r = csvDataset(noHeader, defaultCsvChoice(noHeader), 'r.csv');
  assert.equal(r.task, 'regression');
  assert.equal(Math.max(...r.points.map((p) => p.label)), 1);
  assert.equal(Math.min(...r.points.map((p) => p.label)), -1);
  // Integer labels with few values are classes; the user can force regression.
  const ints = parseCsv('a,b,c\n1,2,0\n2,3,1\n3,1,2\n', 'i.csv');
  assert.equal(csvDataset(ints, defaultCsvChoice(ints)).classNames.length, 3);
  assert.equal(csvDataset(ints, { ...defaultCsvChoice(ints), task: 'regression' }).task, 'regression');
});

test('CSV errors name the file and the problem', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n', 'two.csv'), (e: unknown) => e instanceof NnlensError && /two\.csv: needs two numeric columns and a label column/.test(e.message));
  assert.throws(() => parseCsv('a,b,c\n1,2,3\n4,5\n', 'ragged.csv'), /ragged\.csv: line 3 has 2 cells, expected 3/);
  const t = parseCsv('x,y,c\n1,oops,a\n2,3,b\n', 'bad.csv');
  assert.throws(() => csvDataset(t, { x1: 0, x2: 1, label: 2, task: 'auto' }, 'bad.csv'), /bad\.csv: column "y", data row 1: "oops" is not a number/);
  const one = parseCsv('x,y,c\n1,2,a\n2,3,a\n', 'one.csv');
  assert.throws(() => csvDataset(one, defaultCsvChoice(one), 'one.csv'), /single class/);
});

test('a CSV travels in the URL hash and trains', () => {
  const rows = ['u,v,kind'];
  const rng = new Rng(1);
  for (let i = 0; i < 200; i++) { const u = rng.uniform(0, 10); const v = rng.uniform(0, 10); rows.push(`${u},${v},${u > v ? 'above' : 'below'}`); }
  const text = rows.join('\n');
  assert.equal(decodeCsv(encodeCsv(text)), text);
  const state = { ...defaultState(), dataset: 'csv' as const, csv: encodeCsv(text), csvName: 'mine.csv', hidden: [4] };
  const back = parseHash(`#${toHash(state)}`);
  assert.equal(back.csv, state.csv);
  const data = sessionData(back);
  assert.deepEqual(data.axes, ['u', 'v', 'kind']);
  assert.deepEqual(data.classNames, ['above', 'below']);
  const s = new Session(back);
  const l0 = s.losses().test;
  for (let i = 0; i < 30; i++) s.trainEpoch();
  assert.ok(s.losses().test < 0.5 * l0, `${l0} -> ${s.losses().test}`);
});

test('URL state: round trip, defaults omitted, bad values fall back, effects by property', () => {
  assert.equal(toHash(defaultState()), '');
  const s = { ...defaultState(), dataset: 'spiral' as const, classes: 4, hidden: [8, 8, 8], features: ['x1' as const, 'sinx2' as const], learningRate: 0.1, optimizer: 'adam' as const, showTest: true };
  const h = toHash(s);
  assert.deepEqual(parseHash(`#${h}`), s);
  const bad = parseHash('#hidden=3,x&activation=nope&noise=500&learningRate=abc&unknown=1&features=zz');
  assert.deepEqual(bad.hidden, [4, 2]);
  assert.equal(bad.activation, 'tanh');
  assert.equal(bad.noise, 50); // clamped
  assert.equal(bad.learningRate, 0.03);
  assert.deepEqual(bad.features, ['x1', 'x2']);
  assert.deepEqual(parseHash('#hidden=40,1').hidden, [32, 1]);
  const d = defaultState();
  assert.equal(changeEffect(d, { ...d, noise: 10 }), 'data');
  assert.equal(changeEffect(d, { ...d, hidden: [3] }), 'network');
  assert.equal(changeEffect(d, { ...d, learningRate: 1 }), 'live');
  assert.equal(changeEffect(d, { ...d, showTest: true }), 'view');
  assert.equal(changeEffect(d, { ...d, showTest: true, activation: 'relu' }), 'network');
  assert.equal(changeEffect(d, { ...d }), undefined);
});

test('ten hidden layers of 32 neurons, 6 classes, Adam: one step runs and the loss is finite', () => {
  const s = new Session(parseHash('#dataset=gauss&classes=6&hidden=32,32,32,32,32,32,32,32,32,32&activation=relu&optimizer=adam&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2'));
  assert.equal(s.net.sizes.length, 12);
  const r = s.step(true);
  assert.ok(Number.isFinite(r.loss));
  assert.equal(r.trace!.prediction.length, 10 * 6);
  s.trainEpoch();
  assert.ok(Number.isFinite(s.losses().test));
});

test('live changes apply without resetting: learning rate and batch size', () => {
  const s = new Session(parseHash('#dataset=xor'));
  s.trainEpoch();
  const w = s.net.params.slice();
  s.applyLive(parseHash('#dataset=xor&batchSize=25&learningRate=0.1'));
  assert.deepEqual(s.net.params, w);
  assert.equal(s.stepsPerEpoch, 10);
  assert.equal(s.step().indices.length, 25);
});
