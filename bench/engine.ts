/**
 * Engine benchmark (issue 3, "Performance"): forward + backward to the input of ResNet-18 and
 * ResNet-50 (make-zoo models) at batch 1, 224x224, on this machine's cores, against PyTorch CPU
 * doing the same work (bench/pytorch/fwd_bwd.py) in the same run. Goal: nnlens at most 0.6x
 * PyTorch's time, with no higher peak memory.
 *
 * Each measurement runs in its own child process (`node --import tsx bench/engine.ts child ...`),
 * so peak RSS is that of one model's job and settings read from the environment at compile time
 * apply: the same run is repeated with NNLENS_NO_FLIP=1, which turns off the stride-1
 * flipped-kernel Conv used for the input gradient (src/engine/grad/conv.ts) and falls back to
 * ConvTranspose, to show what that rule buys. Timed: `engine.gradients` (feeds in, logits and
 * gradient out) after warm-up runs, median; the forward pass alone is timed too, to split the
 * time. Each child also reports the gradient's relative L2 distance to make-zoo's PyTorch
 * grad_input.npy, so a fast wrong result cannot pass.
 *
 * `child MODEL --profile` additionally turns on ONNX Runtime's profiler (session option
 * `enableProfiling`, through a wrapped runtime: the engine is not changed) and prints the time per
 * op type of the forward+backward session: where the time goes.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/engine.ts';
import type { NdArray } from '../src/engine/ndarray.ts';
import { getRuntime, setRuntime, type Runtime } from '../src/engine/runtime.ts';
import { openModel } from '../src/formats/registry.ts';
import { readNpy } from '../src/io/npy.ts';
import { needsZoo, zooEntry } from '../test/helpers/zoo.ts';
import { runPytorchPeer, type PeerFigures } from './pytorch/peer.ts';
import type { BenchMetric, BenchModule } from './types.ts';

/** Goal: nnlens time / PyTorch time. */
export const ENGINE_GOAL_RATIO = 0.6;

/** The models and how many timed runs each gets (after WARMUP untimed ones). */
export const ENGINE_RUNS: { model: 'resnet18' | 'resnet50'; runs: number }[] = [
  { model: 'resnet18', runs: 20 },
  { model: 'resnet50', runs: 10 },
];
const WARMUP = 3;

/** What a child process measures and prints as one JSON line. */
export interface ChildFigures {
  model: string;
  noFlip: boolean;
  runs: number;
  warmup: number;
  /** engine.gradients: forward + backward to the input. */
  median_ms: number;
  min_ms: number;
  max_ms: number;
  /** engine.run alone (forward, no capture). */
  forward_median_ms: number;
  /** First gradients call: graph building, shape probe, session creation, first run. */
  compile_ms: number;
  /** Peak resident memory (MiB) of the process up to the end of the timed gradient runs. */
  peak_rss_mb: number;
  /** Resident memory once the model file is opened, before any session. */
  model_rss_mb: number;
  grad_rel_l2_vs_zoo: number;
  /** Extra session options from NNLENS_BENCH_SESSION_OPTIONS, when set. */
  session_options?: Record<string, unknown>;
  /** With --profile: microseconds per op type in the timed runs of the forward+backward session, largest first. */
  profile?: { op: string; us: number; share: number; nodes: number }[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; num += d * d; den += b[i]! * b[i]!; }
  return Math.sqrt(num / den);
}

/**
 * Wraps the runtime so that every session gets extra options: ONNX Runtime's profiler (session k
 * writing `<prefix>-<k>_<timestamp>.json` when released), and/or the options in the environment
 * variable NNLENS_BENCH_SESSION_OPTIONS (JSON, e.g. `{"enableCpuMemArena": false}`), to measure
 * what a session setting would change without touching the engine.
 */
async function wrapSessions(profilePrefix: string | undefined, extra: Record<string, unknown>): Promise<void> {
  const ort = await getRuntime();
  let k = 0;
  const wrapped: Runtime = {
    Tensor: ort.Tensor,
    InferenceSession: {
      create: (model, options) => ort.InferenceSession.create(model, {
        ...options, ...extra,
        ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: `${profilePrefix}-${k++}` } : {}),
      }),
    },
  };
  setRuntime(wrapped);
}

