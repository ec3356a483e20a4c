/**
 * The playground page: state in the URL hash (one typed table, src/playground/state.ts), an
 * imperative {@link Trainer} for everything that moves every frame, and React for the controls.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { parseHash, toHash, type PlaygroundState } from '../../../src/playground/state.ts';
import { DataPanel } from './DataPanel.tsx';
import { Gallery } from './Gallery.tsx';
import { NetworkView } from './NetworkView.tsx';
import { OutputPanel } from './OutputPanel.tsx';
import { StepPanel } from './StepPanel.tsx';
import { TopBar } from './TopBar.tsx';
import { Trainer } from './trainer.ts';

/** Registers a text element the trainer updates every frame. */
export function useText(trainer: Trainer, name: string) {
  return useCallback((el: HTMLElement | null) => {
    if (el) trainer.surfaces.text.set(name, el);
    else trainer.surfaces.text.delete(name);
  }, [trainer, name]);
}

export function App() {
  const [state, setState] = useState<PlaygroundState>(() => parseHash(location.hash));
  const trainerRef = useRef<Trainer | null>(null);
  if (!trainerRef.current) trainerRef.current = new Trainer(state);
  const trainer = trainerRef.current;
  useSyncExternalStore(trainer.subscribe, trainer.getVersion);

  const update = useCallback((patch: Partial<PlaygroundState>) => setState((s) => ({ ...s, ...patch })), []);

  useEffect(() => {
    const h = toHash(state);
    if (location.hash.replace(/^#/, '') !== h) history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search);
    trainer.sync(state);
  }, [state, trainer]);

  useEffect(() => {
    const onHash = () => setState(parseHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // Canvases may have been created or resized by this render: paint them now, before the browser does.
  useLayoutEffect(() => {
    trainer.drawPoints();
    trainer.draw();
  });

  const task = trainer.data.task;
  const title = useMemo(() => (task === 'regression' ? 'regression' : `${trainer.data.classes}-class classification`), [task, trainer.data.classes]);

  return (
    <div className="page">
      <header className="masthead">
        <h1><span className="brand">nnlens</span> playground</h1>
        <p>Train a neural network in your browser and watch it learn: every neuron, every weight, forward and backward.</p>
      </header>
      <TopBar state={state} update={update} trainer={trainer} />
      {trainer.error && <div className="error" role="alert">{trainer.error}</div>}
      <main className="workspace">
        <DataPanel state={state} update={update} trainer={trainer} />
        <NetworkView state={state} update={update} trainer={trainer} />
        <OutputPanel state={state} update={update} trainer={trainer} title={title} />
      </main>
      {state.mode === 'step' && <StepPanel state={state} update={update} trainer={trainer} />}
      <Gallery state={state} update={update} />
      <footer className="footer">
        <span>Everything runs in this page; the whole setup is in the address bar, so a link reproduces it.</span>
        <span className="perf" ref={useText(trainer, 'fps')} data-testid="fps" />
      </footer>
    </div>
  );
}
