/**
 * Explain benchmark (issue 4, "Performance"): ResNet-50 (make-zoo), 32 inputs at 224 x 224, the
 * whole job through the explain orchestrator (src/explain/explain.ts: the forward pass that picks
 * each input's top-1 class, the method, and heatmaps at input size) for `gradcam` and `ig` (50
 * Gauss-Legendre steps, zero baseline), against PyTorch doing the same with plain autograd
 * (bench/pytorch/gradcam.py and ig.py) in the same run. Goal: nnlens at most 0.5x PyTorch's time.
 *
 * Like the PyTorch side, compilation and kernel set-up are warm-up, not job: Grad-CAM is timed as
 * the median of 3 jobs after one untimed job (PyTorch: one untimed chunk of 32, then 3 jobs); IG as
 * one job after compiling its sessions on one input (PyTorch: one untimed forward of a 50-input
 * chunk, then one job). Each side runs alone, in its own process (peak RSS is that process's).
 * make-zoo's ONNX files declare a fixed batch of 1; the child makes the batch axis symbolic, so
 * both sides run the same batches. Inputs: item 0 is the zoo's input.npy, items 1..31 are it plus seeded Gaussian noise (PyTorch uses
 * make-zoo's own 32 random inputs; time does not depend on the values). Each nnlens child also
 * reports a correctness figure, so a fast wrong job cannot pass: Grad-CAM's map of item 0 against
 * the map made from the zoo's PyTorch activation and gradient, IG's largest completeness error.
 */
import { defaultChunk } from '../src/explain/method.ts';
import { MALLOC_ENV } from '../bin/malloc-env.mjs';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/data/random.ts';
import { Engine } from '../src/engine/engine.ts';
import type { NdArray } from '../src/engine/ndarray.ts';
import { explain, type ExplainInput, type ExplainOptions } from '../src/explain/explain.ts';
import { openModel } from '../src/formats/registry.ts';
import { readNpy } from '../src/io/npy.ts';
import { needsZoo, zooEntry } from '../test/helpers/zoo.ts';
import { runPytorchPeer, type PeerFigures } from './pytorch/peer.ts';
import type { BenchMetric, BenchModule } from './types.ts';

/** Goal: nnlens time / PyTorch time for the whole job. */
export const EXPLAIN_GOAL_RATIO = 0.5;
const MODEL = 'resnet50';
const BATCH = 32;
const STEPS = 50;

/** What a child prints as one JSON line. */
export interface ExplainChildFigures {
  method: 'gradcam' | 'ig';
  batch: number;
  /** The whole job, seconds (Grad-CAM: median of 3). */
  job_s: number;
  per_input_ms: number;
  warmup_s: number;
  peak_rss_mb: number;
  /** Time per phase of the (last) timed job, ms. */
  phases: Record<string, number>;
  /** Grad-CAM: relative L2 of item 0's map vs the zoo reference; IG: largest relative completeness error. */
  check: number;
}

/** The 32 inputs: the zoo input, then noisy copies. */
function inputs(): ExplainInput {
  const z = zooEntry(MODEL);
  const x0 = readNpy(z.input) as NdArray & { data: Float32Array };
  const per = x0.data.length;
  const data = new Float32Array(BATCH * per);
  const rng = new Random(300);
  for (let n = 0; n < BATCH; n++) for (let i = 0; i < per; i++) data[n * per + i] = x0.data[i]! + (n === 0 ? 0 : 0.5 * rng.normal());
  return { feeds: { input: { dtype: 'float32', shape: [BATCH, ...x0.shape.slice(1)], data } }, inputName: 'input', items: Array.from({ length: BATCH }, (_, n) => ({ file: `input ${n}`, row: 0 })) };
}

function first(input: ExplainInput, n: number): ExplainInput {
  const x = input.feeds.input!;
  const per = x.data.length / x.shape[0]!;
  return { ...input, feeds: { input: { dtype: 'float32', shape: [n, ...x.shape.slice(1)], data: (x.data as Float32Array).slice(0, n * per) } }, items: input.items.slice(0, n) };
}

