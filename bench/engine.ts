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
 * Two comparisons: wall time with 2 threads on each side (the goal as stated), and CPU time per
 * fwd+bwd with 1 thread on each side, which other jobs on the machine hardly change (the shared
 * 2-core machine is rarely idle, and a loaded machine slows PyTorch's OpenMP threads far more than
 * ORT's, which would flatter nnlens' wall ratio).
 *
 * `child MODEL --profile` additionally turns on ONNX Runtime's profiler (session option
 * `enableProfiling`, through a wrapped runtime: the engine is not changed) and prints the time per
 * op type of the forward+backward session: where the time goes. One 2-thread profile per round
 * also gives what bounds the ratio ({@link macBound}): the job's multiply-adds at the fastest
 * rate any of its Conv kernels reached, and the convolutions' share of the kernel time, each set
 * against PyTorch's wall time.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/engine.ts';
import type { NdArray } from '../src/engine/ndarray.ts';
import { getRuntime, setRuntime, type Runtime } from '../src/engine/runtime.ts';
import { openModel } from '../src/formats/registry.ts';
import { readNpy } from '../src/io/npy.ts';
import { needsZoo, zooEntry } from '../test/helpers/zoo.ts';
import { PYTHON, parsePeerOutput, pytorchUnavailable, runPytorchPeer, type PeerFigures } from './pytorch/peer.ts';
import type { BenchMetric, BenchModule } from './types.ts';
import { MALLOC_ENV } from '../bin/malloc-env.mjs';

/** Goal: nnlens time / PyTorch time. */
export const ENGINE_GOAL_RATIO = 0.6;

/** The models and how many timed runs each gets (after WARMUP untimed ones). */
export const ENGINE_RUNS: { model: 'resnet18' | 'resnet50'; runs: number }[] = [
  { model: 'resnet18', runs: 10 },
  { model: 'resnet50', runs: 6 },
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
  /** CPU time (user + system, all threads) of a gradients call, median of the timed runs. */
  cpu_ms_per_run: number;
  /** NNLENS_THREADS when set (ONNX Runtime's intra-op threads), else ORT's default (one per core). */
  threads?: number;
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
  /** Runs of the profiled session (first call, warm-up and timed runs). */
  profile_runs?: number;
  /** With --profile: what bounds the time (see {@link macBound}). */
  bound?: MacBound;
}

/**
 * What bounds a forward+backward's time, from an ONNX Runtime profile: its multiply-adds, the
 * fastest any Conv kernel of the same graph ran, and the kernel time of the convolutions against
 * everything else.
 */
export interface MacBound {
  /** Multiply-adds of forward + backward to the input: twice the forward Conv/Gemm/MatMul ones. */
  macs: number;
  /** Highest multiply-add rate of a Conv node taking at least 0.3 ms (GMAC/s). */
  best_gmacs: number;
  /** Kernel time per run of Conv + ConvTranspose nodes (ms). */
  conv_ms: number;
  /** Kernel time per run of every other node (ms). */
  other_ms: number;
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
export async function wrapSessions(profilePrefix: string | undefined, extra: Record<string, unknown>): Promise<void> {
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
  setRuntime(wrapped, { readsFiles: true });
}

/**
 * The events of every profile written by sessions wrapped with {@link wrapSessions}`(prefix)`
 * (released sessions write `<prefix>-<k>_<timestamp>.json`; the name is not returned), which are
 * deleted once read.
 */
export function takeProfiles(prefix: string): ProfileEvent[][] {
  const files = readdirSync(dirname(prefix)).filter((f) => f.startsWith(`${basename(prefix)}-`) && f.endsWith('.json')).map((f) => join(dirname(prefix), f));
  const events = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ProfileEvent[]);
  for (const f of files) rmSync(f, { force: true });
  return events;
}

export interface ProfileEvent { cat?: string; name?: string; dur?: number; args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] } }

const CONV_OPS = new Set(['Conv', 'FusedConv', 'NchwcConv']);
/** Whether a kernel is a convolution (Conv in any of ONNX Runtime's forms, or ConvTranspose). */
const isConvKernel = (op: string): boolean => CONV_OPS.has(op) || op === 'ConvTranspose';
const prod = (s: number[] = []): number => s.reduce((p, d) => p * d, 1);

/**
 * Multiply-adds of one profiled node from its shapes: a Conv's output elements times its weight's
 * taps per output channel (the same for ONNX Runtime's blocked NCHWc kernels, whose reordered
 * weights keep the element count); a Gemm/MatMul's output elements times the inner dimension.
 */
