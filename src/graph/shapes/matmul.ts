/**
 * Matrix products: MatMul with numpy semantics (1-D operands promoted, batch dims broadcast),
 * Gemm with transposes, their quantized variants, and Einsum (ONNX Operators.md; numpy.einsum
 * conventions for `...` and implicit output).
 */
import type { Dim, Shape } from '../ir.ts';
import { attr } from '../ir.ts';
import type { DType } from '../tensor.ts';
import { broadcastDim, broadcastShapes } from './broadcast.ts';
import type { Fact, Rule } from './types.ts';

/** numpy.matmul's output shape. @example matmulShape([2, 3, 4], [4]) -> [2, 3] */
export function matmulShape(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)])!;
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

function matmul(dtype?: (inputs: (Fact | undefined)[]) => DType | undefined, aSlot = 0, bSlot = 1): Rule {
  return (_node, inputs) => [{
    dtype: dtype ? dtype(inputs) : inputs[aSlot]?.dtype,
    shape: matmulShape(inputs[aSlot]?.shape, inputs[bSlot]?.shape),
  }];
}

/** Gemm: Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A, B' likewise; Y is [M, N]. */
const gemm: Rule = (node, [a, b]) => {
  const m = a?.shape?.length === 2 ? a.shape[attr(node, 'transA', 'int', 0) ? 1 : 0]! : null;
  const n = b?.shape?.length === 2 ? b.shape[attr(node, 'transB', 'int', 0) ? 0 : 1]! : null;
  return [{ dtype: a?.dtype, shape: [m, n] }];
};

/** Einsum: dims by subscript letter; `...` dims broadcast; implicit output = `...` + letters seen once, sorted. */
const einsum: Rule = (node, inputs) => {
  const eq = attr(node, 'equation', 'string', '').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const dims = new Map<string, Dim>();
  let ellipsis: Shape | undefined = [];
  const counts = new Map<string, number>();
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]!;
    const shape = inputs[t]?.shape;
    const letters = term.replace('...', '');
    for (const c of letters) counts.set(c, (counts.get(c) ?? 0) + 1);
    if (!shape) { ellipsis = term.includes('...') ? undefined : ellipsis; continue; }
    const ell = shape.length - letters.length;
    const at = term.indexOf('...');
    if (ell < 0 || (ell > 0 && at < 0)) throw new Error(`einsum term '${term}' does not match an input of rank ${shape.length}`);
    const before = at < 0 ? letters.length : at;
    [...letters].forEach((c, i) => {
      const d = shape[i < before ? i : i + ell]!;
      dims.set(c, dims.has(c) ? broadcastDim(dims.get(c)!, d) : d);
    });
    if (at >= 0 && ellipsis) ellipsis = broadcastShapes([ellipsis, shape.slice(before, before + ell)]);
  }
  const outTerm = rhs ?? `${lhs.includes('...') ? '...' : ''}${[...counts].filter(([, n]) => n === 1).map(([c]) => c).sort().join('')}`;
  if (outTerm.includes('...') && !ellipsis) return [{ dtype: inputs[0]?.dtype }];
  const shape: Dim[] = [];
  for (let i = 0; i < outTerm.length; i++) {
    if (outTerm.startsWith('...', i)) { shape.push(...ellipsis!); i += 2; continue; }
    shape.push(dims.get(outTerm[i]!) ?? null);
  }
  return [{ dtype: inputs[0]?.dtype, shape }];
};

/** Det: [*, M, M] -> [*]. */
const det: Rule = (_node, [x]) => [{ dtype: x?.dtype, shape: x?.shape && x.shape.slice(0, -2) }];

/** Rules of this family, by ONNX op type. */
export const matmulRules: Record<string, Rule> = {
  MatMul: matmul(),
  MatMulInteger: matmul(() => 'int32'),
  QLinearMatMul: matmul((inputs) => inputs[7]?.dtype, 0, 3),
  Gemm: gemm,
  Einsum: einsum,
  Det: det,
};
