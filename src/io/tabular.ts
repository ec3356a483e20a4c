/**
 * Tabular model inputs: rows from `.csv` / `.json` matched to the model's features by name (from
 * the `nnlens.feature_names` metadata) or by position, checked against the input shape.
 */
import type { Shape } from '../graph/ir.ts';
import { NnlensError } from '../errors.ts';
import { readTable, type Table } from './csv.ts';
import { fitShape } from './shape-fit.ts';

/** Rows ready to feed a tabular model. */
export interface TabularInput {
  file: string;
  /** Row-major `[rows, features]` values. */
  data: Float32Array;
  /** The shape to feed (usually `[rows, features]`). */
  shape: number[];
  /** Feature names in the order fed (from the model or the file's header), if known. */
  featureNames: string[] | undefined;
  rows: number;
}

/**
 * Turns a parsed table into a model input: with `featureNames`, columns are taken by name (extra
 * columns such as a label are ignored); without, every column is a feature in file order.
 * @example tableToInput(parseCsv(text, 'row.csv', names), { featureNames: names, inputShape: ['N', 13] })
 */
export function tableToInput(table: Table, o: { featureNames?: readonly string[]; inputShape?: Shape; inputName?: string } = {}): TabularInput {
  const width = table.rows[0]?.length ?? 0;
  const expectedF = o.inputShape && o.inputShape.length === 2 ? o.inputShape[1] : undefined;
  if (!o.featureNames && typeof expectedF === 'number' && width !== expectedF) {
    throw new NnlensError(table.file, `has ${width} columns${table.columns ? ` (${table.columns.slice(0, 6).join(', ')}${width > 6 ? ', ...' : ''})` : ''}, but the model takes ${expectedF} features`);
  }
  const data = new Float32Array(table.rows.length * width);
  table.rows.forEach((r, i) => data.set(r, i * width));
  const shape = fitShape([table.rows.length, width], o.inputShape, table.file, o.inputName);
  return { file: table.file, data, shape, featureNames: table.columns, rows: table.rows.length };
}

/**
 * Reads a `.csv` / `.json` file of rows for a tabular model.
 * @example const input = loadTabular('fraud-row.csv', { featureNames: facts.featureNames, inputShape: ['N', 13] });
 */
export function loadTabular(file: string, o: { featureNames?: readonly string[]; inputShape?: Shape; inputName?: string } = {}): TabularInput {
  return tableToInput(readTable(file, o.featureNames), o);
}
