/**
 * The top bar: the model picker and what the model is, opening a model from files (several at
 * once: Keras `.json` + `.h5`, TF.js `model.json` + shards; drag and drop works on the whole
 * page), and the graph search by node name or op type.
 */
import { useState } from 'react';
import type { ModelEntry } from '../../../src/server/api-types.ts';

/** One search hit. */
export interface Hit { index: number; name: string; op: string }

/** Props of {@link TopBar}. */
export interface TopBarProps {
  models: ModelEntry[];
  current: ModelEntry | undefined;
  subtitle?: string;
  onModel(name: string): void;
  onFiles(files: File[]): void;
  uploading: boolean;
  query: string;
  onQuery(q: string): void;
  hits: Hit[];
  onHit(index: number): void;
}

export function TopBar(p: TopBarProps) {
  const [open, setOpen] = useState(false);
  return (
    <header className="topbar">
      <div className="brand"><b>nnlens</b></div>
      {p.models.length > 0 && <select className="model-select" value={p.current?.name ?? ''} onChange={(e) => p.onModel(e.target.value)} data-testid="model-select" title="Opened models">
        {p.models.map((m) => <option key={m.id} value={m.name}>{m.name}</option>)}
      </select>}
      <label className="button" title="Open a model file (ONNX, Keras .h5/.keras/.json + .h5, TF.js model.json + shards); or drop files on the page">
        <input type="file" multiple onChange={(e) => { const f = [...(e.target.files ?? [])]; if (f.length) p.onFiles(f); e.target.value = ''; }} data-testid="open-files" />
        {p.uploading ? 'Opening\u2026' : 'Open model\u2026'}
      </label>
      <span className="subtitle" title={p.current?.whyNot}>{p.subtitle}{p.current && !p.current.runnable ? ' \u00b7 display only' : ''}</span>
      <a className="link" href="playground.html" target="_blank" rel="noopener" title="Train a small network in the browser and watch every step">Playground</a>
      <div className="search">
        <input type="search" placeholder="Search nodes by name or op (Conv, layer4, dense_1)" value={p.query} data-testid="search"
          onChange={(e) => { p.onQuery(e.target.value); setOpen(true); }} onFocus={() => setOpen(true)} onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => { if (e.key === 'Enter' && p.hits[0]) { p.onHit(p.hits[0].index); setOpen(false); } if (e.key === 'Escape') setOpen(false); }} />
        {open && p.query.trim() && (
          <ul className="hits" data-testid="search-hits">
            {p.hits.length === 0 && <li className="none">no node matches</li>}
            {p.hits.map((h) => (
              <li key={h.index}><button onMouseDown={(e) => e.preventDefault()} onClick={() => { p.onHit(h.index); setOpen(false); }}><b>{h.op}</b> <span className="mono">{h.name}</span></button></li>
            ))}
          </ul>
        )}
      </div>
    </header>
  );
}
