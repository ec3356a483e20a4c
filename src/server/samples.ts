/**
 * Sample inputs found beside a model: images, `.npy` arrays and rows of `.csv` / `.json` tables in
 * its `samples/`, `examples/` and `inputs/` sub-folders, or, when it has none, in the model's own
 * folder (if that folder is small). Only samples the
 * model can take are listed (pictures for image models; tables whose columns include the model's
 * features for tabular ones), and the page names them by id: the server never opens a path the
 * page sends.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { isImageFile } from '../io/image.ts';
import { readTable, splitCsv } from '../io/csv.ts';
import type { Shape } from '../graph/ir.ts';
import { fitShape } from '../io/shape-fit.ts';
import type { SampleInfo } from './api-types.ts';

/** Sub-folders searched besides the model's own folder. */
export const SAMPLE_DIRS = ['samples', 'examples', 'inputs'];
/** Most files in a model's folder for loose files beside the model to count as samples. */
const MAX_LOOSE = 40;
/** Most rows offered per table file, and most samples per model. */
const MAX_ROWS = 40, MAX_SAMPLES = 120;
/** Names that are never samples: labels, metadata, manifests. */
const NOT_SAMPLES = /^(labels?|classes|metadata|manifest|package|config|zoo|model)\b.*\.json$|^model\.json$/i;
/** Column names that hold a row's label (shown beside it, not fed). */
const LABEL_COLUMN = /^(label|labels|class|target|y|is_fraud|fraud)$/i;

/** A sample and where it lives. */
export interface Sample extends SampleInfo {
  file: string;
  /** Row index for table samples. */
  row?: number;
}

/** What the model takes, for filtering samples. */
export interface SampleFilter {
  kind: 'image' | 'tabular' | 'other';
  featureNames?: string[];
  /** The model file itself and files it uses (weights, shards): never samples. */
  exclude: string[];
  /** The model's first input shape: `.npy` samples of another shape are left out. */
  inputShape?: Shape;
}

/**
 * The samples of a model whose file is in `folder`.
 * @example findSamples('examples/digits', { kind: 'image', exclude: ['examples/digits/model.onnx'] })
 */
export function findSamples(folder: string, filter: SampleFilter): Sample[] {
  const out: Sample[] = [];
  const subs = SAMPLE_DIRS.map((d) => join(folder, d)).filter((d) => existsSync(d) && statSync(d).isDirectory());
  // The model's own folder counts only when it has no sample folder and few files: a model saved
  // in Downloads or /tmp must not offer every picture lying there.
  const dirs = subs.length > 0 || readdirSync(folder).length > MAX_LOOSE ? subs : [folder];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort(naturalOrder)) {
      const file = join(dir, name);
      if (out.length >= MAX_SAMPLES) return out;
      if (filter.exclude.includes(file) || !statSync(file).isFile()) continue;
      const id = relative(folder, file).split('\\').join('/');
      const ext = extname(name).toLowerCase();
      if (isImageFile(name)) {
        if (filter.kind === 'image') out.push({ id, label: name, kind: 'image', file });
      } else if (ext === '.npy') {
        if (npyFits(file, filter.inputShape)) out.push({ id, label: name, kind: 'array', file });
      } else if ((ext === '.csv' || ext === '.json') && !NOT_SAMPLES.test(name) && filter.kind === 'tabular') {
        out.push(...tableRows(file, id, filter.featureNames));
      }
    }
  }
  // Samples of the model's own kind first (table rows before .npy arrays for tabular models).
  const rank = (x: Sample) => (x.kind === 'array' ? 1 : 0);
  return out.map((x, i) => [x, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([x]) => x).slice(0, MAX_SAMPLES);
}

/** The rows of a table file as samples, or none when it does not hold the model's features. */
function tableRows(file: string, id: string, featureNames: string[] | undefined): Sample[] {
  let rows: number;
  try {
    rows = readTable(file, featureNames).rows.length;
  } catch {
    return []; // Not a table of this model's features (another model's samples, a config file).
  }
  const labels = rowLabels(file);
  const n = Math.min(rows, MAX_ROWS);
  return Array.from({ length: n }, (_, r) => ({
    id: `${id}#${r}`,
    label: `${basename(file)} row ${r + 1}${labels?.[r] !== undefined ? ` (${labels.column} = ${labels[r]})` : ''}`,
    kind: 'tabular' as const,
    file,
    row: r,
  }));
}

/** The label column of a CSV file, if it has one (e.g. `is_fraud`). */
function rowLabels(file: string): (string[] & { column: string }) | undefined {
  if (extname(file).toLowerCase() !== '.csv') return undefined;
  const { records } = splitCsv(readFileSync(file, 'utf8'), file);
  const header = records[0];
  const k = header?.findIndex((h) => LABEL_COLUMN.test(h.trim())) ?? -1;
  if (!header || k < 0) return undefined;
  return Object.assign(records.slice(1).map((r) => (r[k] ?? '').trim()), { column: header[k]!.trim() });
}

/** Whether a `.npy` file's shape (read from its header) fits the model input (batch size aside). */
function npyFits(file: string, shape: Shape | undefined): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(1024);
    const n = readSync(fd, head, 0, head.length, 0);
    const text = new TextDecoder('latin1').decode(head.subarray(0, n));
    const m = /'shape':\s*\(([^)]*)\)/.exec(text);
    if (!text.startsWith('\x93NUMPY') || !m) return false;
    const dims = m[1]!.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
    if (!shape) return true;
    fitShape(dims, shape[0] === 1 ? ['N', ...shape.slice(1)] : shape, file);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Orders `digit-2.png` before `digit-10.png`. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
