/**
 * The playground's whole state as one typed table (TF Playground's `state.ts`, STYLE.md 9): each
 * row gives a property's type, default, bounds and what changing it does. The same table parses
 * and writes the URL hash, drives the page's controls, and tells the page whether a change
 * regenerates the data, rebuilds the network, or applies live; the end-to-end test rebuilds the
 * page's exact session in Node from the hash.
 *
 * Progress (epoch, weights) is not state: it follows from the state and the steps taken.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import { ACTIVATION_NAMES, type ActivationName } from './activations.ts';
import { DATASET_NAMES, type DatasetName } from './datasets.ts';
import { FEATURE_NAMES, type FeatureName } from './features.ts';
import type { OptimizerName } from './optimizers.ts';
import type { RegularizationName } from './regularization.ts';

/** What a change of a property does to a running session. */
export type Effect =
  | 'data' // new points, then a new network
  | 'network' // new network (weights, optimizer memory, epoch 0) on the same points
  | 'live' // applies to the next step, training continues
  | 'view'; // display only

/** One row of the state table. */
export interface Field<T> {
  default: T;
  effect: Effect;
  /** Reads the hash text; undefined when it is not a valid value (the default is used). */
  parse(s: string): T | undefined;
  format(v: T): string;
}

function enumField<T extends string>(values: readonly T[], def: T, effect: Effect): Field<T> & { values: readonly T[] } {
  return { default: def, effect, values, parse: (s) => (values as readonly string[]).includes(s) ? (s as T) : undefined, format: (v) => v };
}

function intField(def: number, min: number, max: number, effect: Effect): Field<number> & { min: number; max: number } {
  return {
    default: def, effect, min, max,
    parse: (s) => { const v = Number(s); return Number.isInteger(v) ? Math.max(min, Math.min(max, v)) : undefined; },
    format: String,
  };
}

function numberField(def: number, min: number, max: number, effect: Effect): Field<number> & { min: number; max: number } {
  return {
    default: def, effect, min, max,
    parse: (s) => { const v = Number(s); return s !== '' && Number.isFinite(v) ? Math.max(min, Math.min(max, v)) : undefined; },
    format: String,
  };
}

function boolField(def: boolean, effect: Effect): Field<boolean> {
  return { default: def, effect, parse: (s) => (s === 'true' ? true : s === 'false' ? false : undefined), format: String };
}

function stringField(def: string, effect: Effect): Field<string> {
  return { default: def, effect, parse: (s) => s, format: (v) => v };
}

/** Most hidden layers and neurons per layer (TF Playground stops at 6 and 8). */
export const MAX_LAYERS = 12;
export const MAX_NEURONS = 32;

const hiddenField: Field<number[]> = {
  default: [4, 2],
  effect: 'network',
  parse(s) {
    if (s === '') return [];
    const v = s.split(',').map(Number);
    if (v.length > MAX_LAYERS || v.some((x) => !Number.isInteger(x) || x < 1)) return undefined;
    return v.map((x) => Math.min(MAX_NEURONS, x));
  },
  format: (v) => v.join(','),
};

const featuresField: Field<FeatureName[]> = {
  default: ['x1', 'x2'],
  effect: 'network',
  parse(s) {
    const v = s.split(',').filter((x): x is FeatureName => (FEATURE_NAMES as readonly string[]).includes(x));
    // Keep display order, so the input layer order never depends on the order of clicks.
    return v.length === 0 ? undefined : FEATURE_NAMES.filter((f) => v.includes(f));
  },
  format: (v) => v.join(','),
};

