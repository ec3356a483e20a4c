/**
 * Keras recurrent layers (LSTM, GRU, SimpleRNN, CuDNNLSTM, CuDNNGRU) and Bidirectional as the
 * ONNX LSTM / GRU / RNN operators.
 *
 * Weights (keras/src/layers/rnn/lstm.py, gru.py): kernels are (in, gates * units) with LSTM gates
 * in the order i, f, c, o and GRU gates z, r, h; ONNX wants (gates * units, in) with LSTM gates
 * i, o, f, c and GRU gates z, r, h, and biases as [Wb, Rb]. GRU `reset_after` (two bias rows,
 * the TF 2 / Keras 3 default and CuDNNGRU) is ONNX `linear_before_reset = 1`.
 *
 * Activations follow the layer config: ONNX `activations` = [recurrent_activation, activation,
 * activation] for LSTM (gates, cell input, output), [recurrent_activation, activation] for GRU.
 * `activation_alpha` / `activation_beta` hold the parameters of the activations that take them, in
 * list order, as ONNX Runtime reads them (rnn_helpers.cc, ActivationFuncs).
 *
 * Masks (Embedding(mask_zero) / Masking upstream): a masked step keeps the previous state and
 * outputs the previous output, as Keras's `K.rnn` and TF.js's `rnn` do. That cannot be expressed
 * with ONNX's `sequence_lens` (padding may be anywhere), so a masked layer is lowered one time step
 * at a time (one ONNX op per step, with Where to keep the state); an unmasked layer is one op.
 */
import type { AttrInput } from '../builder.ts';
import { activationName, hardSigmoidAlpha } from './keras-activation.ts';
import { num, type KerasConfig } from './keras-args.ts';
import type { Dialect, LayerCall, LayerLowering, LayerResult, Weights } from './keras-call.ts';

type Kind = 'LSTM' | 'GRU' | 'RNN';

interface Cell {
  kind: Kind;
  units: number;
  /** ONNX attributes for a node running `dirs` directions. */
  attrs(dirs: number): Record<string, AttrInput>;
  /** Gate order of ONNX as indices into Keras's gates. */
  order: number[];
  /** Keras GRU reset_after / CuDNN: biases are [input; recurrent]. */
  splitBias: boolean;
}

const KINDS: Record<string, Kind> = { LSTM: 'LSTM', CuDNNLSTM: 'LSTM', GRU: 'GRU', CuDNNGRU: 'GRU', SimpleRNN: 'RNN' };

/** A Keras activation as an ONNX RNN activation name with its parameters. */
function rnnActivation(v: unknown, d: Dialect, fail: (why: string) => never): { name: string; alpha?: number; beta?: number } {
  const a = (activationName(v) ?? 'linear').toLowerCase();
  switch (a) {
    case 'sigmoid': return { name: 'Sigmoid' };
    case 'tanh': return { name: 'Tanh' };
    case 'relu': return { name: 'Relu' };
    case 'hard_sigmoid': case 'hardsigmoid': return { name: 'HardSigmoid', alpha: hardSigmoidAlpha(d), beta: 0.5 };
    case 'linear': return { name: 'Affine', alpha: 1, beta: 0 };
    case 'softsign': return { name: 'Softsign' };
    case 'softplus': return { name: 'Softplus' };
    case 'elu': return { name: 'Elu', alpha: 1 };
    default: return fail(`recurrent activation '${a}' is not supported`);
  }
}

