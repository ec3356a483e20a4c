/**
 * Tabular inputs: rows of numbers from `.csv` (with a header of feature names) or `.json`.
 *
 * CSV follows RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): fields may be quoted, a quote
 * inside a quoted field is doubled, quoted fields may hold commas and line breaks; CRLF or LF line
 * ends; a UTF-8 byte-order mark is ignored. Empty lines are skipped. The delimiter is a comma, or a
 * semicolon / tab when the header line has one of those and no comma (spreadsheet exports in
 * locales whose decimal mark is a comma use `;`).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { NnlensError } from '../errors.ts';

/** Rows of numbers with their column names. */
export interface Table {
  /** The file the rows came from (for error messages). */
  file: string;
  /** Column names from the header, or undefined when the file has none (JSON arrays of arrays). */
  columns: string[] | undefined;
  /** One array per row, each as long as the number of columns. */
  rows: number[][];
}

/** A table of text cells with where each row was found (for error messages). */
interface TextTable {
  header: string[] | undefined;
  rows: string[][];
  /** 1-based line number where each row starts (CSV only). */
  lines?: number[];
}

/**
 * Splits CSV text into records of fields (RFC 4180), remembering each record's first line.
 * @example splitCsv('a,b\n1,"x, y"\n') // { records: [['a','b'],['1','x, y']], lines: [1, 2] }
 */
export function splitCsv(text: string, file = '', delimiter = sniffDelimiter(text)): { records: string[][]; lines: number[] } {
  const records: string[][] = [];
  const lines: number[] = [];
  let field = '', record: string[] = [], quoted = false, wasQuoted = false, line = 1, start = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    record.push(field);
    // A record with one empty unquoted field is an empty line: skipped.
    if (!(record.length === 1 && record[0] === '' && !wasQuoted)) { records.push(record); lines.push(start); }
    record = []; field = ''; wasQuoted = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true; wasQuoted = true; field = '';
    } else if (ch === delimiter) {
      record.push(field); field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++; start = line;
    } else {
      field += ch;
    }
  }
  if (quoted) throw new NnlensError(file, `line ${start}: a quoted field is never closed`);
  if (field !== '' || record.length > 0 || wasQuoted) endRecord();
  return { records, lines };
}

function sniffDelimiter(text: string): string {
  const first = text.slice(0, text.search(/\r?\n|$/));
  if (first.includes(',')) return ',';
  if (first.includes('\t')) return '\t';
  if (first.includes(';')) return ';';
  return ',';
}

/**
 * Parses a number the way a spreadsheet user writes it: decimal or exponent notation, optional
 * sign and surrounding spaces. Anything else (empty, `abc`, `1,5`, `NaN`) gives undefined.
 */
export function parseNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?Infinity$/.test(s)) return undefined;
  return Number(s);
}

/**
 * Parses CSV text with a header line into a numeric {@link Table}. With `columns`, only those
 * columns are kept (in that order), so label or id columns beside the features do not have to be
 * numeric. A missing column, a short or long row, or a non-numeric cell is an error naming the
 * file, the row and the column.
 * @example parseCsv('amount,hour\n12.5,3\n', 'rows.csv').rows // [[12.5, 3]]
 */
export function parseCsv(text: string, file: string, columns?: readonly string[]): Table {
  const { records, lines } = splitCsv(text, file);
  if (records.length === 0) throw new NnlensError(file, 'no rows: the file is empty');
  const header = records[0]!.map((h) => h.trim());
  const seen = new Set<string>();
  for (const [j, h] of header.entries()) {
    if (h === '') throw new NnlensError(file, `header column ${j + 1} has no name (the first line must name every column)`);
    if (seen.has(h)) throw new NnlensError(file, `header names column '${h}' twice`);
    seen.add(h);
  }
  if (header.every((h) => parseNumber(h) !== undefined)) {
    throw new NnlensError(file, `the first line (${header.slice(0, 4).join(', ')}${header.length > 4 ? ', ...' : ''}) looks like data: a CSV input needs a header line of feature names`);
  }
  if (records.length === 1) throw new NnlensError(file, 'no rows: the file has a header but no data');
  return toNumeric({ header, rows: records.slice(1), lines: lines.slice(1) }, file, columns);
}

