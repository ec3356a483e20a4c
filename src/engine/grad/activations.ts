/**
 * Backward rules of activation functions, each written next to the forward definition it
 * differentiates (ONNX operator specs, https://onnx.ai/onnx/operators/).
 */
import { onnxDtypeCode } from '../../formats/onnx-schema.ts';
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

const x = (c: GradContext): string => c.node.inputs[0]!;
const y = (c: GradContext): string => c.node.outputs[0]!;
const dy = (c: GradContext): string => c.dy()!;
const num = (c: GradContext, name: string, fallback: number): number => attr(c.node, name, 'float', fallback);

/**
 * Relu: y = max(0, x); dy passes where x > 0, i.e. where y > 0. Reading the mask from y rather
 * than x leaves x with the Relu as its only reader, so ONNX Runtime can fuse the Relu into the
 * Conv before it (ResNet-18: 15 of its 17 Relu kernels). The mask is applied as
 * dy * float(y > 0): the same values as Where(y > 0, dy, 0) for finite dy (0 or -0 where
 * masked), and about 3x cheaper in ORT, whose Where with a broadcast scalar is slow (1 thread,
 * 64x112x112: 0.7 ms vs 2.1 ms). A mask that stays in ORT's blocked NCHWc layout (so the Mul
 * needs no layout reorders), tanh(1e38 * y) as a depthwise Conv with a fused Tanh, was no faster
 * end to end and is inexact for 0 < y < ~1e-37: median paired ratio 0.99 on ResNet-18 (8 rounds)
 * and 0.88 / 0.99 on ResNet-50 (6 and 8 rounds), 2026-11-22; the 15 mask Convs of ResNet-18 cost
 * 2.9 ms, about what the Greater/Cast and reorders they replace cost. That version is commit
 * 14e139a (`git checkout 14e139a && node --import tsx bench/dev/ab-env.ts resnet18 8 - NNLENS_RELU_MASK=tanh`).
 */
export const relu: GradRule = {
  ops: ['Relu'],
  grad: (c) => [() => c.e.mul(dy(c), positiveMask(c, y(c)))],
};

/** float(v > 0) in the dtype of `v`. */
function positiveMask(c: GradContext, v: string): string {
  return c.e.op('Cast', [c.e.op('Greater', [v, c.e.scalar(0)])], { to: onnxDtypeCode(c.dtype(v)) });
}

/**
 * Guided backpropagation's ReLU (Springenberg et al. 2015, arXiv:1412.6806, Sec. 3.4, Fig. 1):
 * the gradient passes only where both the forward input and the incoming gradient are positive.
 * Not in RULES: the engine swaps it in when asked for guided gradients.
 */
export const guidedRelu: GradRule = {
  ops: ['Relu'],
  grad: (c) => [() => {
    const e = c.e;
    const open = e.op('And', [e.op('Greater', [y(c), e.scalar(0)]), e.op('Greater', [dy(c), e.scalar(0)])]); // y > 0 iff x > 0 (see relu)
    return e.where(open, dy(c), e.scalar(0));
  }],
};

/** LeakyRelu: y = x if x >= 0 else alpha*x. */
export const leakyRelu: GradRule = {
  ops: ['LeakyRelu'],
  grad: (c) => [() => {
    const e = c.e;
    const alpha = num(c, 'alpha', 0.01);
    return e.where(e.op('Less', [x(c), e.scalar(0)]), e.scale(dy(c), alpha), dy(c));
  }],
};

/** PRelu: y = x if x >= 0 else slope*x (slope broadcast to x). */
export const prelu: GradRule = {
  ops: ['PRelu'],
  grad: (c) => {
    const e = c.e;
    const neg = (): string => e.op('Less', [x(c), e.scalar(0)]);
    return [
      () => e.where(neg(), e.mul(dy(c), c.node.inputs[1]!), dy(c)),
      () => e.unbroadcast(e.where(neg(), e.mul(dy(c), x(c)), e.scalar(0)), c.shape(y(c)), c.shape(c.node.inputs[1]!)),
    ];
  },
};

/** Elu: y = x if x > 0 else alpha*(exp(x)-1); dy/dx = 1 or y + alpha. */
export const elu: GradRule = {
  ops: ['Elu'],
  grad: (c) => [() => {
    const e = c.e;
    const alpha = num(c, 'alpha', 1);
    return e.where(e.op('Greater', [x(c), e.scalar(0)]), dy(c), e.mul(dy(c), e.add(y(c), e.scalar(alpha))));
  }],
};

/** Selu: y = gamma*x if x > 0 else gamma*alpha*(exp(x)-1); dy/dx = gamma or y + gamma*alpha. */
export const selu: GradRule = {
  ops: ['Selu'],
  grad: (c) => [() => {
    const e = c.e;
    const alpha = num(c, 'alpha', 1.67326319217681884765625);
    const gamma = num(c, 'gamma', 1.05070102214813232421875);
    return e.where(e.op('Greater', [x(c), e.scalar(0)]), e.scale(dy(c), gamma), e.mul(dy(c), e.add(y(c), e.scalar(gamma * alpha))));
  }],
};