/** The ONNX attributes and weight layout of a Keras recurrent layer config. */
function cellOf(className: string, cfg: KerasConfig, d: Dialect, fail: (why: string) => never): Cell {
  const kind = KINDS[className];
  if (!kind) return fail(`recurrent layer '${className}' is not supported`);
  const units = num(cfg.units ?? cfg.output_dim, NaN);
  if (!Number.isFinite(units)) return fail('the number of units is not in the config');
  const cudnn = className.startsWith('CuDNN');
  // Keras <= 2 defaulted recurrent_activation to hard_sigmoid (TF.js too); tf.keras 2 and Keras 3 to sigmoid.
  const recDefault = d.keras >= 3 ? 'sigmoid' : 'hard_sigmoid';
  const act = rnnActivation(cudnn ? 'tanh' : cfg.activation ?? 'tanh', d, fail);
  const rec = rnnActivation(cudnn ? 'sigmoid' : cfg.recurrent_activation ?? cfg.inner_activation ?? recDefault, d, fail);
  const one = kind === 'LSTM' ? [rec, act, act] : kind === 'GRU' ? [rec, act] : [act];
  const resetAfter = kind === 'GRU' && (cudnn || cfg.reset_after === true);
  const attrs = (dirs: number): Record<string, AttrInput> => {
    const list = Array.from({ length: dirs }, () => one).flat();
    const a: Record<string, AttrInput> = { hidden_size: units, activations: list.map((x) => x.name) };
    const alphas = list.filter((x) => x.alpha !== undefined).map((x) => x.alpha!);
    const betas = list.filter((x) => x.beta !== undefined).map((x) => x.beta!);
    if (alphas.length) a.activation_alpha = { floats: alphas };
    if (betas.length) a.activation_beta = { floats: betas };
    if (resetAfter) a.linear_before_reset = 1;
    return a;
  };
  const order = kind === 'LSTM' ? [0, 3, 1, 2] : kind === 'GRU' ? [0, 1, 2] : [0];
  return { kind, units, attrs, order, splitBias: resetAfter || cudnn };
}

/** (rows, G*H) Keras matrix -> (1, G*H, rows) ONNX matrix with gates reordered. */
function gatesT(data: Float32Array, rows: number, order: number[], H: number): Float32Array {
  const GH = order.length * H;
  const out = new Float32Array(GH * rows);
  order.forEach((src, g) => {
    for (let h = 0; h < H; h++) {
      const o = (g * H + h) * rows, s = src * H + h;
      for (let r = 0; r < rows; r++) out[o + r] = data[r * GH + s]!;
    }
  });
  return out;
}

/** (G*H) Keras bias -> ONNX order. */
function gatesBias(data: Float32Array, offset: number, order: number[], H: number): Float32Array {
  const out = new Float32Array(order.length * H);
  order.forEach((src, g) => out.set(data.subarray(offset + src * H, offset + (src + 1) * H), g * H));
  return out;
}

/** ONNX W, R, B constants of one direction ([1, G*H, I], [1, G*H, H], [1, 2*G*H]). */
function weightsOf(w: Weights, cell: Cell): { W: string; R: string; B?: string } {
  const H = cell.units, G = cell.order.length;
  const mat = (role: string) => w.constant(role, 'onnx', (k) => ({ data: gatesT(k.data, k.shape[0]!, cell.order, H), shape: [1, G * H, k.shape[0]!] }));
  const W = mat('kernel'), R = mat('recurrent_kernel');
  if (!w.has('bias')) return { W, R };
  const B = w.constant('bias', 'onnx', (b) => {
    const out = new Float32Array(2 * G * H);
    out.set(gatesBias(b.data, 0, cell.order, H), 0);
    if (cell.splitBias) out.set(gatesBias(b.data, G * H, cell.order, H), G * H);
    return { data: out, shape: [1, 2 * G * H] };
  });
  return { W, R, B };
}

/** One direction's results, in Keras layout: sequence (N, T, H) aligned with the input steps, last output, states. */
interface DirOut { seq: string; last: string; states: string[] }

interface RunOptions {
  cell: Cell;
  weights: Weights[];
  /** 'reverse' (go_backwards) or 'bidirectional' (weights[1] runs backwards). */
  direction: 'forward' | 'reverse' | 'bidirectional';
  /** Initial states per direction ([h] or [h, c]), or undefined. */
  initial?: string[][];
  mask?: string;
  /** Value a masked step outputs: the previous output (Keras default) or zeros (`zero_output_for_mask`). */
  zeroMasked: boolean;
  timeMajor: boolean;
}

