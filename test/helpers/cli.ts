/**
 * Runs the real `nnlens` CLI (bin/nnlens.mjs) in a child process, as the CLI tests do. The child
 * gets the malloc setting the command's shebang gives it (bin/malloc-env.mjs), so it runs in place
 * instead of relaunching itself; the relaunch has its own test (test/cli/malloc-env.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MALLOC_ENV } from '../../bin/malloc-env.mjs';
import { ROOT } from './shared.ts';

/** The CLI entry point. */
export const BIN = join(ROOT, 'bin', 'nnlens.mjs');

/** What a CLI run printed and returned. */
export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Runs `nnlens ...args` in `cwd` and waits for it.
 * @example const r = runCli(dir, 'summary', 'model.onnx'); assert.equal(r.code, 0)
 */
export function runCli(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...MALLOC_ENV } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
