/**
 * Access to ../shared (real third-party models, the make-zoo tool). These files may not be
 * redistributed, so tests read them in place and skip, saying so, when the folder is absent.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** ../shared/models/real, or undefined when absent. */
export const REAL = ((): string | undefined => {
  const p = resolve(ROOT, '..', 'shared', 'models', 'real');
  return existsSync(p) ? p : undefined;
})();
/** Skip reason for tests that need ../shared (node:test prints it). */
export const NEEDS_SHARED = REAL ? false : 'SKIPPED: ../shared/models/real is absent (tests on third-party models need it)';

/** Path of a file in ../shared/models/real (only call when REAL is defined). */
export function real(...parts: string[]): string {
  if (!REAL) throw new Error('../shared/models/real is absent');
  return join(REAL, ...parts);
}