/** Sigmoid: dy/dx = y(1-y). */
export const sigmoid: GradRule = {
  ops: ['Sigmoid'],
  grad: (c) => [() => c.e.mul(dy(c), c.e.mul(y(c), c.e.sub(c.e.scalar(1), y(c))))],
};

/** Tanh: dy/dx = 1 - y^2. */
export const tanh: GradRule = {
  ops: ['Tanh'],
  grad: (c) => [() => c.e.mul(dy(c), c.e.sub(c.e.scalar(1), c.e.mul(y(c), y(c))))],
};

/** HardSigmoid: y = max(0, min(1, alpha*x + beta)); slope alpha inside (0, 1). */
export const hardSigmoid: GradRule = {
  ops: ['HardSigmoid'],
  grad: (c) => [() => {
    const e = c.e;
    const alpha = num(c, 'alpha', 0.2), beta = num(c, 'beta', 0.5);
    const t = e.add(e.scale(x(c), alpha), e.scalar(beta));
    const inside = e.op('And', [e.op('Greater', [t, e.scalar(0)]), e.op('Less', [t, e.scalar(1)])]);
    return e.where(inside, e.scale(dy(c), alpha), e.scalar(0));
  }],
};

/** HardSwish: y = x * HardSigmoid(x; 1/6, 0.5); dy/dx = 0 (x<-3), 1 (x>3), x/3 + 0.5 between. */
export const hardSwish: GradRule = {
  ops: ['HardSwish'],
  grad: (c) => [() => {
    const e = c.e;
    const mid = e.add(e.scale(x(c), 1 / 3), e.scalar(0.5));
    const inner = e.where(e.op('Greater', [x(c), e.scalar(3)]), e.scalar(1), mid);
    const d = e.where(e.op('Less', [x(c), e.scalar(-3)]), e.scalar(0), inner);
    return e.mul(dy(c), d);
  }],
};

/** Softplus: y = ln(1 + e^x); dy/dx = sigmoid(x). */
export const softplus: GradRule = {
  ops: ['Softplus'],
  grad: (c) => [() => c.e.mul(dy(c), c.e.op('Sigmoid', [x(c)]))],
};

/** Erf: d erf(x)/dx = 2/sqrt(pi) * exp(-x^2). */
export const erf: GradRule = {
  ops: ['Erf'],
  grad: (c) => [() => {
    const e = c.e;
    const g = e.op('Exp', [e.neg(e.mul(x(c), x(c)))]);
    return e.mul(dy(c), e.scale(g, 2 / Math.sqrt(Math.PI)));
  }],
};

/**
 * Gelu (opset 20): exact y = x*Phi(x), dy/dx = Phi(x) + x*phi(x); the tanh approximation is
 * differentiated through its own formula.
 */
export const gelu: GradRule = {
  ops: ['Gelu'],
  grad: (c) => [() => {
    const e = c.e;
    if (attr(c.node, 'approximate', 'string', 'none') === 'tanh') {
      // u = sqrt(2/pi)*(x + 0.044715 x^3); y = 0.5 x (1 + tanh u)
      const k = Math.sqrt(2 / Math.PI);
      const x2 = e.mul(x(c), x(c));
      const u = e.scale(e.add(x(c), e.scale(e.mul(x2, x(c)), 0.044715)), k);
      const t = e.op('Tanh', [u]);
      const du = e.scale(e.add(e.scalar(1), e.scale(x2, 3 * 0.044715)), k);
      const sech2 = e.sub(e.scalar(1), e.mul(t, t));
      const d = e.add(e.scale(e.add(e.scalar(1), t), 0.5), e.scale(e.mul(x(c), e.mul(sech2, du)), 0.5));
      return e.mul(dy(c), d);
    }
    const cdf = e.scale(e.add(e.scalar(1), e.op('Erf', [e.scale(x(c), Math.SQRT1_2)])), 0.5);
    const pdf = e.scale(e.op('Exp', [e.scale(e.mul(x(c), x(c)), -0.5)]), 1 / Math.sqrt(2 * Math.PI));
    return e.mul(dy(c), e.add(cdf, e.mul(x(c), pdf)));
  }],
};

/** Clip: the gradient passes where min < x < max (bounds from attributes before opset 11, inputs after). */
export const clip: GradRule = {
  ops: ['Clip'],
  grad: (c) => [() => {
    const e = c.e;
    let inside = e.op('Equal', [x(c), y(c)]);
    // x == clip(x) is exactly "not clipped" (bounds themselves count as inside, as in PyTorch's hardtanh).
    inside = e.op('Cast', [inside], { to: 1 });
    return e.mul(dy(c), inside);
  }, undefined, undefined],
};

export const RULES: GradRule[] = [relu, leakyRelu, prelu, elu, selu, sigmoid, tanh, hardSigmoid, hardSwish, softplus, erf, gelu, clip];
