/**
 * One model the server has opened: its IR, its metadata facts, its samples, the inputs the page
 * created for it, and its engines. Engines are kept per purpose ('main' for runs and input
 * gradients, one per captured layer for activations and CAM) in a small LRU, because every
 * compiled ONNX Runtime session holds a copy of the weights: clicking through fifty layers of
 * ResNet-50 must not keep fifty copies alive.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { toExec } from '../engine/exec.ts';
import { NnlensError } from '../errors.ts';
import { defaultCamLayer } from '../explain/explain.ts';
import { TABULAR_ONLY, METHOD_NAMES, createMethod } from '../explain/methods.ts';
import type { Model } from '../graph/ir.ts';
import { shapeText } from '../graph/ir.ts';
import { uniqueParams } from '../graph/groups.ts';
import { producerOp } from '../inspect/outputs.ts';
import { readModelFacts, resolvePreprocess, type ModelFacts } from '../io/preprocess.ts';
import type { MethodInfo, ModelEntry, ModelInfo, TensorSig } from './api-types.ts';
import { findSamples, type Sample } from './samples.ts';
import { findTrainingLog } from './training.ts';

/** Engines kept besides the main one (each holds compiled sessions with their own weights). */
export const ENGINE_CACHE = 4;

/** An opened model. */
export class OpenedModel {
  readonly facts: ModelFacts;
  readonly entry: ModelEntry;
  readonly samples: Sample[];
  /** Reference data beside the model: an Integrated Gradients baseline, KernelSHAP background rows. */
  readonly reference: { baseline?: string; background?: string };
  private readonly engines = new Map<string, Engine>();
  private readonly infoCache: ModelInfo;

  /**
   * @param id short id used in URLs
   * @param model the loaded model
   * @param files files that make up the model (never offered as samples)
   * @param name the name shown and used in links (unique among the opened models)
   */
  constructor(readonly id: string, readonly model: Model, files: string[] = [model.path], name = displayName(model.path)) {
    this.facts = readModelFacts(model.metadata, model.path);
    let whyNot: string | undefined;
    try {
      toExec(model);
    } catch (e) {
      whyNot = e instanceof Error ? e.message : String(e);
    }
    const graph = model.graph;
    const firstInput = graph.values.get(graph.inputs[0] ?? '')?.shape;
    const inputKind = this.facts.inputKind ?? (firstInput?.length === 4 ? 'image' : firstInput?.length === 2 ? 'tabular' : 'other');
    const params = uniqueParams(graph.nodes).reduce((s, p) => s + p.tensor.size, 0);
    this.entry = {
      id, name, format: model.format, formatLabel: model.formatLabel,
      nodes: graph.nodes.length, params, inputKind, runnable: !whyNot, ...(whyNot ? { whyNot } : {}),
    };
    this.samples = findSamples(dirname(model.path), { kind: inputKind, featureNames: this.facts.featureNames, exclude: files, inputShape: firstInput })
      .map((s) => (s.kind === 'image' ? { ...s, thumb: `/api/models/${id}/sample?id=${encodeURIComponent(s.id)}` } : s));
    this.reference = findReference(dirname(model.path));
    this.infoCache = this.buildInfo();
  }

  /** The model's description for `GET /api/models/:id`. */
  info(): ModelInfo { return this.infoCache; }

  /**
   * The engine for a purpose (`main`, `layer:NAME`...), created on first use; the least recently
   * used non-main engine is disposed when more than {@link ENGINE_CACHE} exist. Call only from a
   * queued job (see queue.ts), so no other job is using an engine while it is disposed.
   * @throws NnlensError when the model cannot run
   */
  async engine(purpose = 'main'): Promise<Engine> {
    if (!this.entry.runnable) throw new NnlensError(this.model.path, this.entry.whyNot ?? 'the model cannot run');
    let e = this.engines.get(purpose);
    if (e) {
      this.engines.delete(purpose);
      this.engines.set(purpose, e);
      return e;
    }
    e = Engine.fromModel(this.model);
    this.engines.set(purpose, e);
    const others = [...this.engines.keys()].filter((k) => k !== 'main');
    while (others.length > ENGINE_CACHE) {
      const old = others.shift()!;
      const victim = this.engines.get(old)!;
      this.engines.delete(old);
      await victim.dispose();
    }
    return e;
  }