/** Runs the recurrent op(s) over `x` (Keras layout) and returns each direction's outputs. */
function run(c: LayerCall, x: string, o: RunOptions): DirOut[] {
  const e = c.e;
  const op = o.cell.kind;
  const nOut = op === 'LSTM' ? 3 : 2;
  const xt = o.timeMajor ? x : e.transpose(x, [1, 0, 2]); // [T, N, I]
  const ws = o.weights.map((w) => weightsOf(w, o.cell));
  if (o.mask) return o.weights.map((_, d) => maskedDirection(c, xt, ws[d]!, o, d));
  const D = ws.length;
  const cat = (names: string[]): string => (names.length > 1 ? e.op('Concat', names, { axis: 0 }) : names[0]!);
  const ins = [xt, cat(ws.map((w) => w.W)), cat(ws.map((w) => w.R)), ws[0]!.B ? cat(ws.map((w) => w.B!)) : '', ''];
  if (o.initial) {
    ins.push(cat(o.initial.map((s) => e.unsqueeze(s[0]!, [0]))));
    if (op === 'LSTM') ins.push(cat(o.initial.map((s) => e.unsqueeze(s[1]!, [0]))));
  }
  while (ins[ins.length - 1] === '') ins.pop();
  const [Y, Yh, Yc] = e.b.node(op, ins, { ...o.cell.attrs(D), direction: o.direction }, nOut);
  const pick = (t: string, axis: number, d: number): string => (D === 1 ? e.squeeze(t, [axis]) : e.op('Gather', [t, e.b.ints([d], [])], { axis }));
  return ws.map((_, d) => {
    const seqT = pick(Y!, 1, d); // [T, N, H]
    const last = pick(Yh!, 0, d);
    return { seq: o.timeMajor ? seqT : e.transpose(seqT, [1, 0, 2]), last, states: op === 'LSTM' ? [last, pick(Yc!, 0, d)] : [last] };
  });
}

/** One direction of a masked layer, one ONNX op per step (see the file comment). */
function maskedDirection(c: LayerCall, xt: string, w: { W: string; R: string; B?: string }, o: RunOptions, d: number): DirOut {
  const e = c.e;
  const T = c.inShapes[0]?.[1];
  if (typeof T !== 'number' || o.timeMajor) return c.fail('a masked recurrent layer needs a known, batch-major sequence length');
  const reverse = o.direction === 'reverse' || d === 1;
  const lstm = o.cell.kind === 'LSTM';
  const zero = e.scalar(0);
  let h = o.initial?.[d]?.[0], cs = lstm ? o.initial?.[d]?.[1] : undefined;
  const outs = new Array<string>(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const ins = [e.slice(xt, [t], [t + 1], [0]), w.W, w.R, w.B ?? '', '', h ? e.unsqueeze(h, [0]) : '', lstm && cs ? e.unsqueeze(cs, [0]) : ''];
    while (ins[ins.length - 1] === '') ins.pop();
    const [, Yh, Yc] = e.b.node(o.cell.kind, ins, { ...o.cell.attrs(1), direction: 'forward' }, lstm ? 3 : 2);
    const m = e.unsqueeze(e.op('Gather', [o.mask!, e.b.ints([t], [])], { axis: 1 }), [1]); // bool [N, 1]
    const hNew = e.squeeze(Yh!, [0]);
    h = e.where(m, hNew, h ?? zero);
    if (lstm) cs = e.where(m, e.squeeze(Yc!, [0]), cs ?? zero);
    // The output of a masked step is the previous state h (TF.js `rnn`, Keras 2.2 `K.rnn`: where(mask,
    // output, states[0])), or zeros with zero_output_for_mask. (tf.keras 2.3+ repeats the previous
    // output instead, which differs only while leading steps are masked under a non-zero initial state.)
    outs[t] = o.zeroMasked ? e.where(m, hNew, zero) : h;
  }
  const seq = e.op('Concat', outs.map((y) => e.unsqueeze(y, [1])), { axis: 1 }); // [N, T, H], input-aligned
  return { seq, last: h!, states: lstm ? [h!, cs!] : [h!] };
}

