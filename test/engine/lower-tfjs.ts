/**
 * The reference for Keras lowering tests: the same Keras model run by @tensorflow/tfjs-layers
 * (pure-JS CPU backend), with the same weights, on the same inputs.
 *
 * The tfjs model is built by tfjs's own deserializer (`tf.models.modelFromJSON`) from a Keras 2
 * Functional config written from the loaded model: one layer per IR node with the layer's original
 * config, wired by the IR's values (`<layer>:<call>:<tensor>`). What tfjs cannot read is translated
 * (Keras 1 class and argument names, Keras 3 `batch_shape` and dtype policies); the one layer
 * tfjs lacks, GRU with `reset_after` (TF 2 / Keras 3 default), is a small tfjs-core implementation
 * of keras/src/layers/rnn/gru.py below. Every layer output is returned, so a test can compare
 * each layer, not only the final output.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Model, Node } from '../../src/graph/ir.ts';
import { Tensor } from '../../src/graph/tensor.ts';
import { Engine } from '../../src/engine/engine.ts';
import { f32, type NdArray } from '../../src/engine/ndarray.ts';
import { rng } from './fd.ts';

type Json = Record<string, unknown>;

let ready: Promise<boolean> | undefined;
/** Selects the CPU backend once (tfjs-node is not installed; the pure-JS backend is the reference). */
export function tfReady(): Promise<boolean> {
  ready ??= tf.setBackend('cpu');
  return ready;
}

// ------------------------------------------------------------------------------ config translation

const DROP = /(_regularizer|_constraint)$|^(init|inner_init|W_regularizer|b_regularizer|U_regularizer|W_constraint|b_constraint|U_constraint|call_inputs|call_outputs|module|registered_name|build_config|synchronized|seed)$/;

/** Keras 1 layer -> Keras 2 class name and config (keras 2.0's `legacy/interfaces.py` conversions). */
function fromKeras1(cls: string, c: Json): [string, Json] {
  const df = c.dim_ordering === 'th' ? 'channels_first' : 'channels_last';
  const pad = c.border_mode;
  if (/^(Convolution|AtrousConvolution)[12]D$/.test(cls)) {
    const rank = Number(cls.at(-2));
    return [`Conv${rank}D`, {
      ...c, filters: c.nb_filter, kernel_size: rank === 1 ? [c.filter_length] : [c.nb_row, c.nb_col],
      strides: c.subsample ?? (c.subsample_length ? [c.subsample_length] : undefined), padding: pad, data_format: df,
      use_bias: c.bias !== false, dilation_rate: c.atrous_rate ?? 1,
    }];
  }
  if (/Pooling[12]D$/.test(cls) && pad !== undefined) return [cls, { ...c, padding: pad, data_format: df, pool_size: c.pool_size ?? c.pool_length, strides: c.strides ?? c.stride }];
  if (cls === 'Dense' && c.output_dim !== undefined) return [cls, { ...c, units: c.output_dim, use_bias: c.bias !== false }];
  if ((cls === 'LSTM' || cls === 'GRU' || cls === 'SimpleRNN') && c.output_dim !== undefined) return [cls, { ...c, units: c.output_dim, recurrent_activation: c.inner_activation }];
  if (cls === 'Dropout' && c.p !== undefined) return [cls, { ...c, rate: c.p }];
  return [cls, c];
}

/** A layer config tfjs can read: translated names, no initializers/regularizers, plain dtype strings. */
function tfjsConfig(cls: string, config: Json, rank?: number): [string, Json] {
  let [c2, c] = fromKeras1(cls, config);
  c = Object.fromEntries(Object.entries(c).filter(([k]) => !DROP.test(k)));
  // Weights are set afterwards; zeros skips tfjs's orthogonal initializer, which needs chained ops
  // (`t.flatten()`) that only the @tensorflow/tfjs union package registers.
  for (const k of Object.keys(c)) if (k.endsWith('_initializer')) c[k] = { class_name: 'Zeros', config: {} };
  if (c.dtype !== undefined && typeof c.dtype !== 'string') c.dtype = 'float32';
  if (c.batch_shape !== undefined) { c.batch_input_shape = c.batch_shape; delete c.batch_shape; }
  // Recurrent kernels default to tfjs's orthogonal initializer, which needs chained ops.
  if (/^(LSTM|GRU|SimpleRNN)$/.test(c2)) c.recurrent_initializer = { class_name: 'Zeros', config: {} };
  if (c2 === 'GRU' && c.reset_after === true) c2 = RefGRU.className;
  if (c2 === 'BatchNormalization' && !lastAxis(c.axis, rank)) c2 = RefBatchNorm.className;
  if (c2 === 'Resizing') c2 = RefResizing.className;
  for (const k of ['layer', 'backward_layer']) {
    const inner = c[k] as { class_name: string; config: Json } | undefined;
    if (inner && typeof inner === 'object') {
      const [ic, icfg] = tfjsConfig(inner.class_name, inner.config ?? {});
      c[k] = { class_name: ic, config: icfg };
    }
  }
  return [c2, c];
}

