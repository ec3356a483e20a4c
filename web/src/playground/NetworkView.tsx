/**
 * The network diagram: input features, hidden layers and output layer as columns of neuron
 * heatmaps joined by links. The structure is React; heatmap pixels and link colours are written
 * by the {@link Trainer} every frame through the elements registered here. In step-by-step mode
 * each neuron shows its numbers for the chosen example and can be clicked to open its details.
 */
import { useEffect, useLayoutEffect, useMemo, useState } from 'react';
import { FEATURES } from '../../../src/playground/features.ts';
import { MAX_LAYERS, MAX_NEURONS, type PlaygroundState } from '../../../src/playground/state.ts';
import { classCss } from './colors.ts';
import { fmt } from './format.ts';
import type { Update } from './Field.tsx';
import { drawFeature, type NeuronBox } from './heatmaps.ts';
import { layoutNetwork } from './layout.ts';
import { LinkLayer } from './links.ts';
import type { Trainer } from './trainer.ts';

function FeatureCanvas({ index }: { index: number }) {
  const [el, setEl] = useState<HTMLCanvasElement | null>(null);
  useEffect(() => { if (el) drawFeature(el, FEATURES[index]); }, [el, index]);
  return <canvas ref={setEl} />;
}

interface Hover { k: number; x: number; y: number }

export function NetworkView({ state, update, trainer }: { state: PlaygroundState; update: Update; trainer: Trainer }) {
  const net = trainer.session.net;
  const stepMode = state.mode === 'step';
  const trace = stepMode ? trainer.lastStep?.trace : undefined;
  const e = trainer.lastStep ? Math.min(state.example, trainer.lastStep.indices.length - 1) : 0;
  const counts = [FEATURES.length, ...net.sizes.slice(1)];
  const L = useMemo(() => layoutNetwork(counts, stepMode), [counts.join(','), stepMode]);
  const selected = FEATURES.map((f) => state.features.includes(f.name));
  // Column-0 position of each network input (the selected features, in display order).
  const inputBoxes = FEATURES.flatMap((_, j) => (selected[j] ? [L.nodes[0][j]] : []));
  const [hover, setHover] = useState<Hover>();
  const [focusL, focusU] = state.neuron.split(':').map(Number);
  const depth = net.depth;
  const hidden = state.hidden;
  const k = net.sizes[depth];

  // Hand the geometry to the trainer, which draws heatmaps and links every frame.
  useLayoutEffect(() => {
    const columns = [inputBoxes, ...L.nodes.slice(1)];
    const boxes: NeuronBox[] = L.nodes.slice(1).flatMap((col, c) => col.map((b, u) => ({ layer: c + 1, unit: u, x: b.x, y: b.y })));
    trainer.setDiagram({ boxes, size: L.size, width: L.width, height: L.height, links: new LinkLayer(net, columns, L.size) });
  }, [trainer, net, L, state.features.join(',')]);

  const setHidden = (h: number[]) => update({ hidden: h });
  const toggleFeature = (j: number) => {
    const name = FEATURES[j].name;
    const next = state.features.includes(name) ? state.features.filter((f) => f !== name) : [...state.features, name];
    if (next.length > 0) update({ features: FEATURES.map((f) => f.name).filter((f) => next.includes(f)) });
  };

  const onMove = (ev: React.MouseEvent<HTMLDivElement>) => {
    const links = trainer.diagram?.links;
    if (!links) return;
    const r = ev.currentTarget.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const hit = links.hit(x, y);
    setHover(hit < 0 ? undefined : { k: hit, x, y });
  };

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
    const links = trainer.diagram?.links;
    if (!hover || !links || hover.k >= links.count) return null;
    const l = links.layer[hover.k];
    const o = links.to[hover.k];
    const i = links.from[hover.k];
    const idx = links.param[hover.k];
    const src = l === 1 ? FEATURES.filter((_, j) => selected[j])[i]?.label : `h${l - 1}.${i}`;
    const dst = l === depth ? (trainer.data.task === 'regression' ? 'output' : `class ${trainer.data.classNames[o] ?? o}`) : `h${l}.${o}`;
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
        <div className="net" style={{ width: L.width, height: L.height }} onMouseMove={onMove} onMouseLeave={() => setHover(undefined)}>
          <canvas className="net-canvas" style={{ width: L.width, height: L.height }} ref={(el) => { trainer.surfaces.netCanvas = el ?? undefined; }} data-testid="network-canvas" />
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
                {isInput && <FeatureCanvas index={u} />}
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
