/**
 * Ops that select, join or pad along axes: Concat, Split, Slice, Gather(+Elements, ND), Scatter*,
 * Pad, Resize, Upsample, Trilu, Compress, GridSample (ONNX Operators.md). Concat, Slice, Split and
 * Gather are also folded on small known values, as exporters build shape vectors with them.
 */
import type { Dim } from '../ir.ts';
import { attr } from '../ir.ts';
import { elementAt, foldByIndex } from './fold.ts';
import { dimAdd, dimCeilDiv, dimMul, dimSub } from './symbolic.ts';
import { ints, like, normAxis, withValue, type Fact, type Rule } from './types.ts';

/** Joins facts along `axis` (values too, when known): dims along it add up, the others must agree. */
export function concatFacts(xs: Fact[], axis: number): Fact {
  const dtype = xs.find((x) => x.dtype)?.dtype;
  const known = xs.filter((x) => x.shape);
  if (known.length !== xs.length || xs.length === 0) return { dtype, shape: known[0]?.shape?.map(() => null) };
  const rank = known[0]!.shape!.length;
  const a = normAxis(axis, rank);
  const shape: Dim[] = known[0]!.shape!.map((_, i) => {
    if (i === a) return xs.reduce<Dim>((s, x) => dimAdd(s, x.shape![i] ?? null), 0);
    return xs.map((x) => x.shape![i] ?? null).find((d) => d !== null) ?? null;
  });
  const value = foldByIndex(shape, (idx) => {
    let k = idx[a]!;
    for (const x of xs) {
      const d = x.shape![a];
      if (typeof d !== 'number') return undefined;
      if (k < d) return elementAt(x, idx.map((v, i) => (i === a ? k : v)));
      k -= d;
    }
    return undefined;
  });
  return withValue({ dtype, shape }, value);
}

/** Concat: `axis` is required from opset 4; before, it defaulted to 1. */
const concat: Rule = (node, inputs, ctx) => [concatFacts(inputs.filter((x): x is Fact => x !== undefined), attr(node, 'axis', 'int', ctx.opset < 4 ? 1 : 0))];

/**
 * Split: sizes from the `split` attribute (before opset 13) or input 1 (opset 13+); otherwise
 * equal parts, the last one smaller when `num_outputs` (opset 18) does not divide the dim.
 */
const split: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  const n = node.outputs.length;
  const shape = x?.shape;
  if (!shape) return node.outputs.map(() => ({ dtype: x?.dtype }));
  const axis = normAxis(attr(node, 'axis', 'int', 0), shape.length);
  const dim = shape[axis]!;
  let sizes: Dim[] | undefined = ctx.opset >= 13 || inputs[1] ? ints(inputs[1]) : attr(node, 'split', 'ints', []);
  if (inputs[1] && !sizes) sizes = new Array(n).fill(null);
  if (!sizes?.length) {
    const part = dimCeilDiv(dim, n);
    sizes = Array.from({ length: n }, (_, i) => (i < n - 1 || typeof dim !== 'number' ? part : dim - (part as number) * (n - 1)));
  }
  let offset = 0;
  return sizes.map((size) => {
    const s = [...shape];
    s[axis] = size;
    const start = offset;
    offset += typeof size === 'number' ? size : NaN;
    const value = Number.isNaN(start) ? undefined : foldByIndex(s, (idx) => elementAt(x, idx.map((v, i) => (i === axis ? v + start : v))));
    return withValue({ dtype: x!.dtype, shape: s }, value);
  });
};

/** Where a Slice along one axis starts and how many elements it takes, ONNX's clamping rules applied. */
interface Span { start: Dim; count: Dim; step: number }

/** Indices this large mean "to the end" (exporters write INT64_MAX or INT32_MAX). */
const HUGE = 2 ** 30;

/**
 * One axis of Slice (ONNX Operators.md, Slice): negative indices count from the end; starts clamp
 * to [0, dim] ([0, dim - 1] for negative steps), ends to [0, dim] ([-1, dim - 1] for negative steps).
 * With a symbolic dim or symbolic bounds, the bounds are assumed to lie inside the dim.
 */
