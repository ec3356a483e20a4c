/**
 * The network diagram: input features, hidden layers and output layer as columns of neuron
 * heatmaps joined by links. The structure is React; heatmap pixels and link colours are written
 * by the {@link Trainer} every frame through the elements registered here. In step-by-step mode
 * each neuron shows its numbers for the chosen example and can be clicked to open its details.
 */
import { useCallback, useEffect, useState } from 'react';
import { FEATURES } from '../../../src/playground/features.ts';
import { MAX_LAYERS, MAX_NEURONS, type PlaygroundState } from '../../../src/playground/state.ts';
import { classCss } from './colors.ts';
import { fmt } from './format.ts';
import type { Update } from './Field.tsx';
import { drawFeature } from './heatmaps.ts';
import { layoutNetwork, linkPath } from './layout.ts';
import type { Trainer } from './trainer.ts';

/** A React ref callback that keeps `map[key]` pointing at the mounted element. */
function useRegister<T extends Element>(map: Map<string, T>) {
  return useCallback((key: string) => (el: T | null) => {
    if (el) map.set(key, el);
    else map.delete(key);
  }, [map]);
}

function FeatureCanvas({ index }: { index: number }) {
  const [el, setEl] = useState<HTMLCanvasElement | null>(null);
  useEffect(() => { if (el) drawFeature(el, FEATURES[index]); }, [el, index]);
  return <canvas ref={setEl} />;
}

interface Hover { key: string; x: number; y: number }

