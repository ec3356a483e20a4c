/**
 * The selected layer's activation for the current input: feature maps (4-D), bars of units (2-D)
 * or a channels x positions heatmap (3-D), drawn by the server as `nnlens activations` draws them,
 * with the layer's overall statistics and dead (all-zero) channels.
 */
import type { ActivationsJson } from '../../../src/server/api-types.ts';
import { api } from './api.ts';
import { fmt } from './charts.tsx';
import { useFetch } from './hooks.ts';
import { Section } from './Section.tsx';

/** Props of {@link ActivationsPanel}. */
export interface ActivationsPanelProps {
  model: string;
  input: string | undefined;
  /** Layer reference of the selection (node name or module path). */
  layer: string | undefined;
}

export function ActivationsPanel({ model, input, layer }: ActivationsPanelProps) {
  const a = useFetch<ActivationsJson>(input && layer ? `${model}/${input}/${layer}` : null, (s) => api.activations(model, input!, layer!, s));
  const d = a.data;
  return (
    <Section title="Activations" testid="activations-panel" note={a.loading ? 'running\u2026' : d ? `${d.ms.toFixed(0)} ms` : undefined}
      exportable={() => (input && layer && d && d.picture !== 'none' ? { kind: 'server', url: (f) => api.activationsUrl(model, input, layer, f) } : undefined)} exportName={`activations-${layer ?? ''}`}>
      {!layer && <p className="hint">Select a node or a group in the graph to see its output for this input.</p>}
      {a.error && <div className="error small">{a.error}</div>}
      {d && layer && (
        <div className={a.loading ? 'stale' : ''}>
          <p className="small"><span className="mono">{d.tensor}</span> [{d.shape.join(', ')}] {d.layout}</p>
          <p className="small muted">mean {fmt(d.overall.mean)} &middot; min {fmt(d.overall.min)} &middot; max {fmt(d.overall.max)} &middot; zeros {(d.overall.zeros * 100).toFixed(1)}% &middot; dead {d.overall.deadChannels} of {d.channels}</p>
          {d.picture !== 'none' && input && <img className="activation-picture" src={api.activationsUrl(model, input, layer, 'svg')} alt={`activation of ${layer}`} data-testid="activation-picture" />}
        </div>
      )}
    </Section>
  );
}