export function sliceSpan(dim: Dim, start: Dim, end: Dim, step: number): Span {
  if (step === 0) throw new Error('Slice step cannot be 0');
  if (typeof dim === 'number' && typeof start === 'number' && typeof end === 'number') {
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    let s = start < 0 ? start + dim : start;
    let e = end < 0 ? end + dim : end;
    if (step > 0) { s = clamp(s, 0, dim); e = clamp(e, 0, dim); } else { s = clamp(s, 0, dim - 1); e = clamp(e, -1, dim - 1); }
    return { start: s, count: Math.max(0, Math.ceil((e - s) / step)), step };
  }
  if (step < 0 || start === null || end === null || dim === null) return { start: null, count: null, step };
  const s = typeof start === 'number' && start < 0 ? dimAdd(dim, start) : start;
  const e = typeof end === 'number' ? (end >= HUGE ? dim : end < 0 ? dimAdd(dim, end) : end) : end;
  return { start: s, count: dimCeilDiv(dimSub(e, s), step), step };
}

/** Slice: attributes starts/ends/axes before opset 10, inputs starts/ends/axes/steps from opset 10. */
const slice: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  const shape = x?.shape;
  if (!shape) return [{ dtype: x?.dtype }];
  const fromInputs = ctx.opset >= 10 || inputs.length > 1;
  const starts: Dim[] | undefined = fromInputs ? inputs[1]?.value : attr(node, 'starts', 'ints', []);
  const ends: Dim[] | undefined = fromInputs ? inputs[2]?.value : attr(node, 'ends', 'ints', []);
  const axes = fromInputs ? (inputs[3] ? ints(inputs[3]) : undefined) : attr(node, 'axes', 'ints', []);
  const steps = fromInputs && inputs[4] ? ints(inputs[4]) : undefined;
  const axesKnown = fromInputs ? (inputs[3] ? axes : []) : axes;
  if (!starts || !ends || !axesKnown || (inputs[4] && !steps)) {
    // Only the sliced axes change; when they are not known, neither is any dim.
    return [{ dtype: x!.dtype, shape: shape.map((d, i) => (axesKnown?.length && !axesKnown.some((a) => normAxis(a, shape.length) === i) ? d : null)) }];
  }
  const spans: (Span | undefined)[] = shape.map(() => undefined);
  starts.forEach((s, j) => {
    const a = normAxis(axesKnown.length ? axesKnown[j]! : j, shape.length);
    spans[a] = sliceSpan(shape[a]!, s, ends[j] ?? null, steps?.[j] ?? 1);
  });
  const out = shape.map((d, i) => spans[i]?.count ?? d);
  const value = foldByIndex(out, (idx) => {
    const src = idx.map((v, i) => {
      const sp = spans[i];
      return sp ? (typeof sp.start === 'number' ? sp.start + v * sp.step : NaN) : v;
    });
    return src.some(Number.isNaN) ? undefined : elementAt(x, src);
  });
  return [withValue({ dtype: x!.dtype, shape: out }, value)];
};

/** Gather along `axis`: data.shape[:axis] + indices.shape + data.shape[axis+1:]; negative indices count from the end. */
export function gatherFacts(data: Fact | undefined, indices: Fact | undefined, axis: number): Fact {
  if (!data?.shape || !indices?.shape) return { dtype: data?.dtype };
  const ds = data.shape, is = indices.shape;
  const a = normAxis(axis, ds.length);
  const shape = [...ds.slice(0, a), ...is, ...ds.slice(a + 1)];
  const value = foldByIndex(shape, (idx) => {
    const at = elementAt(indices, idx.slice(a, a + is.length));
    const dim = ds[a];
    if (typeof at !== 'number' || typeof dim !== 'number') return undefined;
    return elementAt(data, [...idx.slice(0, a), at < 0 ? at + dim : at, ...idx.slice(a + is.length)]);
  });
  return withValue({ dtype: data.dtype, shape }, value);
}

const gather: Rule = (node, [data, indices]) => [gatherFacts(data, indices, attr(node, 'axis', 'int', 0))];

/** GatherND: indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]. */
const gatherND: Rule = (node, [data, indices]) => {
  const last = indices?.shape?.[indices.shape.length - 1];
  if (!data?.shape || !indices?.shape || typeof last !== 'number') return [{ dtype: data?.dtype }];
  const b = attr(node, 'batch_dims', 'int', 0);
  return [{ dtype: data.dtype, shape: [...indices.shape.slice(0, -1), ...data.shape.slice(b + last)] }];
};

/** Pad: pads from the attribute (before opset 11) or input 1, optionally for `axes` (input 3, opset 18). */
const pad: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const rank = x.shape.length;
  const pads: Dim[] | undefined = ctx.opset >= 11 || inputs[1] ? inputs[1]?.value : attr(node, 'pads', 'ints', attr(node, 'paddings', 'ints', []));
  const axes = inputs[3] ? ints(inputs[3]) : Array.from({ length: rank }, (_, i) => i);
  if (!pads || !axes) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  const shape = [...x.shape];
  axes.forEach((a, j) => {
    const i = normAxis(a, rank);
    shape[i] = dimAdd(dimAdd(shape[i]!, pads[j] ?? null), pads[j + axes.length] ?? null);
  });
  return [{ dtype: x.dtype, shape }];
};

