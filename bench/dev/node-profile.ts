/**
 * Where the forward+backward time of a zoo model goes, node by node (ONNX Runtime profile):
 * `node --import tsx bench/dev/node-profile.ts resnet18 [runs] [top]`. For every Conv / MatMul /
 * Gemm node it counts the multiply-adds from the profiled shapes (bench/engine.ts nodeMacs) and
 * prints the achieved GMAC/s, so slow kernels stand out against the machine's conv throughput.
 * Threads: NNLENS_THREADS (default: ORT's, one per core).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import type { NdArray } from '../../src/engine/ndarray.ts';
import { openModel } from '../../src/formats/registry.ts';
import { readNpy } from '../../src/io/npy.ts';
import { zooEntry } from '../../test/helpers/zoo.ts';
import { nodeMacs, takeProfiles, wrapSessions, type ProfileEvent } from '../engine.ts';

const [model = 'resnet18', runsArg = '10', topArg = '40'] = process.argv.slice(2);
const runs = Number(runsArg), top = Number(topArg);
const prefix = join(tmpdir(), `nnlens-nodeprof-${process.pid}`);
await wrapSessions(prefix, {});
const z = zooEntry(model);
const engine = Engine.fromModel(await openModel(z.model));
const name = engine.inputs()[0]!.name;
const feeds = { [name]: readNpy(z.input) as NdArray };
const req = { target: { kind: 'logit' as const }, wrt: [name] };
const values = { index: [z.target] };
for (let i = 0; i < 3; i++) await engine.gradients(feeds, req, values);
const t0 = performance.now();
for (let i = 0; i < runs; i++) await engine.gradients(feeds, req, values);
const wall = (performance.now() - t0) / runs;
await engine.dispose();

// The forward+backward session's profile is the one with the most events.
const best = takeProfiles(prefix).reduce((a, b) => (b.length > a.length ? b : a), [] as ProfileEvent[]);
const skip = best.filter((e) => e.name === 'model_run').length - runs; // first call + warm-ups
interface Row { node: string; op: string; us: number[]; ins: number[][]; outs: number[][]; macs: number }
const rows = new Map<string, Row>();
for (const e of best) {
  if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
  const r = rows.get(e.name) ?? { node: e.name.replace(/_kernel_time$/, ''), op: e.args.op_name, us: [], ins: (e.args.input_type_shape ?? []).map((o) => Object.values(o)[0]!), outs: (e.args.output_type_shape ?? []).map((o) => Object.values(o)[0]!), macs: nodeMacs(e) };
  r.us.push(e.dur ?? 0);
  rows.set(e.name, r);
}
const list = [...rows.values()].map((r) => {
  const us = r.us.slice(-runs).reduce((s, v) => s + v, 0) / Math.min(runs, r.us.length);
  return { ...r, mean: us };
});
const total = list.reduce((s, r) => s + r.mean, 0);
const byOp = new Map<string, { us: number; n: number; macs: number }>();
for (const r of list) { const o = byOp.get(r.op) ?? { us: 0, n: 0, macs: 0 }; o.us += r.mean; o.n++; o.macs += r.macs; byOp.set(r.op, o); }
console.log(`${model}: wall ${wall.toFixed(1)} ms per fwd+bwd (profiler on), kernel sum ${(total / 1000).toFixed(1)} ms, skip ${skip} runs`);
for (const [op, o] of [...byOp.entries()].sort((a, b) => b[1].us - a[1].us)) {
  console.log(`  ${op.padEnd(22)} ${(o.us / 1000).toFixed(2).padStart(7)} ms  ${String(o.n).padStart(4)} nodes${o.macs ? `  ${(o.macs / 1e6).toFixed(0)} MMAC  ${(o.macs / o.us / 1e3).toFixed(1)} GMAC/s` : ''}`);
}
console.log('slowest nodes:');
for (const r of list.sort((a, b) => b.mean - a.mean).slice(0, top)) {
  console.log(`  ${(r.mean / 1000).toFixed(3).padStart(7)} ms ${r.op.padEnd(18)} ${r.macs ? `${(r.macs / r.mean / 1e3).toFixed(1).padStart(5)} GMAC/s` : '            '} ${JSON.stringify(r.ins)} -> ${JSON.stringify(r.outs)}  ${r.node.slice(0, 50)}`);
}
