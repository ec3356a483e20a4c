/**
 * Synthetic card transactions with fraud from documented rules (issue 5, "Example 1"; the data
 * sheet is docs/transactions-data.md). Seeded: the same seed gives the same rows, byte for byte.
 *
 * The approach follows the simulator of Le Borgne et al., "Reproducible Machine Learning for
 * Credit Card Fraud Detection - Practical Handbook" (2022), chapter 3: legitimate transactions are
 * drawn from per-customer spending habits, and a small share of rows are drawn from fraud
 * *scenarios*. Unlike the handbook, the label is then decided from the row's own features by the
 * rules below (plus label noise), so that "which features made this row fraudulent?" has a known
 * answer that attributions can be checked against.
 */
import { Random } from './random.ts';

/** What kind of values a feature holds. */
export type FeatureKind = 'amount' | 'continuous' | 'count' | 'binary' | 'category' | 'distractor';

/** One column of the data. */
export interface FeatureSpec {
  name: string;
  kind: FeatureKind;
  description: string;
}

/** The features, in column order. */
export const FEATURES: readonly FeatureSpec[] = [
  { name: 'amount', kind: 'amount', description: 'transaction amount in USD; log-normal by merchant category and customer' },
  { name: 'hour', kind: 'continuous', description: 'local hour of day, 0-23; daytime peaks, trough 2-5 am' },
  { name: 'merchant_category', kind: 'category', description: 'merchant category code 0-7 (see MERCHANT_CATEGORIES)' },
  { name: 'distance_from_home_km', kind: 'continuous', description: 'distance between the merchant (or IP location) and the cardholder\'s home; heavy-tailed' },
  { name: 'foreign_merchant', kind: 'binary', description: '1 if the merchant is in another country' },
  { name: 'card_present', kind: 'binary', description: '1 if the card was physically present (chip or swipe)' },
  { name: 'online', kind: 'binary', description: '1 for an e-commerce transaction' },
  { name: 'tx_last_24h', kind: 'count', description: 'number of earlier transactions on the card in the last 24 hours' },
  { name: 'amount_to_usual', kind: 'continuous', description: 'amount divided by the customer\'s usual amount in this merchant category' },
  { name: 'account_age_days', kind: 'count', description: 'days since the account was opened' },
  { name: 'customer_id_hash', kind: 'distractor', description: 'hash bucket of the customer id, 0-9999 (no information)' },
  { name: 'terminal_id_digit', kind: 'distractor', description: 'last digit of the terminal id, 0-9 (no information)' },
  { name: 'day_of_month', kind: 'distractor', description: 'day of the month, 1-31 (no information)' },
];

/** Feature names in column order. */
export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
/** Features that carry no information about fraud (attributions should rank them last). */
export const DISTRACTORS: readonly string[] = FEATURES.filter((f) => f.kind === 'distractor').map((f) => f.name);

const col = (name: string): number => FEATURE_NAMES.indexOf(name);
const F = {
  amount: col('amount'), hour: col('hour'), category: col('merchant_category'), distance: col('distance_from_home_km'),
  foreign: col('foreign_merchant'), present: col('card_present'), online: col('online'), tx24: col('tx_last_24h'),
  ratio: col('amount_to_usual'), age: col('account_age_days'), customer: col('customer_id_hash'),
  terminal: col('terminal_id_digit'), day: col('day_of_month'),
};

/** Merchant categories: typical amount (median, USD), its log-scale spread, share of rows, share online. */
export const MERCHANT_CATEGORIES = [
  { code: 0, name: 'grocery', median: 45, sigma: 0.6, weight: 0.25, online: 0.05 },
  { code: 1, name: 'restaurant', median: 30, sigma: 0.5, weight: 0.2, online: 0.05 },
  { code: 2, name: 'fuel', median: 40, sigma: 0.4, weight: 0.12, online: 0.0 },
  { code: 3, name: 'apparel', median: 70, sigma: 0.7, weight: 0.12, online: 0.3 },
  { code: 4, name: 'electronics', median: 180, sigma: 0.9, weight: 0.06, online: 0.4 },
  { code: 5, name: 'travel', median: 350, sigma: 0.9, weight: 0.05, online: 0.6 },
  { code: 6, name: 'digital services', median: 15, sigma: 0.8, weight: 0.12, online: 0.95 },
  { code: 7, name: 'health', median: 60, sigma: 0.8, weight: 0.08, online: 0.1 },
] as const;

/** Relative frequency of each hour of day (card networks' diurnal curve: low 2-5 am, peaks noon and evening). */
const HOUR_WEIGHTS = [1.2, 0.8, 0.45, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 4, 4.5, 5, 6, 5.5, 5, 5, 5.5, 6, 6.5, 6, 5, 4, 3, 2];