  /** Releases every engine. */
  async dispose(): Promise<void> {
    const all = [...this.engines.values()];
    this.engines.clear();
    for (const e of all) await e.dispose();
  }

  private buildInfo(): ModelInfo {
    const m = this.model, g = m.graph;
    const sig = (name: string): TensorSig => {
      const v = g.values.get(name);
      return { name, dtype: v?.dtype ?? '?', shape: shapeText(v?.shape) };
    };
    const inputs = g.inputs.filter((n) => !g.values.get(n)?.initializer).map(sig);
    const info: ModelInfo = {
      ...this.entry,
      ...(m.producer ? { producer: m.producer } : {}),
      ...(m.opsets ? { opsets: m.opsets } : {}),
      metadata: m.metadata,
      inputs,
      outputs: g.outputs.map(sig),
      methods: this.methods(),
      samples: this.samples.map(({ id, label, kind, thumb }) => ({ id, label, kind, ...(thumb ? { thumb } : {}) })),
      training: findTrainingLog(m, this.facts) !== undefined,
      warnings: m.warnings,
    };
    if (this.facts.labels) info.labels = this.facts.labels;
    if (this.facts.featureNames) info.featureNames = this.facts.featureNames;
    if (this.entry.inputKind === 'image') {
      const shape = g.values.get(g.inputs[0] ?? '')?.shape;
      const t = resolvePreprocess({ metadata: m.metadata, inputShape: shape, prefer: m.format === 'onnx' ? 'NCHW' : 'NHWC', modelFile: m.path }).transform;
      if (t.size) info.image = { height: t.size[0], width: t.size[1], channels: t.color === 'grayscale' ? 1 : 3 };
    }
    if (this.entry.inputKind === 'image') {
      try { info.camLayer = defaultCamLayer(m); } catch { /* no feature map enters a pooling: the page asks for a selection */ }
    }
    const att = attentionOutput(m, this.facts.featureNames);
    if (att) info.attentionOutput = att;
    return info;
  }

  private methods(): MethodInfo[] {
    const kind = this.entry.inputKind;
    return METHOD_NAMES.map((name) => {
      const m = createMethod(name);
      const info: MethodInfo = { name, displayName: m.displayName, space: m.space, citation: m.citation };
      if (!this.entry.runnable) info.unavailable = 'the model cannot run';
      else if (TABULAR_ONLY.has(name) && kind !== 'tabular') info.unavailable = 'for tabular inputs only';
      else if (m.space === 'layer' && kind !== 'image') info.unavailable = 'needs a 4-D feature map (image models)';
      return info;
    });
  }
}

/** The file name shown for a model: its name, with its folder when the name says nothing (`model.onnx`). */
export function displayName(path: string): string {
  const name = basename(path);
  return /^model\./i.test(name) ? `${basename(dirname(path))}/${name}` : name;
}

/**
 * Reference data beside a model (issue 5's examples keep them in `reference/`): `baseline.npy`, the
 * input that means "nothing" for Integrated Gradients, occlusion and ablation (Sturmfels et al.
 * 2020: a zero row is midnight, $0, card not present), and `background.csv`, KernelSHAP's rows.
 */
export function findReference(folder: string): { baseline?: string; background?: string } {
  const out: { baseline?: string; background?: string } = {};
  for (const dir of [join(folder, 'reference'), folder]) {
    if (!out.baseline && existsSync(join(dir, 'baseline.npy'))) out.baseline = join(dir, 'baseline.npy');
    if (!out.background && existsSync(join(dir, 'background.csv'))) out.background = join(dir, 'background.csv');
  }
  return out;
}

/**
 * An output that holds attention weights over the input features: produced by a Softmax, one
 * weight per feature (issue 5's attention MLP names it `attention`).
 */
export function attentionOutput(model: Model, features: string[] | undefined): string | undefined {
  if (!features || model.graph.outputs.length < 2) return undefined;
  return model.graph.outputs.slice(1).find((o) => {
    const s = model.graph.values.get(o)?.shape;
    return s?.length === 2 && s[1] === features.length && producerOp(model.graph, o) === 'Softmax';
  });
}
