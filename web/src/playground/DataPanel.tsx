/** Left column: which data (built-in sets or the user's CSV), how much noise, the split, the batch size. */
import { useEffect, useMemo, useRef } from 'react';
import { defaultCsvChoice, parseCsv, type CsvTable } from '../../../src/playground/csv.ts';
import { DATASETS, type DatasetGenerator } from '../../../src/playground/datasets.ts';
import { Rng } from '../../../src/playground/random.ts';
import { decodeCsv, encodeCsv, type PlaygroundState } from '../../../src/playground/state.ts';
import { drawPoints } from './draw.ts';
import { Field, type Update } from './Field.tsx';
import type { Trainer } from './trainer.ts';

/** Largest CSV file read, in bytes (it travels in the URL hash, deflated). */
const MAX_CSV_BYTES = 512 * 1024;

function Thumb({ gen, classes }: { gen: DatasetGenerator; classes: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const k = gen.multiclass ? classes : 2;
    const pts = gen.generate(gen.task === 'regression' ? 300 : 200, 0, new Rng(1), k);
    drawPoints(ref.current, { task: gen.task, classes: k, classNames: [], train: pts, test: [] }, false);
  }, [gen, classes]);
  return <canvas ref={ref} className="thumb-canvas" />;
}

export function DataPanel({ state, update, trainer }: { state: PlaygroundState; update: Update; trainer: Trainer }) {
  const table = useMemo((): CsvTable | undefined => {
    if (state.dataset !== 'csv' || !state.csv) return undefined;
    try { return parseCsv(decodeCsv(state.csv), state.csvName || 'data.csv'); } catch { return undefined; }
  }, [state.dataset, state.csv, state.csvName]);
  const gen = DATASETS.find((d) => d.name === state.dataset);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_CSV_BYTES) {
      alert(`${file.name}: ${Math.round(file.size / 1024)} KB; the playground reads CSV files up to ${MAX_CSV_BYTES / 1024} KB`);
      return;
    }
    const text = await file.text();
    update({ dataset: 'csv', csv: encodeCsv(text), csvName: file.name, csvX1: -1, csvX2: -1, csvLabel: -1, csvTask: 'auto' });
  };
  const def = table ? defaultCsvChoice(table) : undefined;
  const colSelect = (key: 'csvX1' | 'csvX2' | 'csvLabel', label: string, d: number) => (
    <label className="field">
      <span className="field-label">{label}</span>
      <select data-field={key} value={state[key] >= 0 ? state[key] : d} onChange={(e) => update({ [key]: Number(e.target.value) })}>
        {table!.columns.map((c, i) => <option key={i} value={i}>{c}</option>)}
      </select>
    </label>
  );
  return (
    <section className="panel data" aria-label="Data">
      <h2>Data</h2>
      <p className="hint">Which dataset do you want to use?</p>
      <div className="datasets">
        {DATASETS.map((d) => (
          <button type="button" key={d.name} data-testid={`dataset-${d.name}`} title={`${d.label} (${d.task})`}
            className={`thumb ${state.dataset === d.name ? 'on' : ''}`} onClick={() => update({ dataset: d.name })}>
            <Thumb gen={d} classes={state.classes} />
            <span>{d.label}</span>
          </button>
        ))}
        <label className={`thumb csv ${state.dataset === 'csv' ? 'on' : ''}`} title="Your own CSV: two numeric columns and a label column">
          <input type="file" accept=".csv,.tsv,.txt,text/csv" data-testid="csv-file" onChange={(e) => void onFile(e.target.files?.[0])} />
          <span className="csv-icon">CSV</span>
          <span>{state.dataset === 'csv' && state.csvName ? state.csvName : 'Your file'}</span>
        </label>
      </div>
      {table && def && (
        <div className="csv-columns">
          {colSelect('csvX1', 'X₁ column', def.x1)}
          {colSelect('csvX2', 'X₂ column', def.x2)}
          {colSelect('csvLabel', 'Label column', def.label)}
          <Field k="csvTask" state={state} update={update} />
        </div>
      )}
      {gen?.multiclass && <Field k="classes" state={state} update={update} />}
      <Field k="trainRatio" state={state} update={update} />
      {state.dataset !== 'csv' && <Field k="noise" state={state} update={update} />}
      <Field k="batchSize" state={state} update={update} max={30} />
      <button type="button" className="text-button" data-testid="regenerate" onClick={() => update({ dataSeed: state.dataSeed + 1 })}>
        Regenerate
      </button>
      <p className="hint small">
        {trainer.error ? 'No data: see the message above.' : `${trainer.data.train.length} training and ${trainer.data.test.length} test points`}
        {!trainer.error && trainer.data.axes ? ` · X₁ = ${trainer.data.axes[0]}, X₂ = ${trainer.data.axes[1]}, label = ${trainer.data.axes[2]}` : ''}
      </p>
    </section>
  );
}
