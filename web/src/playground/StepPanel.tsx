/**
 * Step-by-step mode: one mini-batch, every number of the step for one chosen example, all read
 * from the {@link StepTrace} that the training step itself recorded (src/playground/step.ts), so
 * what is shown is what training computed. Forward: z and a of each neuron, the value on each
 * link; backward: each neuron's delta and each weight's gradient; update: weight before -> after.
 */
import { useEffect, useRef } from 'react';
import type { Network } from '../../../src/playground/network.ts';
import { selectFeatures } from '../../../src/playground/features.ts';
import type { SessionStep } from '../../../src/playground/session.ts';
import type { PlaygroundState } from '../../../src/playground/state.ts';
import { classCss } from './colors.ts';
import { drawActivation } from './draw.ts';
import type { Update } from './Field.tsx';
import { fmt, fmtDelta } from './format.ts';
import type { Trainer } from './trainer.ts';

const PHASES = [
  ['forward', 'Forward', 'Each link carries w·a from its source; a neuron adds them and its bias into z, then a = f(z).'],
  ['backward', 'Backward', 'The output error δ = ∂L/∂z flows back: δ = f′(z) · Σ w·δ of the next layer. Each weight gets ∂L/∂w = δ · a (averaged over the batch).'],
  ['update', 'Update', 'The optimizer moves every weight against its gradient: links show the change after − before.'],
] as const;

/** A number cell that keeps the exact value for tests and tooltips. */
function Num({ v, id, delta }: { v: number; id?: string; delta?: boolean }) {
  return <td className="num" data-testid={id} data-value={String(v)} title={String(v)}>{delta ? fmtDelta(v) : fmt(v)}</td>;
}

function ActivationPlot({ net, z }: { net: Network; z: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => { if (ref.current) drawActivation(ref.current, net.activation, { z, derivative: true }); }, [net, z]);
  return <canvas ref={ref} className="act-plot" />;
}

function updateRule(state: PlaygroundState): string {
  const lr = `η = ${state.learningRate}`;
  if (state.optimizer === 'sgd') return `SGD: w ← w − η·∂L/∂w, ${lr}`;
  if (state.optimizer === 'momentum') return `SGD + momentum: v ← μv + ∂L/∂w, w ← w − η·v, ${lr}, μ = ${state.momentum}`;
  return `Adam: w ← w − η·m̂/(√v̂ + ε) with bias-corrected moment estimates, ${lr}`;
}

