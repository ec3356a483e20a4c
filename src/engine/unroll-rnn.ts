/**
 * Unrolls ONNX LSTM and GRU nodes into per-time-step MatMul / Sigmoid / Tanh / Mul / Add nodes, so
 * that gradients flow through recurrent layers with the ordinary rules (backpropagation through
 * time is then just reverse-mode autodiff of the unrolled graph). Equations and gate orders are
 * those of the ONNX LSTM (gates i, o, f, c) and GRU (gates z, r, h) operator specs; the sequence
 * length must be known (it is, from the shape probe).
 *
 * The `activations` attribute is honoured (Keras LSTMs use HardSigmoid gates, for instance), with
 * `activation_alpha` / `activation_beta` consumed in list order by the activations that take
 * parameters, as ONNX Runtime reads them (onnxruntime/core/providers/cpu/rnn/rnn_helpers.cc).
 */
import { NnlensError } from '../errors.ts';
import { attr, type Graph, type Node } from '../graph/ir.ts';
import { GraphBuilder, f } from './builder.ts';
import { Emit } from './emit.ts';

/** Shapes the unroller needs: the probed shape of a tensor. */
export type ShapeOf = (name: string) => number[];

/** Whether the graph has recurrent nodes to unroll. */
export function hasRnn(graph: Graph): boolean {
  return graph.nodes.some((n) => (n.op === 'LSTM' || n.op === 'GRU') && !n.domain);
}

/**
 * Replaces every LSTM / GRU node of `graph` by its unrolled equivalent, in place of the node.
 * @example unrollRnns(graph, 17, (t) => facts.shape(t))
 */
export function unrollRnns(graph: Graph, opset: number, shapeOf: ShapeOf): void {
  const e = new Emit(new GraphBuilder(graph, 'unroll'), opset);
  const orig = graph.nodes.slice();
  const out: Node[] = [];
  for (const node of orig) {
    if ((node.op !== 'LSTM' && node.op !== 'GRU') || node.domain) { out.push(node); continue; }
    const start = graph.nodes.length;
    unrollOne(e, node, shapeOf);
    out.push(...graph.nodes.splice(start));
  }
  graph.nodes = out;
}

