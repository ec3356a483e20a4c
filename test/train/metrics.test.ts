/** Accuracy, ROC AUC (rank statistic vs counting pairs) and cross-entropy. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/data/random.ts';
import { accuracy, classLogProb, crossEntropy, rocAuc } from '../../src/train/metrics.ts';

/** AUC by definition: the share of (positive, negative) pairs ordered correctly, ties counting half. */
function pairAuc(s: number[], y: number[]): number {
  let good = 0, pairs = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
    if (y[i] !== 1 || y[j] !== 0) continue;
    pairs++;
    good += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
  }
  return good / pairs;
}

test('ROC AUC by mid-ranks equals the pair count, with ties; NaN without one class', () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  const rng = new Random(3);
  for (let trial = 0; trial < 5; trial++) {
    const s = Array.from({ length: 300 }, () => Math.round(rng.uniform() * 20) / 20); // many ties
    const y = s.map((v) => (rng.uniform() < 0.2 + 0.5 * v ? 1 : 0));
    assert.ok(Math.abs(rocAuc(s, y) - pairAuc(s, y)) < 1e-12);
  }
  assert.equal(rocAuc([1, 2, 3], [1, 0, 0]), 0);
  assert.ok(Number.isNaN(rocAuc([1, 2], [0, 0])));
});

test('accuracy, log-probabilities and cross-entropy', () => {
  const logits = Float32Array.of(2, 1, 0, 3, 5, 5);
  assert.equal(accuracy(logits, [0, 1, 1], 2), 2 / 3); // ties go to the first class
  const lp = classLogProb(Float32Array.of(0, 0, 0, Math.log(3)), 2, 1);
  assert.ok(Math.abs(lp[0]! - Math.log(0.5)) < 1e-6 && Math.abs(lp[1]! - Math.log(0.75)) < 1e-6);
  assert.ok(Math.abs(crossEntropy(Float32Array.of(0, 0), [1], 2) - Math.log(2)) < 1e-7);
  // Large logits do not overflow.
  assert.ok(Math.abs(crossEntropy(Float32Array.of(1000, 0), [0], 2)) < 1e-6);
});