/** The state table. */
export const FIELDS = {
  dataset: enumField<DatasetName | 'csv'>([...DATASET_NAMES, 'csv'], 'circle', 'data'),
  /** Classes of the gaussian-blob and spiral sets. */
  classes: intField(2, 2, 6, 'data'),
  /** Noise in percent, 0..50 as in TF Playground. */
  noise: intField(0, 0, 50, 'data'),
  /** Share of the points used for training, in percent. */
  trainRatio: intField(50, 10, 90, 'data'),
  dataSeed: intField(1, 0, 2 ** 31 - 1, 'data'),
  /** Deflated, base64url-encoded CSV text (see {@link encodeCsv}); '' when none. */
  csv: stringField('', 'data'),
  csvName: stringField('', 'data'),
  /** Columns of the CSV used as x1, x2, label (0-based); -1 picks the default. */
  csvX1: intField(-1, -1, 999, 'data'),
  csvX2: intField(-1, -1, 999, 'data'),
  csvLabel: intField(-1, -1, 999, 'data'),
  csvTask: enumField<'auto' | 'classification' | 'regression'>(['auto', 'classification', 'regression'], 'auto', 'data'),
  features: featuresField,
  hidden: hiddenField,
  activation: enumField<ActivationName>(ACTIVATION_NAMES, 'tanh', 'network'),
  initSeed: intField(1, 0, 2 ** 31 - 1, 'network'),
  optimizer: enumField<OptimizerName>(['sgd', 'momentum', 'adam'], 'sgd', 'network'),
  learningRate: numberField(0.03, 1e-6, 10, 'live'),
  momentum: numberField(0.9, 0, 0.999, 'live'),
  regularization: enumField<RegularizationName>(['none', 'l1', 'l2'], 'none', 'live'),
  regularizationRate: numberField(0, 0, 10, 'live'),
  batchSize: intField(10, 1, 100, 'live'),
  showTest: boolField(false, 'view'),
  discretize: boolField(false, 'view'),
  mode: enumField<'train' | 'step'>(['train', 'step'], 'train', 'view'),
  /** Which example of the mini-batch step-by-step mode shows (index within the batch). */
  example: intField(0, 0, 99, 'view'),
  /** The neuron step-by-step mode details, as `layer:index` (layer 1 = first hidden layer). */
  neuron: stringField('1:0', 'view'),
  /** What the links show in step-by-step mode: values carried, gradients, or weight changes. */
  phase: enumField<'forward' | 'backward' | 'update'>(['forward', 'backward', 'update'], 'forward', 'view'),
} as const;

/** Names of the state properties. */
export type StateKey = keyof typeof FIELDS;
/** The playground state: one value per row of {@link FIELDS}. */
export type PlaygroundState = { -readonly [K in StateKey]: (typeof FIELDS)[K] extends Field<infer T> ? T : never };

/** The state with every default. */
export function defaultState(): PlaygroundState {
  const s = {} as Record<string, unknown>;
  for (const [k, f] of Object.entries(FIELDS)) s[k] = structuredClone((f as Field<unknown>).default);
  return s as PlaygroundState;
}

/**
 * Reads a URL hash (`#dataset=xor&hidden=8,8`); unknown keys and invalid values fall back to the defaults.
 * @example parseHash('#dataset=spiral&classes=3').classes // 3
 */
export function parseHash(hash: string): PlaygroundState {
  const s = defaultState() as Record<string, unknown>;
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = decodeURIComponent(part.slice(0, eq));
    if (!Object.hasOwn(FIELDS, key)) continue;
    const v = (FIELDS[key as StateKey] as Field<unknown>).parse(decodeURIComponent(part.slice(eq + 1)));
    if (v !== undefined) s[key] = v;
  }
  return s as PlaygroundState;
}

/** Writes the state as a URL hash (without `#`), leaving out properties at their default. */
export function toHash(state: PlaygroundState): string {
  const parts: string[] = [];
  for (const [k, f] of Object.entries(FIELDS) as [StateKey, Field<unknown>][]) {
    const text = f.format(state[k]);
    if (text !== f.format(f.default)) parts.push(`${k}=${encodeURIComponent(text)}`);
  }
  return parts.join('&');
}

/** The strongest effect among the properties that differ between two states (undefined when equal). */
export function changeEffect(a: PlaygroundState, b: PlaygroundState): Effect | undefined {
  const order: Effect[] = ['data', 'network', 'live', 'view'];
  let best: Effect | undefined;
  for (const [k, f] of Object.entries(FIELDS) as [StateKey, Field<unknown>][]) {
    if (f.format(a[k]) === f.format(b[k])) continue;
    if (best === undefined || order.indexOf(f.effect) < order.indexOf(best)) best = f.effect;
  }
  return best;
}

/** Compresses CSV text for the URL hash: raw deflate, then base64url (RFC 4648 section 5). */
export function encodeCsv(text: string): string {
  const bytes = deflateSync(strToU8(text), { level: 9 });
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Inverse of {@link encodeCsv}. */
export function decodeCsv(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return strFromU8(inflateSync(bytes));
}