export function nodeMacs(e: ProfileEvent): number {
  const ins = (e.args?.input_type_shape ?? []).map((o) => Object.values(o)[0]!);
  const out = Object.values(e.args?.output_type_shape?.[0] ?? {})[0];
  const [x, w] = ins;
  if (!x || !w || !out) return 0;
  if (CONV_OPS.has(e.args!.op_name!)) return prod(out) * (prod(w) / w[0]!);
  if (e.args!.op_name === 'Gemm' || e.args!.op_name === 'MatMul' || e.args!.op_name === 'FusedMatMul') return prod(out) * x[x.length - 1]!;
  return 0;
}

/**
 * {@link MacBound} of a fwd+bwd profile. Forward nodes are those the engine did not add (its
 * nodes' names start with "nnlens/"); each forward Conv/Gemm has an input gradient of the same
 * multiply-adds, so the whole job's count is twice the forward's.
 */
export function macBound(events: ProfileEvent[], runs: number): MacBound {
  let fwdMacs = 0, conv = 0, other = 0, best = 0;
  const perNode = new Map<string, { us: number; macs: number; op: string }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const row = perNode.get(e.name) ?? { us: 0, macs: nodeMacs(e), op: e.args.op_name };
    row.us += e.dur ?? 0;
    perNode.set(e.name, row);
  }
  for (const [name, r] of perNode) {
    const us = r.us / runs;
    if (isConvKernel(r.op)) conv += us; else other += us;
    if (!name.startsWith('nnlens/')) fwdMacs += r.macs;
    if (CONV_OPS.has(r.op) && us >= 300) best = Math.max(best, r.macs / us / 1e3);
  }
  return { macs: 2 * fwdMacs, best_gmacs: round(best), conv_ms: round(conv / 1000), other_ms: round(other / 1000) };
}

/**
 * Kernel time per op type and run in an ONNX Runtime profile (chrome trace JSON): `Node` events
 * named `<node>_kernel_time` carry the op type; `model_run` events count the runs.
 */
function opTimes(events: ProfileEvent[]): { runs: number; nodes: number; ops: NonNullable<ChildFigures['profile']>; bound: MacBound } {
  const per = new Map<string, { us: number; nodes: Set<string> }>();
  let runs = 0;
  for (const e of events) {
    if (e.name === 'model_run') runs++;
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const row = per.get(e.args.op_name) ?? { us: 0, nodes: new Set<string>() };
    row.us += e.dur ?? 0;
    row.nodes.add(e.name);
    per.set(e.args.op_name, row);
  }
  const total = [...per.values()].reduce((s, r) => s + r.us, 0);
  const ops = [...per.entries()]
    .map(([op, r]) => ({ op, us: Math.round(r.us / Math.max(1, runs)), share: Math.round((r.us / total) * 1000) / 1000, nodes: r.nodes.size }))
    .sort((a, b) => b.us - a.us);
  return { runs, nodes: ops.reduce((s, o) => s + o.nodes, 0), ops, bound: macBound(events, Math.max(1, runs)) };
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
  const times: number[] = [], cpus: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const c0 = process.cpuUsage();
    t = performance.now();
    res = await engine.gradients(feeds, req, values);
    const dt = performance.now() - t, c = process.cpuUsage(c0);
    if (i >= warmup) { times.push(dt); cpus.push((c.user + c.system) / 1000); }
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
    cpu_ms_per_run: round(median(cpus)), threads: Number(process.env.NNLENS_THREADS ?? 0) || undefined,
    peak_rss_mb: round(peak), model_rss_mb: round(rssModel), grad_rel_l2_vs_zoo: grad,
    ...(Object.keys(extra).length ? { session_options: extra } : {}),
  };
  await engine.dispose();
  if (profile) {
    // Releasing a profiled session writes `<prefix>-<k>_<timestamp>.json` (the name is not returned);
    // the forward+backward session is the one with the most kernels.
    const profiles = takeProfiles(prefix).map(opTimes).sort((a, b) => b.nodes - a.nodes);
    if (profiles[0]) { out.profile = profiles[0].ops; out.profile_runs = profiles[0].runs; out.bound = profiles[0].bound; }
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * Runs a child measurement and parses its JSON line. The child runs with the malloc setting the
 * `nnlens` command runs with (bin/malloc-env.mjs), unless `malloc` is false (a library user's own
 * Node process with glibc's defaults).
 */
export function runChild(model: string, runs: number, env: Record<string, string> = {}, profile = false, malloc = true): Promise<ChildFigures> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', model, String(runs), String(WARMUP), ...(profile ? ['--profile'] : [])];
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(MALLOC_ENV)) delete base[k];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env: { ...base, ...(malloc ? MALLOC_ENV : {}), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** PyTorch's CPU time per forward+backward, or why it could not be measured. */
export type PeerCpu = { cpu_ms_per_run: number; min_ms: number; threads: number } | { skipped: string };

/**
 * PyTorch's CPU time (user + system, the whole process) per forward+backward, median of `runs`:
 * bench/pytorch/fwd_bwd.py runs unchanged, with its clock `time.perf_counter` replaced by
 * `time.process_time`, so the times it reports are CPU times of exactly its timed region. Unlike
 * wall time, single-threaded CPU time hardly moves when other jobs share the cores.
 * @example await pytorchCpuPerRun('resnet18', 10, 1)
 */
export async function pytorchCpuPerRun(model: string, runs: number, threads: number): Promise<PeerCpu> {
  const why = pytorchUnavailable();
  if (why) return { skipped: why };
  const script = join(dirname(fileURLToPath(import.meta.url)), 'pytorch', 'fwd_bwd.py');
  const wrapper = [
    'import os, runpy, sys, time',
    'time.perf_counter = time.process_time',
    'sys.path.insert(0, os.path.dirname(sys.argv[1]))',
    'sys.argv = sys.argv[1:]',
    "runpy.run_path(sys.argv[0], run_name='__main__')",
  ].join('\n');
  const args = ['-c', wrapper, script, '--model', model, '--runs', String(runs), '--warmup', String(WARMUP), '--threads', String(threads)];
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => {
      const figures = code === 0 ? parsePeerOutput(out) : undefined;
      if (figures?.median_ms !== undefined) resolve({ cpu_ms_per_run: round(figures.median_ms), min_ms: round(figures.min_ms as number), threads });
      else resolve({ skipped: `fwd_bwd.py exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}` });
    });
  });
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/** Rounds of interleaved measurements per model: figures are medians over rounds. */
export const ENGINE_ROUNDS = 5;

