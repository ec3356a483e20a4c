/**
 * The node inspector: op type and description, name and module path, inputs and outputs with
 * their shapes, attributes, parameters, and per weight its statistics and pictures (histogram,
 * heatmap of a 2-D weight, conv filter mosaic). A selected collapsed group shows its summary.
 */
import { useEffect, useRef, useState } from 'react';
import type { HistogramJson, NodeJson, WeightJson } from '../../../src/server/api-types.ts';
import { api } from './api.ts';
import { fmt, HistogramChart } from './charts.tsx';
import { useFetch } from './hooks.ts';
import { Section } from './Section.tsx';
import type { Selection } from './App.tsx';

function count(n: number): string { return n.toLocaleString('en-US'); }

function Weight({ model, w, open, onOpen }: { model: string; w: WeightJson; open: boolean; onOpen(): void }) {
  const [view, setView] = useState<WeightJson['views'][number]>(w.views.includes('filters') ? 'filters' : w.views.includes('heatmap') ? 'heatmap' : 'histogram');
  const hist = useFetch<HistogramJson>(open && view === 'histogram' ? `${model}/${w.name}` : null,
    (s) => api.histogram(model, w.name, s));
  const chart = useRef<SVGSVGElement>(null);
  return (
    <div className={`weight${open ? ' open' : ''}`}>
      <button className="weight-row" onClick={onOpen} data-testid={`weight-${w.role}`}>
        <span className="mono">{w.role}</span>
        <span className="shape">[{w.shape.join('\u00d7')}]</span>
        <span className="stats">{`\u03bc ${fmt(w.mean)} \u00b7 \u03c3 ${fmt(w.std)} \u00b7 ${fmt(w.min)}\u2026${fmt(w.max)}`}{w.zeros > 0 ? ` \u00b7 ${(w.zeros * 100).toFixed(1)}% zero` : ''}</span>
      </button>
      {open && (
        <div className="weight-body">
          <div className="tabs small">
            {w.views.map((v) => <button key={v} className={v === view ? 'on' : ''} onClick={() => setView(v)} data-testid={`view-${v}`}>{v}</button>)}
            <span className="grow" />
            <a href={api.weightUrl(model, w.name, view, 'svg')} download={`${w.name}-${view}.svg`}>SVG</a>
            <a href={api.weightUrl(model, w.name, view, 'png')} download={`${w.name}-${view}.png`}>PNG</a>
          </div>
          {view === 'histogram'
            ? hist.data ? <HistogramChart ref={chart} edges={hist.data.edges} counts={hist.data.counts} /> : <div className="hint">{hist.error ?? 'loading\u2026'}</div>
            : <img className="weight-picture" src={api.weightUrl(model, w.name, view, 'svg')} alt={`${view} of ${w.name}`} data-testid={`weight-${view}`} />}
          <div className="hint mono small">{w.name} &middot; {count(w.count)} values &middot; L2 {fmt(w.l2)}{w.trainable ? '' : ' \u00b7 not trainable'}</div>
        </div>
      )}
    </div>
  );
}

function Ports({ title, ports }: { title: string; ports: NodeJson['inputs'] }) {
  if (!ports.length) return null;
  return (
    <>
      <tr className="th"><td colSpan={2}>{title}</td></tr>
      {ports.map((p) => <tr key={p.name}><td className="mono" title={p.name}>{p.name}{p.weight ? <span className="tag">weight</span> : null}</td><td className="mono shape">{p.shape}</td></tr>)}
    </>
  );
}

/** Props of {@link NodePanel}. */
export interface NodePanelProps {
  model: string;
  sel: Selection | undefined;
  colors: Record<string, { fill: string; stroke: string; label: string }>;
}

export function NodePanel({ model, sel, colors }: NodePanelProps) {
  const node = useFetch<NodeJson>(sel?.kind === 'node' ? `${model}/${sel.name}` : null, (s) => api.node(model, sel!.kind === 'node' ? sel!.name : '', s));
  const [openWeight, setOpenWeight] = useState(0);
  useEffect(() => setOpenWeight(0), [sel?.kind === 'node' ? sel.name : '']);
  if (!sel) return <Section title="Node"><p className="hint">Click a node in the graph to see its op, shapes and weights.</p></Section>;
  if (sel.kind === 'group') {
    return (
      <Section title="Group" testid="node-panel">
        <div className="node-head"><i className="chip" style={{ background: colors.group?.fill, borderColor: colors.group?.stroke }} /><b>{sel.path[sel.path.length - 1]}</b></div>
        <p className="hint mono">{sel.path.join(' \u203a ')}</p>
        <p className="small">{count(sel.nodes)} nodes &middot; {count(sel.params)} parameters. Its output is the layer used for activations and CAM methods.</p>
      </Section>
    );
  }
  const n = node.data;
  const c = n ? colors[n.category] : undefined;
  return (
    <Section title="Node" testid="node-panel" note={node.loading ? 'loading\u2026' : undefined}>
      {node.error && <div className="error">{node.error}</div>}
      {n && (
        <>
          <div className="node-head"><i className="chip" style={{ background: c?.fill, borderColor: c?.stroke }} /><b data-testid="node-op">{n.op}</b><span className="muted small">{c?.label}</span></div>
          <p className="desc">{n.description}</p>
          {n.opaque && <p className="error small">{n.opaque}</p>}
          <p className="mono small name" title={n.name}>{n.name}</p>
          <table className="kv"><tbody>
            <Ports title="Inputs" ports={n.inputs} />
            <Ports title="Outputs" ports={n.outputs} />
            {n.attributes.length > 0 && <tr className="th"><td colSpan={2}>Attributes</td></tr>}
            {n.attributes.map((a) => <tr key={a.name}><td className="mono">{a.name}</td><td className="mono">{a.value}</td></tr>)}
          </tbody></table>
          <h3>Parameters: {count(n.params)}</h3>
          {n.weights.length === 0 && <p className="hint">No weights.</p>}
          <div data-testid="weights">
            {n.weights.map((w, i) => <Weight key={w.name} model={model} w={w} open={i === openWeight} onOpen={() => setOpenWeight(i === openWeight ? -1 : i)} />)}
          </div>
        </>
      )}
    </Section>
  );
}
