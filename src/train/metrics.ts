/** Classification metrics for training logs and tests. */

/**
 * Share of rows whose highest logit is the label.
 * @example accuracy(Float32Array.of(2, 1, 0, 3), Uint8Array.of(0, 1), 2) // 1
 */
export function accuracy(logits: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[i * classes + k]! > logits[i * classes + best]!) best = k;
    if (best === labels[i]) right++;
  }
  return n ? right / n : 0;
}

/**
 * ROC AUC by the rank statistic (Mann-Whitney U divided by n_pos * n_neg; Hanley & McNeil 1982):
 * the probability that a random positive scores above a random negative, ties counting half
 * (mid-ranks). NaN when one class is missing.
 * @example rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0, pos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) if (labels[order[k]!]) { rankSumPos += midRank; pos++; }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Each row's score for class `k`: logit_k - logsumexp(logits) (the log-probability, monotone in
 * the probability, so it ranks rows as the probability does, without underflow).
 */
export function classLogProb(logits: Float32Array, classes: number, k: number): Float32Array {
  const n = logits.length / classes;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[i * classes + c]!);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(logits[i * classes + c]! - m);
    out[i] = logits[i * classes + k]! - m - Math.log(s);
  }
  return out;
}

/**
 * Mean cross-entropy of logits against labels (the loss the trainer minimizes).
 * @example crossEntropy(Float32Array.of(0, 0), [1], 2) // log 2
 */
export function crossEntropy(logits: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const n = labels.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, logits[i * classes + c]!);
    let z = 0;
    for (let c = 0; c < classes; c++) z += Math.exp(logits[i * classes + c]! - m);
    s -= logits[i * classes + labels[i]!]! - m - Math.log(z);
  }
  return n ? s / n : 0;
}
