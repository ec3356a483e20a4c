/**
 * Ops that rearrange a tensor without computing on it: Reshape, Flatten, Squeeze, Unsqueeze,
 * Transpose, Expand, Tile, DepthToSpace, SpaceToDepth (ONNX Operators.md). Values pass through
 * (or are rearranged), so folded shape vectors survive these ops.
 */
import type { Dim, Node } from '../ir.ts';
import { attr } from '../ir.ts';
import { broadcastShapes, foldBroadcast } from './broadcast.ts';
import { elementAt, foldByIndex } from './fold.ts';
import { dimDivExact, dimMul, dimProduct } from './symbolic.ts';
import { ints, knownSize, normAxis, withValue, type Fact, type InferContext, type Rule } from './types.ts';

/**
 * Axes given as an attribute before opset `since` and as input `slot` from it on (Squeeze,
 * Unsqueeze and Reduce* moved `axes` to an input in opset 13 / 18).
 */
export function axesOf(node: Node, inputs: (Fact | undefined)[], ctx: InferContext, since: number, slot = 1): number[] | undefined {
  if (ctx.opset >= since || inputs[slot]) return inputs[slot] ? ints(inputs[slot]) : [];
  return attr(node, 'axes', 'ints', []);
}

/**
 * The shape a Reshape gives `x`: `-1` takes what is left of the element count; `0` copies the
 * input dim unless `allowZero` (ONNX Reshape allowzero=1, and always in TF where 0 is a size).
 */
export function reshaped(x: Fact | undefined, target: Dim[], allowZero: boolean): Fact {
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? (x?.shape?.[i] ?? null) : t));
  const free = out.indexOf(-1);
  if (free >= 0) {
    const rest = dimProduct(out.filter((_, i) => i !== free));
    out[free] = x?.shape ? dimDivExact(dimProduct(x.shape), rest) : null;
  }
  if (out.some((d) => typeof d === 'number' && d < 0)) throw new Error(`invalid target shape [${target.join(', ')}]`);
  const inSize = knownSize(x?.shape), outSize = knownSize(out);
  if (inSize !== undefined && outSize !== undefined && inSize !== outSize) {
    throw new Error(`cannot reshape ${inSize} elements into [${out.join(', ')}]`);
  }
  return withValue({ dtype: x?.dtype, shape: out }, x?.value);
}

/** A rank-n shape of unknown dims when only the length `n` of a shape vector is known. */
export function unknownDims(shapeVector: Fact | undefined): Dim[] | undefined {
  const n = shapeVector?.shape?.[0];
  return typeof n === 'number' && shapeVector?.shape?.length === 1 ? new Array<Dim>(n).fill(null) : undefined;
}

/** Reshape: the target comes from input 1 (opset 5+) or the `shape` attribute (opset 1-4); allowzero from opset 14. */
const reshape: Rule = (node, [x, shapeIn], ctx) => {
  const target: Dim[] | undefined = ctx.opset >= 5 || shapeIn ? shapeIn?.value : attr(node, 'shape', 'ints', []);
  if (!target) return [{ dtype: x?.dtype, shape: unknownDims(shapeIn) }];
  return [reshaped(x, target, attr(node, 'allowzero', 'int', 0) === 1)];
};

/** Flatten: [prod(d[0:axis]), prod(d[axis:])]; axis may be negative from opset 11. */
const flatten: Rule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const rank = x.shape.length;
  const a = attr(node, 'axis', 'int', 1);
  const axis = a < 0 ? a + rank : a;
  return [withValue({ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, axis)), dimProduct(x.shape.slice(axis))] }, x.value)];
};

/** Squeeze: removes the listed axes, or every dim equal to 1 (symbolic dims are assumed not 1). */
const squeeze: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  const axes = axesOf(node, inputs, ctx, 13);
  if (!x?.shape || !axes) return [{ dtype: x?.dtype }];
  const shape = x.shape;
  const drop = axes.length ? new Set(axes.map((a) => normAxis(a, shape.length))) : new Set(shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  if (!axes.length && shape.includes(null)) return [{ dtype: x.dtype }];
  return [withValue({ dtype: x.dtype, shape: shape.filter((_, i) => !drop.has(i)) }, x.value)];
};

/** Unsqueeze: inserts 1s at the listed axes, which index the output (negative from opset 11). */
const unsqueeze: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  const axes = axesOf(node, inputs, ctx, 13);
  if (!x?.shape || !axes) return [{ dtype: x?.dtype }];
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(a, rank)));
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
  return [withValue({ dtype: x.dtype, shape }, x.value)];
};

/** Transposes a fact (values too, when known): out dim i = in dim perm[i]. Shared with TF's Transpose. */
export function permute(x: Fact, perm: readonly number[]): Fact {
  if (!x.shape) return { dtype: x.dtype };
  const rank = x.shape.length;
  if (perm.length !== rank) throw new Error(`perm [${perm.join(', ')}] does not match rank ${rank}`);
  const axes = perm.map((p) => normAxis(p, rank));
  const shape = axes.map((p) => x.shape![p]!);
  const value = foldByIndex(shape, (idx) => {
    const src = new Array<number>(rank);
    axes.forEach((p, i) => { src[p] = idx[i]!; });
    return elementAt(x, src);
  });
  return withValue({ dtype: x.dtype, shape }, value);
}

/** Transpose: perm defaults to reversing the axes. */
const transpose: Rule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const rank = x.shape.length;
  return [permute(x, attr(node, 'perm', 'ints', Array.from({ length: rank }, (_, i) => rank - 1 - i)))];
};

/** Expand: bidirectional broadcast of the input with the `shape` input's value. */
const expand: Rule = (_node, [x, shapeIn]) => {
  const target = shapeIn?.value ?? unknownDims(shapeIn);
  const out: Fact = { dtype: x?.dtype, shape: target && broadcastShapes([x?.shape, target]) };
  return [withValue(out, x ? foldBroadcast([x], out.shape, ([v]) => v!) : undefined)];
};

/** Tile: out dim i = in dim i * repeats[i]. */
const tile: Rule = (_node, [x, repeats]) => {
  const reps = repeats?.value;
  if (!x?.shape || !reps) return [{ dtype: x?.dtype, shape: x?.shape?.map(() => null) }];
  const shape = x.shape.map((d, i) => dimMul(d, reps[i] ?? null));
  const inShape = x.shape;
  const value = foldByIndex(shape, (idx) => elementAt(x, idx.map((k, i) => k % (inShape[i] as number))));
  return [withValue({ dtype: x.dtype, shape }, value)];
};

/** DepthToSpace: [N, C, H, W] -> [N, C / b^2, H * b, W * b]; SpaceToDepth is the inverse. */
function depthSpace(toSpace: boolean): Rule {
  return (node, [x]) => {
    const s = x?.shape;
    if (!s || s.length !== 4) return [{ dtype: x?.dtype }];
    const b = attr(node, 'blocksize', 'int', 1);
    const shape = toSpace
      ? [s[0]!, dimDivExact(s[1]!, b * b), dimMul(s[2]!, b), dimMul(s[3]!, b)]
      : [s[0]!, dimMul(s[1]!, b * b), dimDivExact(s[2]!, b), dimDivExact(s[3]!, b)];
    return [{ dtype: x!.dtype, shape }];
  };
}

/** Rules of this family, by ONNX op type. */
export const reshapeRules: Record<string, Rule> = {
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Expand: expand,
  Tile: tile,
  DepthToSpace: depthSpace(true),
  SpaceToDepth: depthSpace(false),
};
