import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NnlensError } from '../../src/errors.ts';
import { checkLabelCount, labelOf, parseLabels, readLabels } from '../../src/io/labels.ts';

const err = (re: RegExp) => (e: unknown): boolean => e instanceof NnlensError && re.test(e.message);

test('text labels: one per line, CRLF and trailing blank lines tolerated', () => {
  assert.deepEqual(parseLabels('tench\r\ngoldfish\n great white shark \n\n', 'l.txt'), ['tench', 'goldfish', 'great white shark']);
  assert.throws(() => parseLabels('cat\n\ndog\n', 'l.txt', false), err(/^l\.txt: line 2 is empty/));
  assert.throws(() => parseLabels('\n\n', 'l.txt', false), err(/empty/));
});

test('JSON labels: array, index object, Keras imagenet_class_index form', () => {
  assert.deepEqual(parseLabels('["cat", "dog"]', 'l.json'), ['cat', 'dog']);
  assert.deepEqual(parseLabels('{"1": "dog", "0": "cat"}', 'l.json'), ['cat', 'dog']);
  assert.deepEqual(parseLabels('{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}', 'l.json'), ['tench', 'goldfish']);
  assert.throws(() => parseLabels('{"0": "a", "2": "c"}', 'l.json'), err(/class 1 has no label/));
  assert.throws(() => parseLabels('{"zero": "a"}', 'l.json'), err(/key 'zero' is not a class index/));
  assert.throws(() => parseLabels('[1, {"x": 2}]', 'l.json'), err(/entry 1: expected a label string/));
  assert.throws(() => parseLabels('{"0": ', 'l.json'), err(/not valid JSON/));
});

test('readLabels picks the parser by extension; count checks and fallbacks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnlens-labels-'));
  try {
    writeFileSync(join(dir, 'a.txt'), '[not json]\nsecond\n');
    assert.deepEqual(readLabels(join(dir, 'a.txt')), ['[not json]', 'second']);
    writeFileSync(join(dir, 'b.json'), '["x"]');
    assert.deepEqual(readLabels(join(dir, 'b.json')), ['x']);
    assert.throws(() => readLabels(join(dir, 'none.txt')), err(/no such file/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => checkLabelCount(['a', 'b'], 10, 'l.txt'), err(/^l\.txt: has 2 labels, but the model outputs 10 classes$/));
  assert.doesNotThrow(() => checkLabelCount(['a', 'b'], 2, 'l.txt'));
  assert.equal(labelOf(['a'], 0), 'a');
  assert.equal(labelOf(['a'], 3), 'class 3');
  assert.equal(labelOf(undefined, 1), 'class 1');
});
