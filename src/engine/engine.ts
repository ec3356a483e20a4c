/**
 * The engine: runs a model on ONNX Runtime, captures any intermediate tensors in the same pass,
 * and computes gradients of a target with respect to inputs and/or intermediate tensors by
 * running a compiled forward+backward ONNX graph (ARCHITECTURE.md). Compiled sessions are
 * cached per (kind, target, wrt, captures, input shapes).
 */
import { NnlensError } from '../errors.ts';
import type { Model } from '../graph/ir.ts';
import { appendBackward } from './grad/autodiff.ts';
import { GRAD_RULES, GUIDED_RULES } from './grad/index.ts';
import { GraphBuilder } from './builder.ts';
import { Emit } from './emit.ts';
import { cloneGraph, toExec, type ExecGraph } from './exec.ts';
import { i64, type NdArray } from './ndarray.ts';
import { probe, staticFacts, type ProbedFacts } from './probe.ts';
import { resolveRef } from './refs.ts';
import { Session } from './session.ts';
import { TARGET_INDEX, TARGET_WEIGHTS, buildTarget, usesIndex, type TargetSpec } from './targets.ts';
import { GRAD_OPSET, upgradeOpset } from './upgrade.ts';
import { hasRnn, unrollRnns } from './unroll-rnn.ts';

/** Result of a forward run. */
export interface RunResult {
  /** Model outputs by name. */
  outputs: Record<string, NdArray>;
  /** Captured tensors by the reference asked for (each reference may name several tensors). */
  captured: Record<string, NdArray[]>;
}

/** What to differentiate and with respect to what. */
export interface GradRequest {
  target: TargetSpec;
  /** Graph input names or layer references (tensor, node, module path, Keras layer). */
  wrt: string[];
  /** References to capture in the same run (e.g. the CAM layer's activation). */
  capture?: string[];
  /**
   * How gradients cross ReLUs: 'standard', or 'guided' (guided backpropagation, Springenberg
   * et al. 2015: only positive gradients pass, and only where the input was positive).
   */
  reluBackward?: 'standard' | 'guided';
  /**
   * Initializers (weights) to feed at run time instead of baking them into the graph, so that a
   * training loop can update them without recompiling; they can then be `wrt` entries too.
   */
  feedParams?: string[];
}

/** Runtime values of a target: the class / channel / neuron index per batch item, or weights. */
export interface TargetValues {
  index?: number[];
  weights?: NdArray;
}

/** Result of a gradient run. */
export interface GradResult extends RunResult {
  /** Each batch item's target value. */
  score: Float32Array;
  /** d target / d wrt, keyed by the wrt reference as given. */
  grads: Record<string, NdArray>;
}

interface Compiled {
  session: Session;
  captureNames: Map<string, string[]>;
  gradNames: string[];
  scoreName?: string;
}

/** Runs and differentiates one model. */
export class Engine {
  private readonly cache = new Map<string, Promise<Compiled>>();
  private readonly releasers: (() => Promise<void>)[] = [];

  constructor(readonly exec: ExecGraph) {}

  /**
   * Prepares a model for execution (lowering Keras / TF.js layers to ONNX ops).
   * @example const engine = Engine.fromModel(await openModel('resnet18.onnx'))
   */
  static fromModel(model: Model): Engine { return new Engine(toExec(model)); }

  get model(): Model { return this.exec.model; }

  /** The executable graph's inputs (names, dtypes, shapes with symbolic dims). */
  inputs(): { name: string; dtype: string; shape: (number | string | null)[] }[] {
    const g = this.exec.graph;
    return g.inputs.map((name) => {
      const v = g.values.get(name);
      return { name, dtype: v?.dtype ?? 'float32', shape: v?.shape ?? [] };
    });
  }

  /** Resolves a layer reference to executable tensor names (throws an NnlensError listing close names). */
  resolve(ref: string): string[] { return resolveRef(this.exec, ref); }

