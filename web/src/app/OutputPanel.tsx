/**
 * The prediction: for classifiers, the top classes as bars with their probabilities (and how
 * nnlens read the scores: softmax applied to logits, or probabilities as given); other outputs as
 * their values. Clicking a class makes it the explained target.
 */
import { useRef } from 'react';
import type { RunJson } from '../../../src/server/api-types.ts';
import { BarChart, fmt } from './charts.tsx';
import type { Loaded } from './hooks.ts';
import { Section } from './Section.tsx';

/** Props of {@link OutputPanel}. */
export interface OutputPanelProps {
  run: Loaded<RunJson>;
  target: number;
  onTarget(index: number): void;
}

export function OutputPanel({ run, target, onTarget }: OutputPanelProps) {
  const chart = useRef<SVGSVGElement>(null);
  const outputs = run.data?.outputs ?? [];
  return (
    <Section title="Prediction" testid="output-panel" note={run.loading ? 'running\u2026' : run.data ? `${run.data.ms.toFixed(0)} ms` : undefined}
      exportable={() => ({ kind: 'svg-element', el: chart.current })} exportName="prediction">
      {run.error && <div className="error small">{run.error}</div>}
      {outputs.map((o, k) => o.kind === 'classification' ? (
        <div key={o.name} className={run.loading ? 'stale' : ''}>
          {outputs.length > 1 && <h3 className="mono">{o.name}</h3>}
          <div className="clickable-bars" onClick={(e) => {
            const g = (e.target as Element).closest('[data-testid^="prob-"]');
            const i = g ? o.top.findIndex((c) => `prob-${c.label}` === g.getAttribute('data-testid')) : -1;
            if (i >= 0) onTarget(o.top[i]!.index);
          }}>
            <BarChart ref={k === 0 ? chart : undefined} bars={o.top.map((c, i) => ({
              key: String(c.index), label: c.label, value: c.probability, text: `${(c.probability * 100).toFixed(1)}%`,
              color: (target < 0 ? i === 0 : c.index === target) ? '#cf4a3c' : '#3569a8', testid: `prob-${c.label}`,
            }))} />
          </div>
          <p className="hint small">{o.applied === 'none' ? `${o.scores} as given (${o.reason})` : `${o.applied} of the logits (${o.reason})`}; top {o.top.length} of {o.classes}. Click a class to explain it.</p>
        </div>
      ) : (
        <div key={o.name}>
          <h3 className="mono">{o.name} [{o.shape.join(', ')}]</h3>
          <p className="mono small values">{o.values.slice(0, 24).map(fmt).join(', ')}{o.truncated || o.values.length > 24 ? ', \u2026' : ''}</p>
          <p className="hint small">{o.reason}</p>
        </div>
      ))}
    </Section>
  );
}