function unrollOne(e: Emit, node: Node, shapeOf: ShapeOf): void {
  const isLstm = node.op === 'LSTM';
  // sequence_lens (input 4) is ignored: exporters pass the full length for fixed-size inputs.
  const [X, W, R, B, , initH, initC, P] = node.inputs;
  const H = attr(node, 'hidden_size', 'int', 0);
  const direction = attr(node, 'direction', 'string', 'forward');
  const layout = attr(node, 'layout', 'int', 0);
  const fail = (why: string): never => { throw new NnlensError('', `cannot differentiate ${node.op} node '${node.name}': ${why}`); };
  const acts = activationsOf(node, isLstm ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'], direction === 'bidirectional' ? 2 : 1, fail);
  if (node.attributes.clip) fail('cell clipping is not supported');
  if (P) fail('peephole connections are not supported');
  if (isLstm && attr(node, 'input_forget', 'int', 0)) fail('input_forget is not supported');
  const xs = shapeOf(X!);
  const [S, N] = layout ? [xs[1]!, xs[0]!] : [xs[0]!, xs[1]!];
  const x0 = layout ? e.transpose(X!, [1, 0, 2]) : X!; // [S, N, I]
  const dirs = direction === 'bidirectional' ? [0, 1] : [0];
  const G = isLstm ? 4 : 3;
  const ys: string[] = [], hs: string[] = [], cs: string[] = [];
  for (const d of dirs) {
    const reverse = direction === 'reverse' || d === 1;
    const [fa, ga, ha] = acts[d]!.map((a) => (x: string) => a(e, x)) as [Act1, Act1, Act1 | undefined];
    const pick = (t: string): string => e.op('Gather', [t, e.b.ints([d], [])], { axis: 0 });
    const Wt = e.transpose(pick(W!), [1, 0]); // [I, G*H]
    const Rd = pick(R!); // [G*H, H]
    const Rt = e.transpose(Rd, [1, 0]); // [H, G*H]
    const bias = B ? pick(B) : undefined; // [2*G*H]
    const wb = bias ? e.slice(bias, [0], [G * H], [0]) : undefined;
    const rb = bias ? e.slice(bias, [G * H], [2 * G * H], [0]) : undefined;
    let h = initH ? pick(initH) : e.zeros([N, H]);
    let c = isLstm ? (initC ? pick(initC) : e.zeros([N, H])) : '';
    const gate = (g: string, k: number): string => e.slice(g, [k * H], [(k + 1) * H], [1]);
    const steps: string[] = new Array(S);
    for (let s = 0; s < S; s++) {
      const t = reverse ? S - 1 - s : s;
      const xt = e.op('Gather', [x0, e.b.ints([t], [])], { axis: 0 }); // [N, I]
      let xw = e.op('MatMul', [xt, Wt]);
      if (wb) xw = e.add(xw, wb);
      if (isLstm) {
        let g = e.add(xw, e.op('MatMul', [h, Rt]));
        if (rb) g = e.add(g, rb);
        const i = fa(gate(g, 0)), o = fa(gate(g, 1));
        const fg = fa(gate(g, 2)), cc = ga(gate(g, 3));
        c = e.add(e.mul(fg, c), e.mul(i, cc));
        h = e.mul(o, ha!(c));
      } else {
        const linearBeforeReset = attr(node, 'linear_before_reset', 'int', 0) !== 0;
        let hr = e.op('MatMul', [h, Rt]); // [N, 3H]: z, r, h parts
        if (rb) hr = e.add(hr, rb);
        const z = fa(e.add(gate(xw, 0), gate(hr, 0)));
        const r = fa(e.add(gate(xw, 1), gate(hr, 1)));
        let hh: string;
        if (linearBeforeReset) {
          hh = ga(e.add(gate(xw, 2), e.mul(r, gate(hr, 2))));
        } else {
          const rh = e.op('MatMul', [e.mul(r, h), e.transpose(e.slice(Rd, [2 * H], [3 * H], [0]), [1, 0])]);
          hh = ga(e.add(gate(xw, 2), rb ? e.add(rh, e.slice(rb, [2 * H], [3 * H], [0])) : rh));
        }
        h = e.add(e.mul(e.sub(e.scalar(1), z), hh), e.mul(z, h));
      }
      steps[t] = e.unsqueeze(h, [0]); // [1, N, H]
    }
    ys.push(e.unsqueeze(e.op('Concat', steps, { axis: 0 }), [1])); // [S, 1, N, H]
    hs.push(e.unsqueeze(h, [0]));
    if (isLstm) cs.push(e.unsqueeze(c, [0]));
  }
  let Y = ys.length > 1 ? e.op('Concat', ys, { axis: 1 }) : ys[0]!; // [S, D, N, H]
  let Yh = hs.length > 1 ? e.op('Concat', hs, { axis: 0 }) : hs[0]!; // [D, N, H]
  let Yc = isLstm ? (cs.length > 1 ? e.op('Concat', cs, { axis: 0 }) : cs[0]!) : '';
  if (layout) {
    Y = e.transpose(Y, [2, 0, 1, 3]); // [N, S, D, H]
    Yh = e.transpose(Yh, [1, 0, 2]);
    if (Yc) Yc = e.transpose(Yc, [1, 0, 2]);
  }
  const finals = [Y, Yh, Yc];
  node.outputs.forEach((name, k) => {
    if (!name || !finals[k]) return;
    e.b.graph.nodes.push({ name: `${node.name}/unrolled_${k}`, op: 'Identity', domain: '', inputs: [finals[k]!], outputs: [name], attributes: {}, group: node.group, params: [] });
  });
}

type Act1 = (x: string) => string;
type Act = (e: Emit, x: string) => string;

/** Parameters each RNN activation takes and their defaults (ONNX Runtime rnn_helpers.cc). */
const ACT_PARAMS: Record<string, { alpha?: number; beta?: number }> = {
  sigmoid: {}, tanh: {}, relu: {}, softsign: {}, softplus: {},
  hardsigmoid: { alpha: 0.2, beta: 0.5 }, affine: { alpha: 1, beta: 0 }, scaledtanh: { alpha: 1, beta: 1 },
  leakyrelu: { alpha: 0.01 }, thresholdedrelu: { alpha: 1 }, elu: { alpha: 1 },
};

/** One activation as ONNX nodes (ONNX operator spec, "Activation functions" of RNN/GRU/LSTM). */
function activation(name: string, alpha: number, beta: number): Act {
  switch (name) {
    case 'sigmoid': return (e, x) => e.op('Sigmoid', [x]);
    case 'tanh': return (e, x) => e.op('Tanh', [x]);
    case 'relu': return (e, x) => e.op('Relu', [x]);
    case 'softplus': return (e, x) => e.op('Softplus', [x]);
    case 'softsign': return (e, x) => e.div(x, e.add(e.op('Abs', [x]), e.scalar(1)));
    case 'hardsigmoid': return (e, x) => e.op('HardSigmoid', [x], { alpha: f(alpha), beta: f(beta) });
    case 'affine': return (e, x) => e.add(e.scale(x, alpha), e.scalar(beta));
    case 'scaledtanh': return (e, x) => e.scale(e.op('Tanh', [e.scale(x, beta)]), alpha);
    case 'leakyrelu': return (e, x) => e.op('LeakyRelu', [x], { alpha: f(alpha) });
    case 'thresholdedrelu': return (e, x) => e.where(e.op('Greater', [x, e.scalar(alpha)]), x, e.scalar(0));
    default: return (e, x) => e.op('Elu', [x], { alpha: f(alpha) });
  }
}

/** The activations of each direction: the node's `activations` list (per direction) or the defaults. */
function activationsOf(node: Node, defaults: string[], dirs: number, fail: (why: string) => never): Act[][] {
  const names = attr(node, 'activations', 'strings', []);
  const alphas = attr(node, 'activation_alpha', 'floats', []), betas = attr(node, 'activation_beta', 'floats', []);
  const list = names.length ? names : Array.from({ length: dirs }, () => defaults).flat();
  if (list.length !== defaults.length * dirs) fail(`expected ${defaults.length * dirs} activations, got ${list.length}`);
  let ia = 0, ib = 0;
  const acts = list.map((raw) => {
    const name = raw.toLowerCase();
    const p = ACT_PARAMS[name];
    if (!p) return fail(`activation '${raw}' is not supported`);
    const alpha = p.alpha === undefined ? 0 : ia < alphas.length ? alphas[ia++]! : p.alpha;
    const beta = p.beta === undefined ? 0 : ib < betas.length ? betas[ib++]! : p.beta;
    return activation(name, alpha, beta);
  });
  return Array.from({ length: dirs }, (_, d) => acts.slice(d * defaults.length, (d + 1) * defaults.length));
}