/** One round's figures for one model (undefined: PyTorch absent). */
interface Round {
  nn: ChildFigures;
  noFlip: ChildFigures;
  nn1: ChildFigures;
  noFlip1: ChildFigures;
  pt?: PeerFigures;
  pt1?: { cpu_ms_per_run: number };
  /** nnlens with glibc's default malloc settings (peak RSS as in a library user's own process). */
  plainMalloc: ChildFigures;
  /** nnlens with ONNX Runtime's profiler on, 2 threads: what bounds the time. */
  prof: ChildFigures;
  load: number;
}

/**
 * One round: each measurement once, nnlens and PyTorch alternating, so that both sides meet the
 * same load on the shared machine.
 */
async function measureRound(model: string, runs: number, notes: string[]): Promise<Round> {
  const load = loadavg()[0]!;
  const nn = await runChild(model, runs);
  const peer = await runPytorchPeer('fwd_bwd', { model, runs, warmup: WARMUP });
  const noFlip = await runChild(model, runs, { NNLENS_NO_FLIP: '1' });
  const nn1 = await runChild(model, runs, { NNLENS_THREADS: '1' });
  const pt1 = await pytorchCpuPerRun(model, runs, 1);
  const noFlip1 = await runChild(model, runs, { NNLENS_THREADS: '1', NNLENS_NO_FLIP: '1' });
  const plainMalloc = await runChild(model, runs, {}, false, false);
  const prof = await runChild(model, Math.min(runs, 5), {}, true);
  if ('skipped' in peer) notes.push(`${model}: PyTorch wall time absent: ${peer.skipped}`);
  if ('skipped' in pt1) notes.push(`${model}: PyTorch CPU time absent: ${pt1.skipped}`);
  return { nn, noFlip, nn1, noFlip1, plainMalloc, prof, pt: 'skipped' in peer ? undefined : peer as PeerFigures, pt1: 'skipped' in pt1 ? undefined : pt1, load };
}