  /**
   * Runs the model, capturing the tensors behind `capture` references in the same pass.
   * @example const { outputs, captured } = await engine.run({ input: x }, ['layer4'])
   */
  async run(feeds: Record<string, NdArray>, capture: string[] = []): Promise<RunResult> {
    const key = JSON.stringify({ kind: 'run', capture, shapes: shapesOf(feeds) });
    const compiled = await this.compiled(key, async () => {
      const g = cloneGraph(this.exec.graph);
      pinFeedShapes(g, feeds);
      const captureNames = new Map(capture.map((r) => [r, this.resolve(r)]));
      g.outputs = dedupe([...g.outputs, ...[...captureNames.values()].flat()]);
      for (const o of g.outputs) if (!this.exec.graph.outputs.includes(o) && !g.inputs.includes(o)) g.values.set(o, { name: o });
      const session = await Session.create(g, this.exec.opsets, this.model.path);
      return { session, captureNames, gradNames: [] };
    });
    const out = await compiled.session.run(feeds, this.model.path);
    return this.collect(out, compiled);
  }

  /**
   * Gradients of a target w.r.t. inputs and/or intermediate tensors, in one forward+backward run.
   * @example await engine.gradients({ input: x }, { target: { kind: 'logit' }, wrt: ['input'] }, { index: [207] })
   */
  async gradients(feeds: Record<string, NdArray>, req: GradRequest, values: TargetValues): Promise<GradResult> {
    const capture = req.capture ?? [];
    const key = JSON.stringify({ kind: 'grad', target: req.target, wrt: req.wrt, capture, relu: req.reluBackward ?? 'standard', params: req.feedParams ?? [], shapes: shapesOf(feeds) });
    const compiled = await this.compiled(key, () => this.compileGrad(feeds, req));
    const allFeeds = { ...feeds, ...this.targetFeeds(req.target, values, feeds) };
    const out = await compiled.session.run(allFeeds, this.model.path);
    const base = this.collect(out, compiled);
    const grads: Record<string, NdArray> = {};
    req.wrt.forEach((w, i) => { grads[w] = out[compiled.gradNames[i]!]!; });
    const score = Float32Array.from(out[compiled.scoreName!]!.data as Float32Array);
    return { ...base, grads, score };
  }

  private targetFeeds(spec: TargetSpec, values: TargetValues, feeds: Record<string, NdArray>): Record<string, NdArray> {
    if (usesIndex(spec)) {
      const n = Object.values(feeds)[0]?.shape[0] ?? 1;
      const index = values.index ?? [0];
      const full = index.length === n ? index : Array.from({ length: n }, (_, i) => index[i % index.length]!);
      return { [TARGET_INDEX]: i64([n], full) };
    }
    if (!values.weights) throw new NnlensError(this.model.path, 'a weighted target needs weights');
    return { [TARGET_WEIGHTS]: values.weights };
  }

