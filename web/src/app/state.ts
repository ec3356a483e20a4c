/**
 * The page's state that belongs in the address bar (STYLE.md 9, after TF Playground's
 * `state.ts`): one typed table of properties, each with its default, parser and formatter. The
 * URL hash is derived from it, so a view can be shared or reloaded: model, selection, input,
 * method, classes, colormap, opacity.
 */

/** Everything the URL keeps. */
export interface AppState {
  /** Model name as listed (`digits-cnn.onnx`). */
  model: string;
  /** Selected node name, or `group:PATH` for a collapsed group (`group:layer4/layer4.1`). */
  sel: string;
  /** Sample id of the current input (empty for uploads, drawings and edited rows). */
  sample: string;
  method: string;
  /** Class explained; -1 = the predicted class. */
  target: number;
  /** Contrast class; -1 = none. */
  contrast: number;
  cmap: string;
  alpha: number;
}

interface Prop<K extends keyof AppState> {
  key: K;
  def: AppState[K];
  parse(s: string): AppState[K] | undefined;
}

const str = <K extends keyof AppState>(key: K, def: AppState[K]): Prop<K> => ({ key, def, parse: (s) => s as AppState[K] });
const int = <K extends keyof AppState>(key: K, def: AppState[K]): Prop<K> => ({ key, def, parse: (s) => (/^-?\d+$/.test(s) ? (Number(s) as AppState[K]) : undefined) });

/** The table: one row per property. */
const PROPS = [
  str('model', ''), str('sel', ''), str('sample', ''), str('method', 'gradcam'),
  int('target', -1), int('contrast', -1), str('cmap', 'jet'),
  { key: 'alpha', def: 0.5, parse: (s: string) => { const v = Number(s); return v >= 0 && v <= 1 ? v : undefined; } } as Prop<'alpha'>,
] as Prop<keyof AppState>[];

/** The defaults. */
export const DEFAULT_STATE: AppState = Object.fromEntries(PROPS.map((p) => [p.key, p.def])) as unknown as AppState;

/**
 * Reads the state from a URL hash (`#model=x&sel=y`); unknown keys and bad values are ignored.
 * @example parseHash('#method=ig&alpha=0.3').alpha === 0.3
 */
export function parseHash(hash: string): AppState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const s = { ...DEFAULT_STATE } as Record<string, unknown>;
  for (const p of PROPS) {
    const v = q.get(p.key);
    if (v === null) continue;
    const parsed = p.parse(v);
    if (parsed !== undefined) s[p.key] = parsed;
  }
  return s as unknown as AppState;
}

/**
 * Writes the state as a hash, leaving out default values.
 * @example toHash({ ...DEFAULT_STATE, method: 'ig' }) === 'method=ig'
 */
export function toHash(s: AppState): string {
  const q = new URLSearchParams();
  for (const p of PROPS) if (s[p.key] !== p.def) q.set(p.key, String(s[p.key]));
  return q.toString();
}
