/**
 * The nnlens command runs with glibc's fixed mmap threshold (bin/malloc-env.mjs): through its
 * shebang when executed directly, and by relaunching itself when started as `node bin/nnlens.mjs`.
 * Both paths must deliver the setting to the process that does the work, and pass exit codes and
 * output through unchanged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MALLOC_ENV } from '../../bin/malloc-env.mjs';
import { ROOT } from '../helpers/shared.ts';

const BIN = join(ROOT, 'bin', 'nnlens.mjs');
const dir = mkdtempSync(join(tmpdir(), 'nnlens-malloc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment without the malloc variables, as a user's shell would have it. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(MALLOC_ENV)) delete env[k];
  delete env.NNLENS_NO_RELAUNCH;
  return env;
}

test('the shebang of bin/nnlens.mjs sets exactly MALLOC_ENV', () => {
  const first = readFileSync(BIN, 'utf8').split('\n')[0]!;
  const assignments = Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
  assert.equal(first, `#!/usr/bin/env -S ${assignments} node`);
});

test('a script started without the setting relaunches itself with it and passes its exit code through', { skip: process.platform !== 'linux' ? 'glibc setting: Linux only' : false }, () => {
  const script = join(dir, 'probe.mjs');
  writeFileSync(script, [
    `import { relaunchWithMallocEnv } from ${JSON.stringify(join(ROOT, 'bin', 'malloc-env.mjs'))};`,
    'if (!relaunchWithMallocEnv(process.argv[1])) {',
    `  process.stdout.write(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(MALLOC_ENV))}.map((k) => [k, process.env[k]]))));`,
    '  process.exitCode = Number(process.argv[2]);',
    '}',
  ].join('\n'));
  const r = spawnSync(process.execPath, [script, '7'], { encoding: 'utf8', env: plainEnv() });
  assert.equal(r.status, 7);
  assert.deepEqual(JSON.parse(r.stdout), MALLOC_ENV);
  const off = spawnSync(process.execPath, [script, '0'], { encoding: 'utf8', env: { ...plainEnv(), NNLENS_NO_RELAUNCH: '1' } });
  assert.deepEqual(JSON.parse(off.stdout), {}, 'NNLENS_NO_RELAUNCH=1 runs in place, without the setting');
});

test('executed directly and through node, the CLI gives the same one-line error and exit code', () => {
  const viaNode = spawnSync(process.execPath, [BIN, 'run', join(dir, 'missing.onnx'), '--input', 'x.npy'], { encoding: 'utf8', env: plainEnv() });
  const direct = spawnSync(BIN, ['run', join(dir, 'missing.onnx'), '--input', 'x.npy'], { encoding: 'utf8', env: plainEnv() });
  for (const r of [viaNode, direct]) {
    assert.equal(r.status, 2);
    assert.match(r.stderr, /missing\.onnx: no such file/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
