/** The activation-function gallery: each function (solid) and its derivative (dashed); click one to use it. */
import { useEffect, useRef } from 'react';
import { ACTIVATIONS, type Activation } from '../../../src/playground/activations.ts';
import type { PlaygroundState } from '../../../src/playground/state.ts';
import { drawActivation } from './draw.ts';
import type { Update } from './Field.tsx';

function Plot({ act }: { act: Activation }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => { if (ref.current) drawActivation(ref.current, act, { derivative: true }); }, [act]);
  return <canvas ref={ref} className="gallery-plot" />;
}

export function Gallery({ state, update }: { state: PlaygroundState; update: Update }) {
  return (
    <section className="panel gallery" aria-label="Activation functions">
      <h2>Activation functions</h2>
      <p className="hint">
        <span className="key solid" /> f(z) <span className="key dashed" /> f′(z), for z from −4 to 4. The derivative is what backpropagation multiplies
        the error by: where it is near 0 (sigmoid and tanh far from 0, ReLU below 0) a neuron stops learning. Click one to use it.
      </p>
      <div className="gallery-grid">
        {ACTIVATIONS.map((a) => (
          <button type="button" key={a.name} className={`gallery-card ${state.activation === a.name ? 'on' : ''}`}
            data-testid={`gallery-${a.name}`} onClick={() => update({ activation: a.name })}>
            <Plot act={a} />
            <b>{a.label}</b>
            <code>{a.formula}</code>
          </button>
        ))}
      </div>
    </section>
  );
}
