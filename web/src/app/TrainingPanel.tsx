/**
 * Training curves from the model's training log (TensorBoard event file): one chart per metric,
 * with the train and validation series of that metric overlaid (`train/loss` and `val/loss`,
 * Keras's `loss` and `val_loss`, or runs `train/` and `validation/` of one tag).
 */
import { useRef } from 'react';
import type { SeriesJson, TrainingJson } from '../../../src/server/api-types.ts';
import { api } from './api.ts';
import { LineChart, type Line } from './charts.tsx';
import { svgElementText } from './export.ts';
import { useFetch } from './hooks.ts';
import { Section } from './Section.tsx';

const COLORS = ['#3569a8', '#e07b39', '#3a8a45', '#8250df', '#c0245c', '#8a6d4f'];

/**
 * The metric a series measures: its tag without its split (`val/loss` and `val_loss` -> `loss`), so
 * train and validation share a chart; `epoch_` and `batch_` stay (different x axes).
 */
export function metricOf(tag: string): string {
  const last = tag.split('/').pop()!;
  return last.replace(/^(val|validation|train|training|test)_/, '');
}

/** A series' name in a legend: its run and split (`train`, `val`, `validation/`). */
function seriesName(s: SeriesJson): string {
  const parts = s.tag.split('/');
  const prefix = parts.length > 1 ? parts.slice(0, -1).join('/') : /^(val|validation|train|training|test)_/.exec(parts[0]!)?.[1] ?? '';
  return [s.run === '.' ? '' : s.run, prefix].filter(Boolean).join(' ') || 'train';
}

/** Several charts as one SVG document, one under the other. */
function stackSvgs(els: SVGSVGElement[]): string | undefined {
  if (!els.length) return undefined;
  let y = 0, width = 0;
  const parts = els.map((el) => {
    const text = svgElementText(el);
    const w = Number(/width="([\d.]+)"/.exec(text)?.[1] ?? 0), h = Number(/height="([\d.]+)"/.exec(text)?.[1] ?? 0);
    const part = `<g transform="translate(0,${y})">${text}</g>`;
    y += h + 8; width = Math.max(width, w);
    return part;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}">${parts.join('')}</svg>`;
}

function Chart({ metric, series }: { metric: string; series: SeriesJson[] }) {
  const ref = useRef<SVGSVGElement>(null);
  const lines: Line[] = series.map((s, i) => ({ name: seriesName(s), color: COLORS[i % COLORS.length]!, xs: s.steps, ys: s.values }));
  return (
    <div className="curve" data-testid={`curve-${metric}`}>
      <LineChart ref={ref} lines={lines} title={metric} />
    </div>
  );
}

export function TrainingPanel({ model, has }: { model: string; has: boolean }) {
  const t = useFetch<TrainingJson>(has ? model : null, (s) => api.training(model, s));
  const root = useRef<HTMLDivElement>(null);
  if (!has) return null;
  const groups = new Map<string, SeriesJson[]>();
  for (const s of t.data?.series ?? []) {
    if (s.steps.length < 2) continue;
    const m = metricOf(s.tag);
    groups.set(m, [...(groups.get(m) ?? []), s]);
  }
  return (
    <Section title="Training" testid="training-panel" note={t.data?.source}
      exportable={() => ({ kind: 'svg-text', text: () => stackSvgs([...(root.current?.querySelectorAll('svg') ?? [])]) })} exportName="training">
      {t.error && <div className="error small">{t.error}</div>}
      <div ref={root} className="curves">
        {[...groups].map(([m, s]) => <Chart key={m} metric={m} series={s} />)}
      </div>
    </Section>
  );
}
