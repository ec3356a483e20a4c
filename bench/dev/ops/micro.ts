/**
 * A harness for timing small hand-built ONNX graphs on onnxruntime-node (2 threads, all graph
 * optimizations): median of `runs` runs after 5 warm-ups, feeds in and outputs out included.
 * Used by the op microbenchmarks next to it (`node --import tsx bench/dev/ops/<name>.ts`).
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/engine/builder.ts';
import { writeOnnx } from '../../../src/formats/onnx-write.ts';
import { emptyGraph, type Graph } from '../../../src/graph/ir.ts';

/**
 * Builds a graph with `build`, runs it, prints and returns the median time in ms; `check` gets
 * the first output (e.g. to compare formulations).
 */
export async function time(name: string, build: (b: GraphBuilder, g: Graph) => void, feeds: Record<string, ort.Tensor>, runs = 40, check?: (out: Float32Array) => void): Promise<number> {
  const g = emptyGraph(name);
  const b = new GraphBuilder(g, 'u');
  build(b, g);
  for (const o of g.outputs) g.values.get(o)!.dtype = 'float32';
  const s = await ort.InferenceSession.create(writeOnnx(g, { opsets: { '': 18 } }), { graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3 });
  let r = await s.run(feeds);
  for (let i = 0; i < 5; i++) r = await s.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); r = await s.run(feeds); ts.push(performance.now() - t); }
  ts.sort((a, c) => a - c);
  const med = ts[ts.length >> 1]!;
  console.log(`${name.padEnd(50)} ${med.toFixed(3)} ms`);
  if (check) check(r[g.outputs[0]!]!.data as Float32Array);
  await s.release();
  return med;
}

/** Deterministic values in [-0.5, 0.5). */
export function rand(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}
