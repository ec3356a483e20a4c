/**
 * The input: a bundled sample, an uploaded picture, a digit drawn on a canvas (small grayscale
 * image models), or a table row whose named fields can be edited (tabular models). Every change
 * creates a new input on the server, and the prediction, activations and explanation follow it.
 */
import { useEffect, useRef, useState } from 'react';
import type { InputInfo, ModelInfo } from '../../../src/server/api-types.ts';
import { DrawCanvas } from './DrawCanvas.tsx';
import { Section } from './Section.tsx';

/** Props of {@link InputPanel}. */
export interface InputPanelProps {
  info: ModelInfo;
  input: InputInfo | undefined;
  sample: string;
  error?: string;
  busy: boolean;
  onSample(id: string): void;
  onPicture(picture: Blob, source: 'upload' | 'drawing'): void;
  onRow(row: Record<string, number>): void;
}

function RowEditor({ input, names, onRow }: { input: InputInfo; names: string[]; onRow(row: Record<string, number>): void }) {
  const [values, setValues] = useState<string[]>(() => input.row!.values.map(String));
  // A new sample resets the fields; the answer to an edit does not (the user may be typing on).
  useEffect(() => { if (input.source !== 'edited row') setValues(input.row!.values.map((v) => String(Number(v.toPrecision(7))))); }, [input]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const commit = (next: string[]) => {
    clearTimeout(timer.current);
    const nums = next.map(Number);
    if (nums.some((v, k) => !Number.isFinite(v) || next[k]!.trim() === '')) return;
    timer.current = setTimeout(() => onRow(Object.fromEntries(names.map((n, k) => [n, nums[k]!]))), 250);
  };
  return (
    <div className="fields" data-testid="row-fields">
      {names.map((n, k) => (
        <label key={n} className="field">
          <span title={n}>{n}</span>
          <input type="number" step="any" value={values[k] ?? ''} data-testid={`field-${n}`}
            className={Number.isFinite(Number(values[k])) && values[k]?.trim() !== '' ? '' : 'bad'}
            onChange={(e) => { const next = values.slice(); next[k] = e.target.value; setValues(next); commit(next); }} />
        </label>
      ))}
    </div>
  );
}

export function InputPanel({ info, input, sample, error, busy, onSample, onPicture, onRow }: InputPanelProps) {
  const canDraw = info.inputKind === 'image' && info.image?.channels === 1 && Math.max(info.image.height, info.image.width) <= 64;
  const [tab, setTab] = useState<'samples' | 'upload' | 'draw'>('samples');
  const samples = info.samples;
  const names = info.featureNames ?? input?.row?.names ?? [];
  return (
    <Section title="Input" testid="input-panel" note={busy ? 'loading\u2026' : input?.source}
      exportable={() => (input?.picture ? { kind: 'png', src: `${input.picture}?zoom=8` } : undefined)} exportName="input">
      {error && <div className="error small">{error}</div>}
      {info.inputKind === 'image' && (
        <>
          <div className="tabs">
            <button className={tab === 'samples' ? 'on' : ''} onClick={() => setTab('samples')}>Samples</button>
            <button className={tab === 'upload' ? 'on' : ''} onClick={() => setTab('upload')}>Upload</button>
            {canDraw && <button className={tab === 'draw' ? 'on' : ''} onClick={() => setTab('draw')} data-testid="tab-draw">Draw</button>}
          </div>
          <div className="input-row">
            {input?.picture && <img className="input-picture" src={input.picture} alt="the input the model sees" data-testid="input-picture" />}
            <div className="input-pick">
              {tab === 'samples' && (samples.length
                ? <>
                  <div className="thumbs">{samples.filter((s) => s.thumb).map((s) => (
                    <button key={s.id} className={`thumb${s.id === sample ? ' on' : ''}`} title={s.label} onClick={() => onSample(s.id)} data-testid={`sample-${s.label}`}>
                      <img src={s.thumb} alt={s.label} />
                    </button>))}</div>
                  {samples.some((s) => !s.thumb) && (
                    <select className="sample-select" value={samples.some((s) => s.id === sample && !s.thumb) ? sample : ''} onChange={(e) => onSample(e.target.value)} data-testid="array-samples">
                      <option value="">arrays ({samples.filter((s) => !s.thumb).length}){'\u2026'}</option>
                      {samples.filter((s) => !s.thumb).map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
                    </select>
                  )}
                </>
                : <p className="hint">No samples beside this model: upload a picture{canDraw ? ' or draw one' : ''}.</p>)}
              {tab === 'upload' && (
                <label className="upload">
                  <input type="file" accept="image/*" onChange={(e) => { const f = e.target.files?.[0]; if (f) onPicture(f, 'upload'); e.target.value = ''; }} />
                  <span>Choose a picture{'\u2026'}</span>
                  <small>PNG, JPEG, WebP, GIF, BMP: resized and normalized as the model's metadata says.</small>
                </label>
              )}
              {tab === 'draw' && info.image && <DrawCanvas size={info.image.width} onDrawn={(b) => onPicture(b, 'drawing')} />}
            </div>
          </div>
          {input && <p className="hint small">{input.description}</p>}
        </>
      )}
      {info.inputKind !== 'image' && (
        <>
          {samples.length > 0 && (
            <select className="sample-select" value={sample} onChange={(e) => onSample(e.target.value)} data-testid="sample-select">
              {!sample && <option value="">{input?.source ?? 'choose a sample'}</option>}
              {samples.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
            </select>
          )}
          {input?.row && <RowEditor input={input} names={names} onRow={onRow} />}
          {input && !input.row && <p className="hint small">{input.description}</p>}
        </>
      )}
    </Section>
  );
}