export const engineBench: BenchModule = {
  name: 'engine',
  description: 'forward + backward to the input (d logit[target] / d input), batch 1, 224x224, make-zoo ResNet-18 and ResNet-50: nnlens (ONNX Runtime, onnxruntime-node) vs PyTorch CPU, measured in the same run',
  async run() {
    const metrics: BenchMetric[] = [];
    const notes: string[] = [
      `Each model gets ${ENGINE_ROUNDS} rounds; a round runs every measurement once, nnlens and PyTorch alternating; figures are medians over rounds (ratios: the median of the per-round ratios).`,
      'Wall time: both sides with 2 threads (ORT intra-op pool on 2 cores, torch.set_num_threads(2)), median of the timed runs after warm-up. '
      + 'When other jobs load the cores, PyTorch\'s OpenMP threads stall far more than ORT\'s, so a loaded machine flatters nnlens: read the wall ratio with the load average.',
      `Every nnlens measurement runs as the nnlens command does, with ${Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} (bin/malloc-env.mjs); one more run per round uses glibc's defaults, as a library user's own Node process would. PyTorch runs with glibc's defaults (with the fixed threshold its own allocator slows it down about 3x).`,
      'CPU time: both sides with 1 thread (NNLENS_THREADS=1, --threads 1), user + system time of the process per fwd+bwd, median of the runs (PyTorch: fwd_bwd.py timed with time.process_time). '
      + 'Threads do not wait for each other, but a busy sibling core still slows both sides, so it varies too, less.',
    ];
    for (const { model, runs } of ENGINE_RUNS) {
      const why = needsZoo(model);
      if (why) { notes.push(`${model}: ${why}`); continue; }
      const rounds: Round[] = [];
      for (let k = 0; k < ENGINE_ROUNDS; k++) rounds.push(await measureRound(model, runs, notes));
      const med = (f: (r: Round) => number | undefined): number | undefined => {
        const xs = rounds.map(f).filter((x): x is number => x !== undefined);
        return xs.length ? Math.round(median(xs) * 100) / 100 : undefined;
      };
      const nnWall = med((r) => r.nn.median_ms)!, ptWall = med((r) => r.pt?.median_ms);
      const nnCpu = med((r) => r.nn1.cpu_ms_per_run)!, ptCpu = med((r) => r.pt1?.cpu_ms_per_run);
      metrics.push({ label: `${model}: wall, nnlens fwd+bwd (2 threads)`, value: nnWall, unit: 'ms' });
      const wallRatio = med((x) => (x.pt ? ratio(x.nn.median_ms, x.pt.median_ms!) : undefined));
      if (ptWall !== undefined && wallRatio !== undefined) {
        metrics.push({ label: `${model}: wall, PyTorch fwd+bwd (2 threads)`, value: ptWall, unit: 'ms' });
        metrics.push({ label: `${model}: wall ratio nnlens / PyTorch`, value: wallRatio, unit: 'x', goal: `<= ${ENGINE_GOAL_RATIO}`, ok: wallRatio <= ENGINE_GOAL_RATIO });
      }
      metrics.push({ label: `${model}: wall, nnlens with NNLENS_NO_FLIP=1 (2 threads)`, value: med((r) => r.noFlip.median_ms)!, unit: 'ms' });
      metrics.push({ label: `${model}: CPU, nnlens per fwd+bwd (1 thread)`, value: nnCpu, unit: 'ms' });
      if (ptCpu !== undefined) {
        const r = med((x) => (x.pt1 ? ratio(x.nn1.cpu_ms_per_run, x.pt1.cpu_ms_per_run) : undefined))!;
        metrics.push({ label: `${model}: CPU, PyTorch per fwd+bwd (1 thread)`, value: ptCpu, unit: 'ms' });
        metrics.push({ label: `${model}: CPU ratio nnlens / PyTorch (1 thread)`, value: r, unit: 'x', goal: `<= ${ENGINE_GOAL_RATIO}`, ok: r <= ENGINE_GOAL_RATIO });
      }
      const noFlipCpu = med((r) => r.noFlip1.cpu_ms_per_run)!;
      metrics.push({ label: `${model}: CPU, nnlens with NNLENS_NO_FLIP=1 (1 thread)`, value: noFlipCpu, unit: 'ms' });
      metrics.push({ label: `${model}: wall, nnlens forward alone (2 threads)`, value: med((r) => r.nn.forward_median_ms)!, unit: 'ms' });
      const rss = med((r) => r.nn.peak_rss_mb)!, ptRss = med((r) => r.pt?.peak_rss_mb);
      if (ptRss !== undefined) metrics.push({ label: `${model}: peak RSS nnlens / PyTorch`, value: rss, unit: `MB / ${ptRss} MB`, goal: '<= PyTorch', ok: rss <= ptRss });
      metrics.push({ label: `${model}: peak RSS nnlens with glibc's default malloc settings`, value: med((r) => r.plainMalloc.peak_rss_mb)!, unit: 'MB' });
      const per = (f: (r: Round) => number | undefined) => rounds.map((r) => f(r) ?? 'n/a').join(', ');
      notes.push(`${model}, per round: nnlens wall ${per((r) => r.nn.median_ms)} ms; PyTorch wall ${per((r) => r.pt?.median_ms)} ms; nnlens CPU ${per((r) => r.nn1.cpu_ms_per_run)} ms; PyTorch CPU ${per((r) => r.pt1?.cpu_ms_per_run)} ms; 1-minute load average at the start ${per((r) => Math.round(r.load * 10) / 10)}`);
      const r0 = rounds[0]!;
      notes.push(`${model}: ${runs} timed runs after ${WARMUP} warm-up runs per measurement; nnlens RSS with the model opened ${r0.nn.model_rss_mb} MB, PyTorch RSS with the model built ${r0.pt?.model_rss_mb ?? 'n/a'} MB (torch itself is ~270 MB); first nnlens call (build, probe, compile, run) ${r0.nn.compile_ms} ms; forward alone at 1 thread ${med((r) => r.nn1.forward_median_ms)} ms wall`);
      notes.push(`${model}: gradient rel L2 vs make-zoo's grad_input.npy: nnlens ${fmt(r0.nn.grad_rel_l2_vs_zoo)} (NO_FLIP ${fmt(r0.noFlip.grad_rel_l2_vs_zoo)}), PyTorch ${fmt(r0.pt?.grad_rel_l2_vs_zoo as number | undefined)}`);
      const prof = await runChild(model, Math.min(runs, 5), { NNLENS_THREADS: '1' }, true);
      const top = (prof.profile ?? []).slice(0, 8).map((o) => `${o.op} ${Math.round(o.share * 100)}% (${o.nodes} nodes)`).join(', ');
      notes.push(`${model}: where the forward+backward time goes (ONNX Runtime profile, 1 thread, share of kernel time): ${top}`);
      // What bounds the goal: the job's multiply-adds at the best rate a Conv kernel reached, and
      // the convolutions' own kernel time, both against PyTorch's whole time (2 threads, as the goal).
      const bounds = rounds.map((r) => r.prof.bound).filter((b): b is MacBound => b !== undefined);
      if (bounds.length && ptWall !== undefined && wallRatio !== undefined) {
        // The machine's Conv throughput: the best any Conv kernel reached in any round (the host's
        // speed drifts; a slow moment does not lower what the hardware can do).
        const best = Math.max(...bounds.map((b) => b.best_gmacs));
        const macs = bounds[0]!.macs;
        const floorMs = macs / (best * 1e6);
        // The profiler slows every kernel a little, so the convolutions' part of the (unprofiled)
        // wall ratio is their share of the profiled kernel time times that ratio.
        const share = median(bounds.map((b) => b.conv_ms / (b.conv_ms + b.other_ms)));
        const prof = rounds[rounds.length >> 1]!.prof;
        metrics.push({ label: `${model}: multiply-adds alone at the fastest Conv kernel's rate, / PyTorch's wall time`, value: ratio(floorMs, ptWall), unit: 'x' });
        metrics.push({ label: `${model}: the convolutions' part of the wall ratio (Conv + ConvTranspose kernels)`, value: ratio(share * wallRatio, 1), unit: 'x' });
        notes.push(`${model}: what bounds the ratio (ONNX Runtime profile, 2 threads, one per round): forward + backward to the input is ${(macs / 1e9).toFixed(2)} G multiply-adds; the fastest Conv kernel of this graph ran at ${best} GMAC/s (per round ${bounds.map((b) => b.best_gmacs).join(', ')}), so the multiply-adds alone take at least ${floorMs.toFixed(1)} ms = ${ratio(floorMs, ptWall)}x PyTorch's wall time (${ptWall} ms). Conv and ConvTranspose kernels are ${Math.round(share * 100)}% of nnlens' kernel time (median over rounds), i.e. ${ratio(share * wallRatio, 1)} of the ${wallRatio}x wall ratio; in the middle round the other kernels' largest were ${(prof.profile ?? []).filter((o) => !isConvKernel(o.op)).slice(0, 5).map((o) => `${o.op} ${(o.us / 1000).toFixed(1)}`).join(', ')} ms (profiler on)`);
      }
      notes.push(`${model}: the flipped-kernel Conv rule for stride-1 input gradients saves ${Math.round((1 - nnCpu / noFlipCpu) * 100)}% of the 1-thread CPU time (${noFlipCpu} -> ${nnCpu} ms)`);
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
