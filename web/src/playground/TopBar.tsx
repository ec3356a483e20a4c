/** The control bar: reset, play/pause, step, epoch counter, and the training hyper-parameters. */
import type { PlaygroundState } from '../../../src/playground/state.ts';
import { useText } from './App.tsx';
import { Field, type Update } from './Field.tsx';
import type { Trainer } from './trainer.ts';

export function TopBar({ state, update, trainer }: { state: PlaygroundState; update: Update; trainer: Trainer }) {
  const stepMode = state.mode === 'step';
  return (
    <section className="topbar" aria-label="Training controls">
      <div className="player">
        <button type="button" className="icon" title="Reset the network (new random weights)" data-testid="reset"
          onClick={() => { trainer.pause(); update({ initSeed: state.initSeed + 1 }); }}>↺</button>
        <button type="button" className={`play ${trainer.playing ? 'playing' : ''}`} data-testid="play"
          title={trainer.playing ? 'Pause' : 'Train'} disabled={!!trainer.error}
          onClick={() => {
            if (trainer.playing) trainer.pause();
            else { if (stepMode) update({ mode: 'train' }); trainer.play(); }
          }}>{trainer.playing ? '❚❚' : '▶'}</button>
        <button type="button" className="icon" data-testid="step" disabled={!!trainer.error || trainer.playing}
          title={stepMode ? 'Train on the next mini-batch and show every number' : 'Train one epoch'}
          onClick={() => trainer.stepOnce()}>▶|</button>
        <div className="epoch">
          <span className="field-label">Epoch</span>
          <span className="epoch-value" data-testid="epoch" ref={useText(trainer, 'epoch')}>000000</span>
          <span className="epoch-cursor" ref={useText(trainer, 'cursor')} />
        </div>
      </div>
      <Field k="learningRate" state={state} update={update} />
      <Field k="activation" state={state} update={update} />
      <Field k="regularization" state={state} update={update} />
      <Field k="regularizationRate" state={state} update={update} />
      <Field k="optimizer" state={state} update={update} />
      {state.optimizer === 'momentum' && <Field k="momentum" state={state} update={update} />}
      <div className="mode" role="group" aria-label="Mode">
        <span className="field-label">Mode</span>
        <div className="segmented">
          <button type="button" className={stepMode ? '' : 'on'} data-testid="mode-train" onClick={() => update({ mode: 'train' })}>Train</button>
          <button type="button" className={stepMode ? 'on' : ''} data-testid="mode-step"
            onClick={() => { trainer.pause(); update({ mode: 'step' }); }}>Step by step</button>
        </div>
      </div>
    </section>
  );
}
