/** A titled panel section with SVG / PNG export buttons for what it shows. */
import { useState, type ReactNode } from 'react';
import { exportAs, type Exportable } from './export.ts';

export interface SectionProps {
  title: string;
  /** Short text beside the title (what the section shows). */
  note?: ReactNode;
  /** What the export buttons save (none: no buttons). */
  exportable?: () => Exportable | undefined;
  /** File name stem for exports. */
  exportName?: string;
  testid?: string;
  children: ReactNode;
}

export function Section({ title, note, exportable, exportName, testid, children }: SectionProps) {
  const [error, setError] = useState<string>();
  const save = (format: 'svg' | 'png') => {
    const x = exportable?.();
    if (!x) return;
    exportAs(x, format, exportName ?? title).then(() => setError(undefined), (e: Error) => setError(e.message));
  };
  return (
    <section className="section" data-testid={testid}>
      <header>
        <h2>{title}</h2>
        {note && <span className="note">{note}</span>}
        {exportable && (
          <span className="export">
            <button onClick={() => save('svg')} title={`Save ${title.toLowerCase()} as SVG`}>SVG</button>
            <button onClick={() => save('png')} title={`Save ${title.toLowerCase()} as PNG`}>PNG</button>
          </span>
        )}
      </header>
      {error && <div className="error small">{error}</div>}
      {children}
    </section>
  );
}