/** Whether a BatchNormalization axis is the last one (-1, or [-1]); other axes need {@link RefBatchNorm}. */
function lastAxis(axis: unknown, rank: number | undefined): boolean {
  const a = Array.isArray(axis) ? axis : [axis ?? -1];
  return a.length === 1 && (a[0] === -1 || (rank !== undefined && a[0] === rank - 1));
}

/** The Keras 2 Functional config of a loaded model, in terms tfjs reads. */
export function functionalConfig(model: Model): Json {
  const g = model.graph;
  const layers: Json[] = [];
  const producer = new Map<string, string>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n.name);
  const ref = (value: string): [string, number, number, Json] => {
    const m = /^(.*):(\d+):(\d+)$/.exec(value);
    if (m && producer.get(value) === m[1]) return [m[1]!, Number(m[2]), Number(m[3]), {}];
    return [value, 0, 0, {}]; // a graph input: its InputLayer is named after it
  };
  const nodesByName = new Map(g.nodes.map((n) => [n.name, n]));
  for (const input of g.inputs) {
    if (nodesByName.get(input)?.op === 'InputLayer') continue;
    const v = g.values.get(input)!;
    layers.push({ class_name: 'InputLayer', name: input, config: { name: input, batch_input_shape: v.shape, dtype: 'float32' }, inbound_nodes: [] });
  }
  for (const n of g.nodes) {
    const raw: Json = {};
    for (const [k, a] of Object.entries(n.attributes)) if (a.type === 'json') raw[k] = a.value;
    const [cls, config] = tfjsConfig(n.op, raw, g.values.get(n.inputs[0] ?? '')?.shape?.length);
    config.name = n.name;
    if (n.op === 'InputLayer') {
      config.batch_input_shape ??= g.values.get(n.inputs[0]!)?.shape;
      layers.push({ class_name: cls, name: n.name, config, inbound_nodes: [] });
      continue;
    }
    // Inputs are explicit InputLayers here; tfjs would make another input for a layer declaring a shape.
    delete config.batch_input_shape;
    delete config.input_shape;
    layers.push({ class_name: cls, name: n.name, config, inbound_nodes: callInputs(n).map((ins) => ins.map(ref)) });
  }
  return {
    class_name: 'Model',
    config: { name: g.name, layers, input_layers: g.inputs.map((i) => ref(nodesByName.get(i)?.op === 'InputLayer' ? `${i}:0:0` : i).slice(0, 3)), output_layers: g.outputs.map((o) => ref(o).slice(0, 3)) },
  };
}

/** A node's inputs split per call. */
function callInputs(n: Node): string[][] {
  const a = n.attributes.call_inputs;
  const counts = a?.type === 'ints' ? a.value : [n.inputs.length];
  let i = 0;
  return counts.map((k) => { const s = n.inputs.slice(i, i + k); i += k; return s; });
}

// ---------------------------------------------------------------------------------------- weights

/** Our role of a tfjs weight: `lstm_1/kernel` -> `kernel`, `bidirectional/forward_lstm/kernel` -> `forward/kernel`. */
export function roleOf(originalName: string): string {
  const segs = originalName.split('/');
  const role = segs.at(-1)!.replace(/_\d+$/, '');
  const dir = segs.find((s) => /^(forward|backward)_/.test(s));
  return dir ? `${dir.split('_')[0]}/${role}` : role;
}

function setWeights(tm: tfl.LayersModel, model: Model): void {
  const nodes = new Map(model.graph.nodes.map((n) => [n.name, n]));
  for (const layer of tm.layers) {
    const node = nodes.get(layer.name);
    if (!node || layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const role = roleOf(w.originalName);
      const p = node.params.find((q) => q.role === role);
      if (!p) throw new Error(`tfjs weight ${w.originalName} of ${layer.name}: no param with role ${role} (have ${node.params.map((q) => q.role).join(', ')})`);
      return tf.tensor(p.tensor.float32(), [...p.tensor.shape]);
    });
    layer.setWeights(values);
    values.forEach((v) => v.dispose());
  }
}

