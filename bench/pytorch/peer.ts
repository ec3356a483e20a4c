/**
 * The PyTorch side of the benchmarks, as seen from TypeScript: runs one of the scripts beside this
 * file with Debian's /usr/bin/python3 and returns the JSON line it printed, so that `npm run bench`
 * can put nnlens and PyTorch, measured in the same run, in one table (issues 3 and 4, "Performance").
 *
 * Benchmarks only: nothing in `npm test` calls Python. When torch is not importable the result says
 * why instead of throwing, and the table shows the PyTorch column as absent.
 *
 * Run directly for the PyTorch figures alone:
 *   node --import tsx bench/pytorch/peer.ts [fwd_bwd|gradcam|ig ...]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter: python3-torch is installed for it, not for a python3 earlier on PATH. */
export const PYTHON = process.env.NNLENS_PYTHON ?? '/usr/bin/python3';

/** The peer scripts: forward + backward to the input; Grad-CAM on a batch; Integrated Gradients on a batch. */
export type PeerScript = 'fwd_bwd' | 'gradcam' | 'ig';

/** What a peer script prints (common.py `emit`); the figures depend on the script. */
export interface PeerFigures {
  side: 'pytorch';
  bench: string;
  model: string;
  threads: number;
  torch: string;
  peak_rss_mb: number;
  /** fwd_bwd: median of the timed runs. */
  median_ms?: number;
  /** gradcam, ig: the whole job for all inputs, seconds. */
  job_s?: number;
  [figure: string]: unknown;
}

/** A peer run that could not happen, and why (no Python, no torch, the script failed). */
export interface PeerSkipped {
  skipped: string;
}

let availability: string | false | undefined;

/**
 * Why the PyTorch peer cannot run here, or false when it can (checked once per process).
 * @example const why = pytorchUnavailable(); if (why) console.log(`PyTorch column absent: ${why}`);
 */
export function pytorchUnavailable(): string | false {
  if (availability === undefined) {
    if (!existsSync(PYTHON)) availability = `${PYTHON} not found`;
    else {
      const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision, numpy; print(torch.__version__)'], { encoding: 'utf8' });
      availability = r.status === 0
        ? false
        : `${PYTHON} cannot import torch/torchvision (apt-get install -y python3-torch python3-torchvision)`;
    }
  }
  return availability;
}

/**
 * Finds the figures in a peer script's output: its last line that is a JSON object.
 * @example parsePeerOutput('warning...\n{"side": "pytorch", ...}\n')
 */
export function parsePeerOutput(stdout: string): PeerFigures | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  const last = lines.at(-1);
  if (!last) return undefined;
  const v = JSON.parse(last) as PeerFigures;
  return v.side === 'pytorch' ? v : undefined;
}

/**
 * Runs a peer script with `--name value` options and returns its figures (or why it could not).
 * Scripts run one at a time: both sides of a comparison must not compete for the 2 cores.
 * @example await runPytorchPeer('fwd_bwd', { model: 'resnet18', runs: 20 })
 */
export async function runPytorchPeer(
  script: PeerScript,
  options: Record<string, string | number> = {},
  timeoutMs = 60 * 60 * 1000,
): Promise<PeerFigures | PeerSkipped> {
  const why = pytorchUnavailable();
  if (why) return { skipped: why };
  const args = [join(HERE, `${script}.py`)];
  for (const [k, v] of Object.entries(options)) args.push(`--${k.replace(/_/g, '-')}`, String(v));
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code, signal) => {
      const figures = code === 0 ? parsePeerOutput(out) : undefined;
      if (figures) resolve(figures);
      else {
        const tail = err.trim().split('\n').at(-1) ?? '';
        resolve({ skipped: `${script}.py ${signal ? `killed by ${signal}` : `exited ${code}`}${tail ? `: ${tail}` : ''}` });
      }
    });
  });
}

/** The runs of issues 3 and 4: resnet18/resnet50 forward + backward at batch 1; resnet50 Grad-CAM and IG on 32 inputs. */
export const PEER_RUNS: { script: PeerScript; options: Record<string, string | number> }[] = [
  { script: 'fwd_bwd', options: { model: 'resnet18', runs: 20, warmup: 3 } },
  { script: 'fwd_bwd', options: { model: 'resnet50', runs: 10, warmup: 3 } },
  { script: 'gradcam', options: { model: 'resnet50', batch: 32, chunk: 32, runs: 3 } },
  { script: 'ig', options: { model: 'resnet50', batch: 32, steps: 50, chunk: 50 } },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const run of PEER_RUNS.filter((r) => only.length === 0 || only.includes(r.script))) {
    const r = await runPytorchPeer(run.script, run.options);
    console.log(JSON.stringify({ script: run.script, ...run.options, ...r }));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
