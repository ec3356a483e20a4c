/**
 * Multidirectional (numpy) broadcasting, as ONNX defines it in docs/Broadcasting.md: shapes are
 * aligned on the right, and each pair of dims must be equal or one of them 1.
 */
import type { Dim, Shape } from '../ir.ts';
import { sameDim } from './symbolic.ts';
import { MAX_FOLD, numericShape, stridesOf, type Fact } from './types.ts';

/** Broadcasts two dims; null when the result cannot be known (two different symbols, or unknown vs symbol). */
export function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === 1) return b;
  if (b === 1) return a;
  if (sameDim(a, b)) return a;
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`cannot broadcast dims ${a} and ${b}`);
  // A known size other than 1 wins over an unknown or symbolic one: the other must equal it (or be 1).
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return null;
}

/** Broadcasts shapes; undefined when any rank is unknown. @example broadcastShapes([[2,1,4],[3,1]]) -> [2,3,4] */
export function broadcastShapes(shapes: (Shape | undefined)[]): Shape | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const rank = Math.max(0, ...shapes.map((s) => s!.length));
  const out: Dim[] = new Array(rank).fill(1);
  for (const s of shapes as Shape[]) {
    const off = rank - s.length;
    s.forEach((d, i) => { out[off + i] = broadcastDim(out[off + i]!, d); });
  }
  return out;
}

/**
 * Evaluates an elementwise function over broadcast inputs whose values are known (constant folding
 * of shape arithmetic). Returns undefined when any value is unknown or the result is too big.
 */
export function foldBroadcast(inputs: (Fact | undefined)[], out: Shape | undefined, f: (xs: Dim[]) => Dim): Dim[] | undefined {
  const shape = numericShape(out);
  if (!shape || inputs.some((x) => !x?.value || !numericShape(x.shape))) return undefined;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_FOLD) return undefined;
  const outStrides = stridesOf(shape);
  // For each input, the stride to use along each output axis (0 where the input is broadcast).
  const maps = (inputs as Fact[]).map((x) => {
    const s = x.shape as number[];
    const st = stridesOf(s);
    const off = shape.length - s.length;
    return shape.map((_, i) => (i < off || s[i - off] === 1 ? 0 : st[i - off]!));
  });
  const result: Dim[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const args = (inputs as Fact[]).map((x, j) => {
      let idx = 0, rem = k;
      for (let i = 0; i < shape.length; i++) {
        const q = Math.floor(rem / outStrides[i]!);
        rem -= q * outStrides[i]!;
        idx += q * maps[j]![i]!;
      }
      return x.value![idx] as Dim;
    });
    result[k] = f(args);
  }
  return result;
}
