/**
 * Compiling gradients through long recurrences (engine/unroll-rnn.ts) stays linear in the number
 * of time steps, and ONNX Runtime is told every shape it needs to plan memory without a
 * quadratic search. Both are checked on the graph the engine hands to ONNX Runtime, without
 * timing: its node count and its total tensor size must grow by the same amount with each
 * doubling of the sequence length, and static shape inference from its declared inputs alone must
 * find every intermediate shape. A 100-step LSTM gradient is checked against finite differences.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Graph, Model } from '../../src/graph/ir.ts';
import { inferFacts } from '../../src/graph/shapes/index.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Session } from '../../src/engine/session.ts';
import { checkGradients, randomArray, tinyModel } from './fd.ts';

const N = 2, I = 3, H = 4;

/** x [batch, S, I] (batch unknown, as Keras declares it) -> time-major -> op -> final state [batch, H] as logits. */
function rnnModel(op: 'LSTM' | 'GRU', S: number): Model {
  const G = op === 'LSTM' ? 4 : 3;
  return tinyModel({ x: [null, S, I] as never }, (b, [x]) => {
    const w = randomArray([1, G * H, I], 1, -0.5, 0.5), r = randomArray([1, G * H, H], 2, -0.5, 0.5), bias = randomArray([1, 2 * G * H], 3, -0.5, 0.5);
    const seq = b.op('Transpose', [x!], { perm: [1, 0, 2] });
    const [, yh] = b.node(op, [seq, b.floats([...w.data], w.shape), b.floats([...r.data], r.shape), b.floats([...bias.data], bias.shape)], { hidden_size: H }, 2);
    return b.op('Squeeze', [yh!, b.ints([0])]);
  });
}

/** The graph the engine compiles for d logit[0] / d x at sequence length S. */
async function gradientGraph(op: 'LSTM' | 'GRU', S: number): Promise<Graph> {
  const engine = Engine.fromModel(rnnModel(op, S));
  const create = Session.create;
  const graphs: Graph[] = [];
  Session.create = async (...args: Parameters<typeof Session.create>) => { graphs.push(args[0]); return create.apply(Session, args); };
  try {
    await engine.gradients({ x: randomArray([N, S, I], 4) }, { target: { kind: 'logit' }, wrt: ['x'] }, { index: [0] });
  } finally {
    Session.create = create;
    await engine.dispose();
  }
  return graphs[graphs.length - 1]!;
}

/** Node count and total number of elements of every node output, from shapes inferred from the declared inputs. */
function size(g: Graph): { nodes: number; elements: number; unknown: string[] } {
  const facts = inferFacts(g, { '': 17 });
  let elements = 0;
  const unknown: string[] = [];
  for (const n of g.nodes) for (const o of n.outputs) {
    const shape = facts.get(o)?.shape;
    // A named dimension (the target index's batch) is known to ORT as a symbol; only unknown ones hurt.
    if (!shape || shape.some((d) => d === null)) { unknown.push(`${n.op} ${o}`); continue; }
    elements += shape.reduce<number>((p, d) => p * (typeof d === 'number' ? d : N), 1);
  }
  return { nodes: g.nodes.length, elements, unknown };
}

for (const op of ['LSTM', 'GRU'] as const) {
  test(`${op} gradient graph: linear in the sequence length, every intermediate shape known to ONNX Runtime`, async () => {
    const [a, b, c] = [size(await gradientGraph(op, 8)), size(await gradientGraph(op, 16)), size(await gradientGraph(op, 32))];
    for (const s of [a, b, c]) assert.deepEqual(s.unknown.slice(0, 5), [], 'shapes inferable from the declared inputs');
    // Affine in S: each doubling from 16 to 32 adds twice what the doubling from 8 to 16 added.
    assert.equal(c.nodes - b.nodes, 2 * (b.nodes - a.nodes), `nodes ${a.nodes}, ${b.nodes}, ${c.nodes}`);
    assert.equal(c.elements - b.elements, 2 * (b.elements - a.elements), `elements ${a.elements}, ${b.elements}, ${c.elements}`);
  });
}

test('LSTM over 100 steps: gradients to input, weights and bias match finite differences', async () => {
  const S = 100, n = 1, G = 4;
  const model = tinyModel({ x: [S, n, I], w: [1, G * H, I], r: [1, G * H, H], b: [1, 2 * G * H] }, (bld, [x, w, r, bias]) => {
    const [y, yh] = bld.node('LSTM', [x!, w!, r!, bias!], { hidden_size: H }, 2);
    // The sequence output (every step) and the final state, so both paths through time are checked.
    return bld.op('Add', [bld.op('ReduceSum', [y!, bld.ints([0])], { keepdims: 0 }), yh!]);
  });
  const feeds = { x: randomArray([S, n, I], 11, -1, 1), w: randomArray([1, G * H, I], 12, -0.6, 0.6), r: randomArray([1, G * H, H], 13, -0.6, 0.6), b: randomArray([1, 2 * G * H], 14, -0.3, 0.3) };
  const errs = await checkGradients(model, feeds, 1e-2);
  for (const [k, e] of Object.entries(errs)) assert.ok(e < 2e-2, `d/d${k}: relative error ${e}`);
});
