/**
 * Opset-aware emitters for the ONNX ops that gradient rules, targets and explainers write.
 * Several ops moved attributes to inputs across opsets (ReduceSum/Squeeze/Unsqueeze at 13,
 * ReduceMean/ReduceMax at 18); these helpers pick the form the graph's opset requires, so rule
 * code never branches on the opset.
 */
import { GraphBuilder, f, type AttrInput } from './builder.ts';

/** Emits common ONNX subgraphs into a graph at a fixed opset. */
export class Emit {
  /** Small constants already emitted, by kind and value (see {@link Emit.ints}). */
  private readonly shared = new Map<string, string>();

  constructor(readonly b: GraphBuilder, readonly opset: number) {}

  /**
   * An int64 constant (axes, shapes, pads...), emitted once per distinct value and shape and
   * shared by every node that reads it. {@link Emit.scalar} shares likewise: a 200-step LSTM
   * gradient asked for 4,400 constants with 240 distinct values, and ONNX Runtime's session
   * creation pays for each initializer.
   */
  ints(values: number[], shape: number[] = [values.length]): string {
    return this.share(`i${shape.join(',')}:${values.join(',')}`, () => this.b.ints(values, shape));
  }

  /** Raw node with one output. */
  op(op: string, inputs: string[], attrs: Record<string, AttrInput> = {}): string { return this.b.op(op, inputs, attrs); }

  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }
  neg(a: string): string { return this.op('Neg', [a]); }
  /** Multiplies by a float scalar constant. */
  scale(a: string, s: number): string { return s === 1 ? a : this.mul(a, this.scalar(s)); }
  /** A float32 scalar constant. */
  scalar(v: number): string { return this.share(`f:${Object.is(v, -0) ? '-0' : v}`, () => this.b.floats([v], [])); }

  private share(key: string, make: () => string): string {
    let name = this.shared.get(key);
    if (name === undefined) { name = make(); this.shared.set(key, name); }
    return name;
  }

  private reduce(op: string, x: string, axes: number[], keepdims: boolean, inputForm: boolean): string {
    if (axes.length === 0) return x;
    if (inputForm) return this.op(op, [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op(op, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  reduceSum(x: string, axes: number[], keepdims = true): string { return this.reduce('ReduceSum', x, axes, keepdims, this.opset >= 13); }
  reduceMean(x: string, axes: number[], keepdims = true): string { return this.reduce('ReduceMean', x, axes, keepdims, this.opset >= 18); }
  reduceMax(x: string, axes: number[], keepdims = true): string { return this.reduce('ReduceMax', x, axes, keepdims, this.opset >= 18); }

  squeeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.ints(axes)]) : this.op('Squeeze', [x], { axes });
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.ints(axes)]) : this.op('Unsqueeze', [x], { axes });
  }
  reshape(x: string, shape: number[]): string { return this.op('Reshape', [x, this.ints(shape)]); }
  transpose(x: string, perm: number[]): string { return this.op('Transpose', [x], { perm }); }
  expand(x: string, shape: number[]): string { return this.op('Expand', [x, this.ints(shape)]); }
  /** Slice with constant starts/ends/axes/steps (input form, opset >= 10). */
  slice(x: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
    const ins = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (steps) ins.push(this.ints(steps));
    return this.op('Slice', ins);
  }
  /**
   * Splits `x` along `axis` into pieces of the given sizes (one node, whose gradient is one
   * Concat; slicing each piece instead costs a Slice per piece and a Pad per piece backward).
   */
  split(x: string, axis: number, sizes: number[]): string[] {
    if (sizes.length === 1) return [x];
    return this.opset >= 13
      ? this.b.node('Split', [x, this.ints(sizes)], { axis }, sizes.length)
      : this.b.node('Split', [x], { axis, split: sizes }, sizes.length);
  }
  /** Zero padding with constant pads ([begin..., end...] over all axes). */
  pad(x: string, pads: number[]): string {
    if (pads.every((p) => p === 0)) return x;
    return this.opset >= 11 ? this.op('Pad', [x, this.ints(pads)]) : this.op('Pad', [x], { pads, value: f(0) });
  }
  /** A float32 tensor of zeros of a static shape. */
  zeros(shape: number[]): string {
    return this.op('ConstantOfShape', [this.ints(shape)], { value: { type: 'tensor', value: zeroTensor() } });
  }
  /** `cond ? a : b`. */
  where(cond: string, a: string, b: string): string { return this.op('Where', [cond, a, b]); }

  /**
   * Sums a broadcast gradient back to the shape of the operand that was broadcast
   * (numpy broadcasting: leading axes added, size-1 axes stretched).
   */
  unbroadcast(g: string, gShape: number[], toShape: number[]): string {
    if (sameShape(gShape, toShape)) return g;
    const lead = gShape.length - toShape.length;
    const axes: number[] = [];
    for (let i = 0; i < gShape.length; i++) {
      if (i < lead) axes.push(i);
      else if (toShape[i - lead] === 1 && gShape[i] !== 1) axes.push(i);
    }
    let r = this.reduceSum(g, axes, true);
    if (lead > 0 || toShape.length !== gShape.length) r = this.reshape(r, toShape.length ? toShape : []);
    return r;
  }
}

/** Whether two static shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

import { Tensor } from '../graph/tensor.ts';
function zeroTensor(): Tensor { return Tensor.of('float32', [1], new Float32Array([0])); }
