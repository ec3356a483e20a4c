/**
 * Explanations: every method of `nnlens explain` (those that cannot apply to this model are
 * listed as unavailable, with why), the target class (default: the predicted one), a contrast
 * class, the layer taken from the graph selection (CAM methods), colormap and opacity. Pictures
 * show the heatmap over the input; tables show signed bars per feature, and a model with an
 * attention output shows its attention weights beside the attributions.
 */
import { useRef } from 'react';
import type { MethodInfo, ModelInfo } from '../../../src/server/api-types.ts';
import type { Explained } from './api.ts';
import { fmt, SignedBars } from './charts.tsx';
import type { Loaded } from './hooks.ts';
import { Section } from './Section.tsx';
import type { AppState } from './state.ts';

/** Colormaps offered (src/render/colormap.ts). */
const COLORMAPS = ['jet', 'turbo', 'viridis', 'magma', 'gray'];

/** Method families, in the picker's order. */
const FAMILIES: [string, (m: MethodInfo) => boolean][] = [
  ['Class activation maps (layer)', (m) => m.space === 'layer'],
  ['Gradients (input)', (m) => m.space === 'input' && !['occlusion', 'ablation', 'kernelshap'].includes(m.name)],
  ['Perturbation (input)', (m) => ['occlusion', 'ablation', 'kernelshap'].includes(m.name)],
];

/** Props of {@link ExplainPanel}. */
export interface ExplainPanelProps {
  info: ModelInfo;
  state: AppState;
  update(p: Partial<AppState>): void;
  /** Layer reference from the graph selection, if any. */
  selectionLayer: string | undefined;
  /** The layer actually used by CAM methods. */
  layer: string | undefined;
  /** Number of classes (for the pickers) and the predicted one. */
  classes: number;
  predicted: number | undefined;
  result: Loaded<Explained>;
}

export function ExplainPanel({ info, state, update, selectionLayer, layer, classes, predicted, result }: ExplainPanelProps) {
  const bars = useRef<SVGSVGElement>(null);
  const method = info.methods.find((m) => m.name === state.method);
  const label = (k: number) => info.labels?.[k] ?? String(k);
  const classList = Array.from({ length: classes }, (_, k) => k);
  const e = result.data;
  const isCam = method?.space === 'layer';
  return (
    <Section title="Explanation" testid="explain-panel" note={result.loading ? 'computing\u2026' : e ? `${e.cached ? 'cached' : `${e.ms.toFixed(0)} ms`}` : undefined}
      exportable={() => (e?.overlay ? { kind: 'png', src: e.overlay } : bars.current ? { kind: 'svg-element', el: bars.current } : undefined)}
      exportName={`${state.method}-${e?.target.label ?? ''}`}>
      <div className="controls">
        <label className="ctl wide">
          <span>Method</span>
          <select value={state.method} onChange={(ev) => update({ method: ev.target.value })} data-testid="method">
            {FAMILIES.map(([name, test]) => (
              <optgroup key={name} label={name}>
                {info.methods.filter(test).map((m) => <option key={m.name} value={m.name} disabled={!!m.unavailable}>{m.displayName}{m.unavailable ? ` (${m.unavailable})` : ''}</option>)}
              </optgroup>
            ))}
          </select>
        </label>
        <label className="ctl">
          <span>Target</span>
          <select value={state.target} onChange={(ev) => update({ target: Number(ev.target.value) })} data-testid="target">
            <option value={-1}>predicted{predicted !== undefined ? ` (${label(predicted)})` : ''}</option>
            {classList.map((k) => <option key={k} value={k}>{label(k)}</option>)}
          </select>
        </label>
        <label className="ctl">
          <span>Contrast</span>
          <select value={state.contrast} onChange={(ev) => update({ contrast: Number(ev.target.value) })} data-testid="contrast">
            <option value={-1}>none</option>
            {classList.map((k) => <option key={k} value={k}>{label(k)}</option>)}
          </select>
        </label>
        {info.inputKind === 'image' && (
          <>
            <label className="ctl">
              <span>Colormap</span>
              <select value={state.cmap} onChange={(ev) => update({ cmap: ev.target.value })} data-testid="colormap">
                {COLORMAPS.map((c) => <option key={c}>{c}</option>)}
              </select>
            </label>
            <label className="ctl">
              <span>Opacity {Math.round(state.alpha * 100)}%</span>
              <input type="range" min={0} max={1} step={0.05} value={state.alpha} onChange={(ev) => update({ alpha: Number(ev.target.value) })} data-testid="alpha" />
            </label>
          </>
        )}
      </div>
      {isCam && (
        <p className="hint small">Layer: <span className="mono">{layer ?? 'none'}</span>{selectionLayer ? ' (the graph selection)' : info.camLayer ? ' (the last feature map; select another layer in the graph)' : ''}</p>
      )}
      {method && <p className="hint small cite">{method.citation}</p>}
      {result.error && <div className="error small" data-testid="explain-error">{result.error}</div>}
      {e && (
        <div className={result.loading ? 'stale' : ''}>
          <p className="small">
            <b>{e.displayName}</b> of <b>{e.target.label}</b>{e.contrast ? <> rather than <b>{e.contrast.label}</b></> : null}
            {e.score !== undefined && <span className="muted"> &middot; score {fmt(e.score)}</span>}
            {e.delta !== undefined && <span className="muted" title="Integrated Gradients completeness error |sum(attributions) - (f(x) - f(baseline))|"> &middot; completeness error {fmt(e.delta)}</span>}
          </p>
          {e.overlay && <img className="overlay" src={e.overlay} alt={`${e.displayName} heatmap`} data-testid="overlay" data-explained={`${e.method}:${e.target.index}:${e.contrast?.index ?? ''}:${e.layer ?? ''}`} />}
          {e.features && (
            <div className="feature-cols">
              <div>
                <h3>Attributions</h3>
                <SignedBars ref={bars} testid="feature-bars" items={e.features.map((f) => ({ name: f.name, value: f.attribution, detail: fmt(f.value) }))} />
                <p className="hint small">Red pushes toward {e.target.label}, blue away from it.</p>
              </div>
              {e.attention && (
                <div>
                  <h3>Attention weights</h3>
                  <SignedBars testid="attention-bars" items={e.attention.map((a) => ({ name: a.name, value: a.weight }))} positive="#8250df" />
                  <p className="hint small">The model's own softmax over the features (output <span className="mono">{info.attentionOutput}</span>).</p>
                </div>
              )}
            </div>
          )}
        </div>
      )}
    </Section>
  );
}
