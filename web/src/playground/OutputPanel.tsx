/** Right column: losses, the loss curves, and the decision surface with the data on top. */
import { useCallback } from 'react';
import type { PlaygroundState } from '../../../src/playground/state.ts';
import { useText } from './App.tsx';
import { classCss } from './colors.ts';
import type { Update } from './Field.tsx';
import type { Trainer } from './trainer.ts';

export function OutputPanel({ state, update, trainer, title }: { state: PlaygroundState; update: Update; trainer: Trainer; title: string }) {
  const s = trainer.surfaces;
  const reg = useCallback(<K extends 'output' | 'points' | 'lossChart'>(k: K) => (el: HTMLCanvasElement | null) => {
    s[k] = el ?? undefined;
  }, [s]);
  const data = trainer.data;
  return (
    <section className="panel output" aria-label="Output">
      <h2>Output</h2>
      <p className="hint small">{title}</p>
      <div className="losses">
        <div>Test loss <b data-testid="test-loss" ref={useText(trainer, 'testLoss')} /></div>
        <div>Training loss <b data-testid="train-loss" ref={useText(trainer, 'trainLoss')} /></div>
      </div>
      <canvas className="loss-chart" ref={reg('lossChart')} />
      <div className="plane">
        <canvas className="heat" ref={reg('output')} data-testid="output-heatmap" />
        <canvas className="overlay" ref={reg('points')} />
        <span className="tick t-top">6</span><span className="tick t-bottom">−6</span>
        <span className="tick t-left">−6</span><span className="tick t-right">6</span>
      </div>
      <div className="legend">
        {data.task === 'regression' || data.classes === 2 ? (
          <>
            <div className="scale" />
            <div className="scale-labels">
              {data.task === 'regression' ? <><span>−1</span><span>0</span><span>1</span></> : <><span>class {data.classNames[0]}</span><span>unsure</span><span>class {data.classNames[1]}</span></>}
            </div>
          </>
        ) : (
          <div className="classes">
            {data.classNames.map((c, i) => <span key={i}><i style={{ background: classCss(i) }} />class {c}</span>)}
          </div>
        )}
      </div>
      <label className="check"><input type="checkbox" data-testid="show-test" checked={state.showTest} onChange={(e) => update({ showTest: e.target.checked })} /> Show test data</label>
      <label className="check"><input type="checkbox" checked={state.discretize} onChange={(e) => update({ discretize: e.target.checked })} /> Discretize output</label>
    </section>
  );
}