/** Reverses the time axis (Keras's go_backwards sequences are in processing order). */
function flipTime(c: LayerCall, seq: string, timeMajor: boolean): string {
  return c.e.slice(seq, [-1], [Number.MIN_SAFE_INTEGER], [timeMajor ? 0 : 1], [-1]);
}

/** LSTM / GRU / SimpleRNN (and CuDNN variants). Inputs after the first are initial states. */
const recurrent: LayerLowering = (c): LayerResult => {
  const cfg = c.cfg;
  const cell = cellOf(c.className, cfg, c.dialect, c.fail);
  const back = cfg.go_backwards === true;
  const timeMajor = cfg.time_major === true;
  const initial = c.inputs.length > 1 ? [c.inputs.slice(1)] : undefined;
  const [r] = run(c, c.inputs[0]!, { cell, weights: [c.w], direction: back ? 'reverse' : 'forward', initial, mask: c.masks[0], zeroMasked: cfg.zero_output_for_mask === true, timeMajor });
  const seqOut = cfg.return_sequences === true;
  let y = r!.last;
  if (seqOut) y = back ? flipTime(c, r!.seq, timeMajor) : r!.seq;
  const outputs = [y, ...(cfg.return_state === true ? r!.states : [])];
  return { outputs, masks: outputs.map((_, i) => (i === 0 && seqOut ? c.masks[0] : undefined)) };
};

/** Bidirectional(layer, merge_mode): the backward sequence re-aligned with the input, then merged. */
const bidirectional: LayerLowering = (c): LayerResult => {
  const inner = c.cfg.layer as { class_name?: string; config?: KerasConfig } | undefined;
  if (!inner || typeof inner.class_name !== 'string') return c.fail('Bidirectional has no wrapped layer in its config');
  const cfg = inner.config ?? {};
  if (cfg.go_backwards === true) c.fail('a Bidirectional wrapper around a go_backwards layer is not supported');
  const cell = cellOf(inner.class_name, cfg, c.dialect, c.fail);
  const nStates = cell.kind === 'LSTM' ? 2 : 1;
  const rest = c.inputs.slice(1);
  const initial = rest.length === 2 * nStates ? [rest.slice(0, nStates), rest.slice(nStates)] : undefined;
  if (rest.length && !initial) c.fail(`Bidirectional expects ${2 * nStates} initial states, got ${rest.length}`);
  const timeMajor = cfg.time_major === true;
  const [fw, bw] = run(c, c.inputs[0]!, {
    cell, weights: [c.w.sub('forward/'), c.w.sub('backward/')], direction: 'bidirectional', initial, mask: c.masks[0],
    zeroMasked: cfg.zero_output_for_mask === true, timeMajor,
  }) as [DirOut, DirOut];
  const seqOut = cfg.return_sequences === true;
  const a = seqOut ? fw.seq : fw.last, b = seqOut ? bw.seq : bw.last;
  const mode = c.cfg.merge_mode === undefined ? 'concat' : c.cfg.merge_mode;
  const e = c.e;
  let merged: string[];
  switch (mode) {
    case 'concat': merged = [e.op('Concat', [a, b], { axis: -1 })]; break;
    case 'sum': merged = [e.add(a, b)]; break;
    case 'mul': merged = [e.mul(a, b)]; break;
    case 'ave': merged = [e.scale(e.add(a, b), 0.5)]; break;
    case null: merged = [a, b]; break;
    default: return c.fail(`merge_mode '${String(mode)}' is not supported`);
  }
  const outputs = [...merged, ...(cfg.return_state === true ? [...fw.states, ...bw.states] : [])];
  return { outputs, masks: outputs.map((_, i) => (i < merged.length && seqOut ? c.masks[0] : undefined)) };
};

/** Recurrent layers by Keras class name. */
export const RNN_LAYERS: Record<string, LayerLowering> = {
  LSTM: recurrent, GRU: recurrent, SimpleRNN: recurrent, CuDNNLSTM: recurrent, CuDNNGRU: recurrent,
  Bidirectional: bidirectional,
};
