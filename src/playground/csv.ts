/**
 * The user's own data as CSV: two numeric columns become the plane's x1 and x2, a third column is
 * the label (class names or numbers for classification, numbers for regression). Other columns
 * are ignored: the playground draws everything on the (x1, x2) plane.
 *
 * Coordinates are rescaled linearly to [-5, 5] so the same feature transforms (x^2, sin x) and the
 * same heatmap plane as the built-in sets apply; regression labels are rescaled to [-1, 1] so the
 * diverging colour scale of the output means the same thing.
 */
import { NnlensError } from '../errors.ts';
import type { Point, Task } from './datasets.ts';

/** A parsed CSV: column names (from the header, or `column 1`...) and the cells as strings. */
export interface CsvTable {
  columns: string[];
  rows: string[][];
}

/** Which columns to use and how to read the label. */
export interface CsvChoice {
  x1: number;
  x2: number;
  label: number;
  task: 'auto' | Task;
}

/** Points built from a CSV, with what is needed to show them. */
export interface CsvDataset {
  points: Point[];
  task: Task;
  /** Class names by class index (classification only). */
  classNames: string[];
  /** Column names used for x1, x2 and the label. */
  axes: [string, string, string];
}

/** Most classes the page can colour apart. */
export const MAX_CLASSES = 8;
/** Fewest distinct numeric labels read as regression when the task is `auto`. */
const AUTO_REGRESSION_MIN = 11;

/** Splits one line on `sep`, honouring double quotes ("a,b" and "" escapes, RFC 4180). */
function splitLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) { out.push(cur.trim()); cur = ''; }
    else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));

/**
 * Parses CSV text (separator `,`, `;` or tab, detected from the first line; a header row is
 * recognised when its cells are not all numbers while the second row's are).
 * @param file name shown in errors
 * @example parseCsv('x,y,class\n1,2,a\n3,4,b', 'points.csv').columns // ['x', 'y', 'class']
 */
export function parseCsv(text: string, file = 'data.csv'): CsvTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length < 2) throw new NnlensError(file, 'needs at least two rows of data');
  const first = lines[0];
  const sep = [',', ';', '\t'].reduce((best, s) => (first.split(s).length > first.split(best).length ? s : best), ',');
  const rows = lines.map((l) => splitLine(l, sep));
  const width = rows[0].length;
  if (width < 3) throw new NnlensError(file, `needs two numeric columns and a label column; found ${width} column(s) (separator "${sep === '\t' ? 'tab' : sep}")`);
  const bad = rows.findIndex((r) => r.length !== width);
  if (bad >= 0) throw new NnlensError(file, `line ${bad + 1} has ${rows[bad].length} cells, expected ${width}`);
  const headerLike = rows[0].some((c) => !isNumber(c)) && rows[1].filter(isNumber).length > rows[0].filter(isNumber).length;
  const columns = headerLike ? rows[0] : rows[0].map((_, i) => `column ${i + 1}`);
  return { columns, rows: headerLike ? rows.slice(1) : rows };
}

/**
 * The default choice: the first two numeric columns as x1, x2 and the last other column (or the
 * last column) as the label.
 */
export function defaultCsvChoice(table: CsvTable): CsvChoice {
  const numeric = table.columns.map((_, j) => table.rows.every((r) => isNumber(r[j])));
  const nums = numeric.flatMap((ok, j) => (ok ? [j] : []));
  const x1 = nums[0] ?? 0;
  const x2 = nums[1] ?? 1;
  let label = table.columns.length - 1;
  while ((label === x1 || label === x2) && label > 0) label--;
  return { x1, x2, label, task: 'auto' };
}

/**
 * Builds points from a parsed table.
 * @example csvDataset(parseCsv(text), { x1: 0, x2: 1, label: 2, task: 'auto' }, 'points.csv')
 */
export function csvDataset(table: CsvTable, choice: CsvChoice, file = 'data.csv'): CsvDataset {
  const { columns, rows } = table;
  const w = columns.length;
  for (const [what, j] of [['x1', choice.x1], ['x2', choice.x2], ['label', choice.label]] as const) {
    if (!(j >= 0 && j < w)) throw new NnlensError(file, `${what} column ${j + 1} does not exist (the file has ${w} columns)`);
  }
  if (choice.x1 === choice.x2) throw new NnlensError(file, 'x1 and x2 must be two different columns');
  const num = (j: number) => rows.map((r, i) => {
    const v = Number(r[j]);
    if (r[j] === '' || !Number.isFinite(v)) throw new NnlensError(file, `column "${columns[j]}", data row ${i + 1}: "${r[j]}" is not a number`);
    return v;
  });
  const scaleTo = (v: number[], lo: number, hi: number) => {
    const min = Math.min(...v);
    const max = Math.max(...v);
    const span = max - min || 1; // a constant column maps to the middle
    return v.map((x) => (max === min ? (lo + hi) / 2 : lo + ((x - min) / span) * (hi - lo)));
  };
  const xs1 = scaleTo(num(choice.x1), -5, 5);
  const xs2 = scaleTo(num(choice.x2), -5, 5);
  const raw = rows.map((r) => r[choice.label]);
  const distinct = [...new Set(raw)];
  const allNumeric = raw.every(isNumber);
  const task: Task = choice.task !== 'auto' ? choice.task
    : allNumeric && (distinct.length >= AUTO_REGRESSION_MIN || raw.some((s) => !Number.isInteger(Number(s)))) ? 'regression'
    : 'classification';
  const axes: [string, string, string] = [columns[choice.x1], columns[choice.x2], columns[choice.label]];
  if (task === 'regression') {
    const ys = scaleTo(num(choice.label), -1, 1);
    return { points: xs1.map((x1, i) => ({ x1, x2: xs2[i], label: ys[i] })), task, classNames: [], axes };
  }
  if (distinct.length < 2) throw new NnlensError(file, `label column "${columns[choice.label]}" has a single class; classification needs two or more`);
  if (distinct.length > MAX_CLASSES) throw new NnlensError(file, `label column "${columns[choice.label]}" has ${distinct.length} classes; at most ${MAX_CLASSES} are supported`);
  const classNames = allNumeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  const index = new Map(classNames.map((c, i) => [c, i]));
  return { points: xs1.map((x1, i) => ({ x1, x2: xs2[i], label: index.get(raw[i])! })), task, classNames, axes };
}