/** Grad-CAM from PyTorch's activation and gradient: ReLU(sum_c mean_hw(g_c) A_c) (as test/explain/zoo.test.ts). */
function referenceGradCam(act: NdArray, grad: NdArray): Float32Array {
  const [, C, H, W] = act.shape as [number, number, number, number];
  const A = act.data as Float32Array, G = grad.data as Float32Array, hw = H * W;
  const out = new Float32Array(hw);
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let i = 0; i < hw; i++) m += G[c * hw + i]!;
    m /= hw;
    for (let i = 0; i < hw; i++) out[i] += m * A[c * hw + i]!;
  }
  return out.map((v) => Math.max(v, 0));
}

function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / den);
}

async function child(method: 'gradcam' | 'ig'): Promise<void> {
  const why = needsZoo(MODEL);
  if (why) throw new Error(why);
  const z = zooEntry(MODEL);
  const model = await openModel(z.model);
  // make-zoo exports at a fixed batch of 1, which nnlens honours by running items one at a time;
  // PyTorch runs the 32 inputs as batches, so the batch axis is made symbolic here (the ResNet
  // graph has no batch-dependent Reshape: torch.flatten exports as Flatten).
  for (const name of [...model.graph.inputs, ...model.graph.outputs]) {
    const v = model.graph.values.get(name)!;
    if (v.shape?.[0] === 1) v.shape = ['N', ...v.shape.slice(1)];
  }
  const engine = Engine.fromModel(model);
  const all = inputs();
  const o: ExplainOptions = method === 'gradcam' ? { method, layer: z.cam_layer! } : { method, steps: STEPS, igMethod: 'gausslegendre', baseline: 'zeros' };
  let t = performance.now();
  // Warm-up: sessions are compiled per input shape (PyTorch's oneDNN builds kernels per shape too).
  if (method === 'gradcam') await explain(engine, all, o);
  else { await explain(engine, first(all, 1), o); await engine.run(all.feeds); }
  const warmup = (performance.now() - t) / 1000;
  const times: number[] = [];
  let out = undefined as Awaited<ReturnType<typeof explain>> | undefined;
  for (let r = 0; r < (method === 'gradcam' ? 3 : 1); r++) {
    t = performance.now();
    out = await explain(engine, all, o);
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const job = times[times.length >> 1]!;
  let check: number;
  if (method === 'gradcam') {
    check = relL2(out!.items[0]!.raw, referenceGradCam(readNpy(z.act!) as NdArray, readNpy(z.gradAct!) as NdArray));
  } else {
    check = Math.max(...out!.items.map((it) => it.completenessError! / Math.max(Math.abs(it.raw.reduce((s, v) => s + v, 0)), 1e-12)));
  }
  const figures: ExplainChildFigures = {
    method, batch: BATCH, job_s: round(job), per_input_ms: round((job * 1000) / BATCH), warmup_s: round(warmup),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024), phases: Object.fromEntries(Object.entries(out!.timings).map(([k, v]) => [k, round(v)])), check,
  };
  await engine.dispose();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function round(x: number): number { return Math.round(x * 1000) / 1000; }

/** Runs one nnlens measurement in a child process. */
export function runExplainChild(method: 'gradcam' | 'ig'): Promise<ExplainChildFigures> {
  return new Promise((resolve, reject) => {
    // The child runs with the malloc setting of the nnlens command (bin/malloc-env.mjs).
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', method], { env: { ...process.env, ...MALLOC_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('close', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      if (code === 0 && line) resolve(JSON.parse(line) as ExplainChildFigures);
      else reject(new Error(`explain bench child ${method} exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

/** Rounds per method (nnlens then PyTorch in each): Grad-CAM takes seconds, IG minutes. */
export const EXPLAIN_ROUNDS: Record<string, number> = { gradcam: 3, ig: 1 };

/** The runs: nnlens first, then PyTorch, one at a time (they must not share the 2 cores). */
export const EXPLAIN_RUNS: { method: 'gradcam' | 'ig'; peer: 'gradcam' | 'ig'; options: Record<string, number> }[] = [
  { method: 'gradcam', peer: 'gradcam', options: { batch: BATCH, chunk: BATCH, runs: 3 } },
  { method: 'ig', peer: 'ig', options: { batch: BATCH, steps: STEPS, chunk: STEPS } },
];

export const explainBench: BenchModule = {
  name: 'explain',
  description: `the whole explain job for ${BATCH} inputs (224x224) on make-zoo ResNet-50: gradcam (layer4) and ig (${STEPS} Gauss-Legendre steps, zero baseline), nnlens (src/explain/explain.ts on onnxruntime-node) vs PyTorch CPU autograd (bench/pytorch/gradcam.py, ig.py, 2 threads), measured in the same run`,
  async run() {
    const metrics: BenchMetric[] = [];
    const notes: string[] = [];
    const why = needsZoo(MODEL);
    if (why) return { metrics, notes: [why] };
    const only = (process.env.NNLENS_BENCH_EXPLAIN ?? 'gradcam,ig').split(',');
    for (const run of EXPLAIN_RUNS.filter((r) => only.includes(r.method))) {
      const load0 = loadavg()[0]!;
      // Short jobs get several rounds, nnlens and PyTorch alternating, and the median of the
      // per-round ratios: the host's speed drifts by ~30% within minutes (IG's one round takes ~10).
      const rounds: { nn: ExplainChildFigures; peer: PeerFigures | { skipped: string } }[] = [];
      for (let k = 0; k < (EXPLAIN_ROUNDS[run.method] ?? 1); k++) {
        const nn = await runExplainChild(run.method);
        rounds.push({ nn, peer: await runPytorchPeer(run.peer, { model: MODEL, ...run.options }) });
      }
      const mid = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1]!;
      const nn = mid(rounds.map((r) => r.nn), (f) => f.job_s);
      const peer = rounds.some((r) => 'skipped' in r.peer) ? rounds.find((r) => 'skipped' in r.peer)!.peer : mid(rounds.map((r) => r.peer as PeerFigures), (f) => f.job_s!);
      metrics.push({ label: `${run.method}: nnlens whole job, ${BATCH} inputs`, value: nn.job_s, unit: 's' });
      if ('skipped' in peer) {
        notes.push(`${run.method}: PyTorch column absent: ${peer.skipped}`);
      } else {
        const p = peer as PeerFigures;
        const ratios = rounds.map((r) => r.nn.job_s / (r.peer as PeerFigures).job_s!);
        const ratio = Math.round(mid(ratios, (x) => x) * 100) / 100;
        metrics.push({ label: `${run.method}: PyTorch whole job, ${BATCH} inputs`, value: p.job_s!, unit: 's' });
        metrics.push({ label: `${run.method}: time ratio nnlens / PyTorch`, value: ratio, unit: 'x', goal: `<= ${EXPLAIN_GOAL_RATIO}`, ok: ratio <= EXPLAIN_GOAL_RATIO });
        metrics.push({ label: `${run.method}: peak RSS nnlens / PyTorch`, value: nn.peak_rss_mb, unit: `MB / ${p.peak_rss_mb} MB` });
        const check = run.method === 'gradcam' ? `map rel L2 vs zoo ${fmt(p.cam_rel_l2_vs_zoo as number | null)}` : `completeness rel error max ${fmt(p.completeness_rel_err_max as number | null)}`;
        notes.push(`${run.method}: PyTorch ${p.torch}, ${p.threads} threads, ${check}`);
        if (rounds.length > 1) notes.push(`${run.method}, per round (nnlens / PyTorch, s): ${rounds.map((r) => `${r.nn.job_s} / ${(r.peer as PeerFigures).job_s}`).join('; ')}; the ratio is the median of the per-round ratios`);
      }
      const check = run.method === 'gradcam' ? `item 0 map rel L2 vs the zoo's PyTorch activation/gradient ${fmt(nn.check)}` : `largest relative completeness error ${fmt(nn.check)}`;
      notes.push(`${run.method}: nnlens phases (ms) ${JSON.stringify(nn.phases)}, warm-up ${nn.warmup_s} s, ${check}`);
      if (run.method === 'ig') notes.push(`ig: nnlens runs ${defaultChunk(3 * 224 * 224)} scaled inputs per forward+backward (src/explain/method.ts defaultChunk); PyTorch ${run.options.chunk}`);
      notes.push(`${run.method}: 1-minute load average ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (other jobs share the 2 cores; figures vary between runs)`);
    }
    return { metrics, notes };
  },
};

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : x.toExponential(2);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === 'child') {
  await child(process.argv[3] as 'gradcam' | 'ig');
}
