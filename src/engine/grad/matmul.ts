/**
 * Backward rules of matrix products. For Y = A @ B (batched, broadcasting over leading axes):
 * dA = dY @ B^T and dB = A^T @ dY, each summed back over broadcast batch axes.
 * Gemm (Y = alpha * op(A) op(B) + beta * C) follows the same algebra with its transposes.
 */
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 1], p[rank - 2]] = [p[rank - 2]!, p[rank - 1]!];
  return p;
}

export const matmul: GradRule = {
  ops: ['MatMul'],
  grad: (c: GradContext) => {
    const e = c.e;
    const [a, b] = c.node.inputs as [string, string];
    const y = c.node.outputs[0]!;
    const sa = c.shape(a), sb = c.shape(b), sy = c.shape(y);
    // 1-D operands are promoted to matrices (numpy.matmul): A [K] -> [1,K], B [K] -> [K,1].
    const a2 = sa.length === 1 ? (): string => e.unsqueeze(a, [0]) : (): string => a;
    const b2 = sb.length === 1 ? (): string => e.unsqueeze(b, [1]) : (): string => b;
    const dy2 = (): string => {
      const g = c.dy()!;
      if (sa.length === 1 && sb.length === 1) return e.reshape(g, [1, 1]);
      if (sa.length === 1) return e.unsqueeze(g, [sy.length - 1]); // batch+[N] -> batch+[1,N]
      if (sb.length === 1) return e.unsqueeze(g, [sy.length]); // batch+[M] -> batch+[M,1]
      return g;
    };
    const saP = sa.length === 1 ? [1, sa[0]!] : sa;
    const sbP = sb.length === 1 ? [sb[0]!, 1] : sb;
    return [
      () => {
        const bT = e.transpose(b2(), swapLast(sbP.length));
        const g = e.op('MatMul', [dy2(), bT]);
        const gShape = [...broadcastBatch(saP, sbP), saP[saP.length - 2]!, saP[saP.length - 1]!];
        const r = e.unbroadcast(g, gShape, saP);
        return sa.length === 1 ? e.reshape(r, sa) : r;
      },
      () => {
        const aT = e.transpose(a2(), swapLast(saP.length));
        const g = e.op('MatMul', [aT, dy2()]);
        const gShape = [...broadcastBatch(saP, sbP), sbP[sbP.length - 2]!, sbP[sbP.length - 1]!];
        const r = e.unbroadcast(g, gShape, sbP);
        return sb.length === 1 ? e.reshape(r, sb) : r;
      },
    ];
  },
};

function broadcastBatch(a: number[], b: number[]): number[] {
  const ba = a.slice(0, -2), bb = b.slice(0, -2);
  const n = Math.max(ba.length, bb.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = ba[ba.length - n + i] ?? 1, db = bb[bb.length - n + i] ?? 1;
    out.push(Math.max(da, db));
  }
  return out;
}

/** Gemm: Y = alpha * A' B' + beta * C with A' = transA ? A^T : A, B' likewise (ONNX Gemm spec). */
export const gemm: GradRule = {
  ops: ['Gemm'],
  grad: (c: GradContext) => {
    const e = c.e;
    const [a, b, cIn] = c.node.inputs as [string, string, string | undefined];
    const alpha = attr(c.node, 'alpha', 'float', 1), beta = attr(c.node, 'beta', 'float', 1);
    const transA = attr(c.node, 'transA', 'int', 0), transB = attr(c.node, 'transB', 'int', 0);
    const dy = (): string => c.dy()!;
    return [
      () => {
        // dA' = dY B'^T ; A = transA ? dA'^T : dA'.  With B' = transB ? B^T : B, B'^T = transB ? B : B^T.
        const g = transA
          ? e.op('Gemm', [b, dy()], { transA: transB ? 1 : 0, transB: 1, alpha: { float: alpha } })
          : e.op('Gemm', [dy(), b], { transA: 0, transB: transB ? 0 : 1, alpha: { float: alpha } });
        return g;
      },
      () => {
        // dB' = A'^T dY ; B = transB ? dB'^T : dB'.
        const g = transB
          ? e.op('Gemm', [dy(), a], { transA: 1, transB: transA ? 1 : 0, alpha: { float: alpha } })
          : e.op('Gemm', [a, dy()], { transA: transA ? 0 : 1, transB: 0, alpha: { float: alpha } });
        return g;
      },
      cIn ? () => e.unbroadcast(e.scale(dy(), beta), c.shape(c.node.outputs[0]!), c.shape(cIn)) : undefined,
    ];
  },
};

export const RULES: GradRule[] = [matmul, gemm];
