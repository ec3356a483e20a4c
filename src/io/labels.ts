/**
 * Class labels for `--labels FILE` and for the `nnlens.labels` model metadata key.
 *
 * Accepted forms, the ones class-index files are published in:
 * - `.txt`: one label per line, line 1 is class 0 (e.g. the `synset_words.txt` / `imagenet_classes.txt`
 *   files of Caffe and torchvision examples);
 * - `.json` array: `["cat", "dog"]`;
 * - `.json` object by index: `{"0": "cat", "1": "dog"}`, or Keras's `imagenet_class_index.json`
 *   form `{"0": ["n01440764", "tench"], ...}` (the last element is the readable name).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { NnlensError } from '../errors.ts';

/**
 * Parses label text: JSON when `json` is true (or the text starts with `[` / `{`), else lines.
 * @example parseLabels('cat\ndog\n', 'labels.txt') // ['cat', 'dog']
 */
export function parseLabels(text: string, file: string, json = /^\s*[[{]/.test(text)): string[] {
  return json ? parseJsonLabels(text, file) : parseLineLabels(text, file);
}

function parseLineLabels(text: string, file: string): string[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new NnlensError(file, 'no labels: the file is empty');
  const blank = lines.indexOf('');
  // Line i is class i-1, so a blank line would silently shift every later label.
  if (blank >= 0) throw new NnlensError(file, `line ${blank + 1} is empty (each line is the label of one class, in class order)`);
  return lines;
}

function parseJsonLabels(text: string, file: string): string[] {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) {
    throw new NnlensError(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return labelsFromJson(v, file);
}

/**
 * Labels from an already parsed JSON value (array, or object keyed by class index).
 * @example labelsFromJson({ '1': 'dog', '0': 'cat' }, 'labels.json') // ['cat', 'dog']
 */
export function labelsFromJson(v: unknown, file: string): string[] {
  const name = (x: unknown, where: string): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    if (Array.isArray(x) && x.length > 0 && typeof x[x.length - 1] === 'string') return x[x.length - 1] as string;
    throw new NnlensError(file, `${where}: expected a label string (or [id, name]), got ${JSON.stringify(x)?.slice(0, 40)}`);
  };
  if (Array.isArray(v)) {
    if (v.length === 0) throw new NnlensError(file, 'no labels: the array is empty');
    return v.map((x, i) => name(x, `entry ${i}`));
  }
  if (v === null || typeof v !== 'object') throw new NnlensError(file, 'expected an array of labels or an object {"0": "label", ...}');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) throw new NnlensError(file, 'no labels: the object is empty');
  const out: string[] = [];
  for (const [k, x] of entries) {
    if (!/^\d+$/.test(k)) throw new NnlensError(file, `key '${k}' is not a class index (expected "0", "1", ...)`);
    out[Number(k)] = name(x, `class ${k}`);
  }
  for (let i = 0; i < out.length; i++) {
    if (out[i] === undefined) throw new NnlensError(file, `class ${i} has no label (indices must run from 0 without gaps; the largest is ${out.length - 1})`);
  }
  return out;
}

/**
 * Reads a labels file (.txt, .json; any other extension is read as lines unless it holds JSON).
 * @example const labels = readLabels('imagenet_classes.txt'); labels[281] // 'tabby cat'
 */
export function readLabels(file: string): string[] {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new NnlensError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as Error).message})`);
  }
  const ext = extname(file).toLowerCase();
  return parseLabels(text, file, ext === '.json' ? true : ext === '.txt' ? false : undefined);
}

/**
 * Checks that labels match the number of classes a model outputs.
 * @example checkLabelCount(labels, 1000, 'labels.txt')
 */
export function checkLabelCount(labels: readonly string[], classes: number, file: string): void {
  if (labels.length !== classes) {
    throw new NnlensError(file, `has ${labels.length} labels, but the model outputs ${classes} classes`);
  }
}

/** The label of class `i`, or `class i` when there is none. */
export function labelOf(labels: readonly string[] | undefined, i: number): string {
  return labels?.[i] ?? `class ${i}`;
}
