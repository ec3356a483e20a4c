/**
 * Unrolls ONNX LSTM and GRU nodes into per-time-step Gemm / Split / activation / Mul / Add nodes,
 * so that gradients flow through recurrent layers with the ordinary rules (backpropagation through
 * time is then just reverse-mode autodiff of the unrolled graph). The graph grows linearly with
 * the sequence length, in nodes and in tensor sizes, backward included (test/engine/rnn-compile). Equations and gate orders are
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
  const sequences: string[] = [];
  for (const node of orig) {
    if ((node.op !== 'LSTM' && node.op !== 'GRU') || node.domain) { out.push(node); continue; }
    const start = graph.nodes.length;
    unrollOne(e, node, shapeOf);
    sequences.push(node.inputs[0]!);
    out.push(...graph.nodes.splice(start));
  }
  graph.nodes = out;
  pinInputShapes(graph, sequences, shapeOf);
}

/**
 * Declares the concrete shapes of the graph inputs that `tensors` are computed from. The unrolled
 * graph splits the sequence into its time steps and sizes initial states for the batch, so it is valid only
 * for the sequence length and batch size it was unrolled for; saying so matters to ONNX Runtime.
 * With an unknown dimension (Keras's `None` batch) ORT cannot infer any intermediate shape, so its
 * memory planner matches no freed buffer for reuse and scans an ever longer free list for every
 * tensor (onnxruntime/core/framework/allocation_planner.cc, FindReusableTensor): session creation
 * grows with the square of the node count (about 12 minutes for the 28,000 nodes of a 200-step,
 * 2-layer LSTM gradient, 18 s once the shapes are known).
 */
function pinInputShapes(graph: Graph, tensors: string[], shapeOf: ShapeOf): void {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const inputs = new Set(graph.inputs);
  const seen = new Set<string>();
  const stack = [...tensors];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (inputs.has(t)) {
      const v = graph.values.get(t);
      graph.values.set(t, { ...v, name: t, shape: [...shapeOf(t)] });
      continue;
    }
    for (const i of producer.get(t)?.inputs ?? []) if (i) stack.push(i);
  }
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
    const bias = B ? pick(B) : undefined; // [2*G*H]
    const wb = bias ? e.slice(bias, [0], [G * H], [0]) : undefined;
    const rb = bias ? e.slice(bias, [G * H], [2 * G * H], [0]) : undefined;
    const linearBeforeReset = !isLstm && attr(node, 'linear_before_reset', 'int', 0) !== 0;
    // The recurrent bias adds to the input projection, except for the GRU's new-gate part when
    // linear_before_reset puts it inside the reset product.
    const addBias = linearBeforeReset ? wb : wb && rb ? e.add(wb, rb) : undefined;
    // Input projections of all time steps in one MatMul, split into steps by one Split: per step,
    // a Gather and a MatMul would cost more nodes, and each Gather's gradient would be a full
    // [S, N, I] tensor (S of them summed: quadratic in S); the Split's gradient is one Concat.
    // Time-major rows (step t is rows t*N .. t*N+N-1), so the Split yields [N, G*H] steps directly.
    let xw = e.op('MatMul', [e.reshape(x0, [S * N, xs[2]!]), Wt]); // [S*N, G*H]
    if (addBias) xw = e.add(xw, addBias);
    const xSteps = e.split(xw, 0, new Array<number>(S).fill(N)); // S x [N, G*H]
    let h = initH ? pick(initH) : e.zeros([N, H]);
    let c = isLstm ? (initC ? pick(initC) : e.zeros([N, H])) : '';
    const one = isLstm ? '' : e.scalar(1);
    const Rzr = isLstm || linearBeforeReset ? '' : e.slice(Rd, [0], [2 * H], [0]); // [2H, H]
    const Rh = isLstm || linearBeforeReset ? '' : e.slice(Rd, [2 * H], [3 * H], [0]); // [H, H]
    const steps: string[] = new Array(S);
    for (let s = 0; s < S; s++) {
      const t = reverse ? S - 1 - s : s;
      const xt = xSteps[t]!;
      // Gemm with transB multiplies by R without a Transpose, forward and backward.
      if (isLstm) {
        const [ifo, cg] = e.split(e.op('Gemm', [h, Rd, xt], { transB: 1 }), 1, [3 * H, H]) as [string, string];
        // Gates i, o, f share their activation: one node over [N, 3H].
        const [i, o, fg] = e.split(fa(ifo), 1, [H, H, H]) as [string, string, string];
        c = e.add(e.mul(fg, c), e.mul(i, ga(cg)));
        h = e.mul(o, ha!(c));
      } else {
        // Gates z and r share their activation too; the new gate's recurrent product depends on r.
        const [xzr, xh] = e.split(xt, 1, [2 * H, H]) as [string, string];
        let z: string, r: string, hh: string;
        if (linearBeforeReset) {
          const [hzr, hn] = e.split(e.op('Gemm', rb ? [h, Rd, rb] : [h, Rd], { transB: 1 }), 1, [2 * H, H]) as [string, string];
          [z, r] = e.split(fa(e.add(xzr, hzr)), 1, [H, H]) as [string, string];
          hh = ga(e.add(xh, e.mul(r, hn)));
        } else {
          [z, r] = e.split(fa(e.op('Gemm', [h, Rzr, xzr], { transB: 1 })), 1, [H, H]) as [string, string];
          hh = ga(e.op('Gemm', [e.mul(r, h), Rh, xh], { transB: 1 }));
        }
        h = e.add(e.mul(e.sub(one, z), hh), e.mul(z, h));
      }
      steps[t] = h;
    }
    ys.push(e.reshape(e.op('Concat', steps, { axis: 0 }), [S, 1, N, H])); // [S, 1, N, H]
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