/** A fraud rule: a condition on a row's features, and the features it reads. */
export interface FraudRule {
  id: string;
  description: string;
  /** The features the rule reads (what attributions should point at for rows it flags). */
  features: readonly string[];
  holds(row: ArrayLike<number>): boolean;
}

/** The fraud rules. A row is fraudulent with probability {@link LABEL_NOISE}.ruleHit if any holds. */
export const RULES: readonly FraudRule[] = [
  {
    id: 'night_far_large',
    description: 'a large amount (>= $400) far from home (>= 100 km) at night (0-5 am): a cloned card used in person',
    features: ['amount', 'hour', 'distance_from_home_km'],
    holds: (r) => r[F.hour]! <= 5 && r[F.amount]! >= 400 && r[F.distance]! >= 100,
  },
  {
    id: 'online_velocity',
    description: 'many transactions in the last 24 h (>= 10) online: card testing or a bot draining a stolen card',
    features: ['tx_last_24h', 'online'],
    holds: (r) => r[F.online] === 1 && r[F.tx24]! >= 10,
  },
  {
    id: 'cnp_foreign_unusual',
    description: 'card not present, foreign merchant, amount >= 5x the customer\'s usual: stolen card details used abroad',
    features: ['card_present', 'foreign_merchant', 'amount_to_usual'],
    holds: (r) => r[F.present] === 0 && r[F.foreign] === 1 && r[F.ratio]! >= 5,
  },
];

/** Label noise: rule hits that are legitimate after all, and fraud no rule explains. */
export const LABEL_NOISE = { ruleHit: 0.92, background: 0.0004 } as const;

/** Share of rows drawn from each fraud scenario (one per rule), tuned for about 2% fraud overall. */
const SCENARIO_RATES = [0.0065, 0.0065, 0.007];

/** Categories fraudsters favour: resellable goods in person (electronics, apparel, travel), digital goods for card testing. */
const SCENARIO_CATEGORIES = { cloned: [4, 3, 5], testing: [6, 4, 3] } as const;

/** Generated rows. */
export interface Transactions {
  featureNames: readonly string[];
  /** Row-major `[n, features]`. */
  x: Float32Array;
  /** 1 = fraud. */
  y: Uint8Array;
  /** Bit i set when rule i holds for the row (whatever the label). */
  ruleHits: Uint8Array;
  n: number;
}

/**
 * Generates `n` transactions from `seed`.
 * @example const { x, y } = generateTransactions({ n: 50_000, seed: 7 }); // ~2% of y are 1
 */
export function generateTransactions(o: { n: number; seed: number }): Transactions {
  const rng = new Random(o.seed);
  const nf = FEATURES.length;
  const x = new Float32Array(o.n * nf), y = new Uint8Array(o.n), ruleHits = new Uint8Array(o.n);
  const row = new Float64Array(nf);
  for (let i = 0; i < o.n; i++) {
    const u = rng.uniform();
    const scenario = u < SCENARIO_RATES[0]! ? 0 : u < SCENARIO_RATES[0]! + SCENARIO_RATES[1]! ? 1 : u < SCENARIO_RATES[0]! + SCENARIO_RATES[1]! + SCENARIO_RATES[2]! ? 2 : -1;
    drawRow(rng, row, scenario);
    x.set(row, i * nf);
    const stored = x.subarray(i * nf, (i + 1) * nf); // rules read the float32 values that are stored
    let hits = 0;
    RULES.forEach((r, k) => { if (r.holds(stored)) hits |= 1 << k; });
    ruleHits[i] = hits;
    y[i] = rng.bernoulli(hits ? LABEL_NOISE.ruleHit : LABEL_NOISE.background) ? 1 : 0;
  }
  return { featureNames: FEATURE_NAMES, x, y, ruleHits, n: o.n };
}

