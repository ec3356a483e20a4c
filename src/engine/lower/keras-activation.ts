/**
 * Keras activations (the `activation` argument that Conv2D, Dense... fuse into the layer, and the
 * Activation layer) and the activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax,
 * ThresholdedReLU), as ONNX nodes. Formulas are keras/src/activations/activations.py (Keras 3),
 * keras/activations.py (Keras 2) and tfjs-layers `activations.ts`; where they differ, the comment
 * says which one applies.
 */
import type { Emit } from '../emit.ts';
import { f } from '../builder.ts';
import { axisOf, num } from './keras-args.ts';
import type { Dialect, LayerCall, LayerLowering } from './keras-call.ts';

/**
 * `hard_sigmoid(x) = clip(alpha * x + beta, 0, 1)`: Keras 1/2 and TF.js use alpha 0.2; Keras 3
 * uses `relu6(x + 3) / 6` (alpha 1/6), keras/src/activations/activations.py `hard_sigmoid`.
 */
export function hardSigmoidAlpha(d: Dialect): number {
  return d.keras >= 3 && !d.tfjs ? 1 / 6 : 0.2;
}

/** The Keras name of an activation config value (`'relu'`, or a Keras 3 `{class_name, config}` for a built-in). */
export function activationName(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as { class_name?: unknown; config?: unknown };
    if (typeof o.config === 'string') return o.config; // Keras 3 serializes built-ins as {module, class_name: 'function', config: 'relu'}
    if (typeof o.class_name === 'string') return o.class_name;
  }
  return String(v);
}

/**
 * Applies a Keras activation by name; `fail` is called for an unknown one.
 * @example const y = applyActivation(e, 'relu', x, dialect, fail)
 */
export function applyActivation(e: Emit, name: unknown, x: string, d: Dialect, fail: (why: string) => never): string {
  const a = activationName(name);
  if (a === undefined || a === '' || a === 'linear' || a === 'None') return x;
  switch (a.toLowerCase()) {
    case 'relu': return e.op('Relu', [x]);
    case 'relu6': return e.op('Clip', [x, e.scalar(0), e.scalar(6)]);
    case 'sigmoid': return e.op('Sigmoid', [x]);
    case 'hard_sigmoid': case 'hardsigmoid': return e.op('HardSigmoid', [x], { alpha: f(hardSigmoidAlpha(d)), beta: f(0.5) });
    case 'tanh': return e.op('Tanh', [x]);
    case 'softmax': return e.op('Softmax', [x], { axis: -1 });
    case 'log_softmax': case 'logsoftmax': return e.op('LogSoftmax', [x], { axis: -1 });
    case 'elu': return e.op('Elu', [x], { alpha: f(1) });
    // ONNX Selu's default alpha and gamma are Klambauer et al.'s constants, as Keras's.
    case 'selu': return e.op('Selu', [x]);
    case 'softplus': return e.op('Softplus', [x]);
    // x / (1 + |x|), written out so that gradients have rules for every op.
    case 'softsign': return e.div(x, e.add(e.op('Abs', [x]), e.scalar(1)));
    case 'exponential': return e.op('Exp', [x]);
    case 'swish': case 'silu': return e.mul(x, e.op('Sigmoid', [x]));
    // Keras's gelu defaults to the exact form: 0.5 x (1 + erf(x / sqrt 2)).
    case 'gelu': return e.mul(e.scale(x, 0.5), e.add(e.op('Erf', [e.scale(x, Math.SQRT1_2)]), e.scalar(1)));
    // TF.js 'gelu_new': the tanh approximation 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
    case 'gelu_new': {
      const inner = e.scale(e.add(x, e.scale(e.mul(e.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return e.mul(e.scale(x, 0.5), e.add(e.op('Tanh', [inner]), e.scalar(1)));
    }
    case 'hard_swish': case 'hard_silu': case 'hardswish': return e.op('HardSwish', [x]);
    case 'mish': return e.mul(x, e.op('Tanh', [e.op('Softplus', [x])]));
    case 'leaky_relu': return e.op('LeakyRelu', [x], { alpha: f(0.2) });
    default: return fail(`activation '${a}' is not supported`);
  }
}

const act = (c: LayerCall, x: string): string => applyActivation(c.e, c.cfg.activation, x, c.dialect, c.fail);

/** Keras ReLU(max_value, negative_slope, threshold), keras/src/layers/activations/relu.py. */
const relu: LayerLowering = (c) => {
  const [x] = c.inputs as [string];
  const max = c.cfg.max_value, slope = num(c.cfg.negative_slope, 0), th = num(c.cfg.threshold, 0);
  const e = c.e;
  let y: string;
  if (slope === 0 && th === 0) {
    y = e.op('Relu', [x]);
  } else {
    // x >= threshold ? x : negative_slope * (x - threshold)
    const below = e.scale(e.sub(x, e.scalar(th)), slope);
    y = e.where(e.op('Less', [x, e.scalar(th)]), below, x);
  }
  if (typeof max === 'number') y = e.op('Min', [y, e.scalar(max)]);
  return [y];
};

/** LeakyReLU: `alpha` (Keras 1/2, TF.js) or `negative_slope` (Keras 3); both default to 0.3. */
const leakyRelu: LayerLowering = (c) => [c.e.op('LeakyRelu', [c.inputs[0]!], { alpha: f(num(c.cfg.negative_slope ?? c.cfg.alpha, 0.3)) })];

const elu: LayerLowering = (c) => [c.e.op('Elu', [c.inputs[0]!], { alpha: f(num(c.cfg.alpha, 1)) })];

/** PReLU: the learned slope has the input's shape without the batch (size 1 on `shared_axes`), which ONNX PRelu broadcasts. */
const prelu: LayerLowering = (c) => [c.e.op('PRelu', [c.inputs[0]!, c.w.constant('alpha')])];

/** Softmax layer over `axis` (default -1; a Keras 3 list of axes is normalized by hand). */
const softmax: LayerLowering = (c) => {
  const x = c.inputs[0]!;
  const axis = c.cfg.axis ?? -1;
  if (typeof axis === 'number') return [c.e.op('Softmax', [x], { axis })];
  const rank = c.inShapes[0]?.length;
  if (!Array.isArray(axis) || rank === undefined) return c.fail(`softmax axis ${JSON.stringify(axis)} is not supported`);
  const axes = (axis as number[]).map((a) => axisOf(a, rank));
  const ex = c.e.op('Exp', [c.e.sub(x, c.e.reduceMax(x, axes))]);
  return [c.e.div(ex, c.e.reduceSum(ex, axes))];
};

/** ThresholdedReLU: x if x > theta else 0. */
const thresholdedRelu: LayerLowering = (c) => {
  const x = c.inputs[0]!;
  return [c.e.where(c.e.op('Greater', [x, c.e.scalar(num(c.cfg.theta, 1))]), x, c.e.scalar(0))];
};

/** Activation layers by Keras class name. */
export const ACTIVATION_LAYERS: Record<string, LayerLowering> = {
  Activation: (c) => [act(c, c.inputs[0]!)],
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  PReLU: prelu,
  Softmax: softmax,
  ThresholdedReLU: thresholdedRelu,
};
