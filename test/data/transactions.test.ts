import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/data/random.ts';
import {
  DISTRACTORS, FEATURE_NAMES, FEATURES, LABEL_NOISE, MERCHANT_CATEGORIES, RULES, featureStats, generateTransactions, referenceRow, transactionsCsv,
} from '../../src/data/transactions.ts';
import { parseCsv } from '../../src/io/csv.ts';

const N = 60_000;
const data = generateTransactions({ n: N, seed: 11 });
const nf = FEATURE_NAMES.length;
const colOf = (name: string): number => FEATURE_NAMES.indexOf(name);
const value = (i: number, name: string): number => data.x[i * nf + colOf(name)]!;

test('seeded random stream is reproducible and roughly uniform / normal', () => {
  const a = new Random(5), b = new Random(5), c = new Random(6);
  const sa = Array.from({ length: 5 }, () => a.uint32());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.uint32()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.uint32()));
  const r = new Random(1);
  let s = 0, s2 = 0, g = 0;
  for (let i = 0; i < 20000; i++) { const n = r.normal(); s += n; s2 += n * n; g += r.gamma(2, 1); }
  assert.ok(Math.abs(s / 20000) < 0.03 && Math.abs(s2 / 20000 - 1) < 0.05, 'normal mean 0, variance 1');
  assert.ok(Math.abs(g / 20000 - 2) < 0.05, 'gamma(2, 1) mean 2');
});

test('same seed, same bytes; another seed, other rows', () => {
  const again = generateTransactions({ n: 2000, seed: 11 });
  assert.deepEqual(again.x, data.x.subarray(0, 2000 * nf));
  assert.deepEqual(again.y, data.y.subarray(0, 2000));
  const other = generateTransactions({ n: 2000, seed: 12 });
  assert.notDeepEqual(other.x, again.x);
});

test('about 2% fraud, for several seeds', () => {
  for (const seed of [1, 2, 3]) {
    const d = seed === 1 ? data : generateTransactions({ n: N, seed });
    const rate = d.y.reduce((a, b) => a + b, 0) / d.n;
    assert.ok(rate > 0.016 && rate < 0.024, `seed ${seed}: fraud rate ${(rate * 100).toFixed(2)}%`);
  }
});

test('fraud follows the documented rules: rule hits are fraud ~92%, other rows almost never', () => {
  let hit = 0, hitFraud = 0, miss = 0, missFraud = 0, fraudExplained = 0, fraud = 0;
  for (let i = 0; i < N; i++) {
    const row = data.x.subarray(i * nf, (i + 1) * nf);
    const holds = RULES.some((r) => r.holds(row));
    assert.equal(holds, data.ruleHits[i] !== 0, `row ${i}: ruleHits agrees with the rules`);
    if (holds) { hit++; hitFraud += data.y[i]!; } else { miss++; missFraud += data.y[i]!; }
    if (data.y[i]) { fraud++; if (holds) fraudExplained++; }
  }
  assert.ok(Math.abs(hitFraud / hit - LABEL_NOISE.ruleHit) < 0.03, `fraud among rule hits ${(hitFraud / hit).toFixed(3)}`);
  assert.ok(missFraud / miss < 0.002, `fraud among other rows ${(missFraud / miss).toFixed(4)}`);
  assert.ok(fraudExplained / fraud > 0.95, `share of fraud explained by a rule ${(fraudExplained / fraud).toFixed(3)}`);
  // Every rule contributes a fair share of the fraud.
  for (const [k, r] of RULES.entries()) {
    let n = 0;
    for (let i = 0; i < N; i++) if (data.y[i] && data.ruleHits[i]! & (1 << k)) n++;
    assert.ok(n / fraud > 0.2, `rule ${r.id} explains ${n} of ${fraud} fraud rows`);
  }
});

test('rule features and distractors are exported and consistent', () => {
  assert.equal(new Set(FEATURE_NAMES).size, FEATURE_NAMES.length);
  assert.equal(FEATURES.length, 13);
  assert.ok(DISTRACTORS.length >= 3);
  for (const r of RULES) {
    assert.ok(r.features.length >= 2);
    for (const f of r.features) assert.ok(FEATURE_NAMES.includes(f) && !DISTRACTORS.includes(f), `${r.id}: ${f}`);
  }
});

test('distractors carry no information about fraud', () => {
  const stats = featureStats(data);
  for (const name of DISTRACTORS) {
    const j = colOf(name);
    let sf = 0, nfraud = 0, sl = 0, nl = 0;
    for (let i = 0; i < N; i++) { if (data.y[i]) { sf += value(i, name); nfraud++; } else { sl += value(i, name); nl++; } }
    // Difference of means in units of the feature's std, against its standard error (~1/sqrt(nfraud)).
    const z = Math.abs(sf / nfraud - sl / nl) / stats.std[j]! * Math.sqrt(nfraud);
    assert.ok(z < 4, `${name}: fraud and legitimate means differ by z = ${z.toFixed(2)}`);
  }
});

test('marginals look like card data: night trough, log-normal amounts by category, online means card not present', () => {
  const hours = new Array<number>(24).fill(0);
  for (let i = 0; i < N; i++) hours[value(i, 'hour')]!++;
  assert.ok(hours[3]! * 5 < hours[12]!, `3 am ${hours[3]} vs noon ${hours[12]}`);
  for (const c of [MERCHANT_CATEGORIES[0], MERCHANT_CATEGORIES[5]]) {
    const amounts: number[] = [];
    for (let i = 0; i < N; i++) if (!data.y[i] && value(i, 'merchant_category') === c.code) amounts.push(value(i, 'amount'));
    amounts.sort((a, b) => a - b);
    const median = amounts[amounts.length >> 1]!;
    assert.ok(median > c.median * 0.7 && median < c.median * 1.5, `${c.name}: median amount ${median} vs ${c.median}`);
    assert.ok(amounts[Math.floor(amounts.length * 0.99)]! > 4 * median, `${c.name}: right-skewed`);
  }
  let onlinePresent = 0, far = 0;
  for (let i = 0; i < N; i++) {
    if (value(i, 'online') === 1 && value(i, 'card_present') === 1) onlinePresent++;
    if (value(i, 'distance_from_home_km') > 300) far++;
  }
  assert.equal(onlinePresent, 0);
  assert.ok(far / N > 0.005 && far / N < 0.05, `heavy tail: ${((far / N) * 100).toFixed(2)}% of rows beyond 300 km`);
});

test('reference row is a typical legitimate transaction (not zeros)', () => {
  const ref = referenceRow(generateTransactions({ n: 5000, seed: 3 }));
  const r = Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, ref[j]!]));
  assert.ok(r.hour! >= 10 && r.hour! <= 18);
  assert.equal(r.card_present, 1);
  assert.equal(r.online, 0);
  assert.ok(Math.abs(r.amount_to_usual! - 1) < 0.05, `amount_to_usual ${r.amount_to_usual}`);
  assert.ok(RULES.every((rule) => !rule.holds(ref)));
});

test('CSV export reads back through the CSV reader with the same values', () => {
  const rows = [0, 1, 2, 3];
  const t = parseCsv(transactionsCsv(data, rows, { label: true }), 'rows.csv');
  assert.deepEqual(t.columns, [...FEATURE_NAMES, 'is_fraud']);
  rows.forEach((i, k) => {
    FEATURE_NAMES.forEach((_, j) => assert.equal(Math.fround(t.rows[k]![j]!), data.x[i * nf + j]));
    assert.equal(t.rows[k]![nf], data.y[i]);
  });
});
