/**
 * How well per-feature scores of fraud rows point at the fraud rules (issue 5, Example 1): the
 * features of the rules a row meets should rank first, the distractors last.
 */
import { DISTRACTORS, FEATURE_NAMES, RULES } from '../../src/data/transactions.ts';

/** Shares of rows meeting each criterion. */
export interface RuleRanking {
  rows: number;
  /** Top-3 by score contains every feature of (one of) the rules the row meets. */
  top3: number;
  /** Every feature of the row's rules ranks above every distractor. */
  aboveDistractors: number;
}

/**
 * Ranks each row's features by `score` (higher first; pass |attribution| for attributions) and
 * checks them against the rules the row meets (`ruleHits`, bit k = rule k).
 * @example ruleRanking(Float32Array.from(ig, Math.abs), hits)
 */
export function ruleRanking(score: Float32Array, ruleHits: ArrayLike<number>): RuleRanking {
  const F = FEATURE_NAMES.length, n = ruleHits.length;
  let top3 = 0, above = 0;
  for (let r = 0; r < n; r++) {
    const s = score.subarray(r * F, (r + 1) * F);
    const order = Array.from(s, (v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]).map(([, j]) => FEATURE_NAMES[j]!);
    const rank = (f: string): number => order.indexOf(f);
    const met = RULES.filter((_, k) => ruleHits[r]! & (1 << k));
    if (met.some((rule) => rule.features.every((f) => rank(f) < 3))) top3++;
    const worstRule = Math.max(...met.flatMap((rule) => rule.features.map(rank)));
    if (worstRule < Math.min(...DISTRACTORS.map(rank))) above++;
  }
  return { rows: n, top3: top3 / n, aboveDistractors: above / n };
}

/** One line for test diagnostics. */
export function describeRanking(what: string, r: RuleRanking): string {
  return `${what}: top-3 holds a met rule's features for ${(100 * r.top3).toFixed(0)}% of ${r.rows} fraud rows; rule features above every distractor for ${(100 * r.aboveDistractors).toFixed(0)}%`;
}