/**
 * Gives every layer of a hand-built model seeded random weights, of the shapes tfjs-layers creates
 * for its config (variances and scales in [0.5, 1.5], everything else in [-0.5, 0.5]).
 */
export async function randomWeights(model: Model, seed: number): Promise<void> {
  await tfReady();
  const tm = await tfl.models.modelFromJSON(functionalConfig(model) as never);
  const nodes = new Map(model.graph.nodes.map((n) => [n.name, n]));
  const r = rng(seed);
  for (const layer of tm.layers) {
    const node = nodes.get(layer.name);
    if (!node) continue;
    for (const w of layer.weights) {
      const role = roleOf(w.originalName);
      const [lo, hi] = /variance|gamma/.test(role) ? [0.5, 1.5] : [-0.5, 0.5];
      const shape = w.shape as number[];
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r());
      node.params.push({ role, name: `${node.name}/${role}`, tensor: Tensor.of('float32', shape, data), trainable: true });
    }
  }
  tm.dispose();
}

// -------------------------------------------------------------------------------------- reference

/** Every layer output of the tfjs model, keyed by our source value name (`conv2d:0:0`). */
export async function tfjsOutputs(model: Model, feeds: Record<string, NdArray>): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  await tfReady();
  const tm = await tfl.models.modelFromJSON(functionalConfig(model) as never);
  setWeights(tm, model);
  const names: string[] = [];
  const outs: tfl.SymbolicTensor[] = [];
  for (const layer of tm.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (let i = 0; i < layer.inboundNodes.length; i++) {
      const o = layer.getOutputAt(i);
      (Array.isArray(o) ? o : [o]).forEach((t, k) => { names.push(`${layer.name}:${i}:${k}`); outs.push(t); });
    }
  }
  const all = tfl.model({ inputs: tm.inputs, outputs: outs });
  const xs = tm.inputNames.map((n, i) => {
    const name = model.graph.inputs[i]!;
    const a = feeds[name] ?? Object.values(feeds)[i]; // a reference model may name its inputs differently
    if (!a) throw new Error(`no feed for input ${name} (tfjs ${n})`);
    return tf.tensor(a.data as Float32Array, a.shape);
  });
  const ys = all.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(ys) ? ys : [ys];
  const result = new Map<string, { shape: number[]; data: Float32Array }>();
  for (let i = 0; i < list.length; i++) result.set(names[i]!, { shape: list[i]!.shape, data: (await list[i]!.data()) as Float32Array });
  tf.dispose([...xs, ...list]);
  tm.dispose();
  return result;
}

// ------------------------------------------------------------------------------------ agreement

/** L-inf error of `a` against the reference `b`, relative to max |b| (floored at 1e-3, so that a tensor of tiny values is judged by absolute error). */
export function linfRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return Number.isNaN(d) ? Infinity : d / Math.max(m, 1e-3);
}

/** How closely the lowered model follows tfjs-layers: the model outputs, and the worst of every layer's outputs. */
export interface Agreement {
  /** Worst {@link linfRel} over the model outputs. */
  output: number;
  /** The layer output that agrees least. */
  worst: { value: string; err: number };
  /** Number of layer outputs compared. */
  compared: number;
}

/**
 * Runs the lowered model on ONNX Runtime (capturing every layer in the same pass) and the tfjs
 * model on the same feeds, and compares every layer output. `reference` is the model tfjs runs
 * when it must be written differently (a Keras 1 layer tfjs cannot read), with the same layer names.
 * @example const a = await agreement(await openModel('model.h5'), kerasFeeds(model, 1))
 */
export async function agreement(model: Model, feeds: Record<string, NdArray>, reference: Model = model): Promise<Agreement> {
  const engine = Engine.fromModel(model);
  const layers = model.graph.nodes.filter((n) => n.op !== 'InputLayer');
  try {
    const ours = await engine.run(feeds, layers.map((n) => n.name));
    const ref = await tfjsOutputs(reference, feeds);
    let worst = { value: '', err: 0 }, compared = 0;
    for (const n of layers) {
      n.outputs.forEach((v, k) => {
        const r = ref.get(v), a = ours.captured[n.name]?.[k];
        if (!r || !a) throw new Error(`layer output ${v}: ${r ? 'not captured' : 'not in the tfjs model'}`);
        if (a.shape.join() !== r.shape.join()) throw new Error(`layer output ${v}: shape [${a.shape}] but tfjs has [${r.shape}]`);
        const err = linfRel(a.data as Float32Array, r.data);
        compared++;
        if (!(err <= worst.err)) worst = { value: v, err };
      });
    }
    const output = Math.max(...model.graph.outputs.map((o) => linfRel(ours.outputs[o]!.data as Float32Array, ref.get(o)!.data)));
    return { output, worst, compared };
  } finally {
    await engine.dispose();
  }
}