const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Draws one row: a legitimate transaction, or one from the fraud scenario of rule `scenario`. */
function drawRow(rng: Random, row: Float64Array, scenario: number): void {
  // The customer: spending level and habits.
  const level = rng.logNormal(1, 0.5);
  const dailyRate = rng.gamma(2, 1); // mean 2 transactions a day, over-dispersed across customers
  const cat = scenario === 0 ? SCENARIO_CATEGORIES.cloned[rng.choice([0.4, 0.3, 0.3])]!
    : scenario === 1 ? SCENARIO_CATEGORIES.testing[rng.choice([0.5, 0.3, 0.2])]!
      : rng.choice(MERCHANT_CATEGORIES.map((c) => c.weight));
  const mc = MERCHANT_CATEGORIES[cat]!;
  const online = scenario === 1 ? true : scenario === 0 ? false : scenario === 2 ? rng.bernoulli(0.7) : rng.bernoulli(mc.online);
  const present = online ? false : scenario === 2 ? false : rng.bernoulli(0.97); // the rest: phone / mail orders
  const hour = scenario === 0 ? rng.int(0, 5) : rng.choice(HOUR_WEIGHTS);
  let distance: number;
  if (online || !present) distance = rng.logNormal(15, 1.2); // billing address / IP location
  else distance = rng.bernoulli(0.03) ? rng.logNormal(400, 1.0) : rng.logNormal(4, 1.0); // 3% travelling
  if (scenario === 0) distance = Math.max(100, rng.logNormal(500, 0.8));
  let foreign = online ? rng.bernoulli(0.1) : distance > 800 ? rng.bernoulli(0.6) : rng.bernoulli(0.01);
  if (scenario === 2) foreign = true;
  // Amount relative to the customer's usual amount in this category.
  let ratio = rng.logNormal(1, mc.sigma * 0.8);
  if (scenario === 1) ratio = rng.logNormal(0.8, 0.6);
  if (scenario === 2) ratio = Math.max(5.5, rng.logNormal(9, 0.4));
  let amount = mc.median * level * ratio;
  if (scenario === 0) { amount = Math.max(400, rng.logNormal(900, 0.5)); ratio = amount / (mc.median * level); }
  const usualNoise = rng.logNormal(1, 0.1); // the bank's estimate of "usual" is itself noisy
  let tx24 = rng.poisson(dailyRate);
  if (scenario === 1) tx24 = 10 + rng.poisson(6);
  const age = Math.min(9000, Math.max(1, Math.round(rng.logNormal(900, 0.9))));
  const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][rng.int(0, 11)]!;

  row[F.amount] = Math.max(0.5, round(amount, 2));
  row[F.hour] = hour;
  row[F.category] = cat;
  row[F.distance] = round(distance, 1);
  row[F.foreign] = foreign ? 1 : 0;
  row[F.present] = present ? 1 : 0;
  row[F.online] = online ? 1 : 0;
  row[F.tx24] = tx24;
  row[F.ratio] = round(scenario === 2 ? Math.max(5, ratio * usualNoise) : ratio * usualNoise, 2);
  row[F.age] = age;
  row[F.customer] = rng.int(0, 9999);
  row[F.terminal] = rng.int(0, 9);
  row[F.day] = rng.int(1, monthDays);
}

/**
 * A typical legitimate transaction: the per-feature median of the legitimate rows. Use it as the
 * reference input for attributions (Integrated Gradients' baseline): an all-zero row is midnight,
 * card not present and $0, which would hide the night and card-present rules from attributions.
 * @example const baseline = referenceRow(generateTransactions({ n: 20_000, seed: 1 }));
 */
export function referenceRow(d: Transactions): Float32Array {
  const nf = d.featureNames.length;
  const out = new Float32Array(nf);
  for (let j = 0; j < nf; j++) {
    const v: number[] = [];
    for (let i = 0; i < d.n; i++) if (d.y[i] === 0) v.push(d.x[i * nf + j]!);
    v.sort((a, b) => a - b);
    out[j] = v[Math.floor(v.length / 2)] ?? 0;
  }
  return out;
}

/**
 * Per-feature mean and standard deviation (for standardizing inputs before training).
 * @example const { mean, std } = featureStats(train);
 */
export function featureStats(d: Transactions): { mean: Float32Array; std: Float32Array } {
  const nf = d.featureNames.length;
  const mean = new Float32Array(nf), std = new Float32Array(nf);
  for (let j = 0; j < nf; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < d.n; i++) { const v = d.x[i * nf + j]!; s += v; s2 += v * v; }
    const m = s / d.n;
    mean[j] = m;
    std[j] = Math.sqrt(Math.max(0, s2 / d.n - m * m)) || 1;
  }
  return { mean, std };
}

/**
 * Rows as CSV with a header of feature names (and an `is_fraud` column when `label` is set),
 * for sample inputs such as `fraud-row.csv`.
 * @example writeFileSync('rows.csv', transactionsCsv(data, [0, 1, 2]))
 */
export function transactionsCsv(d: Transactions, rows: readonly number[], o: { label?: boolean } = {}): string {
  const nf = d.featureNames.length;
  const lines = [[...d.featureNames, ...(o.label ? ['is_fraud'] : [])].join(',')];
  for (const i of rows) {
    const cells = Array.from(d.x.subarray(i * nf, (i + 1) * nf), (v) => String(Number(v.toPrecision(7))));
    if (o.label) cells.push(String(d.y[i]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