export function NetworkView({ state, update, trainer }: { state: PlaygroundState; update: Update; trainer: Trainer }) {
  const net = trainer.session.net;
  const stepMode = state.mode === 'step';
  const trace = stepMode ? trainer.lastStep?.trace : undefined;
  const e = trainer.lastStep ? Math.min(state.example, trainer.lastStep.indices.length - 1) : 0;
  const counts = [FEATURES.length, ...net.sizes.slice(1)];
  const L = layoutNetwork(counts, stepMode);
  const selected = FEATURES.map((f) => state.features.includes(f.name));
  // Column-0 position of each network input (the selected features, in display order).
  const inputBoxes = FEATURES.flatMap((_, j) => (selected[j] ? [L.nodes[0][j]] : []));
  const regNeuron = useRegister(trainer.surfaces.neurons);
  const regLink = useRegister(trainer.surfaces.links);
  const [hover, setHover] = useState<Hover>();
  const [focusL, focusU] = state.neuron.split(':').map(Number);
  const depth = net.depth;
  const hidden = state.hidden;
  const k = net.sizes[depth];

  const setHidden = (h: number[]) => update({ hidden: h });
  const toggleFeature = (j: number) => {
    const name = FEATURES[j].name;
    const next = state.features.includes(name) ? state.features.filter((f) => f !== name) : [...state.features, name];
    if (next.length > 0) update({ features: FEATURES.map((f) => f.name).filter((f) => next.includes(f)) });
  };

  const links: React.ReactNode[] = [];
  for (let l = 1; l <= depth; l++) {
    const from = l === 1 ? inputBoxes : L.nodes[l - 1];
    for (let o = 0; o < net.sizes[l]; o++) {
      for (let i = 0; i < net.sizes[l - 1]; i++) {
        const key = `${l}:${o}:${i}`;
        const d = linkPath(from[i], L.nodes[l][o], L.size);
        links.push(<path key={key} ref={regLink(key)} d={d} className="link" data-link={key} />);
        links.push(<path key={`h${key}`} d={d} className="link-hit"
          onMouseEnter={(ev) => {
            const r = (ev.currentTarget as SVGPathElement).ownerSVGElement!.getBoundingClientRect();
            setHover({ key, x: ev.clientX - r.left, y: ev.clientY - r.top });
          }}
          onMouseLeave={() => setHover(undefined)} />);
      }
    }
  }

  const label = (l: number, u: number) => {
    if (!trace) return null;
    if (l === 0) {
      const j = inputBoxes.indexOf(L.nodes[0][u]);
      if (j < 0) return null;
      return <div className="node-label"><span data-testid={`x-${j}`} data-value={trace.a[0][e * net.sizes[0] + j]}>x={fmt(trace.a[0][e * net.sizes[0] + j])}</span></div>;
    }
    const n = net.sizes[l];
    const z = trace.z[l][e * n + u];
    const a = l === depth ? trace.prediction[e * k + u] : trace.a[l][e * n + u];
    const d = trace.delta[l][e * n + u];
    return (
      <div className="node-label">
        <span>z={fmt(z)} {l === depth && trainer.data.task === 'classification' ? 'p' : 'a'}={fmt(a)}</span>
        <span className="delta">δ={fmt(d)}</span>
      </div>
    );
  };

  const tooltip = (() => {
    if (!hover) return null;
    const [l, o, i] = hover.key.split(':').map(Number);
    if (l > depth || o >= net.sizes[l] || i >= net.sizes[l - 1]) return null;
    const idx = net.weightIndex(l - 1, o, i);
    const src = l === 1 ? FEATURES.filter((_, j) => selected[j])[i].label : `h${l - 1}.${i}`;
    const dst = l === depth ? (trainer.data.task === 'regression' ? 'output' : `class ${o}`) : `h${l}.${o}`;
    return (
      <div className="tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }}>
        <div><b>{src} → {dst}</b></div>
        {trace ? (<>
          <div>w: {fmt(trace.before[idx])} → {fmt(trace.after[idx])}</div>
          <div>value carried w·a: {fmt(trace.flow[l][(e * net.sizes[l] + o) * net.sizes[l - 1] + i])}</div>
          <div>∂L/∂w (batch): {fmt(trace.grad[idx])}</div>
        </>) : <div>weight {fmt(net.params[idx])}</div>}
      </div>
    );
  })();

  return (
    <section className="panel network" aria-label="Network">
      <div className="layers-header">
        <button type="button" className="round" data-testid="add-layer" disabled={hidden.length >= MAX_LAYERS}
          onClick={() => setHidden([...hidden, 2])} title="Add a hidden layer">+</button>
        <button type="button" className="round" data-testid="remove-layer" disabled={hidden.length === 0}
          onClick={() => setHidden(hidden.slice(0, -1))} title="Remove the last hidden layer">−</button>
        <h2>{hidden.length} hidden layer{hidden.length === 1 ? '' : 's'}</h2>
        <span className="hint small">{net.params.length} parameters</span>
      </div>
      <div className="net-scroll">
        <div className="net" style={{ width: L.width, height: L.height }}>
          <svg className="links" width={L.width} height={L.height}>{links}</svg>
          <div className="col-head" style={{ left: L.columnX[0] - 4 }}>
            <b>Features</b><span>click to use</span>
          </div>
          {hidden.map((n, h) => (
            <div className="col-head" key={h} style={{ left: L.columnX[h + 1] - 22 }}>
              <div className="pm">
                <button type="button" className="round small" data-testid={`add-neuron-${h}`} disabled={n >= MAX_NEURONS}
                  onClick={() => setHidden(hidden.map((x, j) => (j === h ? x + 1 : x)))}>+</button>
                <button type="button" className="round small" data-testid={`remove-neuron-${h}`} disabled={n <= 1}
                  onClick={() => setHidden(hidden.map((x, j) => (j === h ? x - 1 : x)))}>−</button>
              </div>
              <span>{n} neuron{n === 1 ? '' : 's'}</span>
            </div>
          ))}
          <div className="col-head" style={{ left: L.columnX[depth] - 4 }}>
            <b>Output</b><span>{trainer.data.task === 'regression' ? 'linear' : 'softmax'}</span>
          </div>
          {L.nodes.map((col, l) => col.map((b, u) => {
            const isInput = l === 0;
            const on = isInput ? selected[u] : true;
            const focus = stepMode && l === focusL && u === focusU;
            const title = isInput ? `${FEATURES[u].label}${on ? '' : ' (not used: click to add)'}`
              : l === depth ? (trainer.data.task === 'regression' ? 'output' : `class ${trainer.data.classNames[u] ?? u}`) : `layer ${l}, neuron ${u}`;
            return (
              <div key={`${l}:${u}`} className={`node ${on ? '' : 'off'} ${focus ? 'focus' : ''} ${isInput ? 'input' : ''}`}
                style={{ left: b.x, top: b.y, width: L.size, height: L.size, borderColor: l === depth && trainer.data.task === 'classification' ? classCss(u) : undefined }}
                title={title} data-node={`${l}:${u}`}
                onClick={() => { if (isInput) toggleFeature(u); else if (stepMode) update({ neuron: `${l}:${u}` }); }}>
                {isInput ? <FeatureCanvas index={u} /> : <canvas ref={regNeuron(`${l}:${u}`)} />}
                {isInput && <span className="feature-name">{FEATURES[u].label}</span>}
                {label(l, u)}
              </div>
            );
          }))}
          {tooltip}
        </div>
      </div>
      {stepMode && !trace && <p className="hint">Press <b>▶|</b> to train on the next mini-batch and see every number of that step.</p>}
    </section>
  );
}
