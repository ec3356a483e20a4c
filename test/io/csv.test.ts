import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { parseCsv, parseJsonRows, parseNumber, readTable, splitCsv } from '../../src/io/csv.ts';
import { loadTabular, tableToInput } from '../../src/io/tabular.ts';

const err = (re: RegExp) => (e: unknown): boolean => e instanceof NnlensError && re.test(e.message);

test('RFC 4180: quoted fields with commas, doubled quotes and line breaks; CRLF; BOM; empty lines', () => {
  const text = '\ufeffname,note\r\n"a, b","say ""hi"""\r\n\r\n"multi\nline",x\n';
  const { records, lines } = splitCsv(text);
  assert.deepEqual(records, [['name', 'note'], ['a, b', 'say "hi"'], ['multi\nline', 'x']]);
  assert.deepEqual(lines, [1, 2, 4]);
  assert.deepEqual(splitCsv('a;b\n1,5;2\n').records, [['a', 'b'], ['1,5', '2']]);
  assert.deepEqual(splitCsv('a\tb\n1\t2').records, [['a', 'b'], ['1', '2']]);
  assert.throws(() => splitCsv('a,b\n"open,1\n', 'f.csv'), err(/^f\.csv: line 2: a quoted field is never closed/));
});

test('numbers: decimals, exponents, signs; not commas, words or blanks', () => {
  assert.deepEqual(['1', ' -2.5 ', '.5', '1e-3', '+4.', '-Infinity'].map(parseNumber), [1, -2.5, 0.5, 0.001, 4, -Infinity]);
  for (const bad of ['', 'abc', '1,5', 'NaN', '0x10', '1 2', '--1']) assert.equal(parseNumber(bad), undefined, bad);
});

test('CSV with a header becomes rows of numbers; columns can be picked by name', () => {
  const text = 'amount,hour,"is fraud",note\n12.5,3,0,ok\n900,2,1,"late, far"\n';
  const t = parseCsv(text, 'rows.csv', ['hour', 'amount']);
  assert.deepEqual(t.columns, ['hour', 'amount']);
  assert.deepEqual(t.rows, [[3, 12.5], [2, 900]]);
  // Without a choice of columns, every column must be numeric.
  assert.throws(() => parseCsv(text, 'rows.csv'), err(/^rows\.csv: row 1 \(line 2\), column 'note': 'ok' is not a number$/));
});

test('CSV errors name the file, row and column', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n3,x\n', 'r.csv'), err(/^r\.csv: row 2 \(line 3\), column 'b': 'x' is not a number$/));
  assert.throws(() => parseCsv('a,b\n1,\n', 'r.csv'), err(/row 1 \(line 2\), column 'b': empty cell/));
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'r.csv'), err(/row 1 \(line 2\) has 3 cells, the header has 2/));
  assert.throws(() => parseCsv('1,2\n3,4\n', 'r.csv'), err(/looks like data: a CSV input needs a header line/));
  assert.throws(() => parseCsv('a,b\n', 'r.csv'), err(/header but no data/));
  assert.throws(() => parseCsv('a,a\n1,2\n', 'r.csv'), err(/names column 'a' twice/));
  assert.throws(() => parseCsv('a,b\n1,2\n', 'r.csv', ['a', 'c', 'd']), err(/missing columns 'c', 'd'/));
  assert.throws(() => parseCsv('', 'r.csv'), err(/empty/));
});

test('JSON rows: objects, arrays, one object, one flat array', () => {
  assert.deepEqual(parseJsonRows('[{"a": 1, "b": "2.5"}, {"b": 4, "a": 3}]', 'r.json').rows, [[1, 2.5], [3, 4]]);
  assert.deepEqual(parseJsonRows('[{"a": 1, "b": 2}]', 'r.json', ['b']).rows, [[2]]);
  const arrays = parseJsonRows('[[1, 2], [3, 4]]', 'r.json');
  assert.equal(arrays.columns, undefined);
  assert.deepEqual(arrays.rows, [[1, 2], [3, 4]]);
  assert.deepEqual(parseJsonRows('{"a": 1, "b": 2}', 'r.json').rows, [[1, 2]]);
  assert.deepEqual(parseJsonRows('[5, 6, 7]', 'r.json').rows, [[5, 6, 7]]);
  // Arrays take the model's feature names in order when the count fits.
  assert.deepEqual(parseJsonRows('[[1, 2]]', 'r.json', ['x', 'y']).columns, ['x', 'y']);
  assert.throws(() => parseJsonRows('[[1, 2]]', 'r.json', ['x', 'y', 'z']), err(/2 values and no column names, but the model takes 3 features/));
  assert.throws(() => parseJsonRows('[{"a": 1}, {"a": null}]', 'r.json'), err(/^r\.json: row 2, column 'a': 'null' is not a number$/));
  assert.throws(() => parseJsonRows('[{"a": 1}, {"b": 2}]', 'r.json', ['a']), err(/row 2 has no 'a'/));
  assert.throws(() => parseJsonRows('{oops', 'r.json'), err(/not valid JSON/));
  assert.throws(() => parseJsonRows('[]', 'r.json'), err(/empty/));
});

test('tabular inputs: by feature name, by position, and wrong widths are clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-csv-'));
  try {
    const f = join(dir, 'rows.csv');
    writeFileSync(f, 'label,b,a\nfraud,2,1\nok,4,3\n');
    const byName = loadTabular(f, { featureNames: ['a', 'b'], inputShape: ['N', 2] });
    assert.deepEqual([...byName.data], [1, 2, 3, 4]);
    assert.deepEqual(byName.shape, [2, 2]);
    assert.deepEqual(byName.featureNames, ['a', 'b']);
    const table = parseCsv('a,b,c\n1,2,3\n', 'three.csv');
    assert.throws(() => tableToInput(table, { inputShape: ['N', 2] }), err(/^three\.csv: has 3 columns \(a, b, c\), but the model takes 2 features$/));
    assert.deepEqual(tableToInput(table, { inputShape: ['N', 3] }).shape, [1, 3]);
    // A model with a fixed batch of 1 and two rows: the shape check says so.
    assert.throws(() => tableToInput(parseCsv('a\n1\n2\n', 'two.csv'), { inputShape: [1, 1], inputName: 'x' }), err(/takes a batch of exactly 1, this input has 2/));
    assert.throws(() => readTable(join(dir, 'nope.csv')), err(/no such file/));
    assert.throws(() => readTable(join(dir, 'x.parquet')), err(/no such file|unknown table extension/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