/**
 * Seeded inputs for a Keras model, batch 2: uniform in `range` (pixels, features), or token ids for
 * inputs that feed an Embedding: ids in [1, input_dim), and for `mask_zero` embeddings padding
 * zeros (item 0: the last third of the sequence; item 1: one step in the middle), so masks matter.
 */
export function kerasFeeds(model: Model, seed: number, range: [number, number] = [0, 1]): Record<string, NdArray> {
  const g = model.graph;
  const feeds: Record<string, NdArray> = {};
  g.inputs.forEach((name, k) => {
    const shape = (g.values.get(name)?.shape ?? []).map((d, i) => (i === 0 ? 2 : typeof d === 'number' ? d : 8));
    const r = rng(seed + k);
    const n = shape.reduce((a, b) => a * b, 1);
    const emb = embeddingOf(model, name);
    if (!emb) {
      feeds[name] = f32(shape, Float32Array.from({ length: n }, () => range[0] + (range[1] - range[0]) * r()));
      return;
    }
    const vocab = Number(emb.attributes.input_dim?.value ?? 2);
    const T = shape[1] ?? 1;
    const ids = Float32Array.from({ length: n }, () => 1 + Math.floor(r() * (vocab - 1)));
    if (emb.attributes.mask_zero?.value === true) {
      for (let t = Math.ceil((2 * T) / 3); t < T; t++) ids[t] = 0;
      ids[T + Math.floor(T / 2)] = 0;
    }
    feeds[name] = f32(shape, ids);
  });
  return feeds;
}

/** The Embedding layer an input feeds (directly or through its InputLayer), if any. */
function embeddingOf(model: Model, input: string): Node | undefined {
  const g = model.graph;
  const via = g.nodes.find((n) => n.op === 'InputLayer' && n.inputs[0] === input);
  const names = [input, ...(via ? via.outputs : [])];
  return g.nodes.find((n) => n.op === 'Embedding' && n.inputs.some((i) => names.includes(i)));
}

// ------------------------------------------------------------------------- GRU with reset_after

/**
 * Keras GRU with `reset_after=True` (keras/src/layers/rnn/gru.py, GRUCell.call), which tfjs-layers
 * refuses: z = σ(x Wz + bxz + h Uz + bhz), r = σ(x Wr + bxr + h Ur + bhr),
 * ĥ = tanh(x Wh + bxh + r ⊙ (h Uh + bhh)), h' = z ⊙ h + (1 - z) ⊙ ĥ.
 */
