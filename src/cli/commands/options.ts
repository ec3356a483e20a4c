/** Option parsing shared by the inspection commands; bad values are one-line NnlensErrors. */
import { extname } from 'node:path';
import { NnlensError } from '../../errors.ts';

/**
 * Parses `--depth N` (a whole number >= 1); undefined when absent.
 * @example parseDepth('2') === 2
 */
export function parseDepth(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new NnlensError('', `--depth must be a whole number >= 1 (1 = top-level modules), got '${v}'`);
  return n;
}

/**
 * The output kind picked by a file's extension, among `allowed`; anything else is an error
 * raised before any work is done.
 * @example outputKind('a.svg', ['svg', 'png']) === 'svg'
 */
export function outputKind<T extends string>(file: string, allowed: readonly T[]): T {
  const ext = extname(file).slice(1).toLowerCase();
  if (!(allowed as readonly string[]).includes(ext)) {
    throw new NnlensError(file, `unsupported output type '${ext ? `.${ext}` : '(no extension)'}': use ${allowed.map((a) => `.${a}`).join(', ')}`);
  }
  return ext as T;
}