function toNumeric(t: TextTable, file: string, columns: readonly string[] | undefined, names = columns ?? t.header): Table {
  const width = t.header?.length ?? t.rows[0]?.length ?? 0;
  let pick: number[];
  if (columns) {
    if (!t.header) {
      // Rows without names (JSON arrays) are taken in the model's feature order when the count fits.
      if (width !== columns.length) throw new NnlensError(file, `rows have ${width} values and no column names, but the model takes ${columns.length} features (${columns.join(', ')})`);
      return toNumeric(t, file, undefined, columns);
    }
    const missing = columns.filter((c) => !t.header!.includes(c));
    if (missing.length) throw new NnlensError(file, `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} (the model's features are ${columns.join(', ')})`);
    pick = columns.map((c) => t.header!.indexOf(c));
  } else {
    pick = [...Array(width).keys()];
  }
  const rows = t.rows.map((cells, r) => {
    const where = `row ${r + 1}${t.lines ? ` (line ${t.lines[r]})` : ''}`;
    if (cells.length !== width) throw new NnlensError(file, `${where} has ${cells.length} cells, the header has ${width}`);
    return pick.map((j) => {
      const v = parseNumber(cells[j]!);
      if (v === undefined) {
        const col = t.header ? `column '${t.header[j]}'` : `column ${j + 1}`;
        throw new NnlensError(file, `${where}, ${col}: ${cells[j]!.trim() === '' ? 'empty cell' : `'${cells[j]}' is not a number`}`);
      }
      return v;
    });
  });
  return { file, columns: names ? [...names] : undefined, rows };
}

/**
 * Parses JSON rows: an array of objects (keys are column names), an array of arrays (no names),
 * one object or one flat array (a single row). Values must be numbers or numeric strings.
 * @example parseJsonRows('[{"amount": 12.5, "hour": 3}]', 'rows.json').columns // ['amount', 'hour']
 */
export function parseJsonRows(text: string, file: string, columns?: readonly string[]): Table {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) {
    throw new NnlensError(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  let items: unknown[];
  if (Array.isArray(v)) items = v.length > 0 && v.every((x) => typeof x === 'number' || typeof x === 'string') ? [v] : v;
  else if (v !== null && typeof v === 'object') items = [v];
  else throw new NnlensError(file, 'expected an array of rows (objects or arrays of numbers) or one object');
  if (items.length === 0) throw new NnlensError(file, 'no rows: the array is empty');
  const text2 = (x: unknown): string => (typeof x === 'number' ? String(x) : typeof x === 'string' ? x : JSON.stringify(x));
  if (items.every((x) => Array.isArray(x))) {
    const rows = (items as unknown[][]).map((r) => r.map(text2));
    return toNumeric({ header: undefined, rows }, file, columns);
  }
  if (!items.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    throw new NnlensError(file, 'rows must be all objects or all arrays');
  }
  const objs = items as Record<string, unknown>[];
  const header = Object.keys(objs[0]!);
  for (const [r, o] of objs.entries()) {
    for (const k of columns ?? header) if (!(k in o)) throw new NnlensError(file, `row ${r + 1} has no '${k}'`);
  }
  for (const [r, o] of objs.entries()) {
    const extra = Object.keys(o).find((k) => !header.includes(k));
    if (extra !== undefined && !columns) throw new NnlensError(file, `row ${r + 1} has '${extra}', which the first row has not`);
  }
  const rows = objs.map((o) => header.map((k) => (k in o ? text2(o[k]) : '')));
  return toNumeric({ header, rows }, file, columns);
}

/**
 * Reads a `.csv` or `.json` file of rows.
 * @example const table = readTable('row.csv', ['amount', 'hour']);
 */
export function readTable(file: string, columns?: readonly string[]): Table {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new NnlensError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return parseJsonRows(text, file, columns);
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return parseCsv(text, file, columns);
  throw new NnlensError(file, `unknown table extension '${ext}' (expected .csv or .json)`);
}