class RefGRU extends tfl.layers.Layer {
  static className = 'NnlensRefGRU';
  private readonly units: number;
  private readonly cfg: Json;
  constructor(config: Json) {
    super(config as never);
    this.cfg = config;
    this.units = Number(config.units);
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as number[];
    const H = this.units;
    this.addWeight('kernel', [s[s.length - 1]!, 3 * H], 'float32', tfl.initializers.zeros());
    this.addWeight('recurrent_kernel', [H, 3 * H], 'float32', tfl.initializers.zeros());
    this.addWeight('bias', [2, 3 * H], 'float32', tfl.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return this.cfg.returnSequences ? [s[0]!, s[1]!, this.units] : [s[0]!, this.units];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [W, U, B] = this.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const H = this.units, T = x.shape[1];
      // Keras 3 names (tfjs camel-cases them when deserializing); Keras 3's hard_sigmoid is relu6(x + 3) / 6.
      const act = (name: unknown, v: tf.Tensor): tf.Tensor => {
        switch (name) {
          case 'tanh': return tf.tanh(v);
          case 'sigmoid': return tf.sigmoid(v);
          case 'relu': return tf.relu(v);
          case 'linear': return v;
          case 'hard_sigmoid': case 'hardSigmoid': return tf.clipByValue(tf.add(tf.mul(v, 1 / 6), 0.5), 0, 1);
          default: throw new Error(`RefGRU: activation ${String(name)}`);
        }
      };
      const [bx, bh] = tf.unstack(B) as [tf.Tensor1D, tf.Tensor1D];
      let h: tf.Tensor2D = tf.zeros([x.shape[0], H]);
      const seq: tf.Tensor2D[] = [];
      for (let t = 0; t < T; t++) {
        const xt = tf.squeeze(tf.slice(x, [0, t, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
        const mx = tf.add(tf.matMul(xt, W), bx);
        const mh = tf.add(tf.matMul(h, U), bh);
        const [xz, xr, xh] = tf.split(mx, 3, 1);
        const [hz, hr, hh] = tf.split(mh, 3, 1);
        const z = act(this.cfg.recurrentActivation, tf.add(xz!, hz!));
        const r = act(this.cfg.recurrentActivation, tf.add(xr!, hr!));
        const cand = act(this.cfg.activation ?? 'tanh', tf.add(xh!, tf.mul(r, hh!)));
        h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), cand)) as tf.Tensor2D;
        seq.push(h);
      }
      return this.cfg.returnSequences ? tf.stack(seq, 1) : h;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.cfg as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(RefGRU);

// ------------------------------------------------------------- BatchNormalization on another axis

/**
 * Keras BatchNormalization at inference on any axis: (x - mean) / sqrt(var + eps) * gamma + beta,
 * parameters broadcast along `axis`. tfjs-layers delegates to tfjs-core `batchNorm`, whose CPU
 * kernel indexes the parameters by flat index modulo their length (tfjs-backend-cpu BatchNorm),
 * i.e. always along the last axis, so it is wrong for `axis: 1` of a 4-D tensor.
 */
class RefBatchNorm extends tfl.layers.Layer {
  static className = 'NnlensRefBatchNorm';
  private readonly cfg: Json;
  private axes: number[] = [];
  constructor(config: Json) {
    super(config as never);
    this.cfg = config;
  }
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = inputShape as tfl.Shape;
    const list = Array.isArray(this.cfg.axis) ? (this.cfg.axis as number[]) : [Number(this.cfg.axis ?? -1)];
    this.axes = list.map((a) => (a < 0 ? a + s.length : a));
    const shape = this.axes.map((a) => s[a] as number);
    const zeros = tfl.initializers.zeros();
    // Same order as Keras and tfjs-layers: gamma, beta, moving_mean, moving_variance.
    if (this.cfg.scale !== false) this.addWeight('gamma', shape, 'float32', zeros);
    if (this.cfg.center !== false) this.addWeight('beta', shape, 'float32', zeros);
    this.addWeight('moving_mean', shape, 'float32', zeros, undefined, false);
    this.addWeight('moving_variance', shape, 'float32', zeros, undefined, false);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const bshape = x.shape.map((_, i) => (this.axes.includes(i) ? x.shape[i]! : 1));
      const byName = new Map(this.weights.map((w, i) => [w.originalName.split('/').at(-1)!, tf.reshape(this.getWeights()[i]!, bshape)]));
      const eps = Number(this.cfg.epsilon ?? 1e-3);
      let y = tf.div(tf.sub(x, byName.get('moving_mean')!), tf.sqrt(tf.add(byName.get('moving_variance')!, eps)));
      if (byName.has('gamma')) y = tf.mul(y, byName.get('gamma')!);
      if (byName.has('beta')) y = tf.add(y, byName.get('beta')!);
      return y;
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.cfg as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(RefBatchNorm);

// ---------------------------------------------------------------------------------------- Resizing

/**
 * tfjs-layers' Resizing as it computes (tfjs-layers preprocessing/image_resizing.ts: tfjs-core
 * resizeBilinear / resizeNearestNeighbor with alignCorners = !cropToAspectRatio), around two bugs
 * of that layer in 4.22: `call` hands the op its input list (rank-1 error) and
 * `computeOutputShape` drops the batch dimension.
 */
class RefResizing extends tfl.layers.Layer {
  static className = 'NnlensRefResizing';
  private readonly cfg: Json;
  constructor(config: Json) {
    super(config as never);
    this.cfg = config;
  }
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = inputShape as tfl.Shape;
    return [s[0]!, Number(this.cfg.height), Number(this.cfg.width), s[3]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const size: [number, number] = [Number(this.cfg.height), Number(this.cfg.width)];
      return this.cfg.interpolation === 'nearest' ? tf.image.resizeNearestNeighbor(x, size, true) : tf.image.resizeBilinear(x, size, true);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...(this.cfg as tf.serialization.ConfigDict) };
  }
}
tf.serialization.registerClass(RefResizing);