  private async compileGrad(feeds: Record<string, NdArray>, req: GradRequest): Promise<Compiled> {
    const src = this.exec;
    const g = cloneGraph(src.graph);
    pinFeedShapes(g, feeds);
    for (const p of req.feedParams ?? []) {
      const v = g.values.get(p);
      if (!v?.initializer) throw new NnlensError(this.model.path, `'${p}' is not a weight of the model`);
      g.values.set(p, { name: p, dtype: v.initializer.dtype, shape: [...v.initializer.shape] });
      g.inputs.push(p);
    }
    const opset = Math.max(GRAD_OPSET, src.opsets[''] ?? GRAD_OPSET);
    upgradeOpset(g, src.opsets[''] ?? opset, opset);
    const opsets = { ...src.opsets, '': opset };
    const e = new Emit(new GraphBuilder(g, 'nnlens'), opset);
    const targetTensor = req.target.tensor ? this.single(req.target.tensor) : src.graph.outputs[0]!;
    const spec = { ...req.target, tensor: targetTensor } as TargetSpec;
    const rank = (src.graph.values.get(targetTensor)?.shape ?? this.model.graph.values.get(targetTensor)?.shape)?.length;
    const { loss, perItem } = buildTarget(e, spec, targetTensor, src.layoutOf(targetTensor), rank);
    // Probe shapes with dummy target values (weights broadcast as a scalar).
    const dummy: Record<string, NdArray> = usesIndex(spec)
      ? { [TARGET_INDEX]: i64([Object.values(feeds)[0]?.shape[0] ?? 1], new Array(Object.values(feeds)[0]?.shape[0] ?? 1).fill(0)) }
      : { [TARGET_WEIGHTS]: { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) } };
    const probeGraph = cloneGraph(g);
    probeGraph.outputs = [...src.graph.outputs, loss];
    const allFeeds = { ...feeds, ...dummy };
    const measure = async (graph: typeof g): Promise<ProbedFacts> =>
      (process.env.NNLENS_PROBE ? undefined : staticFacts(graph, opsets, allFeeds)) ?? probe(graph, opsets, allFeeds, this.model.path);
    const t0 = performance.now();
    let facts = await measure(probeGraph);
    const t1 = performance.now();
    if (hasRnn(g)) {
      // Recurrent layers are differentiated through their unrolled form, which needs the sequence length.
      const measured = facts;
      unrollRnns(g, opset, (t) => measured.shape(t));
      const again = cloneGraph(g);
      again.outputs = [...src.graph.outputs, loss];
      facts = await measure(again);
    }
    const wrtNames = req.wrt.map((w) => (g.inputs.includes(w) ? w : this.single(w)));
    const rules = req.reluBackward === 'guided' ? GUIDED_RULES : GRAD_RULES;
    const gradNames = appendBackward(g, facts, rules, e, loss, wrtNames);
    const t2 = performance.now();
    const captureNames = new Map((req.capture ?? []).map((r) => [r, this.resolve(r)]));
    g.outputs = dedupe([...src.graph.outputs, perItem, ...gradNames, ...[...captureNames.values()].flat()]);
    for (const o of g.outputs) if (!src.graph.outputs.includes(o) && !g.inputs.includes(o)) g.values.set(o, { name: o });
    let session: Session;
    try {
      session = await Session.create(g, opsets, this.model.path);
    } catch (err) {
      if (process.env.NNLENS_DUMP_GRAPH) (await import('node:fs')).writeFileSync(process.env.NNLENS_DUMP_GRAPH, (await import('../formats/onnx-write.ts')).writeOnnx(g, { opsets }));
      throw err;
    }
    if (process.env.NNLENS_TIMING) process.stderr.write(`nnlens: compiled gradient graph of ${this.model.path}: shapes ${(t1 - t0).toFixed(0)} ms, backward ${(t2 - t1).toFixed(0)} ms, ONNX Runtime session ${(performance.now() - t2).toFixed(0)} ms (${g.nodes.length} nodes)\n`);
    return { session, captureNames, gradNames, scoreName: perItem };
  }

  private single(ref: string): string {
    const names = this.resolve(ref);
    if (names.length !== 1) throw new NnlensError(this.model.path, `'${ref}' names ${names.length} tensors (${names.slice(0, 4).join(', ')}); name one tensor`);
    return names[0]!;
  }

  private collect(out: Record<string, NdArray>, c: Compiled): RunResult {
    const outputs: Record<string, NdArray> = {};
    for (const o of this.exec.graph.outputs) if (out[o]) outputs[o] = out[o]!;
    const captured: Record<string, NdArray[]> = {};
    for (const [ref, names] of c.captureNames) captured[ref] = names.map((n) => out[n]!);
    return { outputs, captured };
  }

  private compiled(key: string, make: () => Promise<Compiled>): Promise<Compiled> {
    let p = this.cache.get(key);
    if (!p) {
      p = make();
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
    }
    return p;
  }

  /**
   * Registers a release to run with {@link dispose}: resources built on this engine elsewhere
   * (e.g. the head engines of src/explain/head.ts) are released together with it.
   */
  onDispose(release: () => Promise<void>): void { this.releasers.push(release); }

  /** Releases every compiled session (and whatever was registered with {@link onDispose}). */
  async dispose(): Promise<void> {
    for (const release of this.releasers.splice(0)) await release();
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const p of all) {
      try { await (await p).session.dispose(); } catch { /* failed compiles have nothing to release */ }
    }
  }
}

/**
 * Declares the fed shapes on the graph's inputs. Sessions are compiled per input shape anyway
 * (the cache key holds the shapes), and with every shape known ONNX Runtime plans memory in one
 * pass: with a symbolic batch its planner cannot reuse buffers and slows down with the square of
 * the node count (unrolled recurrent layers: src/engine/unroll-rnn.ts).
 */
function pinFeedShapes(g: ExecGraph['graph'], feeds: Record<string, NdArray>): void {
  for (const [name, a] of Object.entries(feeds)) {
    const v = g.values.get(name);
    if (v && g.inputs.includes(name) && !v.initializer) g.values.set(name, { ...v, shape: [...a.shape] });
  }
}

function shapesOf(feeds: Record<string, NdArray>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.shape]));
}

function dedupe(xs: string[]): string[] { return [...new Set(xs)]; }
