/**
 * Writing result files. Outputs are written to a temporary file beside the target and renamed
 * into place, so a failure never leaves a partial output file behind (DEVELOPERS.md, "Bad input").
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Atomically writes `data` to `path`, creating its folder.
 * @example writeOutput('out/diagram.svg', svgText)
 */
export function writeOutput(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path) || '.', { recursive: true });
  const tmp = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
