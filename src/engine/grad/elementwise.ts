/**
 * Backward rules of elementwise arithmetic with numpy-style broadcasting
 * (https://github.com/onnx/onnx/blob/main/docs/Broadcasting.md): the gradient of a broadcast
 * operand is summed over the broadcast axes (Emit.unbroadcast).
 */
import type { GradContext, GradRule } from './rule.ts';

function ub(c: GradContext, g: string, input: number): string {
  const x = c.node.inputs[input]!;
  return c.e.unbroadcast(g, c.shape(c.node.outputs[0]!), c.shape(x));
}

const x = (c: GradContext, i: number): string => c.node.inputs[i]!;
const y = (c: GradContext): string => c.node.outputs[0]!;
const dy = (c: GradContext): string => c.dy()!;

export const add: GradRule = {
  ops: ['Add'],
  grad: (c) => [() => ub(c, dy(c), 0), () => ub(c, dy(c), 1)],
};

export const sub: GradRule = {
  ops: ['Sub'],
  grad: (c) => [() => ub(c, dy(c), 0), () => ub(c, c.e.neg(dy(c)), 1)],
};

export const mul: GradRule = {
  ops: ['Mul'],
  grad: (c) => [() => ub(c, c.e.mul(dy(c), x(c, 1)), 0), () => ub(c, c.e.mul(dy(c), x(c, 0)), 1)],
};

/** d(a/b) = dy/b, -dy*a/b^2 = -dy*y/b. */
export const div: GradRule = {
  ops: ['Div'],
  grad: (c) => [
    () => ub(c, c.e.div(dy(c), x(c, 1)), 0),
    () => ub(c, c.e.neg(c.e.div(c.e.mul(dy(c), y(c)), x(c, 1))), 1),
  ],
};

/** d(a^b) = b*a^(b-1) da, and a^b*ln(a) db. */
export const pow: GradRule = {
  ops: ['Pow'],
  grad: (c) => [
    () => {
      const e = c.e;
      const bm1 = e.sub(x(c, 1), e.scalar(1));
      return ub(c, e.mul(dy(c), e.mul(x(c, 1), e.op('Pow', [x(c, 0), bm1]))), 0);
    },
    () => ub(c, c.e.mul(dy(c), c.e.mul(y(c), c.e.op('Log', [x(c, 0)]))), 1),
  ],
};

export const neg: GradRule = { ops: ['Neg'], grad: (c) => [() => c.e.neg(dy(c))] };

/** Ops whose gradient passes through unchanged (inference-mode Dropout is the identity). */
export const identity: GradRule = {
  ops: ['Identity', 'Dropout'],
  grad: (c) => [() => dy(c)],
};

/** Float-to-float Cast passes the gradient; casts from integers have none. */
export const cast: GradRule = {
  ops: ['Cast'],
  grad: (c) => [() => c.e.op('Cast', [dy(c)], { to: onnxCode(c.dtype(x(c, 0))) })],
};

function onnxCode(dtype: string): number {
  return ({ float32: 1, float16: 10, float64: 11, bfloat16: 16 } as Record<string, number>)[dtype] ?? 1;
}

export const sqrt: GradRule = { ops: ['Sqrt'], grad: (c) => [() => c.e.div(dy(c), c.e.scale(y(c), 2))] };
export const exp: GradRule = { ops: ['Exp'], grad: (c) => [() => c.e.mul(dy(c), y(c))] };
export const log: GradRule = { ops: ['Log'], grad: (c) => [() => c.e.div(dy(c), x(c, 0))] };
export const reciprocal: GradRule = {
  ops: ['Reciprocal'],
  grad: (c) => [() => c.e.neg(c.e.mul(dy(c), c.e.mul(y(c), y(c))))],
};
export const abs: GradRule = { ops: ['Abs'], grad: (c) => [() => c.e.mul(dy(c), c.e.op('Sign', [x(c, 0)]))] };

/** Sum of n inputs: each gets dy (unbroadcast). */
export const sum: GradRule = {
  ops: ['Sum'],
  grad: (c) => c.node.inputs.map((_, i) => () => ub(c, dy(c), i)),
};

/** Elementwise Max/Min: the gradient goes to the operand that was selected (ties: the first). */
export const maxMin: GradRule = {
  ops: ['Max', 'Min'],
  grad: (c) => c.node.inputs.map((_, i) => () => {
    const e = c.e;
    const isSel = e.op('Equal', [x(c, i), y(c)]);
    const zero = e.scalar(0);
    return ub(c, e.where(isSel, dy(c), zero), i);
  }),
};

/** Where(cond, a, b): the gradient of a where cond holds, of b elsewhere. */
export const where: GradRule = {
  ops: ['Where'],
  grad: (c) => [
    undefined,
    () => ub(c, c.e.where(x(c, 0), dy(c), c.e.scalar(0)), 1),
    () => ub(c, c.e.where(x(c, 0), c.e.scalar(0), dy(c)), 2),
  ],
};

/** Expand: the gradient is summed back over the broadcast axes. */
export const expand: GradRule = {
  ops: ['Expand'],
  grad: (c) => [() => ub(c, dy(c), 0), undefined],
};

export const RULES: GradRule[] = [add, sub, mul, div, pow, neg, identity, cast, sqrt, exp, log, reciprocal, abs, sum, maxMin, where, expand];