interface ProfileEvent { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }

/** Sums kernel time per op type in an ONNX Runtime profile (chrome trace JSON). */
function opTimes(file: string, runsCounted: number): ChildFigures['profile'] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const per = new Map<string, { us: number; nodes: Set<string> }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const row = per.get(e.args.op_name) ?? { us: 0, nodes: new Set<string>() };
    row.us += e.dur ?? 0;
    row.nodes.add(e.name);
    per.set(e.args.op_name, row);
  }
  const total = [...per.values()].reduce((s, r) => s + r.us, 0);
  return [...per.entries()]
    .map(([op, r]) => ({ op, us: Math.round(r.us / runsCounted), share: Math.round((r.us / total) * 1000) / 1000, nodes: r.nodes.size }))
    .sort((a, b) => b.us - a.us);
}

/** The child: one model, one setting; prints its figures as one JSON line. */
async function child(model: string, runs: number, warmup: number, profile: boolean): Promise<void> {
  const why = needsZoo(model);
  if (why) throw new Error(why);
  const z = zooEntry(model);
  const prefix = join(tmpdir(), `nnlens-bench-${process.pid}`);
  const extra = JSON.parse(process.env.NNLENS_BENCH_SESSION_OPTIONS ?? '{}') as Record<string, unknown>;
  if (profile || Object.keys(extra).length) await wrapSessions(profile ? prefix : undefined, extra);
  const engine = Engine.fromModel(await openModel(z.model));
  const rssModel = process.memoryUsage().rss / 2 ** 20;
  const name = engine.inputs()[0]!.name;
  const feeds = { [name]: readNpy(z.input) as NdArray };
  const req = { target: { kind: 'logit' as const }, wrt: [name] };
  const values = { index: [z.target] };
  let t = performance.now();
  let res = await engine.gradients(feeds, req, values);
  const compile = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    t = performance.now();
    res = await engine.gradients(feeds, req, values);
    if (i >= warmup) times.push(performance.now() - t);
  }
  // Peak of the gradient job alone, before the forward-only session below adds its own memory.
  const peak = process.resourceUsage().maxRSS / 1024;
  await engine.run(feeds);
  const fwd: number[] = [];
  for (let i = 0; i < Math.max(5, Math.ceil(runs / 2)); i++) {
    t = performance.now();
    await engine.run(feeds);
    fwd.push(performance.now() - t);
  }
  const grad = relL2(res.grads[name]!.data as Float32Array, readNpy(z.gradInput).data as Float32Array);
  const out: ChildFigures = {
    model, noFlip: !!process.env.NNLENS_NO_FLIP, runs, warmup,
    median_ms: round(median(times)), min_ms: round(Math.min(...times)), max_ms: round(Math.max(...times)),
    forward_median_ms: round(median(fwd)), compile_ms: round(compile),
    peak_rss_mb: round(peak), model_rss_mb: round(rssModel), grad_rel_l2_vs_zoo: grad,
    ...(Object.keys(extra).length ? { session_options: extra } : {}),
  };
  await engine.dispose();
  if (profile) {
    // Releasing a profiled session writes `<prefix>-<k>_<timestamp>.json` (the name is not returned).
    // Session 0 is the shape probe, 1 the forward+backward graph (1 + warmup + runs runs), 2 the forward.
    const files = readdirSync(tmpdir()).filter((f) => f.startsWith(`${basename(prefix)}-`) && f.endsWith('.json')).map((f) => join(tmpdir(), f));
    const main = files.find((f) => basename(f).startsWith(`${basename(prefix)}-1_`));
    if (main) out.profile = opTimes(main, 1 + warmup + runs);
    for (const f of files) rmSync(f, { force: true });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Runs a child measurement and parses its JSON line. */
export function runChild(model: string, runs: number, env: Record<string, string> = {}, profile = false): Promise<ChildFigures> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', model, String(runs), String(WARMUP), ...(profile ? ['--profile'] : [])];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      if (code === 0 && line) resolve(JSON.parse(line) as ChildFigures);
      else reject(new Error(`bench child ${model} exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

export const engineBench: BenchModule = {
  name: 'engine',
  description: 'forward + backward to the input (d logit[target] / d input), batch 1, 224x224, make-zoo ResNet-18 and ResNet-50: nnlens (ONNX Runtime, onnxruntime-node) vs PyTorch CPU (2 threads), measured in the same run',
  async run() {
    const metrics: BenchMetric[] = [];
    const notes: string[] = [];
    for (const { model, runs } of ENGINE_RUNS) {
      const why = needsZoo(model);
      if (why) { notes.push(`${model}: ${why}`); continue; }
      const load0 = loadavg()[0]!;
      const nn = await runChild(model, runs);
      const peer = await runPytorchPeer('fwd_bwd', { model, runs, warmup: WARMUP });
      const noFlip = await runChild(model, runs, { NNLENS_NO_FLIP: '1' });
      metrics.push({ label: `${model}: nnlens fwd+bwd (median of ${runs})`, value: nn.median_ms, unit: 'ms' });
      if ('skipped' in peer) {
        notes.push(`${model}: PyTorch column absent: ${peer.skipped}`);
      } else {
        const p = peer as PeerFigures;
        const ratio = Math.round((nn.median_ms / p.median_ms!) * 100) / 100;
        metrics.push({ label: `${model}: PyTorch fwd+bwd (median of ${runs})`, value: p.median_ms!, unit: 'ms' });
        metrics.push({ label: `${model}: time ratio nnlens / PyTorch`, value: ratio, unit: 'x', goal: `<= ${ENGINE_GOAL_RATIO}`, ok: ratio <= ENGINE_GOAL_RATIO });
        metrics.push({ label: `${model}: peak RSS nnlens / PyTorch`, value: nn.peak_rss_mb, unit: `MB / ${p.peak_rss_mb} MB`, goal: '<= PyTorch', ok: nn.peak_rss_mb <= p.peak_rss_mb });
        notes.push(`${model}: PyTorch ${p.torch}, ${p.threads} threads, min ${p.min_ms} / max ${p.max_ms} ms, model RSS ${p.model_rss_mb} MB, grad rel L2 vs zoo ${fmt(p.grad_rel_l2_vs_zoo as number | null)}`);
        metrics.push({ label: `${model}: NNLENS_NO_FLIP=1 (ConvTranspose for every input gradient) / PyTorch`, value: Math.round((noFlip.median_ms / p.median_ms!) * 100) / 100, unit: 'x' });
      }
      metrics.push({ label: `${model}: nnlens fwd+bwd with NNLENS_NO_FLIP=1`, value: noFlip.median_ms, unit: 'ms' });
      metrics.push({ label: `${model}: nnlens forward alone`, value: nn.forward_median_ms, unit: 'ms' });
      notes.push(`${model}: nnlens min ${nn.min_ms} / max ${nn.max_ms} ms, RSS with the model opened ${nn.model_rss_mb} MB, first call (compile + run) ${nn.compile_ms} ms, grad rel L2 vs zoo ${fmt(nn.grad_rel_l2_vs_zoo)} (NO_FLIP: ${fmt(noFlip.grad_rel_l2_vs_zoo)}), flipped-kernel rule saves ${Math.round((1 - nn.median_ms / noFlip.median_ms) * 100)}% of the time`);
      notes.push(`${model}: 1-minute load average ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (other jobs share the 2 cores: both sides see the same machine, but figures vary between runs)`);
    }
    return { metrics, notes };
  },
};

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : x.toExponential(2);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === 'child') {
  const [model, runs, warmup] = process.argv.slice(3);
  await child(model!, Number(runs ?? 10), Number(warmup ?? WARMUP), process.argv.includes('--profile'));
}
