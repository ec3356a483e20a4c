/**
 * Finite-difference checking of gradient rules (STYLE.md 8): a one-op (or few-op) graph is
 * differentiated by the engine and by central differences of the same graph run forward on
 * ONNX Runtime; the two must agree.
 */
import type { Graph, Model } from '../../src/graph/ir.ts';
import { emptyGraph } from '../../src/graph/ir.ts';
import { GraphBuilder } from '../../src/engine/builder.ts';
import { Engine } from '../../src/engine/engine.ts';
import { f32, type NdArray } from '../../src/engine/ndarray.ts';
import { Random } from '../../src/data/random.ts';

/** Deterministic pseudo-random numbers in [0, 1). */
export function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.uniform();
}

/** Uniform values in [lo, hi), optionally kept at least `gap` away from each of `kinks`. */
export function randomArray(shape: number[], seed: number, lo = -1, hi = 1, kinks: number[] = [], gap = 0.05): NdArray & { data: Float32Array } {
  const r = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = lo + (hi - lo) * r(); while (kinks.some((k) => Math.abs(v - k) < gap));
    data[i] = v;
  }
  return f32(shape, data);
}

/** A model around a hand-built graph: `build` receives a builder and the input names. */
export function tinyModel(inputs: Record<string, number[]>, build: (b: GraphBuilder, ins: string[]) => string, opset = 17): Model {
  const graph: Graph = emptyGraph('fd');
  const b = new GraphBuilder(graph, 'op');
  const names = Object.entries(inputs).map(([name, shape]) => b.input(name, 'float32', shape));
  const out = build(b, names);
  graph.outputs = [out];
  graph.values.get(out)!.dtype = 'float32';
  return { format: 'onnx', formatLabel: 'test', path: 'fd-test', opsets: { '': opset }, metadata: {}, graph, warnings: [] };
}

/** Relative L2 error |a - b| / max(|b|, tiny). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
}

/**
 * Compares engine gradients of sum(w * y) (w random) w.r.t. every input with central differences.
 * Returns the relative L2 error per input.
 */
export async function checkGradients(model: Model, feeds: Record<string, NdArray & { data: Float32Array }>, eps = 1e-2, seed = 7): Promise<Record<string, number>> {
  const engine = Engine.fromModel(model);
  try {
    const names = Object.keys(feeds);
    const out0 = (await engine.run(feeds)).outputs[model.graph.outputs[0]!]!;
    const w = randomArray(out0.shape, seed, 0.5, 1.5);
    const f = async (fd: Record<string, NdArray>): Promise<number> => {
      const y = (await engine.run(fd)).outputs[model.graph.outputs[0]!]!.data as Float32Array;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i]! * w.data[i]!;
      return s;
    };
    const res = await engine.gradients(feeds, { target: { kind: 'weighted' }, wrt: names }, { weights: w });
    const errors: Record<string, number> = {};
    for (const name of names) {
      const x = feeds[name]!;
      const numeric = new Float64Array(x.data.length);
      for (let i = 0; i < x.data.length; i++) {
        const plus = f32(x.shape, Float32Array.from(x.data)); plus.data[i]! += eps;
        const minus = f32(x.shape, Float32Array.from(x.data)); minus.data[i]! -= eps;
        numeric[i] = ((await f({ ...feeds, [name]: plus })) - (await f({ ...feeds, [name]: minus }))) / (2 * eps);
      }
      errors[name] = relErr(res.grads[name]!.data as Float32Array, numeric);
    }
    return errors;
  } finally {
    await engine.dispose();
  }
}
