/**
 * One generic control per state property: the state table (src/playground/state.ts) gives the
 * type, allowed values and bounds; this file adds only what a person reads (labels, the option
 * lists of numeric selects). Every control writes through the same `update`, so the URL hash,
 * the trainer and the controls cannot disagree.
 */
import { ACTIVATIONS } from '../../../src/playground/activations.ts';
import { FIELDS, type PlaygroundState, type StateKey } from '../../../src/playground/state.ts';

/** Updates some state properties. */
export type Update = (patch: Partial<PlaygroundState>) => void;

interface Presentation {
  label: string;
  /** Options of a select: values with their labels (enum fields default to their values). */
  options?: readonly (readonly [string | number, string])[];
  /** Slider display of the value. */
  suffix?: string;
}

const num = (xs: number[]) => xs.map((x) => [x, String(x)] as const);

/** What each control shows. */
export const PRESENTATION: Partial<Record<StateKey, Presentation>> = {
  learningRate: { label: 'Learning rate', options: num([0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]) },
  activation: { label: 'Activation', options: ACTIVATIONS.map((a) => [a.name, a.label] as const) },
  regularization: { label: 'Regularization', options: [['none', 'None'], ['l1', 'L1'], ['l2', 'L2']] },
  regularizationRate: { label: 'Regularization rate', options: num([0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]) },
  optimizer: { label: 'Optimizer', options: [['sgd', 'SGD'], ['momentum', 'SGD + momentum'], ['adam', 'Adam']] },
  momentum: { label: 'Momentum', options: num([0.5, 0.8, 0.9, 0.95, 0.99]) },
  trainRatio: { label: 'Ratio of training to test data', suffix: '%' },
  noise: { label: 'Noise' },
  batchSize: { label: 'Batch size' },
  classes: { label: 'Classes' },
  csvTask: { label: 'Label is', options: [['auto', 'auto'], ['classification', 'classes'], ['regression', 'a value (regression)']] },
};

/** A select for an enum or listed-number property, or a slider for an integer property. */
export function Field({ k, state, update, max }: { k: StateKey; state: PlaygroundState; update: Update; max?: number }) {
  const f = FIELDS[k] as unknown as { values?: readonly string[]; min?: number; max?: number; default: unknown };
  const pres = PRESENTATION[k] ?? { label: k };
  const value = state[k] as unknown;
  const options = pres.options ?? f.values?.map((v) => [v, v] as const);
  if (options) {
    const listed = options.some(([v]) => String(v) === String(value));
    return (
      <label className="field">
        <span className="field-label">{pres.label}</span>
        <select
          data-field={k}
          value={String(value)}
          onChange={(e) => {
            const raw = e.target.value;
            update({ [k]: typeof f.default === 'number' ? Number(raw) : raw } as Partial<PlaygroundState>);
          }}
        >
          {!listed && <option value={String(value)}>{String(value)}</option>}
          {options.map(([v, label]) => <option key={String(v)} value={String(v)}>{label}</option>)}
        </select>
      </label>
    );
  }
  const hi = max ?? f.max ?? 100;
  return (
    <label className="field slider">
      <span className="field-label">{pres.label}: <b>{String(value)}{pres.suffix ?? ''}</b></span>
      <input
        type="range" data-field={k} min={f.min ?? 0} max={hi} step={1} value={Number(value)}
        onChange={(e) => update({ [k]: Number(e.target.value) } as Partial<PlaygroundState>)}
      />
    </label>
  );
}