/** floor(dim * scale), exact for symbolic dims when the scale is an integer. */
function scaleDim(d: Dim, scale: Dim): Dim {
  if (typeof scale !== 'number') return null;
  if (Number.isInteger(scale)) return dimMul(d, scale);
  return typeof d === 'number' ? Math.floor(d * scale) : null;
}

/**
 * Resize: `sizes` when given, else floor(dim * scale) (times the roi extent for
 * tf_crop_and_resize). Inputs are (X, scales) in opset 10, (X, roi, scales, sizes) from 11;
 * opset 18 adds `axes` and `keep_aspect_ratio_policy`.
 */
const resize: Rule = (node, inputs, ctx) => {
  const x = inputs[0];
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const rank = x.shape.length;
  const [roiIn, scalesIn, sizesIn] = ctx.opset >= 11 ? [inputs[1], inputs[2], inputs[3]] : [undefined, inputs[1], undefined];
  const axes = attr(node, 'axes', 'ints', Array.from({ length: rank }, (_, i) => i)).map((a) => normAxis(a, rank));
  const shape = [...x.shape];
  const sizes = sizesIn?.value?.length ? sizesIn.value : undefined;
  const scales = scalesIn?.value?.length ? scalesIn.value : undefined;
  if (sizes) {
    const policy = attr(node, 'keep_aspect_ratio_policy', 'string', 'stretch');
    const ratios = axes.map((a, j) => (typeof sizes[j] === 'number' && typeof shape[a] === 'number' ? (sizes[j] as number) / (shape[a] as number) : NaN));
    if (policy !== 'stretch' && ratios.every((r) => !Number.isNaN(r))) {
      const r = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => { shape[a] = Math.round(r * (shape[a] as number)); });
    } else {
      axes.forEach((a, j) => { shape[a] = sizes[j] ?? null; });
    }
  } else if (scales) {
    const crop = attr(node, 'coordinate_transformation_mode', 'string', '') === 'tf_crop_and_resize' ? roiIn?.value : undefined;
    axes.forEach((a, j) => {
      const extent = crop ? (crop[j + axes.length] as number) - (crop[j] as number) : 1;
      shape[a] = scaleDim(shape[a]!, typeof scales[j] === 'number' ? (scales[j] as number) * extent : null);
    });
  } else if (sizesIn || scalesIn) {
    return [{ dtype: x.dtype, shape: shape.map(() => null) }];
  }
  return [{ dtype: x.dtype, shape }];
};

/** Upsample (deprecated in opset 10): scales as an attribute (opset 7-8) or input 1 (opset 9). */
const upsample: Rule = (node, [x, scalesIn], ctx) => {
  if (!x?.shape) return [{ dtype: x?.dtype }];
  const scales: Dim[] | undefined = ctx.opset >= 9 || scalesIn ? scalesIn?.value : attr(node, 'scales', 'floats', []);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => scaleDim(d, scales?.[i] ?? null)) }];
};

/** Compress: the kept count is data-dependent. */
const compress: Rule = (node, [x]) => {
  const axis = node.attributes.axis;
  if (!x?.shape || axis?.type !== 'int') return [{ dtype: x?.dtype, shape: [null] }];
  const a = normAxis(axis.value, x.shape.length);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? null : d)) }];
};

/** GridSample(X [N, C, ...], grid [N, ...out, k]) -> [N, C, ...out]. */
const gridSample: Rule = (_node, [x, grid]) => [{
  dtype: x?.dtype,
  shape: grid?.shape ? [x?.shape?.[0] ?? grid.shape[0]!, x?.shape?.[1] ?? null, ...grid.shape.slice(1, -1)] : undefined,
}];

const likeData: Rule = (_node, [x]) => [like(x)];

/** Rules of this family, by ONNX op type. */
export const indexingRules: Record<string, Rule> = {
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: (_node, [data, indices]) => [{ dtype: data?.dtype, shape: indices?.shape && [...indices.shape] }],
  GatherND: gatherND,
  ScatterND: likeData,
  ScatterElements: likeData,
  Scatter: likeData,
  Pad: pad,
  Resize: resize,
  Upsample: upsample,
  Trilu: likeData,
  ReverseSequence: likeData,
  Compress: compress,
  GridSample: gridSample,
};