export function StepPanel({ state, update, trainer }: { state: PlaygroundState; update: Update; trainer: Trainer }) {
  const step: SessionStep | undefined = trainer.lastStep;
  const net = trainer.session.net;
  const data = trainer.data;
  if (!step?.trace) {
    return (
      <section className="panel steps" aria-label="Step by step" data-testid="step-panel">
        <h2>Step by step</h2>
        <p className="hint">Press <b>▶|</b> to train on the next mini-batch of {Math.min(state.batchSize, data.train.length)} examples and see every number: the forward pass, the error flowing back, and each weight's update.</p>
      </section>
    );
  }
  const t = step.trace;
  const depth = net.depth;
  const k = net.sizes[depth];
  const e = Math.min(state.example, t.n - 1);
  const point = data.train[step.indices[e]];
  const inputs = selectFeatures(state.features);
  let [fl, fu] = state.neuron.split(':').map(Number);
  if (!(fl >= 1 && fl <= depth && fu >= 0 && fu < net.sizes[fl])) { fl = 1; fu = 0; }
  const n = net.sizes[fl];
  const nIn = net.sizes[fl - 1];
  const Lw = net.layers[fl - 1];
  const z = t.z[fl][e * n + fu];
  const isOut = fl === depth;
  const a = isOut ? t.prediction[e * k + fu] : t.a[fl][e * n + fu];
  const delta = t.delta[fl][e * n + fu];
  const bi = net.biasIndex(fl - 1, fu);
  const srcName = (i: number) => (fl === 1 ? inputs[i].label : `h${fl - 1}.${i}`);
  const neuronName = (l: number, u: number) => (l === depth ? (data.task === 'regression' ? 'output' : `class ${data.classNames[u] ?? u}`) : `h${l}.${u}`);
  let back = 0;
  if (!isOut) {
    const next = net.layers[fl];
    for (let o = 0; o < next.nOut; o++) back += t.before[next.w + o * next.nIn + fu] * t.delta[fl + 1][e * next.nOut + o];
  }
  const target = (u: number) => (data.task === 'regression' ? point.label : point.label === u ? 1 : 0);

  return (
    <section className="panel steps" aria-label="Step by step" data-testid="step-panel">
      <div className="steps-head">
        <h2>Step by step</h2>
        <span data-testid="step-info">
          Epoch {step.epoch}, mini-batch {step.stepInEpoch + 1} of {trainer.session.stepsPerEpoch}: {t.n} examples,
          batch loss <b data-testid="batch-loss" data-value={step.loss}>{fmt(step.loss)}</b>
          {step.penalty > 0 && <> + penalty {fmt(step.penalty)}</>}
        </span>
      </div>
      <div className="phases segmented" role="group" aria-label="Phase">
        {PHASES.map(([p, label]) => (
          <button type="button" key={p} className={state.phase === p ? 'on' : ''} data-testid={`phase-${p}`} onClick={() => update({ phase: p })}>{label}</button>
        ))}
      </div>
      <p className="hint">{PHASES.find(([p]) => p === state.phase)![2]}</p>
      <div className="examples" role="group" aria-label="Example">
        <span className="field-label">Example</span>
        {step.indices.map((idx, i) => {
          const p = data.train[idx];
          return (
            <button type="button" key={i} className={`chip ${i === e ? 'on' : ''}`} data-testid={`example-${i}`} onClick={() => update({ example: i })}>
              <i style={{ background: data.task === 'regression' ? '#888' : classCss(p.label) }} />#{i + 1}
            </button>
          );
        })}
      </div>
      <div className="step-grid">
        <div className="card">
          <h3>Example #{e + 1}</h3>
          <table className="kv"><tbody>
            <tr><th>X₁</th><Num v={point.x1} id="ex-x1" /></tr>
            <tr><th>X₂</th><Num v={point.x2} id="ex-x2" /></tr>
            <tr><th>label</th><td className="num" data-testid="ex-label">{data.task === 'regression' ? fmt(point.label) : `class ${data.classNames[point.label] ?? point.label}`}</td></tr>
            <tr><th>loss</th><Num v={t.losses[e]} id="ex-loss" /></tr>
          </tbody></table>
          <h3>{data.task === 'regression' ? 'Prediction' : 'Output probabilities'}</h3>
          <div className="probs">
            {Array.from({ length: k }, (_, u) => {
              const p = t.prediction[e * k + u];
              return (
                <div className="prob" key={u}>
                  <span className="prob-name">{neuronName(depth, u)}</span>
                  {data.task === 'classification' && <span className="bar"><i style={{ width: `${(p * 100).toFixed(1)}%`, background: classCss(u) }} /></span>}
                  <span className="num" data-testid={`prob-${u}`} data-value={p}>{data.task === 'classification' ? `${(p * 100).toFixed(1)}%` : fmt(p)}</span>
                  <span className="target">target {fmt(target(u))}</span>
                </div>
              );
            })}
          </div>
        </div>
        <div className="card neuron-card" data-testid="neuron-card">
          <h3>{isOut ? `Output neuron ${neuronName(fl, fu)}` : `Layer ${fl}, neuron ${fu}`} <span className="hint small">(click any neuron in the diagram)</span></h3>
          <div className="neuron-top">
            {!isOut ? <ActivationPlot net={net} z={z} /> : null}
            <div className="equations">
              <div>z = b + Σ w·a = <b>{fmt(z)}</b></div>
              {!isOut && <div>a = {net.activation.label}(z) = <b>{fmt(a)}</b></div>}
              {isOut && data.task === 'classification' && <div>p = softmax(z)<sub>{fu}</sub> = <b>{fmt(a)}</b></div>}
              {isOut && data.task === 'regression' && <div>ŷ = z = <b>{fmt(a)}</b></div>}
              {isOut
                ? <div>δ = {data.task === 'regression' ? 'ŷ − y' : 'p − y'} = {fmt(a)} − {fmt(target(fu))} = <b>{fmt(delta)}</b></div>
                : <div>δ = f′(z) · Σ w·δ<sub>next</sub> = {fmt(net.activation.df(z, t.a[fl][e * n + fu]))} × {fmt(back)} = <b>{fmt(delta)}</b></div>}
              <div className="hint small">{updateRule(state)}{state.regularization !== 'none' && state.regularizationRate > 0 ? ` (∂L/∂w includes the ${state.regularization.toUpperCase()} penalty, rate ${state.regularizationRate})` : ''}</div>
            </div>
          </div>
          <table className="grid-table" data-testid="weights-table">
            <thead><tr><th>from</th><th>a in</th><th>w</th><th>w·a</th><th>δ·a (this example)</th><th>∂L/∂w (batch)</th><th>w after</th><th>change</th></tr></thead>
            <tbody>
              {Array.from({ length: nIn }, (_, i) => {
                const wi = Lw.w + fu * nIn + i;
                const ain = t.a[fl - 1][e * nIn + i];
                return (
                  <tr key={i}>
                    <th>{srcName(i)}</th>
                    <Num v={ain} id={`w-${i}-ain`} />
                    <Num v={t.before[wi]} id={`w-${i}-before`} />
                    <Num v={t.flow[fl][(e * n + fu) * nIn + i]} id={`w-${i}-flow`} />
                    <Num v={delta * ain} id={`w-${i}-share`} />
                    <Num v={t.grad[wi]} id={`w-${i}-grad`} />
                    <Num v={t.after[wi]} id={`w-${i}-after`} />
                    <Num v={t.after[wi] - t.before[wi]} id={`w-${i}-change`} delta />
                  </tr>
                );
              })}
              <tr className="bias">
                <th>bias</th><td className="num">1</td>
                <Num v={t.before[bi]} id="b-before" /><Num v={t.before[bi]} />
                <Num v={delta} /><Num v={t.grad[bi]} id="b-grad" />
                <Num v={t.after[bi]} id="b-after" /><Num v={t.after[bi] - t.before[bi]} delta />
              </tr>
            </tbody>
          </table>
        </div>
        <div className="card all-neurons">
          <h3>All neurons, example #{e + 1}</h3>
          <div className="scroll">
            <table className="grid-table" data-testid="neurons-table">
              <thead><tr><th>neuron</th><th>z</th><th>a</th><th>f′(z)</th><th>δ</th></tr></thead>
              <tbody>
                {net.sizes.slice(1).flatMap((size, li) => Array.from({ length: size }, (_, u) => {
                  const l = li + 1;
                  const zz = t.z[l][e * size + u];
                  const aa = l === depth ? t.prediction[e * k + u] : t.a[l][e * size + u];
                  const dd = l === depth ? (data.task === 'regression' ? 1 : NaN) : net.activation.df(zz, t.a[l][e * size + u]);
                  return (
                    <tr key={`${l}:${u}`} className={l === fl && u === fu ? 'sel' : ''} onClick={() => update({ neuron: `${l}:${u}` })}>
                      <th>{neuronName(l, u)}</th>
                      <Num v={zz} id={`z-${l}-${u}`} />
                      <Num v={aa} id={`a-${l}-${u}`} />
                      {Number.isNaN(dd) ? <td className="num">softmax</td> : <Num v={dd} />}
                      <Num v={t.delta[l][e * size + u]} id={`d-${l}-${u}`} />
                    </tr>
                  );
                }))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </section>
  );
}
