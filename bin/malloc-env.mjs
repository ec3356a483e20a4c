/**
 * The glibc malloc setting the `nnlens` command runs with, and the relaunch that applies it when
 * the command was started without it (`node bin/nnlens.mjs ...`).
 *
 * Why: creating an ONNX Runtime session and streaming a model's weights to it allocate and free
 * many buffers of a few MB. glibc's default mmap threshold is dynamic: after the first large free
 * it rises, later buffers come from the heap, and freed heap memory stays resident. A fixed
 * threshold of 128 KiB makes each large buffer its own mapping, returned to the OS when freed.
 * Measured with `npm run bench -- engine` (peak RSS of forward+backward, bench/RESULTS.md): ResNet-50
 * 539 MB by default, 468 MB with the setting; ResNet-18 380 -> 315 MB (run of 2026-11-22 11:20); speed unchanged (ONNX Runtime
 * reuses its own arena for activations). glibc reads the variable only at process start, hence
 * the shebang and the relaunch. Other C libraries ignore it.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Environment the nnlens process runs with (glibc tunable, see above). */
export const MALLOC_ENV = Object.freeze({ MALLOC_MMAP_THRESHOLD_: '131072' });

/**
 * On Linux, when the process was started without {@link MALLOC_ENV}, runs the same script again
 * as a child process with it (inheriting stdio, forwarding SIGINT/SIGTERM, exiting with the
 * child's code) and returns true; the caller must then do nothing else. Returns false otherwise.
 * NNLENS_NO_RELAUNCH=1 turns it off.
 * @param {string} script the entry script's path
 * @returns {boolean}
 */
export function relaunchWithMallocEnv(script) {
  if (process.platform !== 'linux' || process.env.NNLENS_NO_RELAUNCH) return false;
  if (Object.entries(MALLOC_ENV).every(([k, v]) => process.env[k] === v)) return false;
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...MALLOC_ENV },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => { process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0); });
  child.on('error', (e) => { process.stderr.write(`nnlens: could not start: ${e.message}\n`); process.exitCode = 1; });
  return true;
}
